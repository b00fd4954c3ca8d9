// logs: a runner's worker log (GET /api/runners/:id/logs), and with -f
// the lines written after it, over /ws, until Ctrl-C.
#include <csignal>

#include <boost/asio/signal_set.hpp>

#include "cli/commands.hpp"
#include "cli/log_overlap.hpp"
#include "cli/ws_connection.hpp"
#include "cli/ws_message.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {

constexpr uint64_t kMaxTail = 10'000;

LogLine line_of(const Json& j) {
  LogLine l;
  if (auto t = j.find("text"); t != j.end() && t->is_string()) l.text = t->get<std::string>();
  if (auto ts = j.find("timestamp_ms"); ts != j.end() && ts->is_number_integer()) l.timestamp_ms = ts->get<int64_t>();
  return l;
}

Json line_json(const std::string& runner, const LogLine& l) {
  return Json{{"runner_id", runner},
              {"text", l.text},
              {"timestamp_ms", l.timestamp_ms ? Json(*l.timestamp_ms) : Json(nullptr)}};
}

// GET's target for the page: the options checked before anything is sent.
CliExpected<std::string> page_target(const ParsedArgs& args, const std::string& id) {
  std::string query;
  if (auto t = args.value("tail")) {
    auto n = parse_uint_option("--tail", *t, 1, kMaxTail);
    if (!n) return Unexpected<CliError>{n.error()};
    query += "tail=" + std::to_string(*n);
  }
  // stratd reads the time (epoch ms or RFC 3339) and says what is wrong with it.
  if (auto s = args.value("since")) query += (query.empty() ? "" : "&") + std::string("since=") + url_encode(*s);
  return runner_path(id, "/logs") + (query.empty() ? "" : "?" + query);
}

CliExpected<Json> fetch_page(CommandContext& ctx, const std::string& target) {
  auto api = ctx.api();
  auto page = api.get(target);
  if (!page) return page;
  if (!page->is_object() || !(*page)["lines"].is_array()) {
    return server_error("BAD_RESPONSE", "the log page has no lines");
  }
  return page;
}

// The live tail: subscribed before the page is read, so nothing falls
// between them (LogOverlap drops what both have).
CliStatus follow(CommandContext& ctx, const std::string& id, const std::string& target) {
  WsConnection ws(ctx.io, ctx.url, ctx.timeout);
  // Armed before connecting: Ctrl-C at any point ends it cleanly.
  bool interrupted = false;
  boost::asio::signal_set signals(ctx.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    interrupted = true;
    ws.abort();
  });
  auto finish = [&](CliStatus s) {
    signals.cancel();
    return interrupted ? CliStatus(Ok{}) : s;
  };
  if (auto s = ws.open(); !s || interrupted) return finish(s);
  // Events stream to every client by default: this one wants none.
  if (auto s = ws.send(R"({"type":"unsubscribe"})"); !s) return finish(s);
  if (auto s = ws.send(Json{{"type", "logs"}, {"runner", id}}.dump()); !s) return finish(s);

  std::optional<LogOverlap> overlap;
  for (;;) {
    if (interrupted) return finish(Ok{});
    auto text = ws.read();
    if (!text) return finish(Unexpected<CliError>{text.error()});
    WsMessage m = classify_ws_message(*text);
    if (m.kind == WsMessage::Kind::Error) {
      const Json e = m.raw.value("error", Json::object());
      return finish(server_error(e.value("code", std::string("INVALID_MESSAGE")), e.value("message", std::string())));
    }
    if (m.kind == WsMessage::Kind::LogsSubscribed && !overlap) {
      auto page = fetch_page(ctx, target);
      if (!page) return finish(Unexpected<CliError>{page.error()});
      std::vector<LogLine> lines;
      for (const auto& j : (*page)["lines"]) lines.push_back(line_of(j));
      for (const auto& l : lines) {
        if (ctx.json) {
          ctx.print_json(line_json(id, l));
        } else {
          ctx.out << l.text << '\n';
        }
      }
      ctx.out << std::flush;
      overlap.emplace(std::move(lines));
      continue;
    }
    if (m.kind == WsMessage::Kind::Lagged) {
      // Log lines are shed like ticks for a reader that falls behind.
      ctx.err << "stratctl: too slow: stratd dropped " << m.raw.value("dropped", Json(0)).dump() << " log lines\n"
              << std::flush;
      continue;
    }
    if (m.kind != WsMessage::Kind::LogLine || m.raw.value("runner_id", Json("")) != id) continue;
    const LogLine l = line_of(m.raw);
    if (!overlap || overlap->repeat(l)) continue;
    if (ctx.json) {
      ctx.print_json(line_json(id, l));
    } else {
      ctx.out << l.text << '\n' << std::flush;
    }
  }
}

}  // namespace

CliStatus run_logs(CommandContext& ctx) {
  const std::string& id = ctx.args.positionals[0];
  auto target = page_target(ctx.args, id);
  if (!target) return Unexpected<CliError>{target.error()};
  if (ctx.args.has("follow")) return follow(ctx, id, *target);
  auto page = fetch_page(ctx, *target);
  if (!page) return Unexpected<CliError>{page.error()};
  if (ctx.json) {
    ctx.print_json(*page);
    return Ok{};
  }
  for (const auto& j : (*page)["lines"]) ctx.out << line_of(j).text << '\n';
  ctx.out << std::flush;
  if (page->value("truncated", false)) {
    ctx.err << "stratctl: earlier lines left out; ask for more with --tail (up to " << kMaxTail << ")\n";
  }
  return Ok{};
}

}  // namespace stratd::cli
