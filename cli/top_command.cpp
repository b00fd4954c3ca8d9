// top: the `ls` table under a line of stratd's health, redrawn every
// --interval until q, Ctrl-C or --count refreshes. On a terminal it takes
// the alternate screen and gives it back; elsewhere each refresh is
// printed after the last, plain, so a pipe or a test can read them.
#include <unistd.h>

#include <csignal>
#include <functional>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cli/commands.hpp"
#include "cli/format.hpp"
#include "cli/io_run.hpp"
#include "cli/runner_view.hpp"
#include "cli/terminal.hpp"

namespace stratd::cli {
using Json = nlohmann::json;
namespace net = boost::asio;

namespace {

std::string now_text() {
  const auto now = std::chrono::system_clock::now();
  return utc_time_text(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

std::string header_line(const CommandContext& ctx, const Json& health, bool color) {
  const std::string status = health.value("status", std::string("-"));
  std::string line = paint("stratd", Style::Bold, color) + " " + ctx.url.text() + "  " +
                     paint(status, status == "healthy" ? Style::Green : Style::Red, color);
  line += "  runners " + health.value("total_runners", Json(0)).dump() + " (" +
          health.value("healthy_runners", Json(0)).dump() + " healthy)";
  if (auto f = health.find("feed"); f != health.end() && f->is_object()) {
    const bool running = f->value("running", false);
    line += "  feed " + f->value("source", std::string("-")) + " " +
            paint(running ? "running" : "down", running ? Style::Plain : Style::Red, color);
  }
  if (auto up = health.find("uptime_secs"); up != health.end() && up->is_number_integer()) {
    line += "  up " + duration_text(up->get<int64_t>());
  }
  return line + "  " + now_text() + "\n";
}

// Keeps the first `rows` lines, each already clipped to the width.
std::string first_lines(const std::string& text, size_t rows) {
  size_t pos = 0;
  for (size_t n = 0; n < rows; ++n) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos) return text;
    ++pos;
  }
  return text.substr(0, pos);
}

}  // namespace

CliStatus run_top(CommandContext& ctx) {
  auto interval = std::chrono::milliseconds(1000);
  if (auto v = ctx.args.value("interval")) {
    auto parsed = parse_seconds_option("--interval", *v, std::chrono::milliseconds(100), std::chrono::hours(1));
    if (!parsed) return Unexpected<CliError>{parsed.error()};
    interval = *parsed;
  }
  uint64_t count = 0;
  if (auto n = ctx.args.value("count")) {
    auto parsed = parse_uint_option("--count", *n, 1, UINT64_MAX);
    if (!parsed) return Unexpected<CliError>{parsed.error()};
    count = *parsed;
  }

  const bool full_screen = !ctx.json && stdout_is_tty();
  std::optional<FullScreen> screen;
  std::optional<RawInput> raw;
  std::optional<net::posix::stream_descriptor> keys;
  if (full_screen) {
    screen.emplace();
    raw.emplace();
    if (raw->active()) keys.emplace(ctx.io, ::dup(STDIN_FILENO));
  }
  bool quit = false;
  net::signal_set signals(ctx.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) { quit = quit || !ec; });
  char key = 0;
  bool keys_idle = true;  // no read of a key pending
  // Reads keys until q; the wait below notices `quit`.
  std::function<void()> read_key = [&] {
    keys_idle = false;
    keys->async_read_some(net::buffer(&key, 1), [&](boost::system::error_code ec, size_t n) {
      keys_idle = true;
      if (ec) return;
      if (n == 1 && (key == 'q' || key == 'Q')) quit = true;
      else read_key();
    });
  };
  if (keys) read_key();

  auto api = ctx.api();
  net::steady_timer timer(ctx.io);
  CliStatus result = Ok{};
  for (uint64_t frame = 0; !quit; ++frame) {
    auto health = api.get("/api/engine/health");
    if (!health) {
      result = Unexpected<CliError>{health.error()};
      break;
    }
    auto runners = fetch_runner_details(api);
    if (!runners) {
      result = Unexpected<CliError>{runners.error()};
      break;
    }
    if (ctx.json) {
      ctx.print_json(Json{{"health", *health}, {"runners", *runners}});
    } else {
      const size_t width = full_screen ? terminal_columns() : 0;
      std::string text = header_line(ctx, *health, ctx.color) + "\n";
      text += runners->empty() ? std::string("no runners\n") : runner_table(*runners).render(ctx.color, width);
      if (full_screen) {
        const size_t rows = terminal_rows();
        ctx.out << FullScreen::clear_codes() << first_lines(text, rows > 1 ? rows - 1 : rows)
                << paint("q to quit, refreshing every " + seconds_text(interval), Style::Dim, ctx.color)
                << std::flush;
      } else {
        ctx.out << (frame > 0 ? "\n" : "") << text << std::flush;
      }
    }
    if (count > 0 && frame + 1 >= count) break;
    // Until the interval is over, or q, or a signal.
    bool waited = false;
    timer.expires_after(interval);
    timer.async_wait([&](boost::system::error_code) { waited = true; });
    while (!waited) {
      if (ctx.io.stopped()) ctx.io.restart();
      ctx.io.run_one();
      if (quit) timer.cancel();
    }
  }
  signals.cancel();
  if (keys) {
    keys->cancel();
    run_until(ctx.io, keys_idle);
  }
  return result;
}

}  // namespace stratd::cli
