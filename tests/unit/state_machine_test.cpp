#include <gtest/gtest.h>

#include "worker/state_machine.hpp"

using namespace stratd;
using namespace stratd::worker;

TEST(StateMachine, TheSeedsCycle) {
  EXPECT_EQ(next_state(StrategyState::Idle, Trigger::OpportunityDetected), StrategyState::Analyzing);
  EXPECT_EQ(next_state(StrategyState::Analyzing, Trigger::PositionEntered), StrategyState::InPosition);
  EXPECT_EQ(next_state(StrategyState::Analyzing, Trigger::AnalysisCancelled), StrategyState::Idle);
  for (auto t : {Trigger::ExitSignal, Trigger::StopLossHit, Trigger::TakeProfitHit}) {
    EXPECT_EQ(next_state(StrategyState::InPosition, t), StrategyState::Idle);
  }
}

TEST(StateMachine, TriggersOutOfPlaceDoNothing) {
  EXPECT_FALSE(next_state(StrategyState::Idle, Trigger::PositionEntered));
  EXPECT_FALSE(next_state(StrategyState::Idle, Trigger::ExitSignal));
  EXPECT_FALSE(next_state(StrategyState::Analyzing, Trigger::OpportunityDetected));
  EXPECT_FALSE(next_state(StrategyState::InPosition, Trigger::OpportunityDetected));
  EXPECT_FALSE(next_state(StrategyState::InPosition, Trigger::AnalysisCancelled));
}

TEST(StateMachine, ActionsBelongToOneState) {
  EXPECT_EQ(state_for(ActionKind::EnterLong), StrategyState::Analyzing);
  EXPECT_EQ(state_for(ActionKind::EnterShort), StrategyState::Analyzing);
  EXPECT_EQ(state_for(ActionKind::CancelAnalysis), StrategyState::Analyzing);
  EXPECT_EQ(state_for(ActionKind::Exit), StrategyState::InPosition);
  EXPECT_EQ(state_for(ActionKind::UpdateStopLoss), StrategyState::InPosition);
  EXPECT_EQ(state_for(ActionKind::UpdateTakeProfit), StrategyState::InPosition);
  EXPECT_EQ(action_from_string("update_take_profit"), ActionKind::UpdateTakeProfit);
  EXPECT_FALSE(action_from_string("buy"));
}
