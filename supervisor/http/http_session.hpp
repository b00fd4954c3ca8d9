#pragma once
// One HTTP connection. Owns itself (shared_from_this), reads one request at
// a time with a body limit and a deadline, has the access gate admit it
// (its key, its client's rate limits), hands it to the router, writes the
// reply (the router may answer later, e.g. DELETE after the worker
// exited), and keeps the connection alive when the client asks.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/settings.hpp"
#include "supervisor/auth/access_gate.hpp"
#include "supervisor/http/cors_policy.hpp"
#include "supervisor/http/rejections.hpp"
#include "supervisor/http/router.hpp"
#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor::http {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // Upgrades to /ws go to `websocket` (none: refused).
  HttpSession(boost::asio::ip::tcp::socket&& socket, const Router& router, const HttpSettings& settings,
              ws::WsHub* websocket, Rejections& rejections, auth::AccessGate& gate, const CorsPolicy& cors);
  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void admitted(auth::Admission admission);
  void upgrade(auth::Admission admission);
  void send(Response res);
  void on_write(bool close, boost::beast::error_code ec, size_t bytes);
  void do_close();
  void add_cors(Response& res) const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  const Router& router_;
  const HttpSettings& settings_;
  ws::WsHub* websocket_;
  Rejections& rejections_;
  auth::AccessGate& gate_;
  const CorsPolicy& cors_;
  std::string address_;  // the client's IP: its rate limits when it has no key
  Request request_;      // the one being admitted and routed
  bool websocket_upgrade_ = false;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool preflight_ = false;  // an OPTIONS request: the CORS answer in full
  std::string origin_;
  std::string host_;  // the Host header: is Origin the API's own?
  // Names this request in every log line and in X-Request-Id: the
  // client's own id if it sent a sane one, else ours.
  std::string request_id_;
  std::string request_line_;  // method and target, for the access line
  std::chrono::steady_clock::time_point started_;
  std::shared_ptr<Response> pending_;
};

}  // namespace stratd::supervisor::http
