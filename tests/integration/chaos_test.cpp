// A bounded chaos run: for a fixed time, workers and the feed are killed at
// random while clients poll the API and stream events. Afterwards nothing
// is lost, nothing is left behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

TEST(Chaos, RandomKillsUnderLoadLoseNothingAndLeaveNothingBehind) {
  const std::string config = "/tmp/stratd-chaos-" + std::to_string(getpid()) + ".toml";
  // Crashes are the point here: never give a runner up.
  std::ofstream(config) << "[runners]\ncrash_limit = 100000\n";
  StratdOptions o;
  o.extra_args = {"--config", config};
  StratdProcess s(o);
  const std::vector<std::string> ids = {"c0", "c1", "c2", "c3", "c4"};
  for (size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(s.add_runner(ids[i], i % 2 ? "ETHBTC" : "BTCUSDT", i == 4 ? "hold_long.lua" : "flip.lua").status, 201);
  }
  const std::string instance = s.http().get("/api/engine/health").body["data"]["instance"];
  std::set<pid_t> every_pid;
  auto pid_of = [&](const std::string& id) -> pid_t {
    pid_t pid = 0;
    eventually([&] {
      auto d = s.runner(id);
      if (d["lifecycle"] != "Running") return false;
      pid = d["pid"].get<pid_t>();
      return true;
    }, 20s);
    if (pid) every_pid.insert(pid);
    return pid;
  };
  auto feed_pid = [&]() -> pid_t {
    pid_t pid = 0;
    eventually([&] {
      auto f = s.http().get("/api/engine/health").body["data"]["feed"];
      if (!f["pid"].is_number_integer()) return false;
      pid = f["pid"].get<pid_t>();
      return true;
    }, 20s);
    if (pid) every_pid.insert(pid);
    return pid;
  };
  for (const auto& id : ids) ASSERT_GT(pid_of(id), 0);

  // Load: a REST poller and a WebSocket client taking everything.
  std::atomic<bool> stop{false};
  std::atomic<int> rest_failures{0}, rest_requests{0}, ws_messages{0}, ws_disorder{0};
  std::thread poller([&] {
    while (!stop) {
      for (const char* path : {"/api/runners", "/api/runners/c0/snapshot", "/api/engine/summary"}) {
        ++rest_requests;
        if (s.http().get(path).status != 200) ++rest_failures;
      }
    }
  });
  std::ifstream url_in(s.state_dir() + "/http.url");
  std::string url;
  std::getline(url_in, url);
  const auto colon = url.rfind(':');
  WsClient ws(url.substr(7, colon - 7), uint16_t(std::stoi(url.substr(colon + 1))));
  std::thread streamer([&] {
    uint64_t last = 0;
    while (!stop) {
      auto m = ws.next(1s);
      if (!m) continue;
      ++ws_messages;
      if ((*m).contains("seq")) {
        const uint64_t seq = (*m)["seq"];
        if (seq <= last) ++ws_disorder;
        last = seq;
      }
    }
  });

  // Chaos: kill something, wait for it to be back, again, for a fixed time.
  std::mt19937 rng(20261124);
  int kills = 0;
  const auto until = std::chrono::steady_clock::now() + 8s;
  while (std::chrono::steady_clock::now() < until) {
    const size_t pick = rng() % (ids.size() + 1);
    if (pick == ids.size()) {
      const pid_t f = feed_pid();
      ASSERT_GT(f, 0);
      kill(f, SIGKILL);
      ASSERT_TRUE(eventually([&] { return feed_pid() != f; }, 20s));
    } else {
      const pid_t p = pid_of(ids[pick]);
      ASSERT_GT(p, 0);
      kill(p, SIGKILL);
      ASSERT_TRUE(eventually([&] { return pid_of(ids[pick]) != p; }, 20s));
    }
    ++kills;
  }
  stop = true;
  poller.join();
  streamer.join();
  EXPECT_GT(kills, 5);
  EXPECT_EQ(rest_failures, 0) << "of " << rest_requests;
  EXPECT_GT(ws_messages, 100);
  EXPECT_EQ(ws_disorder, 0);
  EXPECT_FALSE(ws.closed());

  // Freeze every runner, then: each position ever opened is closed in the
  // store or open in its runner, exactly once.
  for (const auto& id : ids) ASSERT_EQ(s.http().post("/api/runners/" + id + "/stop").status, 200);
  for (const auto& id : ids) ASSERT_TRUE(eventually([&] { return s.runner(id)["lifecycle"] == "Stopped"; }));
  uint64_t total_positions = 0;
  for (const auto& id : ids) {
    const json snap = s.http().get("/api/runners/" + id + "/snapshot").body["data"];
    const uint64_t opened = snap["stats"]["positions_opened"];
    std::multiset<uint64_t> seen;
    const auto trades = s.http().get("/api/runners/" + id + "/trades?limit=10000");
    ASSERT_EQ(trades.status, 200);
    for (const auto& t : trades.body["data"]) seen.insert(t["id"].get<uint64_t>());
    if (!snap["position"].is_null()) seen.insert(snap["position"]["id"].get<uint64_t>());
    std::multiset<uint64_t> expected;
    for (uint64_t k = 1; k <= opened; ++k) expected.insert(k);
    EXPECT_EQ(seen, expected) << id;
    total_positions += opened;
  }
  EXPECT_GT(total_positions, 20u);

  // A delete leaves no worker and no segment.
  ASSERT_EQ(s.http().post("/api/runners/c4/start").status, 200);
  const pid_t c4 = pid_of("c4");
  ASSERT_EQ(s.http().del("/api/runners/c4").status, 204);
  EXPECT_FALSE(process_alive(c4));
  EXPECT_TRUE(shm_segments("stratd." + instance + ".c4").empty());

  // A clean stop leaves nothing at all.
  every_pid.insert(feed_pid());
  const int status = s.terminate();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << s.log_tail();
  for (pid_t p : every_pid) EXPECT_FALSE(process_alive(p)) << p;
  // Nor any process of this stratd's that the API never showed (the feed
  // names the state directory in its arguments, a worker its segment).
  EXPECT_TRUE(processes_with_arg(s.state_dir()).empty());
  EXPECT_TRUE(processes_with_arg("stratd." + instance + ".").empty());
  EXPECT_TRUE(shm_segments("stratd." + instance + ".").empty());
  std::remove(config.c_str());
}
