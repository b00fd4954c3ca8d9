// What survives: a killed supervisor, a reboot (segments gone), a clean
// restart; and the trade history in the store.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/stratd-durable-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    if (!getenv("STRATD_TEST_KEEP")) std::filesystem::remove_all(path, ec);
  }
};

StratdOptions in(const TempDir& dir) {
  StratdOptions o;
  o.state_dir = dir.path;
  return o;
}

json snapshot(const StratdProcess& s, const std::string& id) {
  auto r = s.http().get("/api/runners/" + id + "/snapshot");
  return r.status == 200 ? r.body["data"] : json(nullptr);
}

// The workers writing this runner's segment.
std::vector<pid_t> workers_of(const std::string& instance, const std::string& runner) {
  return processes_with_arg("stratd." + instance + "." + runner, true);
}

std::string instance_of(const StratdProcess& s) {
  return s.http().get("/api/engine/health").body["data"]["instance"];
}

// Runs a runner into a held position and returns its snapshot.
json held_position(const StratdProcess& s, const std::string& id) {
  json snap;
  EXPECT_TRUE(eventually([&] {
    snap = snapshot(s, id);
    return snap["current_state"] == "InPosition" && snap["context"]["integers"].value("held", 0) >= 3;
  }));
  return snap;
}

}  // namespace

TEST(Durability, SupervisorKilledThenRestartedBringsEveryRunnerBack) {
  TempDir dir;
  json before;
  std::string instance;
  std::vector<pid_t> old_workers;
  {
    StratdProcess s(in(dir));
    ASSERT_EQ(s.add_runner("kept", "BTCUSDT", "hold_long.lua").status, 201);
    ASSERT_EQ(s.add_runner("parked", "ETHBTC", "hold_long.lua").status, 201);
    ASSERT_TRUE(eventually([&] { return s.runner("parked")["lifecycle"] == "Running"; }));
    ASSERT_EQ(s.http().post("/api/runners/parked/stop").status, 200);
    ASSERT_TRUE(eventually([&] { return s.runner("parked")["lifecycle"] == "Stopped"; }));
    before = held_position(s, "kept");
    instance = instance_of(s);
    old_workers = workers_of(instance, "kept");
    ASSERT_EQ(old_workers.size(), 1u);
    s.kill_hard();
  }
  // Workers do not outlive their supervisor.
  EXPECT_TRUE(eventually([&] { return !process_alive(old_workers[0]); }));

  StratdProcess s(in(dir));
  json d;
  ASSERT_TRUE(eventually([&] {
    d = s.runner("kept");
    return d["lifecycle"] == "Running";
  }));
  EXPECT_EQ(s.runner("parked")["lifecycle"], "Stopped");  // its desired state, too
  json after;
  ASSERT_TRUE(eventually([&] {
    after = snapshot(s, "kept");
    return after["stats"]["ticks_processed"].get<uint64_t>() > before["stats"]["ticks_processed"].get<uint64_t>() + 3;
  }));
  EXPECT_EQ(after["position"]["entry_price"], before["position"]["entry_price"]);
  EXPECT_EQ(after["position"]["id"], before["position"]["id"]);
  EXPECT_GT(after["context"]["integers"]["held"].get<int64_t>(), before["context"]["integers"]["held"].get<int64_t>());
  EXPECT_GT(after["event_seq"].get<uint64_t>(), before["event_seq"].get<uint64_t>());
  EXPECT_EQ(workers_of(instance, "kept").size(), 1u);  // exactly one live worker
  EXPECT_TRUE(workers_of(instance, "parked").empty());
}

