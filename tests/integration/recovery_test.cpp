// A worker that dies, hangs, errs or cannot load loses only itself: the API
// keeps answering and the runner comes back with its state.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json snapshot(const StratdProcess& s, const std::string& id) {
  auto r = s.http().get("/api/runners/" + id + "/snapshot");
  return r.status == 200 ? r.body["data"] : json(nullptr);
}

pid_t running_pid(const StratdProcess& s, const std::string& id) {
  pid_t pid = 0;
  eventually([&] {
    auto d = s.runner(id);
    if (d.is_null() || d["lifecycle"] != "Running" || !d["pid"].is_number_integer()) return false;
    pid = d["pid"].get<pid_t>();
    return true;
  });
  return pid;
}

// Polls the API from a second thread for as long as it lives, counting
// every request that did not get a 200.
class Poller {
 public:
  Poller(const StratdProcess& s, std::string id)
      : thread_([this, &s, id] {
          while (!stop_) {
            if (s.http().get("/api/runners/" + id).status != 200) ++failures_;
            if (s.http().get("/api/runners").status != 200) ++failures_;
            ++requests_;
          }
        }) {}
  ~Poller() { finish(); }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int failures() const { return failures_; }
  int requests() const { return requests_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0}, requests_{0};
  std::thread thread_;
};

}  // namespace

TEST(Recovery, KilledWorkerComesBackWithItsPositionWhileTheApiAnswers) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("keeper", "BTCUSDT", "hold_long.lua").status, 201);
  json before;
  ASSERT_TRUE(eventually([&] {
    before = snapshot(s, "keeper");
    return before["current_state"] == "InPosition" && before["context"]["integers"].value("held", 0) >= 3;
  }));
  const pid_t old_pid = running_pid(s, "keeper");
  ASSERT_GT(old_pid, 0);

  Poller poller(s, "keeper");
  ASSERT_EQ(kill(old_pid, SIGKILL), 0);
  json d;
  ASSERT_TRUE(eventually([&] {
    d = s.runner("keeper");
    return d["lifecycle"] == "Running" && d["pid"].is_number_integer() && d["pid"].get<pid_t>() != old_pid;
  }));
  json after;
  ASSERT_TRUE(eventually([&] {
    after = snapshot(s, "keeper");
    return after["stats"]["ticks_processed"].get<uint64_t>() > before["stats"]["ticks_processed"].get<uint64_t>() + 5;
  }));
  poller.finish();
  EXPECT_EQ(poller.failures(), 0);
  EXPECT_GT(poller.requests(), 5);

  EXPECT_EQ(d["restarts"], 1);
  EXPECT_EQ(d["last_exit"]["signal"], SIGKILL);
  EXPECT_FALSE(process_alive(old_pid));
  // Position, context, statistics and event sequence continued.
  EXPECT_EQ(after["current_state"], "InPosition");
  EXPECT_EQ(after["position"]["entry_price"], before["position"]["entry_price"]);
  EXPECT_EQ(after["position"]["entry_time_ms"], before["position"]["entry_time_ms"]);
  EXPECT_GT(after["context"]["integers"]["held"].get<int64_t>(), before["context"]["integers"]["held"].get<int64_t>());
  EXPECT_GE(after["stats"]["actions_executed"], before["stats"]["actions_executed"]);
  EXPECT_GT(after["event_seq"].get<uint64_t>(), before["event_seq"].get<uint64_t>());
  // The history window survived too.
  EXPECT_GT(s.http().get("/api/runners/keeper/history").body["data"].size(),
            after["stats"]["ticks_processed"].get<size_t>() - 10);
}

TEST(Recovery, CrashLoopEndsInFailedUntilRestartedOverTheApi) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("loop", "ETHBTC", "hold_long.lua").status, 201);
  // Crash limit 5 within 60 s: the sixth crash means Failed.
  for (int i = 0; i < 6; ++i) {
    const pid_t pid = running_pid(s, "loop");
    ASSERT_GT(pid, 0) << "crash " << i;
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(eventually([&] { return s.runner("loop")["pid"] != pid; }));
  }
  json d;
  ASSERT_TRUE(eventually([&] {
    d = s.runner("loop");
    return d["lifecycle"] == "Failed";
  }));
  EXPECT_TRUE(d["pid"].is_null());
  EXPECT_EQ(d["restarts"], 5);
  EXPECT_NE(d["last_exit"]["reason"].get<std::string>().find("SIGKILL"), std::string::npos);
  auto failed = s.http().get("/api/events?runner=loop&type=RunnerFailed").body["data"]["events"];
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["data"]["crashes_in_window"], 6);
  // It stays down...
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(s.runner("loop")["lifecycle"], "Failed");
  // ...until asked.
  auto r = s.http().post("/api/runners/loop/restart");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_GT(running_pid(s, "loop"), 0);
}

TEST(Recovery, StrategyThatCannotLoadFailsWithoutRetrying) {
  StratdProcess s;
  for (const char* f : {"load_error.lua", "missing_functions.lua"}) {
    const std::string id = std::string("noload_") + std::to_string(f[0] == 'l');
    ASSERT_EQ(s.add_runner(id, "BTCUSDT", f).status, 201);
    json d;
    ASSERT_TRUE(eventually([&] {
      d = s.runner(id);
      return d["lifecycle"] == "Failed";
    }));
    EXPECT_EQ(d["restarts"], 0);
    EXPECT_EQ(d["last_exit"]["code"], 78);
    EXPECT_NE(d["last_exit"]["reason"].get<std::string>().find("strategy failed to load"), std::string::npos);
    EXPECT_EQ(d["errors"], 1);
  }
}

