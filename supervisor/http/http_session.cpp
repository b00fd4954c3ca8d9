#include "supervisor/http/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace stratd::supervisor::http {
namespace beast = boost::beast;

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, const Router& router, const HttpSettings& settings,
                         ws::WsHub* websocket)
    : stream_(std::move(socket)), router_(router), settings_(settings), websocket_(websocket) {}

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
  if (ec == beast_http::error::body_limit) {
    return send(reply_error(ErrorCode::PayloadTooLarge, "request body exceeds " + std::to_string(settings_.body_limit_bytes) + " bytes"));
  }
  if (ec == beast_http::error::header_limit) {
    return send(reply_error(ErrorCode::HeadersTooLarge, "request headers exceed " + std::to_string(settings_.header_limit_bytes) + " bytes"));
  }
  if (ec) {
    return send(reply_error(ErrorCode::BadRequest, "malformed HTTP request"));
  }
  Request req = parser_->release();
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  preflight_ = req.method() == beast_http::verb::options;
  if (auto it = req.find(beast_http::field::origin); it != req.end()) origin_ = std::string(it->value());
  const auto path = to_sv(req.target()).substr(0, to_sv(req.target()).find('?'));
  if (path == "/ws") {
    if (!beast::websocket::is_upgrade(req)) {
      Response res = reply_error(ErrorCode::UpgradeRequired, "/ws speaks WebSocket; connect with a WebSocket client");
      res.set(beast_http::field::upgrade, "websocket");
      return send(std::move(res));
    }
    if (!websocket_ || websocket_->full()) {
      keep_alive_ = false;
      return send(reply_error(ErrorCode::TooManyClients, "no more WebSocket clients are accepted now"));
    }
    // The connection leaves HTTP for good: the WebSocket session takes the socket.
    return websocket_->accept(stream_.release_socket(), std::move(req));
  }
  router_.dispatch(req, [self = shared_from_this()](Response res) { self->send(std::move(res)); });
}

void HttpSession::add_cors(Response& res) const {
  if (settings_.cors_origins.empty()) return;
  const bool any = std::find(settings_.cors_origins.begin(), settings_.cors_origins.end(), "*") !=
                   settings_.cors_origins.end();
  if (any) {
    res.set(beast_http::field::access_control_allow_origin, "*");
  } else if (!origin_.empty() && std::find(settings_.cors_origins.begin(), settings_.cors_origins.end(),
                                           origin_) != settings_.cors_origins.end()) {
    res.set(beast_http::field::access_control_allow_origin, origin_);
    res.set(beast_http::field::vary, "Origin");
  } else {
    return;
  }
  // The rest is read by browsers only on a preflight's answer.
  if (!preflight_) return;
  res.set(beast_http::field::access_control_allow_methods, "GET, POST, DELETE, OPTIONS");
  res.set(beast_http::field::access_control_allow_headers, "Content-Type, Authorization");
  res.set(beast_http::field::access_control_max_age, "3600");
}

void HttpSession::send(Response res) {
  res.version(version_);
  res.keep_alive(keep_alive_);
  res.set(beast_http::field::server, "stratd");
  res.set(beast_http::field::cache_control, "no-store");
  add_cors(res);
  res.prepare_payload();
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
