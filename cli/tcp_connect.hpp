#pragma once
// Resolves stratd's host and connects, both within a deadline: the first
// step of every HTTP request and WebSocket session.
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "cli/base_url.hpp"
#include "cli/cli_error.hpp"

namespace stratd::cli {

// Errors: CannotConnect (unresolvable, refused, unreachable, timed out).
CliStatus connect_tcp(boost::asio::io_context& io, boost::beast::tcp_stream& stream, const BaseUrl& url,
                      std::chrono::milliseconds timeout);

// How a failed transfer on an open connection reads: "timed out after 3 s
// reading from http://..." or "... : Connection reset by peer".
Unexpected<CliError> transfer_error(const BaseUrl& url, const char* doing, boost::system::error_code ec,
                                    std::chrono::milliseconds timeout);

}  // namespace stratd::cli
