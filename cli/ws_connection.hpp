#pragma once
// A WebSocket session with stratd's /ws, driven like a blocking client.
// While waiting for a message it answers stratd's pings and pings back
// when stratd falls silent, so a dead server ends the read within the
// timeout instead of never. wss:// when the URL is https://.
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "cli/base_url.hpp"
#include "cli/cli_error.hpp"
#include "cli/tls_client.hpp"

namespace stratd::cli {

class WsConnection {
 public:
  WsConnection(boost::asio::io_context& io, BaseUrl url, std::chrono::milliseconds timeout);
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  // Connects and upgrades. Errors: CannotConnect; ServerError when stratd
  // refuses the upgrade with its envelope (TOO_MANY_CLIENTS).
  CliStatus open(const std::string& target = "/ws");
  // Errors: CannotConnect.
  CliStatus send(const std::string& text);
  // The next message. Errors: CannotConnect (stratd closed the session,
  // the connection dropped, or abort() was called).
  CliExpected<std::string> read();
  // Ends a read in progress; for a signal handler on the same loop.
  void abort();
  // A polite close, best effort.
  void close();

 private:
  // Runs `f` on the WebSocket stream in use.
  template <class F>
  decltype(auto) with_ws(F&& f) {
    if (tls_ws_) return f(*tls_ws_);
    return f(plain_ws_);
  }
  boost::beast::tcp_stream& tcp();

  boost::asio::io_context& io_;
  BaseUrl url_;
  std::chrono::milliseconds timeout_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> plain_ws_;
  TlsContext tls_context_;
  std::optional<boost::beast::websocket::stream<TlsStream>> tls_ws_;  // wss
  boost::beast::flat_buffer buffer_;
  bool open_ = false;
};

}  // namespace stratd::cli
