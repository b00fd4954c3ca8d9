// The SQLite store on a real database file.
#include <unistd.h>

#include <filesystem>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include "common/config.hpp"
#include "common/msgpack_codec.hpp"
#include "supervisor/audit/audit_log.hpp"
#include "supervisor/metrics/exposition.hpp"
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
  // State transitions numbered from..to by step.
  auto transitions = [](uint64_t from, uint64_t to, uint64_t step) {
    std::vector<JournalEventPtr> out;
    for (uint64_t seq = from; seq <= to; seq += step) {
      auto e = std::make_shared<JournalEvent>();
      e->seq = seq;
      e->type = EventType::StateTransition;
      e->runner_id = "r1";
      e->json = "{}";
      out.push_back(e);
    }
    return out;
  };
  ASSERT_TRUE(s->append_events(transitions(1, 2500, 1), 1000));
  EXPECT_EQ(s->last_event_seq(), 2500u);
  EXPECT_EQ(s->event_count(), 1000u);
  // Ticks use up numbers but are not stored: retention counts events kept,
  // not numbers.
  const auto events = transitions(2510, 30'000, 10);
  ASSERT_TRUE(s->append_events(events, 1000));
  EXPECT_EQ(s->event_count(), 1000u);
  EXPECT_EQ(s->last_event_seq(), 30'000u);
  EXPECT_EQ(s->seq_reserved(), 0u);
  ASSERT_TRUE(s->set_seq_reserved(1'000'000));
  ASSERT_TRUE(s->set_seq_reserved(2'000'000));
  EXPECT_EQ(s->seq_reserved(), 2'000'000u);
  // Trimmed once at least 1000 are over, counting what an earlier run left.
  ASSERT_TRUE(s->append_events(transitions(30'001, 30'900, 1), 1000));
  EXPECT_EQ(s->event_count(), 1900u);
  s.reset();
  s = open();
  ASSERT_TRUE(s->append_events(transitions(30'901, 31'000, 1), 1000));
  EXPECT_EQ(s->event_count(), 1000u);
  EXPECT_EQ(s->last_event_seq(), 31'000u);
}

TEST_F(StoreTest, PositionEventsRecordTheirPositions) {
  auto s = open();
  ASSERT_TRUE(s->put_runner({{"r1", "BTCUSDT", "ema.lua", 200}, 1000, true}));
  // As the hub takes a worker's event in: its typed fields (what JSON
  // cannot be a field, an array or an object, is left out, as a worker's
  // msgpack could not carry it either), and the position read from them.
  auto event = [](uint64_t seq, EventType type, const std::string& data) {
    Event ev;
    ev.type = type;
    ev.runner_id = "r1";
    ev.symbol = "BTCUSDT";
    ev.timestamp_ms = 1700000000000;
    const auto fields = nlohmann::json::parse(data);
    for (const auto& [k, v] : fields.items()) {
      if (v.is_number_integer()) ev.data.push_back({k, v.get<int64_t>()});
      if (v.is_number_float()) ev.data.push_back({k, v.get<double>()});
      if (v.is_string()) ev.data.push_back({k, v.get<std::string>()});
      if (v.is_null()) ev.data.push_back({k, Scalar{}});
    }
    auto e = std::make_shared<JournalEvent>();
    e->seq = seq;
    e->type = type;
    e->runner_id = "r1";
    e->json = R"({"type":"x","runner_id":"r1","symbol":"BTCUSDT","seq":)" + std::to_string(seq) +
              R"(,"timestamp":1700000000000,"data":)" + data + "}";
    if (auto p = position_record(ev)) e->position = std::make_shared<const PositionRecord>(*p);
    return JournalEventPtr(e);
  };
  ASSERT_TRUE(s->append_events(
      {event(1, EventType::PositionOpened,
             R"({"position_id":1,"side":"Short","entry_price":100.5,"quantity":2,"stop_loss":110,"take_profit":null,"fee":0.2})"),
       event(2, EventType::PositionClosed,
             R"({"position_id":1,"side":"Short","entry_price":100.5,"exit_price":90,"quantity":2,"reason":"take_profit",)"
             R"("gross_pnl":21,"fees":0.4,"realized_pnl":20.6,"entry_time_ms":1700000000000,"exit_time_ms":1700000060000})"),
       event(3, EventType::PositionOpened, R"({"position_id":2,"side":"Long","entry_price":95,"quantity":1})")},
      1000));
  auto all = s->positions("r1", false, 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_TRUE((*all)[0].open);
  EXPECT_EQ((*all)[0].trade.id, 2u);
  const auto& closed = (*all)[1];
  EXPECT_FALSE(closed.open);
  EXPECT_EQ(closed.trade.side, Side::Short);
  EXPECT_DOUBLE_EQ(closed.trade.exit_price, 90);
  EXPECT_DOUBLE_EQ(closed.trade.realized_pnl, 20.6);
  EXPECT_EQ(closed.trade.reason, "take_profit");
  EXPECT_EQ(closed.trade.exit_time_ms, 1700000060000);
  // A worker's nonsense records nothing and stops nothing; nor does a late
  // event of a runner the store no longer has.
  ASSERT_TRUE(s->append_events({event(4, EventType::PositionOpened, R"({"position_id":"x","side":5})"),
                                event(5, EventType::PositionClosed, R"({"position_id":3,"side":[1],"reason":{}})"),
                                event(6, EventType::PositionOpened, "[]")},
                               1000));
  auto ghost = event(7, EventType::PositionOpened, R"({"position_id":1,"side":"Long","entry_price":1,"quantity":1})");
  std::const_pointer_cast<JournalEvent>(ghost)->runner_id = "deleted";
  ASSERT_TRUE(s->append_events({ghost}, 1000));
  EXPECT_EQ(s->last_event_seq(), 7u);
  EXPECT_TRUE(s->positions("deleted", false, 10)->empty());
  EXPECT_EQ(s->positions("r1", false, 10)->size(), 3u);  // position 3, closed with defaults
  // The same close seen again, from the snapshot, changes nothing.
  auto snap = snapshot_with(2, {trade(1, 999.0)});
  ASSERT_TRUE(s->save_snapshot("r1", msgpack_encode(snap), snap));
  const auto closed_now = *s->positions("r1", true, 10);
  ASSERT_EQ(closed_now.back().trade.id, 1u);
  EXPECT_DOUBLE_EQ(closed_now.back().trade.realized_pnl, 20.6);
}

TEST_F(StoreTest, AFailureLastsUntilTheRunnerIsAskedForAgain) {
  {
    auto s = open();
    ASSERT_TRUE(s->put_runner({{"r1", "BTCUSDT", "ema.lua", 200}, 1000, true}));
    ASSERT_TRUE(s->set_failed("r1", "6 crashes within 60 s"));
  }
  auto s = open();
  auto runners = s->runners();
  ASSERT_EQ(runners->size(), 1u);
  EXPECT_EQ((*runners)[0].failed_reason, "6 crashes within 60 s");
  ASSERT_TRUE(s->set_desired("r1", true));
  EXPECT_FALSE((*s->runners())[0].failed_reason);
}

TEST_F(StoreTest, ADatabaseOfTheFirstVersionIsUpgraded) {
  const auto path = (dir_ / "stratd.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                           "INSERT INTO meta VALUES ('schema_version', '1');"
                           "CREATE TABLE runners (runner_id TEXT PRIMARY KEY, symbol TEXT NOT NULL, "
                           "strategy_path TEXT NOT NULL, window_size INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, "
                           "desired TEXT NOT NULL CHECK (desired IN ('running', 'stopped')));"
                           "INSERT INTO runners VALUES ('old', 'BTCUSDT', 'ema.lua', 200, 5, 'stopped');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto s = open();
  ASSERT_TRUE(s);
  auto runners = s->runners();
  ASSERT_TRUE(runners) << runners.error().message;
  ASSERT_EQ(runners->size(), 1u);
  EXPECT_FALSE((*runners)[0].desired_running);
  EXPECT_FALSE((*runners)[0].failed_reason);
  ASSERT_TRUE(s->set_failed("old", "x"));
}

TEST_F(StoreTest, AuditLogPagesAndPrunesByAgeAndCount) {
  auto store = open();
  for (int i = 1; i <= 10; ++i) {
    audit::AuditEntry e;
    e.time_ms = i * 1000;
    e.key = "ops";
    e.role = "admin";
    e.address = "10.0.0.1";
    e.request_id = "req-" + std::to_string(i);
    e.action = "POST /api/runners/:id/stop";
    e.target = "r" + std::to_string(i);
    e.status = 200;
    e.outcome = "ok";
    ASSERT_TRUE(store->append_audit(e));
  }
  auto newest = store->audit_entries(std::nullopt, 0, 3);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[0].target, "r8");  // oldest first within the page
  EXPECT_EQ((*newest)[2].target, "r10");
  auto after = store->audit_entries((*newest)[0].id - 5, 0, 2);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].id, (*newest)[0].id - 4);
  EXPECT_EQ((*after)[0].request_id, "req-4");
  // Older than 4 s goes, then all but the newest 3.
  ASSERT_TRUE(store->prune_audit(4000, 100));
  EXPECT_EQ(store->audit_entries(std::nullopt, 0, 100)->size(), 7u);
  ASSERT_TRUE(store->prune_audit(0, 3));
  auto left = store->audit_entries(std::nullopt, 0, 100);
  ASSERT_EQ(left->size(), 3u);
  EXPECT_EQ(left->front().target, "r8");
  // Kept across a reopen, numbering going on.
  store.reset();
  store = open();
  audit::AuditEntry e;
  e.time_ms = 11000;
  e.action = "config.reload";
  ASSERT_TRUE(store->append_audit(e));
  EXPECT_GT(store->audit_entries(std::nullopt, 0, 1)->front().id, left->back().id);
}

// What the audit log loses is counted for /metrics: entries past its queue
// (the store's loop not getting to them), and entries the store refused.
TEST_F(StoreTest, AuditLogCountsWhatItDropsAndFailsToWrite) {
  auto store = open();
  boost::asio::io_context io;  // not run yet: nothing is written
  const AuditSettings settings = Config().audit;
  audit::AuditLog log(io, *store, settings);
  for (size_t i = 0; i < audit::AuditLog::kMaxPending + 2; ++i) {
    log.record(audit::AuditLog::entry(auth::Caller{}, "config.reload", "SIGHUP", 0, "ok"));
  }
  EXPECT_EQ(log.dropped(), 2u);
  EXPECT_EQ(log.failed(), 0u);
  // The table gone behind the store's back: every write fails.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "stratd.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "DROP TABLE audit", nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(other);
  sqlite3_close(other);
  {
    // Two log lines per entry (the entry, the failure): not in the test's output.
    const auto level = spdlog::get_level();
    spdlog::set_level(spdlog::level::off);
    io.run();
    spdlog::set_level(level);
  }
  EXPECT_EQ(log.written(), 0u);
  EXPECT_EQ(log.failed(), audit::AuditLog::kMaxPending);

  metrics::Exposition out(metrics::Format::Text);
  log.write_metrics(out);
  const std::string text = std::move(out).finish();
  EXPECT_NE(text.find("# TYPE stratd_audit_entries_dropped_total counter\nstratd_audit_entries_dropped_total 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE stratd_audit_write_failures_total counter\nstratd_audit_write_failures_total " +
                      std::to_string(audit::AuditLog::kMaxPending) + "\n"),
            std::string::npos)
      << text;
}
