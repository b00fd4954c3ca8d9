#include "supervisor/http/http_session.hpp"

#include <cstdio>
#include <random>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "common/logging.hpp"

namespace stratd::supervisor::http {
namespace beast = boost::beast;

namespace {

// A client's X-Request-Id is kept if it is short and plain (it ends up in
// log lines and headers).
bool usable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.' || c == ':';
    if (!plain) return false;
  }
  return true;
}

// This process's prefix and a count: unique across restarts of stratd
// without a random draw per request. Sessions run on one thread.
std::string next_request_id() {
  static const std::string prefix = [] {
    char buf[16];
    snprintf(buf, sizeof buf, "%08x", unsigned(std::random_device{}()));
    return std::string(buf);
  }();
  static uint64_t count = 0;
  char buf[24];
  snprintf(buf, sizeof buf, "-%llx", static_cast<unsigned long long>(++count));
  return prefix + buf;
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, const Router& router, const HttpSettings& settings,
                         ws::WsHub* websocket, Rejections& rejections, auth::AccessGate& gate,
                         const CorsPolicy& cors)
    : stream_(std::move(socket)), router_(router), settings_(settings), websocket_(websocket),
      rejections_(rejections), gate_(gate), cors_(cors) {
  beast::error_code ec;
  auto addr = stream_.socket().remote_endpoint(ec).address();
  // An IPv4 client of a dual-stack listener is one address, not two.
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) addr = addr.to_v6().to_v4();
  if (!ec) address_ = addr.to_string();
}

