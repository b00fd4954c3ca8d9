#pragma once
// What a worker publishes about its runner through shared memory, and what
// a restarted worker resumes from.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "common/context.hpp"
#include "common/recent_trades.hpp"
#include "common/trading.hpp"

namespace stratd {

struct Snapshot {
  // Trades kept in the snapshot until the supervisor's store has them: the
  // store catches up from here even if the PositionClosed event was lost.
  static constexpr size_t kRecentTrades = 32;

  std::string runner_id;
  std::string symbol;
  StrategyState state = StrategyState::Idle;
  std::optional<Position> position;
  Context context;
  RunnerStats stats;
  uint64_t event_seq = 0;     // last per-runner event sequence number used
  int64_t updated_ms = 0;     // wall time of this write
  int64_t last_tick_ms = 0;   // market timestamp of the last tick processed
  double last_price = 0;      // last close seen
  uint32_t worker_starts = 0; // workers that have run this runner so far
  RecentTrades recent_trades;  // newest last, at most kRecentTrades

  MSGPACK_DEFINE(runner_id, symbol, state, position, context, stats, event_seq, updated_ms,
                 last_tick_ms, last_price, worker_starts, recent_trades)
};

}  // namespace stratd
