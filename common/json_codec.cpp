#include "common/json_codec.hpp"

#include "common/json_writer.hpp"

namespace stratd {

Json duration_json(uint64_t ns) {
  return Json{{"secs", ns / 1'000'000'000}, {"nanos", ns % 1'000'000'000}};
}

Json to_json(const Bar& b) {
  return Json{{"timestamp", b.timestamp_ms}, {"open", b.open},     {"high", b.high},
              {"low", b.low},                {"close", b.close},   {"volume", b.volume},
              {"bid", b.bid},                {"ask", b.ask},       {"mid_price", b.mid_price()}};
}

Json to_json(const Position& p, double mark_price) {
  Json j{{"id", p.id},
         {"side", to_string(p.side)},
         {"entry_price", p.entry_price},
         {"quantity", p.quantity},
         {"entry_timestamp", p.entry_time_ms / 1000},
         {"entry_time_ms", p.entry_time_ms},
         {"stop_loss", nullptr},
         {"take_profit", nullptr},
         {"unrealized_pnl", p.unrealized_pnl(mark_price)}};
  if (p.stop_loss) j["stop_loss"] = *p.stop_loss;
  if (p.take_profit) j["take_profit"] = *p.take_profit;
  return j;
}

Json to_json(const Trade& t) {
  return Json{{"id", t.id},
              {"side", to_string(t.side)},
              {"entry_price", t.entry_price},
              {"exit_price", t.exit_price},
              {"quantity", t.quantity},
              {"entry_time_ms", t.entry_time_ms},
              {"exit_time_ms", t.exit_time_ms},
              {"reason", t.reason},
              {"gross_pnl", t.gross_pnl},
              {"fees", t.fees},
              {"realized_pnl", t.realized_pnl}};
}

Json to_json(const Context& c) {
  return Json{{"strings", c.strings},
              {"numbers", c.numbers},
              {"integers", c.integers},
              {"booleans", c.booleans}};
}

Json to_json(const RunnerStats& s) {
  const uint64_t avg = s.ticks_processed ? s.total_tick_ns / s.ticks_processed : 0;
  return Json{{"ticks_processed", s.ticks_processed},
              {"actions_executed", s.actions_executed},
              {"errors", s.errors},
              {"avg_tick_duration", duration_json(avg)},
              {"min_tick_duration", duration_json(s.min_tick_ns)},
              {"max_tick_duration", duration_json(s.max_tick_ns)},
              {"realized_pnl", s.realized_pnl},
              {"fees_paid", s.fees_paid},
              {"trades", s.trades},
              {"wins", s.wins},
              {"losses", s.losses},
              {"positions_opened", s.positions_opened}};
}

Json to_json(const Snapshot& s, int64_t uptime_secs) {
  Json j{{"runner_id", s.runner_id},
         {"symbol", s.symbol},
         {"current_state", to_string(s.state)},
         {"position", nullptr},
         {"context", to_json(s.context)},
         {"stats", to_json(s.stats)},
         {"last_price", s.last_price},
         {"last_tick_timestamp", s.last_tick_ms},
         {"event_seq", s.event_seq},
         {"uptime_secs", uptime_secs},
         {"snapshot_timestamp", s.updated_ms / 1000}};
  if (s.position) j["position"] = to_json(*s.position, s.last_price);
  return j;
}

Json to_json(const Scalar& v) {
  return std::visit(
      [](const auto& x) -> Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else {
          return x;
        }
      },
      v);
}

Json to_json(const Event& e) {
  Json data = Json::object();
  for (const auto& f : e.data) data[f.key] = to_json(f.value);
  return Json{{"type", to_string(e.type)}, {"runner_id", e.runner_id},   {"symbol", e.symbol},
              {"seq", e.seq},              {"timestamp", e.timestamp_ms}, {"publish_ns", e.publish_ns},
              {"received_ns", e.received_ns}, {"data", std::move(data)}};
}

std::string event_json_text(const Event& e) {
  std::string out;
  out.reserve(160 + e.data.size() * 32);
  out += R"({"type":)";
  append_json_string(out, to_string(e.type));
  out += R"(,"runner_id":)";
  append_json_string(out, e.runner_id);
  out += R"(,"symbol":)";
  append_json_string(out, e.symbol);
  out += R"(,"seq":)";
  append_json_unsigned(out, e.seq);
  out += R"(,"timestamp":)";
  append_json_integer(out, e.timestamp_ms);
  out += R"(,"publish_ns":)";
  append_json_integer(out, e.publish_ns);
  out += R"(,"received_ns":)";
  append_json_integer(out, e.received_ns);
  out += R"(,"data":{)";
  for (size_t i = 0; i < e.data.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, e.data[i].key);
    out += ':';
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            out += "null";
          } else if constexpr (std::is_same_v<T, bool>) {
            out += x ? "true" : "false";
          } else if constexpr (std::is_same_v<T, int64_t>) {
            append_json_integer(out, x);
          } else if constexpr (std::is_same_v<T, double>) {
            append_json_number(out, x);
          } else {
            append_json_string(out, x);
          }
        },
        e.data[i].value);
  }
  out += "}}";
  return out;
}

}  // namespace stratd
