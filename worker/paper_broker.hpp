#pragma once
// Simulated execution: fills market orders at the given or current price
// with slippage against the trader, charges a fee per fill, closes on
// stop-loss and take-profit by itself, and books realized PnL.
#include <optional>
#include <string>

#include "common/market_data.hpp"
#include "common/result.hpp"
#include "common/settings.hpp"
#include "common/trading.hpp"

namespace stratd::worker {

// The broker's result of closing a position (its id is the position's).
using ClosedTrade = Trade;

class PaperBroker {
 public:
  explicit PaperBroker(BrokerSettings s) : s_(s) {}

  // Opens a position at `price` (or the bar's close). Checks quantity and
  // that stop-loss and take-profit are on the right sides of the fill.
  Expected<Position> open(Side side, std::optional<double> price, double quantity,
                          std::optional<double> stop_loss, std::optional<double> take_profit,
                          const Bar& bar) const;
  // Closes at `price` (or the bar's close) as a market order.
  ClosedTrade close(const Position& p, std::optional<double> price, std::string reason,
                    const Bar& bar) const;
  // A stop-loss or take-profit reached within `bar`, and the trade it
  // closes. If both are inside the bar, the stop is assumed hit first.
  std::optional<ClosedTrade> check_exits(const Position& p, const Bar& bar) const;
  // Whether `level` may be the position's new stop (or target) at `price`.
  Status check_new_stop(const Position& p, double level, double price) const;
  Status check_new_target(const Position& p, double level, double price) const;

  // Adds a closed trade to the runner's totals.
  static void book(const ClosedTrade& t, RunnerStats& stats);

 private:
  double fee(double price, double qty) const { return price * qty * s_.fee_bps / 10'000.0; }
  ClosedTrade settle(const Position& p, double fill, std::string reason, const Bar& bar) const;
  BrokerSettings s_;
};

}  // namespace stratd::worker
