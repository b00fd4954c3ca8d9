#include "supervisor/http/listener.hpp"

#include <spdlog/spdlog.h>

namespace stratd::supervisor::http {
namespace net = boost::asio;

Listener::Listener(net::io_context& io, const Router& router, const HttpSettings& settings, ws::WsHub* websocket,
                   Rejections& rejections, auth::AccessGate& gate)
    : io_(io), acceptor_(io), retry_(io), router_(router), settings_(settings), websocket_(websocket),
      rejections_(rejections), gate_(gate), cors_(settings) {}

Status Listener::listen(const std::string& host, uint16_t port) {
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(host, ec);
  if (ec) return fail(ErrorCode::ListenFailed, "bad listen address '" + host + "': " + ec.message());
  const net::ip::tcp::endpoint ep(addr, port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail(ErrorCode::ListenFailed, "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  return ok();
}

uint16_t Listener::port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

void Listener::start() { do_accept(); }

void Listener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  retry_.cancel();
}

void Listener::do_accept() {
  // One thread runs this loop: each connection's handlers already run one
  // at a time, with no strand to pay for.
  acceptor_.async_accept(io_, [self = shared_from_this()](boost::system::error_code ec, net::ip::tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      // Retrying at once would spin while the cause (say, EMFILE) lasts.
      spdlog::warn("accept: {}", ec.message());
      self->retry_.expires_after(std::chrono::milliseconds(50));
      self->retry_.async_wait([self](boost::system::error_code e) {
        if (!e) self->do_accept();
      });
      return;
    }
    socket.set_option(net::ip::tcp::no_delay(true), ec);
    std::make_shared<HttpSession>(std::move(socket), self->router_, self->settings_, self->websocket_,
                                  self->rejections_, self->gate_, self->cors_)
        ->run();
    self->do_accept();
  });
}

}  // namespace stratd::supervisor::http
