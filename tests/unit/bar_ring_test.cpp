#include <gtest/gtest.h>

#include "common/bar_ring.hpp"

using stratd::Bar;
using stratd::BarRing;

TEST(BarRing, KeepsTheNewestBarsOldestFirst) {
  BarRing r(3);
  for (int i = 1; i <= 5; ++i) r.push(Bar{i});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r.total(), 5u);
  EXPECT_EQ(r[0].timestamp_ms, 3);
  EXPECT_EQ(r.back().timestamp_ms, 5);
  EXPECT_EQ(r.at_absolute(3).timestamp_ms, 4);
}

TEST(BarRing, RestoreContinuesCounting) {
  BarRing r(4);
  r.restore({Bar{7}, Bar{8}}, 10);
  EXPECT_EQ(r.total(), 10u);
  EXPECT_EQ(r.size(), 2u);
  r.push(Bar{9});
  EXPECT_EQ(r[0].timestamp_ms, 7);
  EXPECT_EQ(r.back().timestamp_ms, 9);
  EXPECT_EQ(r.at_absolute(10).timestamp_ms, 9);
}
