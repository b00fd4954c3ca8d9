// A runner's tick processing with a real Lua strategy in-process: events,
// transitions, broker exits, errors, and resuming from a snapshot.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/config.hpp"
#include "common/msgpack_codec.hpp"
#include "tests/support/candles.hpp"
#include "worker/strategy_runner.hpp"

using namespace stratd;
using namespace stratd::worker;

namespace {

const char* kEnterLong = R"(
function detect_opportunity(md, ctx, ind)
  ctx.seen = (ctx.seen or 0) + 1
  return { reason = "always", level = md.close }
end
function filter_commitment(md, ctx, ind)
  return { action = "enter_long", quantity = 2, stop_loss = md.close - 5, take_profit = md.close + 10 }
end
function manage_position(md, ctx, ind)
  ctx.held = (ctx.held or 0) + 1
  return nil
end
)";

struct Harness {
  explicit Harness(const std::string& source, BrokerSettings broker = {.fee_bps = 0, .slippage_bps = 0})
      : strategy(LuaLimits{1'000'000, 16ull << 20}, [](std::string_view, std::string_view) {}),
        runner(initial(), 50, strategy, PaperBroker(broker)) {
    auto r = strategy.load(source, "test.lua");
    EXPECT_TRUE(r.ok()) << r.message;
  }
  static Snapshot initial() {
    Snapshot s;
    s.runner_id = "r1";
    s.symbol = "TEST";
    return s;
  }
  std::vector<Event> tick(double open, double high, double low, double close) {
    ++ts;
    return runner.on_tick(MarketData{"TEST", ts, open, high, low, close, 1, close, close});
  }
  LuaStrategy strategy;
  StrategyRunner runner;
  int64_t ts = 0;
};

std::vector<std::string> types(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.emplace_back(to_string(e.type));
  return out;
}

std::string text(const Event& e, const char* key) {
  const Scalar* v = e.find(key);
  return v && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
}

}  // namespace

TEST(StrategyRunner, WholeCycleWithStopLoss) {
  Harness h(kEnterLong);
  auto e1 = h.tick(100, 100, 100, 100);
  EXPECT_EQ(types(e1), (std::vector<std::string>{"TickReceived", "StateTransition"}));
  EXPECT_EQ(text(e1[1], "trigger"), "OpportunityDetected");
  EXPECT_EQ(h.runner.snapshot().state, StrategyState::Analyzing);
  EXPECT_EQ(h.runner.snapshot().context.integers.at("seen"), 1);
  EXPECT_EQ(h.runner.snapshot().context.strings.at("reason"), "always");  // merged from the opportunity

  auto e2 = h.tick(100, 101, 99, 100);
  EXPECT_EQ(types(e2), (std::vector<std::string>{"TickReceived", "PositionOpened", "StateTransition"}));
  ASSERT_TRUE(h.runner.snapshot().position);
  EXPECT_EQ(h.runner.snapshot().position->stop_loss, 95.0);

  auto e3 = h.tick(100, 102, 98, 101);
  EXPECT_EQ(types(e3), (std::vector<std::string>{"TickReceived"}));
  EXPECT_EQ(h.runner.snapshot().context.integers.at("held"), 1);

  // The bar trades through the stop: the broker closes before the strategy runs.
  auto e4 = h.tick(99, 99, 94, 96);
  ASSERT_GE(e4.size(), 3u);
  EXPECT_EQ(types(e4)[1], "PositionClosed");
  EXPECT_EQ(text(e4[1], "reason"), "stop_loss");
  EXPECT_EQ(text(e4[2], "trigger"), "StopLossHit");
  EXPECT_FALSE(h.runner.snapshot().position);
  EXPECT_DOUBLE_EQ(h.runner.snapshot().stats.realized_pnl, -10.0);
  EXPECT_EQ(h.runner.snapshot().stats.trades, 1u);
  EXPECT_EQ(h.runner.snapshot().stats.losses, 1u);

  // Sequence numbers run without holes across all of it.
  uint64_t expect = 1;
  for (const auto* batch : {&e1, &e2, &e3, &e4}) {
    for (const auto& e : *batch) EXPECT_EQ(e.runner_seq, expect++);
  }
  EXPECT_EQ(h.runner.snapshot().stats.ticks_processed, 4u);
}

