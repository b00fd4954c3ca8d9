#pragma once
// One HTTP connection. Owns itself (shared_from_this), reads one request at
// a time with a body limit and deadlines, answers only a Host that is
// stratd's own (host_policy.hpp), has the access gate admit it
// (its key, its client's rate limits), hands it to the router, writes
// the reply (the router may answer later, e.g. DELETE after the worker
// exited), and keeps the connection alive when the client asks.
//
// Deadlines (slowloris): a new connection's first request head must be in
// within header_timeout_ms of the accept; on a kept-alive connection the
// next request's first byte within idle_timeout_ms of the last answer
// (else it is closed, silently), its head within header_timeout_ms of that
// byte, its body within body_timeout_ms of the head's end (else 408 and
// closed); the client reads the answer within request_timeout_ms. Each is
// an absolute time, so trickling a byte at a time does not stretch it. One
// timer serves them lazily: a deadline that moved later is only looked at
// when the timer fires, so a request on a busy connection costs no timer
// operation.
//
// A template on its stream. A plain connection runs on the HTTP loop
// throughout. A TLS connection runs on the event hub's loop, where it was
// accepted: its SSL engine stays bound to the loop of its socket, and /ws
// lives there, so an upgrade starts the WebSocket session in place; only
// route() hops to the HTTP loop (the router and everything its handlers
// touch) and the answer back. Instantiated for both in the .cpp.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/settings.hpp"
#include "supervisor/auth/access_gate.hpp"
#include "supervisor/http/connection_limits.hpp"
#include "supervisor/http/cors_policy.hpp"
#include "supervisor/http/host_policy.hpp"
#include "supervisor/http/rejections.hpp"
#include "supervisor/http/router.hpp"
#include "supervisor/http/tls_types.hpp"
#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor::http {

using PlainStream = boost::beast::tcp_stream;

// What a TLS session has that a plain one does not.
struct TlsSessionSide {
  TlsContext context;
  // The HTTP loop, where the router runs.
  boost::asio::any_io_executor http_loop;
  // The live settings are written on the HTTP loop (a reload): a TLS
  // session, on the hub's, reads its own copy, made at accept.
  std::shared_ptr<const HttpSettings> settings;
};

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, PlainStream>;
  using Clock = std::chrono::steady_clock;

  // Plain: `socket` is on the HTTP loop. Upgrades to /ws go to
  // `websocket` (none: refused).
  HttpSession(boost::asio::ip::tcp::socket&& socket, const Router& router, const HttpSettings& settings,
              ws::WsHub* websocket, Rejections& rejections, auth::AccessGate& gate, ConnectionSlot slot);
  // TLS: `socket` is on the hub's loop.
  HttpSession(boost::asio::ip::tcp::socket&& socket, const Router& router, TlsSessionSide tls,
              ws::WsHub* websocket, Rejections& rejections, auth::AccessGate& gate, ConnectionSlot slot);
  void run();

 private:
  enum class Phase : uint8_t { Handshake, Idle, Head, Body, Routing, Writing, Closing };

  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_first_bytes(boost::beast::error_code ec, size_t bytes);
  void read_head();
  void on_head(boost::beast::error_code ec, size_t bytes);
  // The request, read in full, or why it was not.
  void on_read(boost::beast::error_code ec, size_t bytes);
  // Admitted by the gate, or refused (on this session's loop).
  void admitted(auth::Admission admission);
  // The request to its handler, and its answer back to send().
  void route(Request req, auth::Caller caller);
  // The connection leaves HTTP for good: /ws takes it.
  void upgrade(Request req, std::string key);
  void send(Response res);
  void on_write(bool close, boost::beast::error_code ec, size_t bytes);
  void do_close();
  void add_cors(Response& res) const;

  void set_deadline(Phase phase, Clock::time_point at);
  void arm_timer(Clock::time_point at);
  void on_deadline(boost::beast::error_code ec, uint64_t generation);
  boost::asio::ip::tcp::socket& socket() { return boost::beast::get_lowest_layer(stream_).socket(); }

  TlsSessionSide tls_;  // empty for a plain session
  Stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  const Router& router_;
  const HttpSettings& settings_;
  ws::WsHub* websocket_;
  Rejections& rejections_;
  auth::AccessGate& gate_;
  CorsPolicy cors_;      // over this session's settings
  HostPolicy hosts_;     // the same
  std::string address_;  // the client's IP: its rate limits when it has no key
  auth::KeyMemo key_memo_;  // the key its last request proved (the gate's short path)
  Request request_;      // the one being admitted
  bool websocket_upgrade_ = false;
  ConnectionSlot slot_;  // this connection's place in the listener's counts
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool preflight_ = false;  // an OPTIONS request: the CORS answer in full
  bool answered_ = false;   // a request has been answered on this connection
  bool timed_out_ = false;  // the head's or the body's deadline passed
  std::string origin_;
  std::string host_;  // the Host header: is Origin the API's own?
  // Names this request in every log line and in X-Request-Id: the
  // client's own id if it sent a sane one, else ours.
  std::string request_id_;
  std::string request_line_;  // method and target, for the access line
  Clock::time_point started_;
  std::shared_ptr<Response> pending_;

  boost::asio::steady_timer timer_;
  Phase phase_ = Phase::Idle;
  Clock::time_point deadline_ = Clock::time_point::max();  // the phase's
  Clock::time_point timer_at_ = Clock::time_point::max();  // the timer's
  uint64_t timer_generation_ = 0;
};

// Both are instantiated once, in http_session.cpp.
extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;

}  // namespace stratd::supervisor::http
