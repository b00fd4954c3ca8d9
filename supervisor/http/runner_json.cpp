#include "supervisor/http/runner_json.hpp"

#include <spdlog/fmt/fmt.h>

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
                   {"lifecycle", to_string(r.lifecycle())},
                   {"health", to_string(r.health)},
                   {"pid", r.has_process() ? nlohmann::json(r.pid) : nlohmann::json(nullptr)},
                   {"restarts", r.restarts}};
  return j;
}

}  // namespace

const std::string& runner_summary_json(const ApiContext& ctx, const Runner& r) {
  // Everything the summary shows: the worker's commit and ours.
  std::string key = fmt::format("{}|{}|{}|{}|{}|{}", r.segment.commits(), ctx.registry.uptime_secs(r),
                                int(r.lifecycle()), r.pid, r.restarts, int(r.health));
  if (key != r.summary_view.key || r.summary_view.json.empty()) {
    auto snap = ctx.registry.snapshot(r);
    r.summary_view.json = json_text(summary_from(ctx, r, snap ? &*snap : nullptr));
    // An unreadable snapshot is not cached: the next read may succeed.
    r.summary_view.key = snap ? std::move(key) : std::string();
  }
  return r.summary_view.json;
}

std::string runner_list_json(const ApiContext& ctx) {
  std::string out = "[";
  for (const Runner* r : ctx.registry.list()) {
    if (out.size() > 1) out += ',';
    out += runner_summary_json(ctx, *r);
  }
  out += ']';
  return out;
}

Expected<std::string> snapshot_json(const ApiContext& ctx, const Runner& r) {
  const int64_t uptime = ctx.registry.uptime_secs(r);
  std::string key = fmt::format("{}|{}", r.segment.commits(), uptime);
  if (key != r.snapshot_view.key || r.snapshot_view.json.empty()) {
    auto snap = ctx.registry.snapshot(r);
    if (!snap) return Unexpected<Error>{snap.error()};
    r.snapshot_view.json = json_text(to_json(*snap, uptime));
    r.snapshot_view.key = std::move(key);
  }
  return r.snapshot_view.json;
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
  // Why it is down for good, also after a restart of stratd, when there is
  // no last exit of this stratd's to show.
  j["failed_reason"] = r.lifecycle() == Lifecycle::Failed ? nlohmann::json(r.last_exit_reason) : nlohmann::json(nullptr);
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
  j["segment_errors"] = r.segment.errors();
  return j;
}

}  // namespace stratd::supervisor::http
