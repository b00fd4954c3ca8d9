// The workers' seccomp filter holds even against a strategy that escaped
// the Lua sandbox: the real stratd runs strat-worker-hostile (the worker
// with a raw_syscall function, tests/CMakeLists.txt), and each forbidden
// call ends its worker with SIGSYS, reported like any crash, while the
// other runners keep running and stratd keeps answering.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

StratdOptions hostile(std::vector<std::string> extra = {}) {
  StratdOptions o;
  o.program = std::string(STRATD_HOSTILE_BIN_DIR) + "/stratd";
  o.strategies_dir = STRATD_HOSTILE_FIXTURES_DIR;
  // The first crash is the last: Failed at once, no restarts to wait for.
  o.extra_args = {"--crash-limit", "0"};
  o.extra_args.insert(o.extra_args.end(), extra.begin(), extra.end());
  return o;
}

std::string log_of(const StratdProcess& s, const std::string& id) {
  std::ifstream in(s.state_dir() + "/logs/" + id + ".log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}



}  // namespace

TEST(Seccomp, AStrategyPastTheSandboxDiesAtItsFirstForbiddenCall) {
#if defined(STRATD_ASAN)
  GTEST_SKIP() << "under AddressSanitizer the filter only logs (ipc/seccomp_filter.cpp); the plain build tests it";
#endif
  StratdProcess s(hostile());
  ASSERT_EQ(s.add_runner("steady", "BTCUSDT", "steady.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return runner_ticks(s, "steady") > 0; })) << s.log_tail();
  const pid_t steady = s.runner("steady")["pid"].get<pid_t>();
  EXPECT_EQ(proc_status_field(steady, "Seccomp"), "2");
  EXPECT_EQ(proc_status_field(steady, "NoNewPrivs"), "1");
  const pid_t feed = s.http().get("/api/engine/health").body["data"]["feed"]["pid"].get<pid_t>();
  EXPECT_EQ(proc_status_field(feed, "Seccomp"), "2");

  const char* calls[] = {"execve", "socket_inet", "ptrace", "openat"};
  for (const char* call : calls) {
    ASSERT_EQ(s.add_runner(std::string("h_") + call, "ETHUSDT", std::string(call) + ".lua").status, 201) << call;
  }
  for (const std::string call : calls) {
    const std::string id = "h_" + call;
    json d;
    ASSERT_TRUE(eventually([&] {
      d = s.runner(id);
      return d["lifecycle"] == "Failed";
    })) << id << ": " << d.dump() << "\n" << s.log_tail();
    EXPECT_EQ(d["last_exit"]["signal"], SIGSYS) << id;
    EXPECT_EQ(d["last_exit"]["description"], "killed by SIGSYS") << id;
    EXPECT_NE(d["failed_reason"].get<std::string>().find("seccomp filter forbids"), std::string::npos) << d.dump();
    // It ran, and its raw_syscall worked, up to the forbidden call.
    const std::string log = log_of(s, id);
    EXPECT_NE(log.find("getpid answered"), std::string::npos) << log;
    const std::string name = call == "socket_inet" ? "socket" : call;
    EXPECT_EQ(log.find(name + " answered"), std::string::npos) << log;
  }
  // Reported like any crash: a RunnerCrashed naming the signal.
  const auto events = s.http().get("/api/events?limit=1000&runner=h_execve").body["data"]["events"];
  bool crashed = false;
  for (const auto& e : events) {
    if (e["type"] == "RunnerCrashed" && e["data"].dump().find("SIGSYS") != std::string::npos) crashed = true;
  }
  EXPECT_TRUE(crashed) << events.dump();

  // The steady runner never noticed, and stratd answers.
  EXPECT_EQ(s.runner("steady")["pid"].get<pid_t>(), steady);
  const int64_t before = runner_ticks(s, "steady");
  EXPECT_TRUE(eventually([&] { return runner_ticks(s, "steady") > before + 3; })) << s.log_tail();
  EXPECT_NE(log_of(s, "steady").find("getpid answered"), std::string::npos);
  EXPECT_EQ(s.http().get("/health").status, 200);
}

// The control: with the filter off, the same call goes through. What kills
// the hostile workers above is the filter, not something else.
TEST(Seccomp, WithTheFilterOffTheSameCallGoesThrough) {
  StratdProcess s(hostile({"--worker-seccomp", "off"}));
  ASSERT_EQ(s.add_runner("h_socket", "BTCUSDT", "socket_inet.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return log_of(s, "h_socket").find("socket answered") != std::string::npos; }))
      << log_of(s, "h_socket") << s.log_tail();
  EXPECT_NE(log_of(s, "h_socket").find("errno 0"), std::string::npos) << log_of(s, "h_socket");
  EXPECT_TRUE(eventually([&] { return s.runner("h_socket")["lifecycle"] == "Running"; })) << s.runner("h_socket");
  EXPECT_EQ(proc_status_field(s.runner("h_socket")["pid"].get<pid_t>(), "Seccomp"), "0");
  EXPECT_EQ(proc_status_field(s.runner("h_socket")["pid"].get<pid_t>(), "NoNewPrivs"), "1");
}
