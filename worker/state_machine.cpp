#include "worker/state_machine.hpp"

namespace stratd::worker {

std::string_view to_string(Trigger t) {
  switch (t) {
    case Trigger::OpportunityDetected: return "OpportunityDetected";
    case Trigger::AnalysisCancelled: return "AnalysisCancelled";
    case Trigger::PositionEntered: return "PositionEntered";
    case Trigger::ExitSignal: return "ExitSignal";
    case Trigger::StopLossHit: return "StopLossHit";
    case Trigger::TakeProfitHit: return "TakeProfitHit";
  }
  return "Unknown";
}

std::optional<StrategyState> next_state(StrategyState from, Trigger trigger) {
  using S = StrategyState;
  switch (trigger) {
    case Trigger::OpportunityDetected:
      return from == S::Idle ? std::optional(S::Analyzing) : std::nullopt;
    case Trigger::AnalysisCancelled:
      return from == S::Analyzing ? std::optional(S::Idle) : std::nullopt;
    case Trigger::PositionEntered:
      return from == S::Analyzing ? std::optional(S::InPosition) : std::nullopt;
    case Trigger::ExitSignal:
    case Trigger::StopLossHit:
    case Trigger::TakeProfitHit:
      return from == S::InPosition ? std::optional(S::Idle) : std::nullopt;
  }
  return std::nullopt;
}

namespace {
struct ActionName {
  ActionKind kind;
  std::string_view name;
};
constexpr ActionName kActions[] = {
    {ActionKind::EnterLong, "enter_long"},         {ActionKind::EnterShort, "enter_short"},
    {ActionKind::CancelAnalysis, "cancel_analysis"}, {ActionKind::Exit, "exit"},
    {ActionKind::UpdateStopLoss, "update_stop_loss"}, {ActionKind::UpdateTakeProfit, "update_take_profit"},
};
}  // namespace

std::string_view to_string(ActionKind k) {
  for (const auto& a : kActions) {
    if (a.kind == k) return a.name;
  }
  return "unknown";
}

std::optional<ActionKind> action_from_string(std::string_view name) {
  for (const auto& a : kActions) {
    if (a.name == name) return a.kind;
  }
  return std::nullopt;
}

StrategyState state_for(ActionKind k) {
  switch (k) {
    case ActionKind::EnterLong:
    case ActionKind::EnterShort:
    case ActionKind::CancelAnalysis: return StrategyState::Analyzing;
    default: return StrategyState::InPosition;
  }
}

}  // namespace stratd::worker
