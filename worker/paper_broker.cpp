#include "worker/paper_broker.hpp"

#include <algorithm>
#include <cmath>

namespace stratd::worker {
namespace {
bool positive(double x) { return std::isfinite(x) && x > 0; }
std::string fmt(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}
}  // namespace

Expected<Position> PaperBroker::open(Side side, std::optional<double> price, double quantity,
                                     std::optional<double> stop_loss,
                                     std::optional<double> take_profit, const Bar& bar) const {
  if (!positive(quantity)) return fail(ErrorCode::InvalidAction, "quantity must be a positive number");
  if (price && !positive(*price)) return fail(ErrorCode::InvalidAction, "price must be a positive number");
  const double base = price.value_or(bar.close);
  const double slip = s_.slippage_bps / 10'000.0;
  const double fill = side == Side::Long ? base * (1 + slip) : base * (1 - slip);
  const bool is_long = side == Side::Long;
  if (stop_loss) {
    if (!positive(*stop_loss)) return fail(ErrorCode::InvalidAction, "stop_loss must be a positive number");
    if (is_long ? *stop_loss >= fill : *stop_loss <= fill)
      return fail(ErrorCode::InvalidAction, std::string("stop_loss ") + fmt(*stop_loss) + " must be " +
                                        (is_long ? "below" : "above") + " the entry price " +
                                        fmt(fill));
  }
  if (take_profit) {
    if (!positive(*take_profit))
      return fail(ErrorCode::InvalidAction, "take_profit must be a positive number");
    if (is_long ? *take_profit <= fill : *take_profit >= fill)
      return fail(ErrorCode::InvalidAction, std::string("take_profit ") + fmt(*take_profit) + " must be " +
                                        (is_long ? "above" : "below") + " the entry price " +
                                        fmt(fill));
  }
  Position p;
  p.side = side;
  p.entry_price = fill;
  p.quantity = quantity;
  p.entry_time_ms = bar.timestamp_ms;
  p.stop_loss = stop_loss;
  p.take_profit = take_profit;
  p.entry_fee = fee(fill, quantity);
  return p;
}

ClosedTrade PaperBroker::settle(const Position& p, double fill, std::string reason,
                                const Bar& bar) const {
  ClosedTrade t;
  t.id = p.id;
  t.side = p.side;
  t.entry_price = p.entry_price;
  t.exit_price = fill;
  t.quantity = p.quantity;
  t.entry_time_ms = p.entry_time_ms;
  t.exit_time_ms = bar.timestamp_ms;
  t.reason = std::move(reason);
  t.gross_pnl = p.unrealized_pnl(fill);
  t.fees = p.entry_fee + fee(fill, p.quantity);
  t.realized_pnl = t.gross_pnl - t.fees;
  return t;
}

ClosedTrade PaperBroker::close(const Position& p, std::optional<double> price, std::string reason,
                               const Bar& bar) const {
  const double base = price && positive(*price) ? *price : bar.close;
  const double slip = s_.slippage_bps / 10'000.0;
  const double fill = p.side == Side::Long ? base * (1 - slip) : base * (1 + slip);
  return settle(p, fill, std::move(reason), bar);
}

std::optional<ClosedTrade> PaperBroker::check_exits(const Position& p, const Bar& bar) const {
  const double slip = s_.slippage_bps / 10'000.0;
  if (p.side == Side::Long) {
    if (p.stop_loss && bar.low <= *p.stop_loss) {
      // A bar that opens through the stop fills at the open, not the stop.
      const double at = std::min(*p.stop_loss, bar.open) * (1 - slip);
      return settle(p, at, "stop_loss", bar);
    }
    if (p.take_profit && bar.high >= *p.take_profit) {
      return settle(p, std::max(*p.take_profit, bar.open), "take_profit", bar);
    }
  } else {
    if (p.stop_loss && bar.high >= *p.stop_loss) {
      const double at = std::max(*p.stop_loss, bar.open) * (1 + slip);
      return settle(p, at, "stop_loss", bar);
    }
    if (p.take_profit && bar.low <= *p.take_profit) {
      return settle(p, std::min(*p.take_profit, bar.open), "take_profit", bar);
    }
  }
  return std::nullopt;
}

Status PaperBroker::check_new_stop(const Position& p, double level, double price) const {
  if (!positive(level)) return fail(ErrorCode::InvalidAction, "new_stop must be a positive number");
  const bool is_long = p.side == Side::Long;
  if (is_long ? level >= price : level <= price)
    return fail(ErrorCode::InvalidAction, "new_stop " + fmt(level) + " must be " +
                                      (is_long ? "below" : "above") + " the current price " +
                                      fmt(price));
  return ok();
}

Status PaperBroker::check_new_target(const Position& p, double level, double price) const {
  if (!positive(level)) return fail(ErrorCode::InvalidAction, "new_target must be a positive number");
  const bool is_long = p.side == Side::Long;
  if (is_long ? level <= price : level >= price)
    return fail(ErrorCode::InvalidAction, "new_target " + fmt(level) + " must be " +
                                      (is_long ? "above" : "below") + " the current price " +
                                      fmt(price));
  return ok();
}

void PaperBroker::book(const ClosedTrade& t, RunnerStats& stats) {
  stats.realized_pnl += t.realized_pnl;
  stats.fees_paid += t.fees;
  ++stats.trades;
  if (t.realized_pnl > 0) {
    ++stats.wins;
  } else {
    ++stats.losses;
  }
}

}  // namespace stratd::worker
