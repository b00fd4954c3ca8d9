#pragma once
// Accepts TCP connections and starts an HttpSession for each.
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/result.hpp"
#include "supervisor/http/http_session.hpp"

namespace stratd::supervisor::http {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& io, const Router& router, const HttpSettings& settings, ws::WsHub* websocket,
           Rejections& rejections, auth::AccessGate& gate);
  Status listen(const std::string& host, uint16_t port);
  void start();
  void stop();
  uint16_t port() const;

 private:
  void do_accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after an accept error (e.g. out of descriptors)
  const Router& router_;
  const HttpSettings& settings_;
  ws::WsHub* websocket_;
  Rejections& rejections_;
  auth::AccessGate& gate_;
  CorsPolicy cors_;
};

}  // namespace stratd::supervisor::http
