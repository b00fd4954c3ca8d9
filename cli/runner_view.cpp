#include "cli/runner_view.hpp"

#include <cmath>
#include <cstdio>

#include "cli/format.hpp"

namespace stratd::cli {
using Json = nlohmann::json;

namespace {

std::string text_of(const Json& j, const char* key, const char* none = "-") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return none;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::optional<double> number_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::optional<int64_t> integer_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<int64_t>();
}

// A price or a quantity: as many digits as it has, up to `digits`
// significant ones (the table is narrow; the card has room for more).
std::string amount_text(double v, int digits = 10) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

std::string position_text(const Json& pos, bool narrow) {
  if (!pos.is_object()) return "-";
  const auto qty = number_of(pos, "quantity");
  const auto price = number_of(pos, "entry_price");
  return text_of(pos, "side") + " " + (qty ? amount_text(*qty, narrow ? 6 : 10) : "?") + "@" +
         (price ? amount_text(*price, narrow ? 8 : 10) : "?");
}

double total_pnl(const Json& r) {
  return number_of(r, "realized_pnl").value_or(0.0) + number_of(r, "unrealized_pnl").value_or(0.0);
}

Style pnl_style(double v) {
  const std::string s = fixed_text(v, 2);
  if (s.find_first_not_of("-0.") == std::string::npos) return Style::Plain;
  return v > 0 ? Style::Green : Style::Red;
}

bool has_process(const Json& r) { return r.contains("pid") && r["pid"].is_number(); }

Cell heartbeat_cell(const Json& r) {
  const auto age = integer_of(r, "heartbeat_age_ms");
  if (!age || !has_process(r)) return {"-"};
  const std::string health = text_of(r, "health", "");
  return {age_text(*age), health == "unresponsive" ? Style::Red : Style::Plain};
}

}  // namespace

Style lifecycle_style(const std::string& lifecycle) {
  if (lifecycle == "Running") return Style::Green;
  if (lifecycle == "Crashed" || lifecycle == "Failed") return Style::Red;
  if (lifecycle == "Stopped") return Style::Dim;
  return Style::Yellow;
}

CliExpected<std::vector<Json>> fetch_runner_details(ApiClient& api) {
  auto list = api.get("/api/runners");
  if (!list) return Unexpected<CliError>{list.error()};
  if (!list->is_array()) return server_error("BAD_RESPONSE", "the runner list is not an array");
  std::vector<Json> out;
  for (const auto& summary : *list) {
    const std::string id = text_of(summary, "runner_id", "");
    auto details = api.get(runner_path(id));
    if (!details) {
      if (details.error().code == "RUNNER_NOT_FOUND") continue;  // removed meanwhile
      return Unexpected<CliError>{details.error()};
    }
    out.push_back(std::move(*details));
  }
  return out;
}

Table runner_table(const std::vector<Json>& runners) {
  using A = Table::Align;
  Table t;
  for (auto [name, align] : {std::pair{"ID", A::Left}, {"SYMBOL", A::Left}, {"STRATEGY", A::Left},
                             {"LIFECYCLE", A::Left}, {"STATE", A::Left}, {"POSITION", A::Left}, {"PNL", A::Right},
                             {"TICKS", A::Right}, {"RESTARTS", A::Right}, {"CPU", A::Right}, {"RSS", A::Right},
                             {"HEARTBEAT", A::Right}, {"UPTIME", A::Right}}) {
    t.add_column(name, align);
  }
  for (const auto& r : runners) {
    const std::string lifecycle = text_of(r, "lifecycle");
    const bool live = has_process(r);
    const double pnl = total_pnl(r);
    const auto restarts = integer_of(r, "restarts").value_or(0);
    const auto cpu = number_of(r, "cpu_percent");
    const auto rss = integer_of(r, "rss_bytes");
    t.add_row({
        {text_of(r, "runner_id"), Style::Cyan},
        {text_of(r, "symbol")},
        {text_of(r, "strategy_path")},
        {lifecycle, lifecycle_style(lifecycle)},
        {text_of(r, "state")},
        {position_text(r.value("position", Json(nullptr)), true)},
        {signed_text(pnl, 2), pnl_style(pnl)},
        {std::to_string(integer_of(r, "ticks_processed").value_or(0))},
        {std::to_string(restarts), restarts > 0 ? Style::Yellow : Style::Plain},
        {live && cpu ? fixed_text(*cpu, 1) + "%" : "-"},
        {live && rss && *rss > 0 ? bytes_text(uint64_t(*rss)) : "-"},
        heartbeat_cell(r),
        {live ? duration_text(integer_of(r, "uptime_secs").value_or(0)) : "-"},
    });
  }
  return t;
}

