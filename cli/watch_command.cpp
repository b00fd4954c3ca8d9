// watch: /ws events, filtered by runner, type and symbol, optionally from
// a seq on (stratd replays what came after it, then streams). Ctrl-C ends
// it with status 0; a dropped connection with status 3 and the last seq
// seen, so the same command with --since picks up where it left off.
#include <csignal>

#include <boost/asio/signal_set.hpp>

#include "cli/commands.hpp"
#include "cli/event_line.hpp"
#include "cli/ws_connection.hpp"
#include "cli/ws_message.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {

CliExpected<Json> subscribe_message(const ParsedArgs& args) {
  Json sub{{"type", "subscribe"}};
  if (args.has("runner")) sub["runners"] = args.list("runner");
  if (args.has("type")) sub["event_types"] = args.list("type");
  if (args.has("symbol")) sub["symbols"] = args.list("symbol");
  if (auto s = args.value("since")) {
    auto since = parse_uint_option("--since", *s, 0, UINT64_MAX / 2);
    if (!since) return Unexpected<CliError>{since.error()};
    sub["since"] = *since;
  }
  if (auto t = args.value("tick-interval")) {
    auto ms = parse_uint_option("--tick-interval", *t, 0, 3'600'000);
    if (!ms) return Unexpected<CliError>{ms.error()};
    sub["tick_interval_ms"] = *ms;
  }
  return sub;
}

}  // namespace

CliStatus run_watch(CommandContext& ctx) {
  auto sub = subscribe_message(ctx.args);
  if (!sub) return Unexpected<CliError>{sub.error()};
  uint64_t count = 0;
  if (auto n = ctx.args.value("count")) {
    auto parsed = parse_uint_option("--count", *n, 1, UINT64_MAX);
    if (!parsed) return Unexpected<CliError>{parsed.error()};
    count = *parsed;
  }
  // Where a resume would start if nothing arrives: what was asked for.
  std::optional<uint64_t> last_seq;
  if (sub->contains("since")) last_seq = (*sub)["since"].get<uint64_t>();

  WsConnection ws(ctx.io, ctx.url, ctx.timeout);
  // Armed before connecting: Ctrl-C at any point ends the watch cleanly.
  bool interrupted = false;
  boost::asio::signal_set signals(ctx.io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    interrupted = true;
    ws.abort();
  });
  auto finish = [&](CliStatus s) {
    signals.cancel();
    return s;
  };
  if (auto s = ws.open(); !s || interrupted) return finish(interrupted ? CliStatus(Ok{}) : s);
  if (auto s = ws.send(sub->dump()); !s || interrupted) return finish(interrupted ? CliStatus(Ok{}) : s);

  uint64_t seen = 0;
  for (;;) {
    auto text = interrupted ? CliExpected<std::string>(connect_error("interrupted")) : ws.read();
    if (!text) {
      if (interrupted) {
        if (last_seq && !ctx.json) ctx.err << "stratctl: stopped; last seq " << *last_seq << '\n';
        return finish(Ok{});
      }
      CliError e = text.error();
      if (last_seq) {
        e.message += "; resume with --since " + std::to_string(*last_seq);
        e.details = Json{{"last_seq", *last_seq}};
      }
      return finish(Unexpected<CliError>{e});
    }
    WsMessage m = classify_ws_message(*text);
    switch (m.kind) {
      case WsMessage::Kind::Subscribed:
        if (!last_seq && m.raw.contains("last_seq") && m.raw["last_seq"].is_number_unsigned()) {
          last_seq = m.raw["last_seq"].get<uint64_t>();
        }
        break;
      case WsMessage::Kind::Error: {
        const Json e = m.raw.value("error", Json::object());
        return finish(server_error(e.value("code", std::string("INVALID_MESSAGE")), e.value("message", std::string())));
      }
      case WsMessage::Kind::Lagged:
        ctx.err << "stratctl: too slow: stratd dropped " << m.raw.value("dropped", Json(0)).dump()
                << " ticks for this client\n"
                << std::flush;
        break;
      case WsMessage::Kind::Events:
        for (const auto& e : m.events) {
          if (e["seq"].is_number_unsigned()) last_seq = std::max(last_seq.value_or(0), e["seq"].get<uint64_t>());
          if (ctx.json) {
            ctx.print_json(e);
          } else {
            ctx.out << event_line(e, ctx.color) << '\n' << std::flush;
          }
          if (count > 0 && ++seen >= count) {
            ws.close();
            return finish(Ok{});
          }
        }
        break;
      default: break;
    }
  }
}

}  // namespace stratd::cli
