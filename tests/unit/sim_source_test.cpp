// The simulated market: a seeded geometric random walk per symbol.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "feed/sim_source.hpp"

using namespace stratd;
using namespace stratd::feed;

namespace {
std::vector<double> closes(SimSource& src, const std::string& symbol, int n, int64_t t0 = 0) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    for (const auto& md : src.tick(t0 + i)) {
      if (md.symbol == symbol) out.push_back(md.close);
    }
  }
  return out;
}
}  // namespace

TEST(SimSource, TheSameSeedGivesTheSamePrices) {
  SimSource a({.seed = 7}), b({.seed = 7}), c({.seed = 8});
  for (auto* s : {&a, &b, &c}) s->activate("BTCUSDT");
  const auto pa = closes(a, "BTCUSDT", 100), pb = closes(b, "BTCUSDT", 100), pc = closes(c, "BTCUSDT", 100);
  ASSERT_EQ(pa.size(), 100u);
  EXPECT_EQ(pa, pb);
  EXPECT_NE(pa, pc);
}

TEST(SimSource, EachSymbolWalksOnItsOwn) {
  // A symbol's path does not depend on which other symbols are active.
  SimSource alone({.seed = 7}), crowded({.seed = 7});
  alone.activate("ETHUSDT");
  crowded.activate("BTCUSDT");
  crowded.activate("ETHUSDT");
  crowded.activate("SOLUSDT");
  const auto pa = closes(alone, "ETHUSDT", 50), pc = closes(crowded, "ETHUSDT", 50);
  EXPECT_EQ(pa, pc);
  EXPECT_NE(pc, closes(crowded, "BTCUSDT", 50));
  EXPECT_EQ(crowded.active_count(), 3u);
  crowded.deactivate("SOLUSDT");
  EXPECT_EQ(crowded.active_count(), 2u);
  EXPECT_EQ(crowded.tick(1000).size(), 2u);
}

TEST(SimSource, BarsAreConsistentAndTheWalkHasItsVolatility) {
  SimSource src({.seed = 42, .sigma_per_tick = 0.001, .spread_bps = 2.0});
  src.activate("BTCUSDT");
  double prev = 0, sum = 0, sum_sq = 0;
  const int n = 20'000;
  for (int i = 0; i < n; ++i) {
    const auto bars = src.tick(i);
    ASSERT_EQ(bars.size(), 1u);
    const auto& md = bars[0];
    EXPECT_EQ(md.timestamp_ms, i);
    ASSERT_GT(md.low, 0);
    EXPECT_LE(md.low, std::min(md.open, md.close));
    EXPECT_GE(md.high, std::max(md.open, md.close));
    EXPECT_LT(md.bid, md.ask);
    EXPECT_NEAR((md.ask - md.bid) / md.close, 2.0 / 10'000, 1e-9);
    EXPECT_GT(md.volume, 0);
    if (i > 0) {
      EXPECT_DOUBLE_EQ(md.open, prev);  // each bar opens where the last closed
      const double r = std::log(md.close / md.open);
      sum += r;
      sum_sq += r * r;
    }
    prev = md.close;
  }
  const double mean = sum / (n - 1);
  const double sd = std::sqrt(sum_sq / (n - 1) - mean * mean);
  EXPECT_NEAR(sd, 0.001, 0.0001);  // the seed is fixed: this is exact, not statistical luck
  EXPECT_NEAR(mean, 0, 0.0001);
}

TEST(SimSource, ARestartContinuesFromTheSavedPrice) {
  SimSource first({.seed = 3});
  first.activate("BTCUSDT");
  const auto before = closes(first, "BTCUSDT", 30);
  const std::string saved = first.save_state();

  SimSource again({.seed = 3}), again_too({.seed = 3});
  again.load_state(saved);
  again_too.load_state(saved);
  again.activate("BTCUSDT");
  again_too.activate("BTCUSDT");
  const auto bars = again.tick(100);
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_DOUBLE_EQ(bars[0].open, before.back());
  // Two feeds restored from one state agree.
  again_too.tick(100);
  EXPECT_EQ(closes(again, "BTCUSDT", 10), closes(again_too, "BTCUSDT", 10));
}

TEST(SimSource, AGarbledStateFileIsIgnored) {
  SimSource src({.seed = 3});
  src.load_state("not json");
  src.load_state(R"({"bad symbol!": {"price": 5}, "BTCUSDT": {"price": -1}, "ETHUSDT": {"price": "x"}, "SOLUSDT": {"price": 5, "ticks": -3}})");
  EXPECT_EQ(src.active_count(), 0u);
  src.activate("BTCUSDT");
  const auto bars = src.tick(0);
  ASSERT_EQ(bars.size(), 1u);
  EXPECT_GT(bars[0].close, 0);
}
