// The SQLite store on a real database file.
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "common/msgpack_codec.hpp"
#include "supervisor/store.hpp"

using namespace stratd;
using namespace stratd::supervisor;

namespace {
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("stratd-store-" + std::to_string(getpid()) + "-" +
                                                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> open() {
    auto s = Store::open((dir_ / "stratd.db").string());
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  std::filesystem::path dir_;
};

Snapshot snapshot_with(uint64_t open_id, std::vector<Trade> trades) {
  Snapshot s;
  s.runner_id = "r1";
  s.symbol = "BTCUSDT";
  if (open_id) s.position = Position{open_id, Side::Long, 100, 2, 1000, 90.0, std::nullopt, 0.2};
  s.recent_trades.assign(trades);
  s.event_seq = 42;
  return s;
}
Trade trade(uint64_t id, double pnl) {
  Trade t;
  t.id = id;
  t.side = Side::Short;
  t.entry_price = 10;
  t.exit_price = 9;
  t.quantity = 1;
  t.reason = "take_profit";
  t.realized_pnl = pnl;
  return t;
}
}  // namespace

TEST_F(StoreTest, RunnersAndDesiredStateSurviveReopening) {
  {
    auto s = open();
    ASSERT_TRUE(s->put_runner({{"r1", "BTCUSDT", "ema.lua", 200}, 1000, true}));
    ASSERT_TRUE(s->put_runner({{"r2", "ETHBTC", "rsi.lua", 50}, 2000, true}));
    ASSERT_TRUE(s->set_desired("r2", false));
  }
  auto s = open();
  auto runners = s->runners();
  ASSERT_TRUE(runners);
  ASSERT_EQ(runners->size(), 2u);
  EXPECT_EQ((*runners)[0].spec.strategy_path, "ema.lua");
  EXPECT_TRUE((*runners)[0].desired_running);
  EXPECT_EQ((*runners)[1].spec.window_size, 50u);
  EXPECT_FALSE((*runners)[1].desired_running);
  ASSERT_TRUE(s->delete_runner("r1"));
  EXPECT_EQ(s->runners()->size(), 1u);
}

TEST_F(StoreTest, SnapshotsRecordPositionsOpenedAndClosed) {
  auto s = open();
  ASSERT_TRUE(s->put_runner({{"r1", "BTCUSDT", "ema.lua", 200}, 1000, true}));
  auto snap = snapshot_with(1, {});
  ASSERT_TRUE(s->save_snapshot("r1", msgpack_encode(snap), snap));
  auto all = s->positions("r1", false, 10);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].open);
  EXPECT_EQ((*all)[0].stop_loss, 90.0);
  EXPECT_TRUE(s->positions("r1", true, 10)->empty());

  // Position 1 closed, 2 opened and closed, 3 open: the same trade seen
  // twice is recorded once.
  snap = snapshot_with(3, {trade(1, 5.0), trade(2, -1.0)});
  ASSERT_TRUE(s->save_snapshot("r1", msgpack_encode(snap), snap));
  ASSERT_TRUE(s->save_snapshot("r1", msgpack_encode(snap), snap));
  auto closed = s->positions("r1", true, 10);
  ASSERT_EQ(closed->size(), 2u);
  EXPECT_EQ((*closed)[0].trade.id, 2u);  // newest first
  EXPECT_DOUBLE_EQ((*closed)[1].trade.realized_pnl, 5.0);
  EXPECT_EQ((*closed)[1].trade.reason, "take_profit");
  EXPECT_EQ(s->positions("r1", false, 10)->size(), 3u);
  auto bytes = s->snapshot("r1");
  ASSERT_TRUE(bytes);
  EXPECT_EQ(msgpack_decode<Snapshot>(*bytes)->event_seq, 42u);
  // Deleting the runner takes its positions and state along.
  ASSERT_TRUE(s->delete_runner("r1"));
  EXPECT_TRUE(s->positions("r1", false, 10)->empty());
  EXPECT_FALSE(s->snapshot("r1"));
}

TEST_F(StoreTest, EventsAreKeptWithinRetentionAndNumberingIsReserved) {
  auto s = open();
  std::vector<JournalEventPtr> events;
  for (uint64_t seq = 1; seq <= 2500; ++seq) {
    auto e = std::make_shared<JournalEvent>();
    e->seq = seq;
    e->type = EventType::StateTransition;
    e->runner_id = "r1";
    e->json = "{}";
    events.push_back(e);
  }
  ASSERT_TRUE(s->append_events(events, 1000));
  EXPECT_EQ(s->last_event_seq(), 2500u);
  EXPECT_EQ(s->seq_reserved(), 0u);
  ASSERT_TRUE(s->set_seq_reserved(1'000'000));
  ASSERT_TRUE(s->set_seq_reserved(2'000'000));
  EXPECT_EQ(s->seq_reserved(), 2'000'000u);
}
