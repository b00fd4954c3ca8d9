// The REST API against a real stratd with real workers and a real feed.
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;

namespace {
std::string uid(const std::string& base) { return base + "_" + std::to_string(getpid()); }

// Waits until the runner has processed more than `n` ticks; returns its snapshot.
json wait_for_ticks(const StratdProcess& s, const std::string& id, uint64_t n) {
  json snap;
  eventually([&] {
    auto r = s.http().get("/api/runners/" + id + "/snapshot");
    if (r.status != 200) return false;
    snap = r.body["data"];
    return snap["stats"]["ticks_processed"].get<uint64_t>() > n;
  });
  return snap;
}
}  // namespace

TEST(Api, HealthEndpointsUseTheEnvelope) {
  StratdProcess s;
  auto h = s.http().get("/health");
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(h.body["status"], "ok");
  EXPECT_TRUE(h.body["timestamp"].is_number_integer());
  EXPECT_EQ(h.body["data"]["status"], "ok");

  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["feed"]["running"] == true; }));
  auto eh = s.http().get("/api/engine/health").body["data"];
  EXPECT_EQ(eh["status"], "healthy");
  EXPECT_EQ(eh["total_runners"], 0);
  EXPECT_TRUE(eh["feed"]["pid"].is_number_integer());

  auto sum = s.http().get("/api/engine/summary");
  ASSERT_EQ(sum.status, 200);
  EXPECT_EQ(sum.body["data"]["total_runners"], 0);
  EXPECT_TRUE(sum.body["data"]["runners"].is_array());
  EXPECT_TRUE(sum.body["data"]["uptime_secs"].is_number_integer());
}

TEST(Api, AddRunnerThenSnapshotHistoryAndSummary) {
  StratdProcess s;
  const std::string id = uid("hold");
  auto add = s.add_runner(id, "BTCUSDT", "hold_long.lua");
  ASSERT_EQ(add.status, 201) << add.raw;
  EXPECT_EQ(add.body["status"], "ok");
  EXPECT_EQ(add.body["data"]["runner_id"], id);
  EXPECT_EQ(add.body["data"]["symbol"], "BTCUSDT");
  EXPECT_EQ(add.body["data"]["state"], "Idle");
  EXPECT_TRUE(add.body["data"]["created_at"].is_number_integer());

  // hold_long enters on the second tick and holds.
  json snap;
  ASSERT_TRUE(eventually([&] {
    snap = s.http().get("/api/runners/" + id + "/snapshot").body["data"];
    return snap["current_state"] == "InPosition";
  }));
  for (const char* key : {"runner_id", "symbol", "current_state", "position", "context", "stats", "uptime_secs",
                          "snapshot_timestamp"}) {
    EXPECT_TRUE(snap.contains(key)) << key;
  }
  EXPECT_EQ(snap["position"]["side"], "Long");
  EXPECT_GT(snap["position"]["entry_price"].get<double>(), 0);
  for (const char* key : {"strings", "numbers", "integers", "booleans"}) EXPECT_TRUE(snap["context"].contains(key));
  for (const char* key : {"ticks_processed", "actions_executed", "errors", "avg_tick_duration", "min_tick_duration",
                          "max_tick_duration"}) {
    EXPECT_TRUE(snap["stats"].contains(key)) << key;
  }
  EXPECT_TRUE(snap["stats"]["avg_tick_duration"].contains("nanos"));
  EXPECT_EQ(snap["stats"]["errors"], 0);

  wait_for_ticks(s, id, 5);
  auto hist = s.http().get("/api/runners/" + id + "/history?count=3");
  ASSERT_EQ(hist.status, 200);
  ASSERT_EQ(hist.body["data"].size(), 3u);
  const auto& bars = hist.body["data"];
  EXPECT_LT(bars[0]["timestamp"].get<int64_t>(), bars[2]["timestamp"].get<int64_t>());
  EXPECT_EQ(bars[0]["symbol"], "BTCUSDT");
  for (const char* key : {"open", "high", "low", "close", "volume", "bid", "ask", "mid_price"}) {
    EXPECT_TRUE(bars[0].contains(key)) << key;
  }
  auto all = s.http().get("/api/runners/" + id + "/history");
  EXPECT_GE(all.body["data"].size(), 6u);

  auto list = s.http().get("/api/runners").body["data"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["runner_id"], id);
  EXPECT_EQ(list[0]["has_position"], true);
  auto sum = s.http().get("/api/engine/summary").body["data"];
  EXPECT_EQ(sum["total_runners"], 1);
  EXPECT_EQ(sum["runners"][0]["state"], "InPosition");
}

TEST(Api, RunnerDetailsCarryWorkerHealth) {
  StratdProcess s;
  const std::string id = uid("health");
  ASSERT_EQ(s.add_runner(id, "ETHBTC", "hold_long.lua").status, 201);
  json d;
  ASSERT_TRUE(eventually([&] {
    d = s.runner(id);
    return d["lifecycle"] == "Running" && d["rss_bytes"].get<uint64_t>() > 0;
  }));
  EXPECT_TRUE(process_alive(d["pid"].get<pid_t>()));
  EXPECT_EQ(d["restarts"], 0);
  EXPECT_TRUE(d["last_exit"].is_null());
  EXPECT_TRUE(d["heartbeat_age_ms"].is_number_integer());
  EXPECT_LT(d["heartbeat_age_ms"].get<int64_t>(), 2000);
  EXPECT_TRUE(d["cpu_percent"].is_number());
  EXPECT_EQ(d["health"], "healthy");
  EXPECT_EQ(s.http().get("/api/engine/health").body["data"]["healthy_runners"], 1);
}

TEST(Api, TwoRunnersOnOneSymbolSeeTheSamePrices) {
  StratdProcess s;
  const std::string a = uid("same_a"), b = uid("same_b");
  ASSERT_EQ(s.add_runner(a, "SOLUSDT", "hold_long.lua").status, 201);
  ASSERT_EQ(s.add_runner(b, "SOLUSDT", "hold_long.lua").status, 201);
  wait_for_ticks(s, a, 20);
  wait_for_ticks(s, b, 20);
  auto ha = s.http().get("/api/runners/" + a + "/history").body["data"];
  auto hb = s.http().get("/api/runners/" + b + "/history").body["data"];
  std::map<int64_t, double> closes;
  for (const auto& bar : ha) closes[bar["timestamp"].get<int64_t>()] = bar["close"].get<double>();
  size_t common = 0;
  for (const auto& bar : hb) {
    auto it = closes.find(bar["timestamp"].get<int64_t>());
    if (it == closes.end()) continue;
    ++common;
    EXPECT_EQ(it->second, bar["close"].get<double>());
  }
  EXPECT_GE(common, 10u);
}

TEST(Api, StrategiesAreListed) {
  StratdProcess s;
  auto r = s.http().get("/api/strategies");
  ASSERT_EQ(r.status, 200);
  bool found = false;
  for (const auto& e : r.body["data"]) found |= e["path"] == "hold_long.lua";
  EXPECT_TRUE(found);
}