void HttpSession::run() {
  boost::asio::dispatch(stream_.get_executor(),
                        beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->body_limit(settings_.body_limit_bytes);
  parser_->header_limit(std::uint32_t(settings_.header_limit_bytes));
  stream_.expires_after(std::chrono::milliseconds(settings_.request_timeout_ms));
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, size_t) {
  if (ec == beast_http::error::end_of_stream || ec == boost::asio::error::eof ||
      ec == beast::error::timeout || ec == boost::asio::error::operation_aborted ||
      ec == boost::asio::error::connection_reset) {
    return do_close();
  }
  keep_alive_ = false;  // after a protocol error the stream is not trusted
  version_ = 11;
  origin_.clear();
  preflight_ = false;
  started_ = std::chrono::steady_clock::now();
  request_id_.clear();
  request_line_.clear();
  if (!ec) {
    const auto& head = parser_->get();
    if (auto it = head.find("X-Request-Id"); it != head.end() && usable_request_id(to_sv(it->value()))) {
      request_id_ = std::string(it->value());
    }
    request_line_ = std::string(to_sv(head.method_string())) + " " + std::string(to_sv(head.target()).substr(0, 256));
  }
  if (request_id_.empty()) request_id_ = next_request_id();
  RequestLogScope scope(request_id_);
  if (ec == beast_http::error::body_limit) {
    rejections_.count(Rejection::BodyTooLarge);
    return send(reply_error(ErrorCode::PayloadTooLarge, "request body exceeds " + std::to_string(settings_.body_limit_bytes) + " bytes"));
  }
  if (ec == beast_http::error::header_limit) {
    rejections_.count(Rejection::HeadersTooLarge);
    return send(reply_error(ErrorCode::HeadersTooLarge, "request headers exceed " + std::to_string(settings_.header_limit_bytes) + " bytes"));
  }
  if (ec) {
    return send(reply_error(ErrorCode::BadRequest, "malformed HTTP request"));
  }
  request_ = parser_->release();
  const Request& req = request_;
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  preflight_ = req.method() == beast_http::verb::options;
  if (auto it = req.find(beast_http::field::origin); it != req.end()) origin_ = std::string(it->value());
  host_.clear();
  if (auto it = req.find(beast_http::field::host); it != req.end()) host_ = std::string(it->value());
  const auto path = to_sv(req.target()).substr(0, to_sv(req.target()).find('?'));
  websocket_upgrade_ = path == "/ws";
  if (websocket_upgrade_ && !beast::websocket::is_upgrade(req)) {
    Response res = reply_error(ErrorCode::UpgradeRequired, "/ws speaks WebSocket; connect with a WebSocket client");
    res.set(beast_http::field::upgrade, "websocket");
    return send(std::move(res));
  }
  gate_.admit(req, address_, request_id_, websocket_upgrade_, [self = shared_from_this()](auth::Admission a) {
    // At once, or from the key verifier's thread: back onto this
    // connection's own loop either way (inline when already on it).
    auto executor = self->stream_.get_executor();
    boost::asio::dispatch(executor, [self = std::move(self), a = std::move(a)]() mutable {
      self->admitted(std::move(a));
    });
  });
}

void HttpSession::admitted(auth::Admission admission) {
  RequestLogScope scope(request_id_);
  if (admission.refusal) return send(std::move(*admission.refusal));
  if (websocket_upgrade_) return upgrade(std::move(admission));
  router_.dispatch(request_, admission.caller, [self = shared_from_this()](Response res) { self->send(std::move(res)); });
}

void HttpSession::upgrade(auth::Admission admission) {
  if (auto refused = router_.check_access(Access::Viewer, admission.caller)) return send(std::move(*refused));
  // A browser's upgrade carries the page's Origin and obeys no CORS: a
  // page of another site must not read the events with the user's access.
  if (!origin_.empty() && !cors_.allows(origin_, host_)) {
    rejections_.count(Rejection::OriginNotAllowed);
    keep_alive_ = false;
    return send(reply_error(ErrorCode::OriginNotAllowed, "WebSocket connections from " + origin_.substr(0, 200) +
                                                              " are not allowed ([cors] allowed_origins)"));
  }
  if (!websocket_ || websocket_->full()) {
    keep_alive_ = false;
    return send(reply_error(ErrorCode::TooManyClients, "no more WebSocket clients are accepted now"));
  }
  // The connection leaves HTTP for good: the WebSocket session takes the socket.
  websocket_->accept(stream_.release_socket(), std::move(request_));
}

void HttpSession::add_cors(Response& res) const {
  if (origin_.empty()) return;  // not a browser's cross-origin call
  if (cors_.any()) {
    res.set(beast_http::field::access_control_allow_origin, "*");
  } else if (cors_.allows(origin_, host_)) {
    res.set(beast_http::field::access_control_allow_origin, origin_);
    res.set(beast_http::field::vary, "Origin");
  } else {
    return;
  }
  // The rest is read by browsers only on a preflight's answer.
  if (!preflight_) return;
  res.set(beast_http::field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
  res.set(beast_http::field::access_control_allow_headers, "Content-Type, Authorization");
  res.set(beast_http::field::access_control_max_age, std::to_string(settings_.cors_max_age_secs));
}

void HttpSession::send(Response res) {
  res.version(version_);
  res.keep_alive(keep_alive_);
  res.set(beast_http::field::server, "stratd");
  // API answers are never cached, sniffed into something else, framed, or
  // allowed to load anything (were one ever shown as a page).
  res.set(beast_http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.set("X-Request-Id", request_id_);
  add_cors(res);
  res.prepare_payload();
  if (spdlog::should_log(spdlog::level::debug)) {
    RequestLogScope scope(request_id_);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
    spdlog::debug("{} {} {}B {:.3f}ms", request_line_.empty() ? "-" : request_line_, res.result_int(),
                  res.body().size(), double(us.count()) / 1000.0);
  }
  pending_ = std::make_shared<Response>(std::move(res));
  const bool close = pending_->need_eof();
  stream_.expires_after(std::chrono::milliseconds(settings_.request_timeout_ms));
  beast_http::async_write(stream_, *pending_,
                          beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), close));
}

void HttpSession::on_write(bool close, beast::error_code ec, size_t) {
  pending_.reset();
  if (ec || close) return do_close();
  do_read();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace stratd::supervisor::http
