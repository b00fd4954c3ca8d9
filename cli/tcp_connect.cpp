#include "cli/tcp_connect.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "cli/format.hpp"
#include "cli/io_run.hpp"

namespace stratd::cli {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

Unexpected<CliError> transfer_error(const BaseUrl& url, const char* doing, boost::system::error_code ec,
                                    std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return connect_error("timed out after " + seconds_text(timeout) + " " + doing + " " + url.text());
  }
  return connect_error(std::string(doing) + " " + url.text() + ": " + ec.message());
}

CliStatus connect_tcp(net::io_context& io, beast::tcp_stream& stream, const BaseUrl& url,
                      std::chrono::milliseconds timeout) {
  // The resolver has no timeout of its own: a timer cancels it.
  tcp::resolver resolver(io);
  net::steady_timer timer(io);
  bool resolved = false, timer_done = false, timed_out = false;
  boost::system::error_code resolve_ec;
  tcp::resolver::results_type endpoints;
  timer.expires_after(timeout);
  timer.async_wait([&](boost::system::error_code ec) {
    timer_done = true;
    if (ec) return;
    timed_out = true;
    resolver.cancel();
  });
  resolver.async_resolve(url.host, std::to_string(url.port),
                         [&](boost::system::error_code ec, tcp::resolver::results_type results) {
                           resolve_ec = ec;
                           endpoints = std::move(results);
                           resolved = true;
                         });
  run_until(io, resolved);
  // Both handlers have run before their state goes out of scope.
  timer.cancel();
  run_until(io, timer_done);
  if (timed_out) return connect_error("timed out after " + seconds_text(timeout) + " resolving '" + url.host + "'");
  if (resolve_ec) return connect_error("cannot resolve '" + url.host + "': " + resolve_ec.message());

  bool connected = false;
  boost::system::error_code connect_ec;
  stream.expires_after(timeout);
  stream.async_connect(endpoints, [&](boost::system::error_code ec, const tcp::endpoint&) {
    connect_ec = ec;
    connected = true;
  });
  run_until(io, connected);
  if (connect_ec == beast::error::timeout) {
    return connect_error("timed out after " + seconds_text(timeout) + " connecting to " + url.text());
  }
  if (connect_ec) return connect_error("cannot connect to " + url.text() + ": " + connect_ec.message());
  stream.socket().set_option(tcp::no_delay(true), connect_ec);
  return Ok{};
}

}  // namespace stratd::cli
