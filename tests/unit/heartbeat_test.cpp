// The watchdog's judgement of a worker's heartbeat.
#include <gtest/gtest.h>

#include "supervisor/runners/heartbeat.hpp"

using namespace stratd::supervisor;

namespace {
constexpr int64_t kHang = 5000;
}

TEST(Heartbeat, AStartingWorkerAttachesWithItsFirstHeartbeat) {
  auto v = judge_heartbeat({Lifecycle::Starting, 10, 300}, kHang);
  EXPECT_EQ(v.event, LifecycleEvent::Attached);
  EXPECT_EQ(v.health, Health::Healthy);
}

TEST(Heartbeat, NotYetAttachedIsNothingUntilTheHangTimeout) {
  auto v = judge_heartbeat({Lifecycle::Starting, std::nullopt, 4000}, kHang);
  EXPECT_FALSE(v.event);
  EXPECT_FALSE(v.health);
  v = judge_heartbeat({Lifecycle::Starting, std::nullopt, 5001}, kHang);
  EXPECT_EQ(v.event, LifecycleEvent::Hung);
  EXPECT_EQ(v.silent_for_ms, 5001);
}

TEST(Heartbeat, ARunningWorkerIsHealthyUnresponsiveOrHung) {
  EXPECT_EQ(judge_heartbeat({Lifecycle::Running, 2500, 99'999}, kHang).health, Health::Healthy);
  auto late = judge_heartbeat({Lifecycle::Running, 2501, 99'999}, kHang);
  EXPECT_EQ(late.health, Health::Unresponsive);
  EXPECT_FALSE(late.event);
  auto hung = judge_heartbeat({Lifecycle::Running, 5001, 99'999}, kHang);
  EXPECT_EQ(hung.event, LifecycleEvent::Hung);
  EXPECT_FALSE(hung.health);
}

TEST(Heartbeat, OnlyStartingAndRunningWorkersAreJudged) {
  for (auto l : {Lifecycle::Stopping, Lifecycle::Stopped, Lifecycle::Crashed, Lifecycle::Restarting, Lifecycle::Failed}) {
    auto v = judge_heartbeat({l, 100'000, 100'000}, kHang);
    EXPECT_FALSE(v.event);
    EXPECT_FALSE(v.health);
  }
}
