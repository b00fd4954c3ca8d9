#pragma once
// One runner's tick loop body: history, broker exits, the strategy call for
// the current state, actions, state transitions and the events they make.
// Owns the snapshot that goes to shared memory.
#include <vector>

#include "common/bar_ring.hpp"
#include "common/event.hpp"
#include "common/snapshot.hpp"
#include "worker/lua_strategy.hpp"
#include "worker/paper_broker.hpp"

namespace stratd::worker {

class StrategyRunner {
 public:
  StrategyRunner(Snapshot initial, size_t window, LuaStrategy& strategy, PaperBroker broker);

  // Resumes from a committed snapshot and its bar window.
  void restore(Snapshot snap, const std::vector<Bar>& bars, uint64_t bars_total);

  void count_worker_start() { ++snap_.worker_starts; }

  // Processes one market-data update and returns the events it produced,
  // each numbered with the runner's next sequence number.
  std::vector<Event> on_tick(const MarketData& md);
  // An error outside a tick (e.g. the strategy failed to load).
  Event strategy_error(std::string_view kind, std::string_view function, std::string message);

  const Snapshot& snapshot() const { return snap_; }
  const BarRing& bars() const { return bars_; }

 private:
  Event& emit(EventType type, std::vector<Field> data);
  void transition(Trigger trigger, std::string_view reason = {});
  void report_error(std::string_view kind, std::string_view function, std::string message);
  void close_position(const ClosedTrade& trade, Trigger trigger);
  void apply(const Action& action, const MarketData& md);

  Snapshot snap_;
  BarRing bars_;
  LuaStrategy& strategy_;
  PaperBroker broker_;
  std::vector<Event> pending_;
};

}  // namespace stratd::worker
