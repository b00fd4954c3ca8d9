#include <gtest/gtest.h>

#include "worker/paper_broker.hpp"

using namespace stratd;
using namespace stratd::worker;

namespace {
Bar bar(double open, double high, double low, double close, int64_t ts = 1000) {
  return Bar{ts, open, high, low, close, 10, close, close};
}
}  // namespace

TEST(PaperBroker, LongRoundTripBooksFeesOnBothFills) {
  PaperBroker b({.fee_bps = 10, .slippage_bps = 0});
  auto p = b.open(Side::Long, 100.0, 2.0, 95.0, 110.0, bar(100, 100, 100, 100));
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->entry_price, 100.0);
  EXPECT_DOUBLE_EQ(p->entry_fee, 0.2);  // 10 bps of 200
  EXPECT_DOUBLE_EQ(p->unrealized_pnl(104.0), 8.0);
  auto t = b.close(*p, std::nullopt, "exit: done", bar(104, 105, 103, 105));
  EXPECT_DOUBLE_EQ(t.exit_price, 105.0);
  EXPECT_DOUBLE_EQ(t.gross_pnl, 10.0);
  EXPECT_NEAR(t.fees, 0.2 + 0.21, 1e-12);
  EXPECT_NEAR(t.realized_pnl, 10.0 - 0.41, 1e-12);
  RunnerStats s;
  PaperBroker::book(t, s);
  EXPECT_EQ(s.trades, 1u);
  EXPECT_EQ(s.wins, 1u);
  EXPECT_NEAR(s.realized_pnl, 9.59, 1e-12);
}

TEST(PaperBroker, ShortProfitsWhenPriceFalls) {
  PaperBroker b({.fee_bps = 0, .slippage_bps = 0});
  auto p = b.open(Side::Short, std::nullopt, 3.0, 0.0012, 0.0009, bar(0.001, 0.001, 0.001, 0.001));
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->entry_price, 0.001);  // the bar's close when no price is given
  auto t = b.close(*p, 0.0008, "exit", bar(0.0008, 0.0008, 0.0008, 0.0008));
  EXPECT_NEAR(t.realized_pnl, 3 * 0.0002, 1e-15);
}

TEST(PaperBroker, SlippageMovesFillsAgainstTheTrader) {
  PaperBroker b({.fee_bps = 0, .slippage_bps = 100});  // 1%
  auto lp = b.open(Side::Long, 100.0, 1, std::nullopt, std::nullopt, bar(100, 100, 100, 100));
  auto sp = b.open(Side::Short, 100.0, 1, std::nullopt, std::nullopt, bar(100, 100, 100, 100));
  EXPECT_DOUBLE_EQ(lp->entry_price, 101.0);
  EXPECT_DOUBLE_EQ(sp->entry_price, 99.0);
  EXPECT_DOUBLE_EQ(b.close(*lp, 100.0, "x", bar(100, 100, 100, 100)).exit_price, 99.0);
}

TEST(PaperBroker, LongStopLossAndTakeProfit) {
  PaperBroker b({.fee_bps = 0, .slippage_bps = 0});
  auto p = b.open(Side::Long, 100.0, 1, 95.0, 110.0, bar(100, 100, 100, 100));
  EXPECT_FALSE(b.check_exits(*p, bar(100, 109, 96, 101)));
  auto sl = b.check_exits(*p, bar(97, 98, 94, 96));
  ASSERT_TRUE(sl);
  EXPECT_EQ(sl->reason, "stop_loss");
  EXPECT_DOUBLE_EQ(sl->exit_price, 95.0);
  EXPECT_DOUBLE_EQ(sl->realized_pnl, -5.0);
  auto tp = b.check_exits(*p, bar(105, 111, 104, 108));
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->reason, "take_profit");
  EXPECT_DOUBLE_EQ(tp->realized_pnl, 10.0);
}

TEST(PaperBroker, ShortStopLossAndTakeProfit) {
  PaperBroker b({.fee_bps = 0, .slippage_bps = 0});
  auto p = b.open(Side::Short, 100.0, 2, 104.0, 90.0, bar(100, 100, 100, 100));
  auto sl = b.check_exits(*p, bar(101, 105, 100, 103));
  ASSERT_TRUE(sl);
  EXPECT_EQ(sl->reason, "stop_loss");
  EXPECT_DOUBLE_EQ(sl->realized_pnl, -8.0);
  auto tp = b.check_exits(*p, bar(95, 96, 89, 92));
  ASSERT_TRUE(tp);
  EXPECT_EQ(tp->reason, "take_profit");
  EXPECT_DOUBLE_EQ(tp->realized_pnl, 20.0);
}

TEST(PaperBroker, GapsFillAtTheOpenAndStopsComeFirst) {
  PaperBroker b({.fee_bps = 0, .slippage_bps = 0});
  auto p = b.open(Side::Long, 100.0, 1, 95.0, 110.0, bar(100, 100, 100, 100));
  EXPECT_DOUBLE_EQ(b.check_exits(*p, bar(90, 91, 89, 90))->exit_price, 90.0);    // gapped through the stop
  EXPECT_DOUBLE_EQ(b.check_exits(*p, bar(115, 116, 114, 115))->exit_price, 115.0);  // gapped past the target
  EXPECT_EQ(b.check_exits(*p, bar(100, 111, 94, 100))->reason, "stop_loss");  // both inside one bar
}

TEST(PaperBroker, RejectsLevelsOnTheWrongSide) {
  PaperBroker b({});
  const Bar at100 = bar(100, 100, 100, 100);
  EXPECT_FALSE(b.open(Side::Long, 100.0, 1, 101.0, std::nullopt, at100));
  EXPECT_FALSE(b.open(Side::Long, 100.0, 1, std::nullopt, 99.0, at100));
  EXPECT_FALSE(b.open(Side::Short, 100.0, 1, 99.0, std::nullopt, at100));
  EXPECT_FALSE(b.open(Side::Long, 100.0, 0, std::nullopt, std::nullopt, at100));
  EXPECT_FALSE(b.open(Side::Long, -1.0, 1, std::nullopt, std::nullopt, at100));
  EXPECT_FALSE(b.open(Side::Long, 100.0, std::numeric_limits<double>::quiet_NaN(), std::nullopt,
                      std::nullopt, at100));
  auto p = b.open(Side::Long, 100.0, 1, 95.0, std::nullopt, at100);
  EXPECT_TRUE(b.check_new_stop(*p, 98.0, 100.0));
  EXPECT_FALSE(b.check_new_stop(*p, 101.0, 100.0));
  EXPECT_FALSE(b.check_new_target(*p, 99.0, 100.0));
}