TEST(StrategyRunner, ActionsThatDoNotFitAreErrorsNotCrashes) {
  Harness h(R"(
    function detect_opportunity() return { go = true } end
    function filter_commitment() return { action = "exit", reason = "wrong state" } end
    function manage_position() return nil end
  )");
  h.tick(1, 1, 1, 1);
  auto e = h.tick(1, 1, 1, 1);
  ASSERT_EQ(types(e), (std::vector<std::string>{"TickReceived", "StrategyError"}));
  EXPECT_EQ(text(e[1], "kind"), "invalid_action");
  EXPECT_NE(text(e[1], "message").find("not valid in state Analyzing"), std::string::npos);
  EXPECT_EQ(h.runner.snapshot().stats.errors, 1u);
  EXPECT_EQ(h.runner.snapshot().state, StrategyState::Analyzing);
}

TEST(StrategyRunner, LuaErrorsAndBadReturnsAreCounted) {
  Harness h(R"(
    local n = 0
    function detect_opportunity()
      n = n + 1
      if n == 1 then error("first call fails") end
      if n == 2 then return 42 end
      return nil
    end
    function filter_commitment() return nil end
    function manage_position() return nil end
  )");
  auto e1 = h.tick(1, 1, 1, 1);
  EXPECT_EQ(text(e1[1], "kind"), "runtime");
  EXPECT_NE(text(e1[1], "message").find("first call fails"), std::string::npos);
  auto e2 = h.tick(1, 1, 1, 1);
  EXPECT_EQ(text(e2[1], "kind"), "invalid_return");
  auto e3 = h.tick(1, 1, 1, 1);
  EXPECT_EQ(e3.size(), 1u);
  EXPECT_EQ(h.runner.snapshot().stats.errors, 2u);
}

TEST(StrategyRunner, ActionShapesAndStopUpdates) {
  Harness h(R"(
    function detect_opportunity() return true end
    function filter_commitment(md) return { enter_short = { quantity = 1, stop_loss = md.close * 1.1 } } end
    function manage_position(md, ctx)
      ctx.n = (ctx.n or 0) + 1
      if ctx.n == 1 then return { type = "update_stop_loss", new_stop = md.close * 1.05 } end
      if ctx.n == 2 then return { action = "update_take_profit", new_target = md.close * 0.5 } end
      return { action = "exit", reason = "done" }
    end
  )");
  h.tick(10, 10, 10, 10);
  h.tick(10, 10, 10, 10);
  ASSERT_TRUE(h.runner.snapshot().position);
  EXPECT_EQ(h.runner.snapshot().position->side, Side::Short);
  auto e = h.tick(10, 10, 10, 10);
  EXPECT_EQ(types(e)[1], "PositionUpdated");
  EXPECT_DOUBLE_EQ(*h.runner.snapshot().position->stop_loss, 10.5);
  h.tick(10, 10, 10, 10);
  EXPECT_DOUBLE_EQ(*h.runner.snapshot().position->take_profit, 5.0);
  auto closed = h.tick(10, 10, 10, 8);
  EXPECT_EQ(text(closed[1], "reason"), "exit: done");
  EXPECT_DOUBLE_EQ(h.runner.snapshot().stats.realized_pnl, 2.0);
}

