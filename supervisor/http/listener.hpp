#pragma once
// Accepts TCP connections and starts an HttpSession for each, within the
// connection caps (server.max_connections, server.max_connections_per_ip):
// one past them gets a canned 503 TOO_MANY_CONNECTIONS, written without
// reading a byte, and is closed (a TLS one is only closed: it would take
// a handshake to say anything). With TLS on, a connection is accepted onto
// the hub's loop (http_session.hpp says why).
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/result.hpp"
#include "supervisor/http/connection_limits.hpp"
#include "supervisor/http/http_session.hpp"

namespace stratd::supervisor::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // `limits`: the counts of open connections, shared with /metrics.
  Listener(boost::asio::io_context& io, const Router& router, const HttpSettings& settings, ws::WsHub* websocket,
           Rejections& rejections, auth::AccessGate& gate,
           std::shared_ptr<ConnectionLimits> limits);
  Status listen(const std::string& host, uint16_t port);
  // HTTP loop: connections accepted from now on speak TLS with `context`
  // (null: plain HTTP); those already open keep theirs.
  void use_tls(TlsContext context) { tls_ = std::move(context); }
  bool tls() const { return bool(tls_); }
  void start();
  void stop();
  uint16_t port() const;

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void refuse(boost::asio::ip::tcp::socket& socket, Rejection why);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after an accept error (e.g. out of descriptors)
  const Router& router_;
  const HttpSettings& settings_;
  ws::WsHub* websocket_;
  Rejections& rejections_;
  auth::AccessGate& gate_;
  TlsContext tls_;
  std::shared_ptr<ConnectionLimits> limits_;
};

}  // namespace stratd::supervisor::http
