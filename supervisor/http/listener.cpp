#include "supervisor/http/listener.hpp"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "common/clock.hpp"

namespace stratd::supervisor::http {
namespace net = boost::asio;

Listener::Listener(net::io_context& io, const Router& router, const HttpSettings& settings, ws::WsHub* websocket,
                   Rejections& rejections, auth::AccessGate& gate, std::shared_ptr<ConnectionLimits> limits)
    : io_(io), acceptor_(io), retry_(io), router_(router), settings_(settings), websocket_(websocket),
      rejections_(rejections), gate_(gate), limits_(std::move(limits)) {}

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
  // One thread runs this loop: each plain connection's handlers already run
  // one at a time, with no strand to pay for. A TLS connection's socket is
  // made on the hub's loop, where its session runs.
  net::io_context& where = tls_ && websocket_ ? websocket_->io() : io_;
  acceptor_.async_accept(where, [self = shared_from_this()](boost::system::error_code ec, net::ip::tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void Listener::on_accept(boost::system::error_code ec, net::ip::tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Retrying at once would spin while the cause (say, EMFILE) lasts.
    spdlog::warn("accept: {}", ec.message());
    retry_.expires_after(std::chrono::milliseconds(50));
    retry_.async_wait([self = shared_from_this()](boost::system::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return do_accept();  // gone already
  auto taken = limits_->take(peer.address(), settings_.max_connections, settings_.max_connections_per_ip);
  if (taken.refused) {
    refuse(socket, *taken.refused);
    return do_accept();
  }
  socket.set_option(net::ip::tcp::no_delay(true), ec);
  if (tls_) {
    TlsSessionSide side{tls_, io_.get_executor(), std::make_shared<const HttpSettings>(settings_)};
    std::make_shared<HttpSession<TlsStream>>(std::move(socket), router_, std::move(side), websocket_, rejections_, gate_,
                                             std::move(taken.slot))
        ->run();
  } else {
    std::make_shared<HttpSession<PlainStream>>(std::move(socket), router_, settings_, websocket_, rejections_, gate_,
                                               std::move(taken.slot))
        ->run();
  }
  do_accept();
}

void Listener::refuse(net::ip::tcp::socket& socket, Rejection why) {
  rejections_.count(why);
  boost::system::error_code ec;
  if (!tls_) {
    // One non-blocking send of a few hundred bytes into a fresh socket's
    // buffer: no allocation, no waiting, no read of what the client sent.
    char body[256];
    const int body_len =
        snprintf(body, sizeof body,
                 R"({"status":"error","error":{"code":"TOO_MANY_CONNECTIONS","message":"%s","details":null},)"
                 R"("timestamp":%lld})",
                 why == Rejection::ConnectionsTotal ? "too many connections are open; try again later"
                                                    : "too many connections from your address are open",
                 static_cast<long long>(wall_secs()));
    char reply[512];
    const int len = snprintf(reply, sizeof reply,
                             "HTTP/1.1 503 Service Unavailable\r\nServer: stratd\r\nContent-Type: application/json\r\n"
                             "Cache-Control: no-store\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
                             body_len, body);
    socket.non_blocking(true, ec);
    socket.send(net::buffer(reply, size_t(len)), 0, ec);
    socket.shutdown(net::ip::tcp::socket::shutdown_send, ec);
    // What the client already sent, dropped, so the close is a FIN the
    // answer arrives before, not a reset that may destroy it.
    char sink[4096];
    socket.receive(net::buffer(sink), 0, ec);
  }
  socket.close(ec);
}

}  // namespace stratd::supervisor::http
