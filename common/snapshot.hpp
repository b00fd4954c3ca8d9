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

  // SnapshotFigures reads some of these by their place in this list: keep
  // it in step (tests/unit/metrics_test.cpp checks).
  MSGPACK_DEFINE(runner_id, symbol, state, position, context, stats, event_seq, updated_ms,
                 last_tick_ms, last_price, worker_starts, recent_trades)
};

// The figures of a snapshot that monitoring reads, decoded from a
// Snapshot's msgpack without the rest (its context, its trades): a scrape
// reads every runner's, and converting the whole snapshot costs several
// times more.
struct SnapshotFigures {
  std::string runner_id;
  std::string symbol;
  StrategyState state = StrategyState::Idle;
  std::optional<Position> position;
  RunnerStats stats;
  double last_price = 0;
};

}  // namespace stratd

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct convert<stratd::SnapshotFigures> {
  const msgpack::object& operator()(const msgpack::object& o, stratd::SnapshotFigures& v) const {
    if (o.type != msgpack::type::ARRAY) throw msgpack::type_error();
    // Places in Snapshot's MSGPACK_DEFINE; a shorter (older) array keeps
    // the defaults, as Snapshot's own conversion does.
    const auto& a = o.via.array;
    if (a.size > 0) a.ptr[0].convert(v.runner_id);
    if (a.size > 1) a.ptr[1].convert(v.symbol);
    if (a.size > 2) a.ptr[2].convert(v.state);
    if (a.size > 3) a.ptr[3].convert(v.position);
    if (a.size > 5) a.ptr[5].convert(v.stats);
    if (a.size > 9) a.ptr[9].convert(v.last_price);
    return o;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