TEST(Durability, AfterARebootRunnersComeBackFromTheStore) {
  TempDir dir;
  json before;
  std::string instance;
  {
    StratdProcess s(in(dir));
    ASSERT_EQ(s.add_runner("phoenix", "BTCUSDT", "hold_long.lua").status, 201);
    held_position(s, "phoenix");
    // The store is written at least every second: wait until it has a
    // snapshot at least this recent (the trades call forces a write).
    ASSERT_EQ(s.http().get("/api/runners/phoenix/trades").status, 200);
    before = snapshot(s, "phoenix");
    instance = instance_of(s);
    s.kill_hard();
  }
  // A reboot: every process and every shared-memory segment is gone.
  for (const auto& name : shm_segments("stratd." + instance + ".")) std::filesystem::remove("/dev/shm/" + name);
  ASSERT_TRUE(eventually([&] { return workers_of(instance, "phoenix").empty(); }));

  StratdProcess s(in(dir));
  json after;
  ASSERT_TRUE(eventually([&] {
    after = snapshot(s, "phoenix");
    return s.runner("phoenix")["lifecycle"] == "Running" && after["stats"]["ticks_processed"].get<uint64_t>() >
                                                                before["stats"]["ticks_processed"].get<uint64_t>();
  }));
  EXPECT_EQ(after["current_state"], "InPosition");
  EXPECT_EQ(after["position"]["entry_price"], before["position"]["entry_price"]);
  EXPECT_GE(after["context"]["integers"]["held"].get<int64_t>(), before["context"]["integers"]["held"].get<int64_t>());
  EXPECT_GE(after["event_seq"].get<uint64_t>(), before["event_seq"].get<uint64_t>());
}

TEST(Durability, CleanRestartKeepsPositionsAndEventNumbers) {
  TempDir dir;
  json before;
  uint64_t last_seq = 0;
  {
    StratdProcess s(in(dir));
    ASSERT_EQ(s.add_runner("calm", "BTCUSDT", "hold_long.lua").status, 201);
    before = held_position(s, "calm");
    last_seq = s.http().get("/api/engine/health").body["data"]["events"]["last_seq"].get<uint64_t>();
    ASSERT_GT(last_seq, 0u);
    const int status = s.terminate();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    std::ifstream log(dir.path + "/logs/calm.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("stopping after"), std::string::npos);  // the worker finished its tick and said so
    // RunnerStopped, emitted while shutting down, is in the store.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((dir.path + "/stratd.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT json FROM events WHERE type = 'RunnerStopped' AND runner_id = 'calm'", -1,
                                 &st, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    const json stopped = json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    EXPECT_EQ(stopped["data"]["reason"], "shutdown");
    EXPECT_EQ(stopped["data"]["exit_code"], 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  StratdProcess s(in(dir));
  json after;
  ASSERT_TRUE(eventually([&] {
    after = snapshot(s, "calm");
    return after["stats"]["ticks_processed"].get<uint64_t>() > before["stats"]["ticks_processed"].get<uint64_t>();
  }));
  EXPECT_EQ(after["position"]["entry_price"], before["position"]["entry_price"]);
  // Numbering continues: the new events come after everything seen before.
  // The snapshot is written before the events leave the worker: wait for them.
  json events;
  ASSERT_TRUE(eventually([&] {
    events = s.http().get("/api/events?limit=5").body["data"]["events"];
    return !events.empty();
  }));
  EXPECT_GT(events[0]["seq"].get<uint64_t>(), last_seq);
  auto since_old = s.http().get("/api/events?since=1");
  EXPECT_EQ(since_old.status, 410);  // honest: those are not in memory any more
}

TEST(Durability, ClosedPositionsAreListedAsTrades) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("flipper", "BTCUSDT", "flip.lua").status, 201);
  json snap;
  ASSERT_TRUE(eventually([&] {
    snap = snapshot(s, "flipper");
    return snap["stats"]["trades"].get<int>() >= 5;
  }));
  auto r = s.http().get("/api/runners/flipper/trades?limit=1000");
  ASSERT_EQ(r.status, 200) << r.raw;
  const auto& trades = r.body["data"];
  ASSERT_GE(trades.size(), 5u);
  // Newest first, each with its exit and realized PnL; ids without holes.
  std::set<uint64_t> ids;
  for (const auto& t : trades) {
    ids.insert(t["id"].get<uint64_t>());
    EXPECT_EQ(t["reason"], "exit: flip");
    EXPECT_TRUE(t["realized_pnl"].is_number());
    EXPECT_GT(t["exit_price"].get<double>(), 0);
  }
  EXPECT_GT(trades[0]["id"].get<uint64_t>(), trades[1]["id"].get<uint64_t>());
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), ids.size());
  EXPECT_EQ(s.http().get("/api/runners/flipper/trades?limit=0").status, 400);
  EXPECT_EQ(s.http().get("/api/runners/nobody/trades").status, 404);
}

