#include "supervisor/metrics/runner_metrics.hpp"

#include <array>
#include <optional>
#include <vector>

namespace stratd::supervisor::metrics {
namespace {

// What one scrape reads of a runner, read once for all its families.
struct RunnerView {
  const Runner* runner;
  LabelSet labels;  // runner="<id>"
  std::optional<SnapshotFigures> snapshot;  // none while it is unreadable
  std::optional<RunnerEventStats> events;
  std::optional<int64_t> heartbeat_age_ms;
};

constexpr std::array<StrategyState, 3> kStrategyStates{StrategyState::Idle, StrategyState::Analyzing,
                                                       StrategyState::InPosition};

bool sampled(const Runner& r) { return r.has_process() && r.usage.rss_bytes > 0; }

}  // namespace

void write_runner_metrics(Exposition& out, const RunnerRegistry& registry, const EventHub& hub) {
  std::vector<RunnerView> views;
  views.reserve(registry.size());
  std::array<size_t, size_t(Lifecycle::kCount)> by_lifecycle{};
  const auto all_stats = hub.all_runner_stats();
  auto ev = all_stats.begin();
  for (const Runner* r : registry.list()) {
    // Both in id order: the hub's statistics are matched as the runners go by.
    while (ev != all_stats.end() && ev->first < r->spec.runner_id) ++ev;
    std::optional<RunnerEventStats> stats;
    if (ev != all_stats.end() && ev->first == r->spec.runner_id) stats = ev->second;
    views.push_back({r, LabelSet({{"runner", r->spec.runner_id}}), registry.figures(*r), stats,
                     registry.heartbeat_age_ms(*r)});
    ++by_lifecycle[size_t(r->lifecycle())];
  }
  // Every family is written even with no runner: a dashboard's query finds it.
  auto each = [&](auto&& f) {
    for (const RunnerView& v : views) f(v, v.labels);
  };
  auto with_snapshot = [&](auto&& f) {
    each([&](const RunnerView& v, const LabelSet& runner) {
      if (v.snapshot) f(*v.snapshot, runner);
    });
  };

  out.family("stratd_runners", Type::Gauge, "Runners, by lifecycle state.");
  for (size_t l = 0; l < by_lifecycle.size(); ++l) out.sample({{"lifecycle", to_string(Lifecycle(l))}}, by_lifecycle[l]);

  out.family("stratd_runner", Type::Info, "A runner's symbol and strategy file.");
  each([&](const RunnerView& v, const LabelSet& runner) {
    out.sample(runner, {{"symbol", v.runner->spec.symbol}, {"strategy", v.runner->spec.strategy_path}}, 1u);
  });
  out.family("stratd_runner_lifecycle", Type::Gauge, "1 for the lifecycle state a runner is in, 0 for the others.");
  each([&](const RunnerView& v, const LabelSet& runner) {
    for (size_t l = 0; l < size_t(Lifecycle::kCount); ++l) {
      out.sample(runner, {{"lifecycle", to_string(Lifecycle(l))}}, v.runner->lifecycle() == Lifecycle(l));
    }
  });
  out.family("stratd_runner_healthy", Type::Gauge, "1 while a runner's worker heartbeats in time, else 0.");
  each([&](const RunnerView& v, const LabelSet& runner) { out.sample(runner, {}, v.runner->health == Health::Healthy); });
  out.family("stratd_runner_restarts", Type::Counter,
             "Automatic restarts of a runner's worker, by why the one before was gone.");
  each([&](const RunnerView& v, const LabelSet& runner) {
    for (size_t k = 0; k < size_t(ExitKind::kCount); ++k) {
      out.sample(runner, {{"reason", to_string(ExitKind(k))}}, v.runner->restarts_by_kind[k]);
    }
  });
  // The worker's own figures while it runs, as the watchdog last sampled
  // them (every second; none before the first sample, whose RSS is never
  // 0); a new worker's CPU counts from zero again.
  out.family("stratd_runner_worker_cpu_seconds", Type::Counter,
             "User and system CPU time of a runner's current worker, as last sampled.", "seconds");
  each([&](const RunnerView& v, const LabelSet& runner) {
    if (sampled(*v.runner)) out.sample(runner, {}, v.runner->usage.cpu_seconds);
  });
  out.family("stratd_runner_worker_resident_memory_bytes", Type::Gauge,
             "Resident memory of a runner's current worker, as last sampled.", "bytes");
  each([&](const RunnerView& v, const LabelSet& runner) {
    if (sampled(*v.runner)) out.sample(runner, {}, v.runner->usage.rss_bytes);
  });
  out.family("stratd_runner_heartbeat_age_seconds", Type::Gauge, "Age of a runner's worker's last heartbeat.",
             "seconds");
  each([&](const RunnerView& v, const LabelSet& runner) {
    if (v.heartbeat_age_ms) out.sample(runner, {}, double(*v.heartbeat_age_ms) / 1000.0);
  });
  out.family("stratd_runner_event_gaps", Type::Counter,
             "Event sequence numbers of a runner that never arrived (since stratd started).");
  each([&](const RunnerView& v, const LabelSet& runner) {
    if (v.events) out.sample(runner, {}, v.events->gaps);
  });
  out.family("stratd_runner_events_rejected", Type::Counter,
             "Messages claiming a runner that were dropped (forged, replayed, malformed; since stratd started).");
  each([&](const RunnerView& v, const LabelSet& runner) {
    if (v.events) out.sample(runner, {}, v.events->rejected);
  });

  // From the worker's snapshot: kept across its restarts.
  out.family("stratd_runner_strategy_state", Type::Gauge, "1 for the strategy state a runner is in, 0 for the others.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) {
    for (StrategyState st : kStrategyStates) out.sample(runner, {{"state", to_string(st)}}, s.state == st);
  });
  out.family("stratd_runner_ticks", Type::Counter, "Ticks a runner's strategy has processed.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) { out.sample(runner, {}, s.stats.ticks_processed); });
  out.family("stratd_runner_strategy_errors", Type::Counter,
             "Strategy errors of a runner: Lua errors, limits hit, actions that did not fit the state.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) { out.sample(runner, {}, s.stats.errors); });
  out.family("stratd_runner_trades", Type::Counter, "Positions a runner has closed.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) { out.sample(runner, {}, s.stats.trades); });
  out.family("stratd_runner_position_open", Type::Gauge, "1 while a runner holds a position, else 0.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) { out.sample(runner, {}, s.position.has_value()); });
  out.family("stratd_runner_realized_pnl", Type::Gauge,
             "Realized profit and loss of a runner's closed positions, net of fees, in the quote currency.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) { out.sample(runner, {}, s.stats.realized_pnl); });
  out.family("stratd_runner_unrealized_pnl", Type::Gauge,
             "Unrealized profit and loss of a runner's open position at the last price, in the quote currency.");
  with_snapshot([&](const SnapshotFigures& s, const LabelSet& runner) {
    out.sample(runner, {}, s.position ? s.position->unrealized_pnl(s.last_price) : 0.0);
  });
}

}  // namespace stratd::supervisor::metrics
