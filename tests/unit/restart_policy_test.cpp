#include <gtest/gtest.h>

#include "supervisor/restart_policy.hpp"

using namespace std::chrono_literals;
using stratd::supervisor::RestartPolicy;
using stratd::RestartPolicySettings;

TEST(RestartPolicy, BackoffDoublesFromTheInitialDelay) {
  RestartPolicy p(RestartPolicySettings{100, 30'000, 5, 60});
  EXPECT_EQ(p.on_crash(0).delay, 100ms);
  EXPECT_EQ(p.on_crash(10).delay, 200ms);
  EXPECT_EQ(p.on_crash(20).delay, 400ms);
  EXPECT_EQ(p.on_crash(30).delay, 800ms);
  EXPECT_EQ(p.on_crash(40).delay, 1600ms);
}

TEST(RestartPolicy, MoreThanTheLimitInsideTheWindowGivesUp) {
  RestartPolicy p(RestartPolicySettings{100, 30'000, 5, 60});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(p.on_crash(i * 1000).give_up);
  const auto v = p.on_crash(5000);
  EXPECT_TRUE(v.give_up);
  EXPECT_EQ(v.crashes_in_window, 6);
}

TEST(RestartPolicy, CrashesOutsideTheWindowAreForgotten) {
  RestartPolicy p(RestartPolicySettings{100, 30'000, 5, 60});
  for (int i = 0; i < 5; ++i) p.on_crash(i * 1000);
  const auto v = p.on_crash(61'000);  // the first two have aged out
  EXPECT_FALSE(v.give_up);
  EXPECT_EQ(v.crashes_in_window, 4);
}

TEST(RestartPolicy, DelayIsCappedAndResetClears) {
  RestartPolicy p(RestartPolicySettings{100, 500, 100, 60});
  for (int i = 0; i < 10; ++i) p.on_crash(i);
  EXPECT_EQ(p.on_crash(11).delay, 500ms);
  p.reset();
  EXPECT_EQ(p.on_crash(12).delay, 100ms);
}
