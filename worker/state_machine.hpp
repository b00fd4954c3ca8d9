#pragma once
// The seed's strategy state machine: Idle -> Analyzing -> InPosition -> Idle,
// the actions a strategy may return, and which state admits which action.
#include <optional>
#include <string>
#include <string_view>

#include "common/trading.hpp"

namespace stratd::worker {

enum class Trigger {
  OpportunityDetected,  // Idle -> Analyzing
  AnalysisCancelled,    // Analyzing -> Idle
  PositionEntered,      // Analyzing -> InPosition
  ExitSignal,           // InPosition -> Idle (strategy's exit)
  StopLossHit,          // InPosition -> Idle (broker)
  TakeProfitHit,        // InPosition -> Idle (broker)
};

std::string_view to_string(Trigger t);

// The state `trigger` leads to from `from`, or nullopt if it does not apply.
std::optional<StrategyState> next_state(StrategyState from, Trigger trigger);

enum class ActionKind { EnterLong, EnterShort, CancelAnalysis, Exit, UpdateStopLoss, UpdateTakeProfit };

std::string_view to_string(ActionKind k);
std::optional<ActionKind> action_from_string(std::string_view name);

// The state whose function may return this action.
StrategyState state_for(ActionKind k);

struct Action {
  ActionKind kind = ActionKind::CancelAnalysis;
  std::optional<double> price;
  std::optional<double> quantity;
  std::optional<double> stop_loss;
  std::optional<double> take_profit;
  std::optional<double> new_level;  // update_stop_loss.new_stop / update_take_profit.new_target
  std::string reason;
};

}  // namespace stratd::worker
