#pragma once
// PositionOpened and PositionClosed as both ends of the bus see them: the
// worker builds their fields from the broker's Position and Trade, and
// stratd reads the position back from those typed fields to store it, so
// what the store records is what the broker booked (its bar times
// included), never a re-parse of the JSON clients get.
#include <optional>
#include <vector>

#include "common/event.hpp"
#include "common/trading.hpp"

namespace stratd {

std::vector<Field> position_opened_fields(const Position& p);
std::vector<Field> position_closed_fields(const Trade& t);

// A position as the store keeps it: open (exit fields zero) or closed.
struct PositionRecord {
  Trade trade;
  bool open = false;
  std::optional<double> stop_loss;
  std::optional<double> take_profit;
};

// The position a PositionOpened or PositionClosed describes. A worker is
// untrusted: every field is checked for its type, and an event without a
// positive position id describes none.
std::optional<PositionRecord> position_record(const Event& e);

}  // namespace stratd
