#include "supervisor/http/http_session.hpp"

#include <cstdio>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "common/logging.hpp"
#include "supervisor/http/request_id.hpp"

namespace stratd::supervisor::http {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

std::chrono::milliseconds ms(int64_t n) { return std::chrono::milliseconds(n); }

// Each constructor is compiled for both streams (clang 14 cannot match
// constrained out-of-line constructors): the stream is made here. The
// plain constructor is for plain streams, the TLS one for TLS streams.
template <class Stream>
Stream make_stream(net::ip::tcp::socket&& socket, ssl::context* context) {
  if constexpr (std::is_same_v<Stream, PlainStream>) {
    return Stream(std::move(socket));
  } else {
    return Stream(beast::tcp_stream(std::move(socket)), *context);
  }
}

std::string client_address(const net::ip::tcp::socket& socket) {
  beast::error_code ec;
  auto addr = socket.remote_endpoint(ec).address();
  if (ec) return {};
  // An IPv4 client of a dual-stack listener is one address, not two.
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) addr = addr.to_v6().to_v4();
  return addr.to_string();
}

}  // namespace

template <class Stream>
HttpSession<Stream>::HttpSession(net::ip::tcp::socket&& socket, const Router& router, const HttpSettings& settings,
                                 ws::WsHub* websocket, Rejections& rejections, auth::AccessGate& gate,
                                 ConnectionSlot slot)
    : stream_(make_stream<Stream>(std::move(socket), nullptr)), router_(router), settings_(settings), websocket_(websocket),
      rejections_(rejections), gate_(gate), cors_(settings_), hosts_(settings_),
      address_(client_address(this->socket())), slot_(std::move(slot)), timer_(stream_.get_executor()) {}

template <class Stream>
HttpSession<Stream>::HttpSession(net::ip::tcp::socket&& socket, const Router& router, TlsSessionSide tls,
                                 ws::WsHub* websocket, Rejections& rejections, auth::AccessGate& gate,
                                 ConnectionSlot slot)
    : tls_(std::move(tls)), stream_(make_stream<Stream>(std::move(socket), tls_.context.get())), router_(router),
      settings_(*tls_.settings), websocket_(websocket), rejections_(rejections), gate_(gate), cors_(settings_),
      hosts_(settings_), address_(client_address(this->socket())), slot_(std::move(slot)), timer_(stream_.get_executor()) {}

template <class Stream>
void HttpSession<Stream>::run() {
  // The first request's head is due within header_timeout_ms of the
  // accept, a TLS handshake included.
  const auto due = Clock::now() + ms(settings_.header_timeout_ms);
  if constexpr (kTls) {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(), due] {
      self->set_deadline(Phase::Handshake, due);
      self->stream_.async_handshake(ssl::stream_base::server,
                                    beast::bind_front_handler(&HttpSession::on_handshake, self));
    });
  } else {
    set_deadline(Phase::Idle, due);
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, this->shared_from_this()));
  }
}

template <class Stream>
void HttpSession<Stream>::on_handshake(beast::error_code ec) {
  if (ec) {
    // Scanners and old clients fail here all day: counted, never above debug.
    rejections_.count(Rejection::TlsHandshake);
    spdlog::debug("TLS handshake failed: {}", ec.message());
    return;
  }
  phase_ = Phase::Idle;  // the same deadline
  do_read();
}

