// Indicators against values computed independently (a plain Python
// implementation of the documented definitions) on real ETHBTC candles.
#include <gtest/gtest.h>

#include "tests/support/candles.hpp"
#include "worker/indicators.hpp"

using namespace stratd;
using namespace stratd::worker;

namespace {
BarRing ring_of(size_t capacity, size_t candles) {
  BarRing ring(capacity);
  for (const auto& md : test::load_candles("ETHBTC", candles)) ring.push(md.bar());
  return ring;
}
void expect_close(double actual, double expected) { EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-12); }
}  // namespace

TEST(Indicators, FullWindowOfFiftyCandles) {
  const BarRing ring = ring_of(50, 50);
  expect_close(*sma(ring, 10), 0.0015908320000000004);
  expect_close(*ema(ring, 10), 0.0015912196594529667);
  expect_close(*rsi(ring, 14), 46.27756774043225);
  const auto w = window_stats(ring);
  ASSERT_TRUE(w);
  expect_close(w->high, 0.00162008);
  expect_close(w->low, 0.00158246);
  expect_close(w->range, 0.00162008 - 0.00158246);
  expect_close(w->avg_volume, 46.5039644224);
}

TEST(Indicators, WrappedWindowUsesOnlyTheNewestBars) {
  const BarRing ring = ring_of(30, 50);  // candles 20..49
  expect_close(*sma(ring, 10), 0.0015908320000000004);
  expect_close(*ema(ring, 10), 0.0015912079358213435);
  expect_close(*rsi(ring, 14), 48.325801975565895);
  expect_close(window_stats(ring)->high, 0.00159999);
  expect_close(window_stats(ring)->avg_volume, 40.75328593833333);
}

TEST(Indicators, DefaultWindowDeepIntoTheFile) {
  const BarRing ring = ring_of(200, 500);
  expect_close(*sma(ring, 10), 0.0016058099999999998);
  expect_close(*ema(ring, 10), 0.001606326305574762);
  expect_close(*rsi(ring, 14), 50.4918457374025);
  expect_close(window_stats(ring)->low, 0.00157845);
  expect_close(window_stats(ring)->avg_volume, 105.19053924454998);
}

TEST(Indicators, NilWhileTheWindowIsTooShort) {
  const BarRing ring = ring_of(200, 14);
  EXPECT_TRUE(sma(ring, 14));
  EXPECT_FALSE(sma(ring, 15));
  EXPECT_FALSE(ema(ring, 15));
  EXPECT_FALSE(rsi(ring, 14));  // needs n+1 closes
  EXPECT_TRUE(rsi(ring, 13));
  EXPECT_FALSE(sma(ring, 0));
  EXPECT_FALSE(window_stats(BarRing(10)));
}

TEST(Indicators, RsiEdgeCases) {
  BarRing flat(20), rising(20);
  for (int i = 0; i < 20; ++i) {
    flat.push(Bar{i, 1, 1, 1, 1, 1, 1, 1});
    rising.push(Bar{i, 1.0 + i, 1.0 + i, 1.0 + i, 1.0 + i, 1, 1.0 + i, 1.0 + i});
  }
  EXPECT_DOUBLE_EQ(*rsi(flat, 14), 50.0);
  EXPECT_DOUBLE_EQ(*rsi(rising, 14), 100.0);
}