TEST(Durability, EveryTradeIsStoredOnceAcrossASupervisorKill) {
  TempDir dir;
  std::string instance;
  uint64_t trades_before = 0;
  {
    StratdProcess s(in(dir));
    ASSERT_EQ(s.add_runner("flip", "BTCUSDT", "flip.lua").status, 201);
    ASSERT_TRUE(eventually([&] {
      trades_before = snapshot(s, "flip")["stats"]["trades"].get<uint64_t>();
      return trades_before >= 10;
    }));
    instance = instance_of(s);
    // Mid-trading, without a word of warning; started again at once, while
    // the old worker may still be dying.
    s.kill_hard();
  }
  StratdProcess s(in(dir));
  ASSERT_TRUE(eventually([&] {
    return s.runner("flip")["lifecycle"] == "Running" &&
           snapshot(s, "flip")["stats"]["trades"].get<uint64_t>() >= trades_before + 10;
  }));
  EXPECT_EQ(workers_of(instance, "flip").size(), 1u);  // exactly one writer on its segment
  ASSERT_EQ(s.http().post("/api/runners/flip/stop").status, 200);
  ASSERT_TRUE(eventually([&] { return s.runner("flip")["lifecycle"] == "Stopped"; }));
  const auto snap = snapshot(s, "flip");
  const uint64_t counted = snap["stats"]["trades"];
  auto r = s.http().get("/api/runners/flip/trades?limit=10000");
  ASSERT_EQ(r.status, 200);
  // Every trade the runner made is in the store, once: ids 1..N, no hole.
  std::set<uint64_t> ids;
  for (const auto& t : r.body["data"]) ids.insert(t["id"].get<uint64_t>());
  EXPECT_EQ(ids.size(), r.body["data"].size());
  EXPECT_EQ(ids.size(), counted);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(*ids.begin(), 1u);
  EXPECT_EQ(*ids.rbegin(), counted);
}

TEST(Durability, AFailedRunnerStaysFailedAcrossARestart) {
  TempDir dir;
  {
    StratdProcess s(in(dir));
    ASSERT_EQ(s.add_runner("broken", "BTCUSDT", "missing_functions.lua").status, 201);
    ASSERT_TRUE(eventually([&] { return s.runner("broken")["lifecycle"] == "Failed"; }));
    const int status = s.terminate();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  StratdProcess s(in(dir));
  auto d = s.runner("broken");
  EXPECT_EQ(d["lifecycle"], "Failed");
  EXPECT_TRUE(d["pid"].is_null());
  EXPECT_NE(d["failed_reason"].get<std::string>().find("strategy failed to load"), std::string::npos) << d.dump();
  // Stopping acknowledges the failure; starting tries again (and fails again:
  // the strategy is still broken).
  ASSERT_EQ(s.http().post("/api/runners/broken/stop").status, 200);
  EXPECT_EQ(s.runner("broken")["lifecycle"], "Stopped");
  ASSERT_EQ(s.http().post("/api/runners/broken/start").status, 200);
  ASSERT_TRUE(eventually([&] { return s.runner("broken")["lifecycle"] == "Failed"; }));
}