template <class Stream>
void HttpSession<Stream>::do_read() {
  parser_.emplace();
  parser_->body_limit(settings_.body_limit_bytes);
  parser_->header_limit(std::uint32_t(settings_.header_limit_bytes));
  timed_out_ = false;
  if (answered_) set_deadline(Phase::Idle, Clock::now() + ms(settings_.idle_timeout_ms));
  // A pipelined request is already here.
  if (buffer_.size() > 0) return read_head();
  stream_.async_read_some(buffer_.prepare(beast::read_size(buffer_, 65536)),
                          beast::bind_front_handler(&HttpSession::on_first_bytes, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_first_bytes(beast::error_code ec, size_t bytes) {
  if (ec) {
    // Nothing of a request came: closed without an answer. A new
    // connection that never spoke was holding a place, though.
    if (!answered_ && phase_ == Phase::Closing) rejections_.count(Rejection::HeaderTimeout);
    return do_close();
  }
  buffer_.commit(bytes);
  read_head();
}

template <class Stream>
void HttpSession<Stream>::read_head() {
  set_deadline(Phase::Head, Clock::now() + ms(settings_.header_timeout_ms));
  beast_http::async_read_header(stream_, buffer_, *parser_,
                                beast::bind_front_handler(&HttpSession::on_head, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_head(beast::error_code ec, size_t bytes) {
  if (ec || parser_->is_done() || parser_->get().target().size() > settings_.max_url_bytes) return on_read(ec, bytes);
  set_deadline(Phase::Body, Clock::now() + ms(settings_.body_timeout_ms));
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
}

template <class Stream>
void HttpSession<Stream>::on_read(beast::error_code ec, size_t) {
  const Phase reading = phase_;
  set_deadline(Phase::Routing, Clock::time_point::max());
  if (timed_out_ && ec) {
    // Part of a request came, not all of it in time: said, then closed.
    keep_alive_ = false;
    const bool head = reading == Phase::Head;
    rejections_.count(head ? Rejection::HeaderTimeout : Rejection::BodyTimeout);
    request_id_ = next_request_id();
    request_line_.clear();
    started_ = Clock::now();
    return send(reply_error(ErrorCode::RequestTimeout,
                            head ? "request head not received within " + std::to_string(settings_.header_timeout_ms) + " ms"
                                 : "request body not received within " + std::to_string(settings_.body_timeout_ms) + " ms"));
  }
  if (ec == beast_http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
      ec == net::error::operation_aborted || ec == net::error::connection_reset || ec == ssl::error::stream_truncated) {
    return do_close();
  }
  keep_alive_ = false;  // after a protocol error the stream is not trusted
  version_ = 11;
  origin_.clear();
  preflight_ = false;
  started_ = Clock::now();
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
  if (parser_->get().target().size() > settings_.max_url_bytes) {
    // Its body (if any) is left unread: the connection closes after this.
    rejections_.count(Rejection::UriTooLong);
    return send(reply_error(ErrorCode::UriTooLong, "request target exceeds " + std::to_string(settings_.max_url_bytes) + " bytes"));
  }
  request_ = parser_->release();
  const Request& req = request_;
  version_ = req.version();
  keep_alive_ = req.keep_alive();
  preflight_ = req.method() == beast_http::verb::options;
  host_.clear();
  if (auto it = req.find(beast_http::field::host); it != req.end()) host_ = std::string(it->value());
  if (!hosts_.allows(host_)) {
    // DNS rebinding: a page whose own name now resolves to this address.
    // Refused before its key or its Origin is looked at, and without CORS
    // headers (origin_ is still empty), on any path, /ws included.
    rejections_.count(Rejection::HostNotAllowed);
    keep_alive_ = false;
    return send(reply_error(ErrorCode::HostNotAllowed,
                            "Host '" + host_.substr(0, 200) +
                                "' is not one of this stratd's names ([server] allowed_hosts)"));
  }
  if (auto it = req.find(beast_http::field::origin); it != req.end()) origin_ = std::string(it->value());
  const auto path = to_sv(req.target()).substr(0, to_sv(req.target()).find('?'));
  websocket_upgrade_ = path == "/ws";
  if (websocket_upgrade_ && !beast::websocket::is_upgrade(req)) {
    Response res = reply_error(ErrorCode::UpgradeRequired, "/ws speaks WebSocket; connect with a WebSocket client");
    res.set(beast_http::field::upgrade, "websocket");
    return send(std::move(res));
  }
  gate_.admit(req, address_, request_id_, websocket_upgrade_, &key_memo_, [self = this->shared_from_this()](auth::Admission a) {
    // At once, or from the key verifier's thread: back onto this
    // connection's own loop either way (inline when already on it).
    auto executor = self->stream_.get_executor();
    net::dispatch(executor, [self = std::move(self), a = std::move(a)]() mutable { self->admitted(std::move(a)); });
  });
}

template <class Stream>
void HttpSession<Stream>::admitted(auth::Admission admission) {
  RequestLogScope scope(request_id_);
  if (admission.refusal) return send(std::move(*admission.refusal));
  const auto method = request_.method();
  const bool changes = method != beast_http::verb::get && method != beast_http::verb::head &&
                       method != beast_http::verb::options;
  if (changes && !origin_.empty() && !cors_.allows(origin_, host_)) {
    // A page of another site may not change anything, even where its
    // browser would not let it read the answer (a form's POST is sent
    // without a preflight): cross-site request forgery.
    rejections_.count(Rejection::OriginNotAllowed);
    return send(reply_error(ErrorCode::OriginNotAllowed,
                            "requests from " + origin_.substr(0, 200) + " may not change anything ([cors] allowed_origins)"));
  }
  if (!websocket_upgrade_) return route(std::move(request_), std::move(admission.caller));
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
  upgrade(std::move(request_), std::move(admission.caller.key));
}

template <class Stream>
void HttpSession<Stream>::route(Request req, auth::Caller caller) {
  if constexpr (!kTls) {
    router_.dispatch(req, caller, [self = this->shared_from_this()](Response res) { self->send(std::move(res)); });
  } else {
    // The router's loop, and the answer back to this session's.
    net::post(tls_.http_loop, [self = this->shared_from_this(), req = std::move(req), caller = std::move(caller),
                               id = request_id_, back = stream_.get_executor()] {
      RequestLogScope scope(id);
      self->router_.dispatch(req, caller, [self, back](Response res) {
        net::post(back, [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
      });
    });
  }
}

template <class Stream>
void HttpSession<Stream>::upgrade(Request req, std::string key) {
  set_deadline(Phase::Closing, Clock::time_point::max());  // the WebSocket keeps its own time
  if constexpr (!kTls) {
    websocket_->accept(stream_.release_socket(), std::move(req), std::move(slot_), std::move(key));
  } else {
    // Already on the hub's loop: the stream stays where it is.
    websocket_->accept(std::move(stream_), std::move(req), std::move(slot_), std::move(key));
  }
}

template <class Stream>
void HttpSession<Stream>::add_cors(Response& res) const {
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

template <class Stream>
void HttpSession<Stream>::send(Response res) {
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
  if constexpr (kTls) {
    // TLS is on: browsers are to come back over HTTPS only, for a year.
    res.set(beast_http::field::strict_transport_security, "max-age=31536000");
  }
  res.prepare_payload();
  if (spdlog::should_log(spdlog::level::debug)) {
    RequestLogScope scope(request_id_);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_);
    spdlog::debug("{} {} {}B {:.3f}ms", request_line_.empty() ? "-" : request_line_, res.result_int(),
                  res.body().size(), double(us.count()) / 1000.0);
  }
  pending_ = std::make_shared<Response>(std::move(res));
  const bool close = pending_->need_eof();
  set_deadline(Phase::Writing, Clock::now() + ms(settings_.request_timeout_ms));
  beast_http::async_write(stream_, *pending_,
                          beast::bind_front_handler(&HttpSession::on_write, this->shared_from_this(), close));
}

template <class Stream>
void HttpSession<Stream>::on_write(bool close, beast::error_code ec, size_t) {
  pending_.reset();
  answered_ = true;
  if (ec || close) return do_close();
  do_read();
}

template <class Stream>
void HttpSession<Stream>::do_close() {
  beast::error_code ec;
  if constexpr (kTls) {
    // close_notify, and the peer's within a moment; the socket closes
    // when the session ends.
    if (phase_ == Phase::Closing) return;
    set_deadline(Phase::Closing, Clock::now() + std::chrono::seconds(2));
    stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
      beast::error_code e;
      self->socket().close(e);
    });
  } else {
    phase_ = Phase::Closing;
    socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  }
}

template <class Stream>
void HttpSession<Stream>::set_deadline(Phase phase, Clock::time_point at) {
  phase_ = phase;
  deadline_ = at;
  if (at < timer_at_) arm_timer(at);
}

template <class Stream>
void HttpSession<Stream>::arm_timer(Clock::time_point at) {
  timer_at_ = at;
  timer_.expires_at(at);
  // Weakly: a session whose I/O has ended is not kept for its timer.
  timer_.async_wait([weak = this->weak_from_this(), generation = ++timer_generation_](beast::error_code ec) {
    if (auto self = weak.lock()) self->on_deadline(ec, generation);
  });
}

template <class Stream>
void HttpSession<Stream>::on_deadline(beast::error_code ec, uint64_t generation) {
  if (ec || generation != timer_generation_) return;  // re-armed earlier meanwhile
  timer_at_ = Clock::time_point::max();
  if (deadline_ == Clock::time_point::max()) return;
  if (Clock::now() < deadline_) return arm_timer(deadline_);  // the deadline moved later
  beast::error_code e;
  switch (phase_) {
    case Phase::Head:
    case Phase::Body:
      // The read ends (operation_aborted) and on_read answers 408.
      timed_out_ = true;
      socket().cancel(e);
      return;
    case Phase::Idle:
      phase_ = Phase::Closing;  // on_first_bytes: nothing came in time
      socket().close(e);
      return;
    case Phase::Handshake:
    case Phase::Writing:
    case Phase::Closing:
      phase_ = Phase::Closing;
      socket().close(e);
      return;
    case Phase::Routing: return;
  }
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace stratd::supervisor::http