TEST(Recovery, StrategyErrorsRunawayLoopsAndMemoryBombsAreContained) {
  StratdOptions o;
  o.extra_args = {"--config", std::string(STRATD_FIXTURES_DIR) + "/../small_limits.toml"};
  StratdProcess s(o);
  ASSERT_EQ(s.add_runner("errs", "BTCUSDT", "error_every_call.lua").status, 201);
  ASSERT_EQ(s.add_runner("wild", "ETHBTC", "runaway.lua").status, 201);
  ASSERT_TRUE(eventually([&] {
    return snapshot(s, "errs")["stats"]["errors"].get<int>() >= 5 &&
           snapshot(s, "wild")["stats"]["errors"].get<int>() >= 4;
  }, 30s));
  for (const char* id : {"errs", "wild"}) {
    auto d = s.runner(id);
    EXPECT_EQ(d["lifecycle"], "Running") << id;
    EXPECT_EQ(d["restarts"], 0) << id;
  }
  // Each reported as what it was, with a message that says so.
  std::map<std::string, std::string> kinds;
  const auto errors = s.http().get("/api/events?type=StrategyError&limit=1000").body["data"]["events"];
  for (const auto& e : errors) {
    kinds[e["runner_id"].get<std::string>() + "/" + e["data"]["kind"].get<std::string>()] = e["data"]["message"];
  }
  ASSERT_TRUE(kinds.count("wild/instruction_budget"));
  EXPECT_NE(kinds["wild/instruction_budget"].find("instruction budget exceeded (2000000"), std::string::npos);
  ASSERT_TRUE(kinds.count("wild/memory_limit"));
  EXPECT_NE(kinds["wild/memory_limit"].find("memory limit exceeded (8388608"), std::string::npos);
  ASSERT_TRUE(kinds.count("errs/runtime"));
  EXPECT_EQ(s.http().get("/health").status, 200);
}

TEST(Recovery, WorkersRunUnderTheirLimits) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("limited", "BTCUSDT", "hold_long.lua").status, 201);
  const pid_t pid = running_pid(s, "limited");
  ASSERT_GT(pid, 0);
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::map<std::string, std::string> soft;
  for (std::string line; std::getline(in, line);) {
    // "Max open files            64                   64                   files"
    if (line.size() > 26) {
      std::istringstream rest(line.substr(26));
      std::string value;
      rest >> value;
      soft[line.substr(0, 26)] = value;
    }
  }
  EXPECT_EQ(soft["Max core file size        "], "0");
  EXPECT_EQ(soft["Max open files            "], "64");
#if !defined(STRATD_ASAN)
  EXPECT_EQ(soft["Max address space         "], std::to_string(1ull << 30));
#endif
  // And below stratd's priority.
  auto nice_of = [](const std::string& proc_dir) {
    std::ifstream stat(proc_dir + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
    return f.size() > 16 ? std::stoi(f[16]) : -100;  // the 19th field of stat
  };
  const int stratd_nice = nice_of("/proc/" + std::to_string(s.pid()));
  const std::string task = "/proc/" + std::to_string(pid) + "/task/";
  // The strategy's thread (the main one) is lowered; ZeroMQ's I/O threads
  // keep stratd's priority, so events leave without waiting on strategies.
  EXPECT_EQ(nice_of(task + std::to_string(pid)), std::min(stratd_nice + 5, 19));
  int io_threads = 0;
  for (const auto& t : std::filesystem::directory_iterator(task)) {
    std::ifstream comm(t.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind("ZMQbg/IO", 0) != 0) continue;
    ++io_threads;
    EXPECT_EQ(nice_of(t.path().string()), stratd_nice) << name;
  }
  EXPECT_GT(io_threads, 0);
}

TEST(Recovery, HungWorkerIsKilledAndRestarted) {
  StratdProcess s;  // hang timeout 2 s
  ASSERT_EQ(s.add_runner("stuck", "BTCUSDT", "hang_in_c.lua").status, 201);
  const pid_t first = running_pid(s, "stuck");
  ASSERT_GT(first, 0);
  json d;
  ASSERT_TRUE(eventually([&] {
    d = s.runner("stuck");
    return d["restarts"].get<int>() >= 1;
  }, 30s));
  EXPECT_NE(d["last_exit"]["reason"].get<std::string>().find("hung"), std::string::npos);
  EXPECT_EQ(d["last_exit"]["signal"], SIGKILL);
  EXPECT_FALSE(process_alive(first));
  EXPECT_EQ(s.http().get("/api/runners").status, 200);
}

TEST(Recovery, KilledFeedComesBackAndTicksContinue) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("fed", "BTCUSDT", "hold_long.lua").status, 201);
  pid_t feed = 0;
  ASSERT_TRUE(eventually([&] {
    auto f = s.http().get("/api/engine/health").body["data"]["feed"];
    if (!f["pid"].is_number_integer()) return false;
    feed = f["pid"].get<pid_t>();
    return snapshot(s, "fed")["stats"]["ticks_processed"].get<int>() > 3;
  }));
  ASSERT_EQ(kill(feed, SIGKILL), 0);
  const auto ticks = snapshot(s, "fed")["stats"]["ticks_processed"].get<int>();
  ASSERT_TRUE(eventually([&] {
    auto f = s.http().get("/api/engine/health").body["data"]["feed"];
    return f["restarts"] == 1 && f["running"] == true;
  }));
  ASSERT_TRUE(eventually([&] { return snapshot(s, "fed")["stats"]["ticks_processed"].get<int>() > ticks + 5; }));
}
