#include "cli/ws_connection.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "cli/api_client.hpp"
#include "cli/io_run.hpp"
#include "cli/tcp_connect.hpp"

namespace stratd::cli {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsConnection::WsConnection(net::io_context& io, BaseUrl url, std::chrono::milliseconds timeout)
    : io_(io), url_(std::move(url)), timeout_(timeout), plain_ws_(io) {}

WsConnection::~WsConnection() {
  boost::system::error_code ec;
  tcp().socket().close(ec);
}

beast::tcp_stream& WsConnection::tcp() {
  return tls_ws_ ? beast::get_lowest_layer(*tls_ws_) : beast::get_lowest_layer(plain_ws_);
}

CliStatus WsConnection::open(const std::string& target) {
  if (url_.tls) {
    auto ctx = client_tls_context(url_);
    if (!ctx) return Unexpected<CliError>{ctx.error()};
    tls_context_ = std::move(*ctx);
    tls_ws_.emplace(io_, *tls_context_);
    if (auto c = connect_tls(io_, tls_ws_->next_layer(), url_, timeout_); !c) return c;
  } else if (auto c = connect_tcp(io_, beast::get_lowest_layer(plain_ws_), url_, timeout_); !c) {
    return c;
  }
  // From here the websocket's own timeouts apply, not the stream's.
  tcp().expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = timeout_;
  t.idle_timeout = timeout_;
  t.keep_alive_pings = true;
  websocket::response_type res;
  bool done = false;
  boost::system::error_code ec;
  with_ws([&](auto& ws) {
    ws.set_option(t);
    ws.set_option(websocket::stream_base::decorator([key = url_.key](websocket::request_type& req) {
      req.set(beast::http::field::user_agent, "stratctl/" STRATCTL_VERSION);
      if (!key.empty()) req.set(beast::http::field::authorization, "Bearer " + key);
    }));
    ws.read_message_max(64ull << 20);
    ws.async_handshake(res, url_.authority(), url_.prefix + target, [&](boost::system::error_code e) {
      ec = e;
      done = true;
    });
  });
  run_until(io_, done);
  if (ec == websocket::error::upgrade_declined) {
    // stratd says why in its envelope; anything else is not stratd.
    auto refused = read_envelope(res.result_int(), res.body());
    if (!refused) return Unexpected<CliError>{refused.error()};
    return server_error("BAD_RESPONSE", "HTTP " + std::to_string(res.result_int()) + " instead of a WebSocket upgrade");
  }
  if (ec) return transfer_error(url_, "upgrading the connection to", ec, timeout_);
  open_ = true;
  return Ok{};
}

CliStatus WsConnection::send(const std::string& text) {
  bool done = false;
  boost::system::error_code ec;
  with_ws([&](auto& ws) {
    ws.text(true);
    ws.async_write(net::buffer(text), [&](boost::system::error_code e, size_t) {
      ec = e;
      done = true;
    });
  });
  run_until(io_, done);
  if (ec) return transfer_error(url_, "sending to", ec, timeout_);
  return Ok{};
}

CliExpected<std::string> WsConnection::read() {
  bool done = false;
  boost::system::error_code ec;
  buffer_.consume(buffer_.size());
  with_ws([&](auto& ws) {
    ws.async_read(buffer_, [&](boost::system::error_code e, size_t) {
      ec = e;
      done = true;
    });
  });
  run_until(io_, done);
  if (ec == websocket::error::closed) {
    open_ = false;
    const auto why = with_ws([](auto& ws) { return ws.reason(); });
    std::string text = "stratd closed the connection (" + std::to_string(why.code);
    if (!why.reason.empty()) text += ": " + std::string(why.reason.c_str());
    return connect_error(text + ")");
  }
  if (ec == net::error::operation_aborted) return connect_error("interrupted");
  if (ec) return transfer_error(url_, "reading from", ec, timeout_);
  return beast::buffers_to_string(buffer_.data());
}

void WsConnection::abort() {
  boost::system::error_code ec;
  tcp().socket().cancel(ec);
}

void WsConnection::close() {
  if (!open_) return;
  open_ = false;
  bool done = false;
  with_ws([&](auto& ws) {
    ws.async_close(websocket::close_code::normal, [&](boost::system::error_code) { done = true; });
  });
  run_until(io_, done);
}

}  // namespace stratd::cli
