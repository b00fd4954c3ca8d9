#pragma once
// What every command runs with: its parsed arguments, where stratd is,
// how to write (JSON or text, colour or not), and one event loop and one
// keep-alive connection for all its requests.
#include <chrono>
#include <memory>
#include <ostream>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "cli/api_client.hpp"
#include "cli/args.hpp"
#include "cli/base_url.hpp"
#include "cli/http_connection.hpp"

namespace stratd::cli {

struct CommandContext {
  CommandContext(const ParsedArgs& a, BaseUrl u, std::chrono::milliseconds t, bool j, bool c, std::ostream& o,
                 std::ostream& e)
      : args(a), url(std::move(u)), timeout(t), json(j), color(c), out(o), err(e) {}

  const ParsedArgs& args;
  BaseUrl url;
  std::chrono::milliseconds timeout;
  bool json;   // --json: machine-readable output only
  bool color;  // ANSI colours on stdout
  std::ostream& out;
  std::ostream& err;
  boost::asio::io_context io;

  ApiClient api() {
    if (!http_) http_ = std::make_unique<HttpConnection>(io, url, timeout);
    return ApiClient(*http_);
  }
  // One JSON document on its own line, flushed (a pipe sees it at once).
  void print_json(const nlohmann::json& j) {
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
  }

 private:
  std::unique_ptr<HttpConnection> http_;
};

}  // namespace stratd::cli
