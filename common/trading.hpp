#pragma once
// Strategy-level domain types: the seed's strategy state machine, positions
// and the per-runner statistics a snapshot carries.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace stratd {

enum class StrategyState : uint8_t { Idle = 0, Analyzing = 1, InPosition = 2 };
enum class Side : uint8_t { Long = 0, Short = 1 };

std::string_view to_string(StrategyState s);
std::string_view to_string(Side s);

struct Position {
  uint64_t id = 0;  // the runner's n-th position, from 1
  Side side = Side::Long;
  double entry_price = 0;  // fill price, slippage included
  double quantity = 0;
  int64_t entry_time_ms = 0;
  std::optional<double> stop_loss;
  std::optional<double> take_profit;
  double entry_fee = 0;

  // Mark-to-market PnL at `price`, before exit fees.
  double unrealized_pnl(double price) const {
    const double diff = side == Side::Long ? price - entry_price : entry_price - price;
    return diff * quantity;
  }

  MSGPACK_DEFINE(id, side, entry_price, quantity, entry_time_ms, stop_loss, take_profit, entry_fee)
};

// A closed position, as the broker booked it.
struct Trade {
  uint64_t id = 0;  // the id of the position it closed
  Side side = Side::Long;
  double entry_price = 0;
  double exit_price = 0;
  double quantity = 0;
  int64_t entry_time_ms = 0;
  int64_t exit_time_ms = 0;
  std::string reason;       // "exit: <strategy reason>", "stop_loss", "take_profit"
  double gross_pnl = 0;
  double fees = 0;          // entry + exit
  double realized_pnl = 0;  // gross - fees

  MSGPACK_DEFINE(id, side, entry_price, exit_price, quantity, entry_time_ms, exit_time_ms, reason, gross_pnl,
                 fees, realized_pnl)
};

struct RunnerStats {
  uint64_t ticks_processed = 0;
  uint64_t actions_executed = 0;
  uint64_t errors = 0;
  uint64_t total_tick_ns = 0;  // sum over ticks_processed, for the average
  uint64_t min_tick_ns = 0;
  uint64_t max_tick_ns = 0;
  double realized_pnl = 0;  // net of fees
  double fees_paid = 0;
  uint64_t trades = 0;  // closed positions
  uint64_t wins = 0;
  uint64_t losses = 0;
  uint64_t positions_opened = 0;

  void record_tick(uint64_t ns) {
    ++ticks_processed;
    total_tick_ns += ns;
    if (min_tick_ns == 0 || ns < min_tick_ns) min_tick_ns = ns;
    if (ns > max_tick_ns) max_tick_ns = ns;
  }

  MSGPACK_DEFINE(ticks_processed, actions_executed, errors, total_tick_ns, min_tick_ns, max_tick_ns,
                 realized_pnl, fees_paid, trades, wins, losses, positions_opened)
};

}  // namespace stratd

MSGPACK_ADD_ENUM(stratd::StrategyState);
MSGPACK_ADD_ENUM(stratd::Side);