std::string runner_card(const Json& r, bool color) {
  Table t;
  t.add_column("");
  t.add_column("");
  t.hide_header();
  auto row = [&](const char* key, std::string value, Style style = Style::Plain) {
    t.add_row({{key, Style::Bold}, {std::move(value), style}});
  };
  const std::string lifecycle = text_of(r, "lifecycle");
  const bool live = has_process(r);
  row("runner", text_of(r, "runner_id"), Style::Cyan);
  row("symbol", text_of(r, "symbol"));
  row("strategy", text_of(r, "strategy_path"));
  row("window size", text_of(r, "window_size"));
  if (auto created = integer_of(r, "created_at")) row("created", utc_time_text(*created * 1000, false));
  row("lifecycle", lifecycle, lifecycle_style(lifecycle));
  row("health", text_of(r, "health"), text_of(r, "health") == "healthy" ? Style::Green : Style::Yellow);
  row("pid", text_of(r, "pid"));
  row("uptime", live ? duration_text(integer_of(r, "uptime_secs").value_or(0)) : "-");
  row("heartbeat age", heartbeat_cell(r).text);
  if (auto cpu = number_of(r, "cpu_percent"); cpu && live) row("cpu", fixed_text(*cpu, 1) + "%");
  if (auto rss = integer_of(r, "rss_bytes"); rss && live && *rss > 0) row("rss", bytes_text(uint64_t(*rss)));
  row("restarts", text_of(r, "restarts"));
  if (const Json& e = r.value("last_exit", Json(nullptr)); e.is_object()) {
    std::string exit = text_of(e, "description");
    if (auto at = integer_of(e, "at_ms")) exit += " at " + utc_time_text(*at);
    if (auto reason = text_of(e, "reason", ""); !reason.empty()) exit += " (" + reason + ")";
    row("last exit", exit);
  }
  if (auto why = text_of(r, "failed_reason", ""); !why.empty()) row("failed because", why, Style::Red);
  row("state", text_of(r, "state"));
  const Json& pos = r.value("position", Json(nullptr));
  row("position", position_text(pos, false));
  if (pos.is_object()) {
    if (auto sl = number_of(pos, "stop_loss")) row("  stop loss", amount_text(*sl));
    if (auto tp = number_of(pos, "take_profit")) row("  take profit", amount_text(*tp));
    if (auto at = integer_of(pos, "entry_time_ms")) row("  entered", utc_time_text(*at));
  }
  if (auto p = number_of(r, "last_price")) row("last price", amount_text(*p));
  const double realized = number_of(r, "realized_pnl").value_or(0.0);
  const double unrealized = number_of(r, "unrealized_pnl").value_or(0.0);
  row("realized pnl", signed_text(realized, 2), pnl_style(realized));
  row("unrealized pnl", signed_text(unrealized, 2), pnl_style(unrealized));
  for (const char* key : {"trades", "ticks_processed", "actions_executed", "errors", "event_seq", "event_gaps",
                          "events_rejected", "segment_errors"}) {
    if (r.contains(key)) {
      std::string label = key;
      for (auto& ch : label) ch = ch == '_' ? ' ' : ch;
      row(label.c_str(), text_of(r, key));
    }
  }
  return t.render(color);
}

}  // namespace stratd::cli