TEST(StrategyRunner, ExitAtANonsensePriceIsRefused) {
  Harness h(R"(
    function detect_opportunity() return true end
    function filter_commitment() return { action = "enter_long", quantity = 1 } end
    function manage_position() return { action = "exit", price = -3 } end
  )");
  h.tick(10, 10, 10, 10);
  h.tick(10, 10, 10, 10);
  auto e = h.tick(10, 10, 10, 10);
  ASSERT_EQ(types(e), (std::vector<std::string>{"TickReceived", "StrategyError"}));
  EXPECT_EQ(text(e[1], "kind"), "invalid_action");
  EXPECT_TRUE(h.runner.snapshot().position);  // still open
}

TEST(StrategyRunner, ResumesFromASnapshot) {
  Snapshot saved;
  std::vector<Bar> bars;
  uint64_t total = 0;
  {
    Harness h(kEnterLong);
    for (int i = 0; i < 5; ++i) h.tick(100, 100, 100, 100);
    ASSERT_TRUE(h.runner.snapshot().position);
    // Through the same codec the shared-memory segment uses.
    saved = *msgpack_decode<Snapshot>(msgpack_encode(h.runner.snapshot()));
    for (size_t i = 0; i < h.runner.bars().size(); ++i) bars.push_back(h.runner.bars()[i]);
    total = h.runner.bars().total();
  }
  Harness h(kEnterLong);
  h.runner.restore(saved, bars, total);
  h.strategy.set_context(h.runner.snapshot().context);
  h.ts = 5;
  auto e = h.tick(100, 100, 100, 100);
  EXPECT_EQ(e[0].runner_seq, saved.event_seq + 1);
  EXPECT_EQ(h.runner.snapshot().state, StrategyState::InPosition);
  EXPECT_EQ(h.runner.snapshot().position->entry_price, saved.position->entry_price);
  EXPECT_EQ(h.runner.snapshot().context.integers.at("held"), saved.context.integers.at("held") + 1);
  EXPECT_EQ(h.runner.snapshot().stats.ticks_processed, 6u);
  EXPECT_EQ(h.runner.bars().size(), 6u);
}

TEST(StrategyRunner, ContextKeepsScalarsWithinBounds) {
  Harness h(R"(
    function detect_opportunity(md, ctx)
      ctx.t = {}
      ctx.long = string.rep("x", 300)
      ctx[1] = "numeric key"
      for i = 1, 200 do ctx["k" .. i] = i end
      return nil
    end
    function filter_commitment() return nil end
    function manage_position() return nil end
  )");
  h.tick(1, 1, 1, 1);
  const auto& c = h.runner.snapshot().context;
  EXPECT_EQ(c.size(), Context::kMaxEntries);
  EXPECT_EQ(c.strings.count("long"), 0u);
  EXPECT_EQ(h.runner.snapshot().stats.errors, 0u);
}

// The shipped strategies on real candles: they load, trade, and never err.
TEST(ShippedStrategies, RunCleanOnRealCandles) {
  const auto candles = test::load_candles("ETHBTC", 3000);
  for (const char* name : {"ema_crossover.lua", "rsi_mean_reversion.lua", "range_breakout.lua"}) {
    SCOPED_TRACE(name);
    std::ifstream in(std::string(STRATD_STRATEGIES_DIR) + "/" + name);
    ASSERT_TRUE(in) << "missing strategy";
    std::stringstream ss;
    ss << in.rdbuf();
    LuaStrategy strategy(Config().lua, [](std::string_view, std::string_view) {});  // stratd's defaults
    ASSERT_TRUE(strategy.load(ss.str(), name).ok());
    StrategyRunner runner(Harness::initial(), 200, strategy, PaperBroker(Config().broker));
    uint64_t opened = 0;
    for (auto md : candles) {
      md.symbol = "TEST";
      for (const auto& e : runner.on_tick(md)) {
        if (e.type == EventType::StrategyError) ADD_FAILURE() << text(e, "message");
        opened += e.type == EventType::PositionOpened;
      }
    }
    EXPECT_GT(opened, 0u);
    EXPECT_EQ(runner.snapshot().stats.errors, 0u);
  }
}
