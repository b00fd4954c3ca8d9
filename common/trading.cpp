#include "common/trading.hpp"

namespace stratd {

std::string_view to_string(StrategyState s) {
  switch (s) {
    case StrategyState::Idle: return "Idle";
    case StrategyState::Analyzing: return "Analyzing";
    case StrategyState::InPosition: return "InPosition";
  }
  return "Unknown";
}

std::string_view to_string(Side s) { return s == Side::Long ? "Long" : "Short"; }

}  // namespace stratd
