// Stopping, starting, restarting and deleting runners, and stopping stratd.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;

namespace {
pid_t wait_running(const StratdProcess& s, const std::string& id) {
  pid_t pid = 0;
  eventually([&] {
    auto d = s.runner(id);
    if (d["lifecycle"] != "Running") return false;
    pid = d["pid"].get<pid_t>();
    return true;
  });
  return pid;
}
std::string instance(const StratdProcess& s) {
  return s.http().get("/api/engine/health").body["data"]["instance"].get<std::string>();
}
}  // namespace

TEST(Lifecycle, StopStartRestart) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("ctl", "BTCUSDT", "hold_long.lua").status, 201);
  const pid_t first = wait_running(s, "ctl");
  ASSERT_GT(first, 0);

  auto stop = s.http().post("/api/runners/ctl/stop");
  ASSERT_EQ(stop.status, 200) << stop.raw;
  ASSERT_TRUE(eventually([&] { return s.runner("ctl")["lifecycle"] == "Stopped"; }));
  auto d = s.runner("ctl");
  EXPECT_TRUE(d["pid"].is_null());
  EXPECT_EQ(d["last_exit"]["code"], 0);  // the worker ended its tick and exited cleanly
  EXPECT_FALSE(process_alive(first));
  EXPECT_EQ(s.http().post("/api/runners/ctl/stop").status, 200);  // idempotent
  const auto ticks = s.http().get("/api/runners/ctl/snapshot").body["data"]["stats"]["ticks_processed"];

  ASSERT_EQ(s.http().post("/api/runners/ctl/start").status, 200);
  const pid_t second = wait_running(s, "ctl");
  EXPECT_NE(second, first);
  EXPECT_EQ(s.runner("ctl")["restarts"], 0);  // asked for, not a crash
  ASSERT_TRUE(eventually([&] {
    return s.http().get("/api/runners/ctl/snapshot").body["data"]["stats"]["ticks_processed"] > ticks;
  }));

  ASSERT_EQ(s.http().post("/api/runners/ctl/restart").status, 200);
  ASSERT_TRUE(eventually([&] {
    auto d2 = s.runner("ctl");
    return d2["lifecycle"] == "Running" && d2["pid"] != second;
  }));
  EXPECT_FALSE(process_alive(second));
  EXPECT_EQ(s.runner("ctl")["state"], "InPosition");  // the position survived both
}

TEST(Lifecycle, DeleteRemovesTheWorkerAndItsSegment) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("gone", "BTCUSDT", "hold_long.lua").status, 201);
  const pid_t pid = wait_running(s, "gone");
  const std::string seg = "stratd." + instance(s) + ".gone";
  EXPECT_EQ(shm_segments(seg).size(), 1u);

  auto del = s.http().del("/api/runners/gone");
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.raw.empty());
  EXPECT_FALSE(process_alive(pid));
  EXPECT_TRUE(shm_segments(seg).empty());
  EXPECT_EQ(s.http().get("/api/runners/gone").status, 404);
  EXPECT_EQ(s.http().get("/api/runners").body["data"].size(), 0u);
  // The id is free again, and the new runner starts clean.
  ASSERT_EQ(s.add_runner("gone", "ETHBTC", "hold_long.lua").status, 201);
  wait_running(s, "gone");
  EXPECT_EQ(s.runner("gone")["symbol"], "ETHBTC");
}

TEST(Lifecycle, SigtermStopsEverythingAndExitsZero) {
  StratdProcess s;
  std::vector<pid_t> pids;
  for (const char* id : {"t1", "t2", "t3"}) {
    ASSERT_EQ(s.add_runner(id, "BTCUSDT", "hold_long.lua").status, 201);
  }
  for (const char* id : {"t1", "t2", "t3"}) pids.push_back(wait_running(s, id));
  const pid_t feed = s.http().get("/api/engine/health").body["data"]["feed"]["pid"].get<pid_t>();
  pids.push_back(feed);
  const std::string prefix = "stratd." + instance(s) + ".";
  EXPECT_EQ(shm_segments(prefix).size(), 3u);

  const int status = s.terminate();
  ASSERT_TRUE(WIFEXITED(status)) << s.log_tail();
  EXPECT_EQ(WEXITSTATUS(status), 0);
  for (pid_t p : pids) EXPECT_FALSE(process_alive(p)) << p;
  EXPECT_TRUE(shm_segments(prefix).empty());
  // Every worker finished its tick and stopped on its own.
  const std::string log = s.log_tail(20000);
  for (const char* id : {"t1", "t2", "t3"}) {
    EXPECT_NE(log.find(std::string("runner ") + id + ": worker"), std::string::npos);
  }
  EXPECT_EQ(log.find("SIGKILL"), std::string::npos) << log;
}

TEST(Lifecycle, AChattyStrategyCannotFillTheDisk) {
  const std::string config = ::testing::TempDir() + "stratd-small-logs-" + std::to_string(getpid()) + ".toml";
  std::ofstream(config) << "[log]\nmax_file_bytes = 65536\n";
  StratdOptions o;
  o.extra_args = {"--config", config};
  StratdProcess s(o);
  ASSERT_EQ(s.add_runner("chatty", "BTCUSDT", "chatty.lua").status, 201);
  const std::string log = s.state_dir() + "/logs/chatty.log";
  // Past the limit, the log is cut and its content kept as chatty.log.1.
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(log + ".1"); })) << s.log_tail();
  std::error_code ec;
  EXPECT_GE(std::filesystem::file_size(log + ".1", ec), 65536u);
  EXPECT_EQ(s.runner("chatty")["lifecycle"], "Running");  // the worker never noticed
  // Deleting the runner deletes its logs.
  ASSERT_EQ(s.http().del("/api/runners/chatty").status, 204);
  EXPECT_FALSE(std::filesystem::exists(log));
  EXPECT_FALSE(std::filesystem::exists(log + ".1"));
  std::filesystem::remove(config);
}
