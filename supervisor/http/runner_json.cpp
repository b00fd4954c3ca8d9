#include "supervisor/http/runner_json.hpp"

#include "common/json_codec.hpp"

namespace stratd::supervisor::http {
namespace {

nlohmann::json summary_from(const ApiContext& ctx, const Runner& r, const Snapshot* snap) {
  nlohmann::json j{{"runner_id", r.spec.runner_id},
                   {"symbol", r.spec.symbol},
                   {"strategy_path", r.spec.strategy_path},
                   {"state", snap ? nlohmann::json(to_string(snap->state)) : nlohmann::json(nullptr)},
                   {"has_position", snap && snap->position.has_value()},
                   {"ticks_processed", snap ? snap->stats.ticks_processed : 0},
                   {"uptime_secs", ctx.registry.uptime_secs(r)},
                   {"lifecycle", to_string(r.lifecycle)},
                   {"health", r.health},
                   {"pid", r.has_process() ? nlohmann::json(r.pid) : nlohmann::json(nullptr)},
                   {"restarts", r.restarts}};
  return j;
}

}  // namespace

nlohmann::json runner_summary(const ApiContext& ctx, const Runner& r) {
  auto snap = ctx.registry.snapshot(r);
  return summary_from(ctx, r, snap ? &*snap : nullptr);
}

nlohmann::json runner_details(const ApiContext& ctx, const Runner& r) {
  auto snap = ctx.registry.snapshot(r);
  const Snapshot* s = snap ? &*snap : nullptr;
  nlohmann::json j = summary_from(ctx, r, s);
  j["window_size"] = r.spec.window_size;
  j["created_at"] = r.created_at_ms / 1000;
  j["last_exit"] = nullptr;
  if (r.last_exit) {
    const auto& e = *r.last_exit;
    j["last_exit"] = {{"code", e.signaled ? nlohmann::json(nullptr) : nlohmann::json(e.code)},
                      {"signal", e.signaled ? nlohmann::json(e.signal) : nlohmann::json(nullptr)},
                      {"description", e.describe()},
                      {"reason", r.last_exit_reason},
                      {"at", e.at_ms / 1000},
                      {"at_ms", e.at_ms}};
  }
  const auto age = ctx.registry.heartbeat_age_ms(r);
  j["heartbeat_age_ms"] = age ? nlohmann::json(*age) : nlohmann::json(nullptr);
  j["cpu_percent"] = r.usage.cpu_percent;
  j["rss_bytes"] = r.usage.rss_bytes;
  j["position"] = nullptr;
  if (s) {
    if (s->position) j["position"] = to_json(*s->position, s->last_price);
    j["last_price"] = s->last_price;
    j["errors"] = s->stats.errors;
    j["actions_executed"] = s->stats.actions_executed;
    j["realized_pnl"] = s->stats.realized_pnl;
    j["unrealized_pnl"] = s->position ? s->position->unrealized_pnl(s->last_price) : 0.0;
    j["trades"] = s->stats.trades;
    j["event_seq"] = s->event_seq;
  }
  if (auto es = ctx.hub.runner_stats(r.spec.runner_id)) {
    j["event_gaps"] = es->gaps;
    j["events_rejected"] = es->rejected;
  }
  return j;
}

}  // namespace stratd::supervisor::http
