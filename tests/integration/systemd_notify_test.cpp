// systemd's side of the notify protocol, played for real: an AF_UNIX
// datagram socket in $NOTIFY_SOCKET and $WATCHDOG_USEC set, as systemd
// does for a Type=notify unit with WatchdogSec=.
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using namespace std::chrono;
using nlohmann::json;

namespace {

// What systemd would receive, each datagram with when it came.
class NotifySocket {
 public:
  NotifySocket() {
    char tmpl[] = "/tmp/stratd-notify-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    dir_ = tmpl;
    path_ = dir_ + "/notify";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot bind the notify socket");
    }
    timeval tv{0, 100'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    reader_ = std::thread([this] { read_loop(); });
  }
  ~NotifySocket() {
    stop_ = true;
    reader_.join();
    close(fd_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& path() const { return path_; }

  struct Message {
    std::string text;
    steady_clock::time_point at;
  };
  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  // Messages carrying `assignment` (e.g. "READY=1", or "STATUS=" as a prefix).
  std::vector<Message> with(const std::string& assignment) const {
    std::vector<Message> out;
    for (const auto& m : messages()) {
      size_t at = 0;
      while (at <= m.text.size()) {
        const size_t nl = m.text.find('\n', at);
        const std::string line = m.text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        if (line.rfind(assignment, 0) == 0) out.push_back({line, m.at});
        if (nl == std::string::npos) break;
        at = nl + 1;
      }
    }
    return out;
  }
  size_t count(const std::string& assignment) const { return with(assignment).size(); }

 private:
  void read_loop() {
    char buf[4096];
    while (!stop_) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::lock_guard lock(mu_);
      messages_.push_back({std::string(buf, size_t(n)), steady_clock::now()});
    }
  }
  std::string dir_, path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread reader_;
  mutable std::mutex mu_;
  std::vector<Message> messages_;
};

constexpr int kWatchdogUsec = 300'000;  // a ping expected every 150 ms

StratdOptions notified(const NotifySocket& ns, const std::string& state_dir = "") {
  StratdOptions o;
  o.state_dir = state_dir;
  o.env = {{"NOTIFY_SOCKET", ns.path()}, {"WATCHDOG_USEC", std::to_string(kWatchdogUsec)}};
  return o;
}

std::string worker_environment(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ");
  std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(env.begin(), env.end(), '\0', '\n');
  return env;
}

}  // namespace

TEST(SystemdNotify, ReadyOnlyAfterEveryRunnerIsRestored) {
  char tmpl[] = "/tmp/stratd-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string state = tmpl;
  {
    StratdOptions o;
    o.state_dir = state;
    StratdProcess first(o);
    ASSERT_EQ(first.add_runner("restored_a", "BTCUSDT", "hold_long.lua").status, 201);
    ASSERT_EQ(first.add_runner("restored_b", "ETHUSDT", "flip.lua").status, 201);
    ASSERT_EQ(first.terminate(), 0);
  }
  NotifySocket ns;
  StratdProcess s(notified(ns, state));
  ASSERT_TRUE(eventually([&] { return ns.count("READY=1") > 0; }));
  // By the time READY=1 was sent, both runners were back (the API came up
  // only then, so its first answer already lists them).
  auto list = s.http().get("/api/runners");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["data"].size(), 2u);
  // The restore asked for time before READY, never after it.
  const auto ready_at = ns.with("READY=1").front().at;
  const auto extends = ns.with("EXTEND_TIMEOUT_USEC=");
  ASSERT_FALSE(extends.empty());
  EXPECT_LE(extends.front().at, ready_at);
  ASSERT_TRUE(eventually([&] {
    for (const auto& m : ns.with("STATUS=")) {
      if (m.text.find("2 runners") != std::string::npos) return true;
    }
    return false;
  })) << "no STATUS naming both runners";
  std::error_code ec;
  s.terminate();
  std::filesystem::remove_all(state, ec);
}

TEST(SystemdNotify, StatusFollowsRunnersAndClients) {
  NotifySocket ns;
  StratdProcess s(notified(ns));
  ASSERT_TRUE(eventually([&] { return ns.count("READY=1") > 0; }));
  auto status_has = [&](const std::string& text) {
    return eventually([&] {
      const auto st = ns.with("STATUS=");
      return !st.empty() && st.back().text.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(status_has("0 runners"));
  ASSERT_EQ(s.add_runner("status_a", "BTCUSDT", "hold_long.lua").status, 201);
  EXPECT_TRUE(status_has("1 runner: 1 Running"));
  WsClient ws(s.http().host(), s.http().port());
  EXPECT_TRUE(status_has("1 WebSocket client"));
  ASSERT_EQ(s.http().post("/api/runners/status_a/stop").status, 200);
  EXPECT_TRUE(status_has("1 Stopped"));
}

TEST(SystemdNotify, WorkersNeverSeeTheNotifySocket) {
  NotifySocket ns;
  StratdProcess s(notified(ns));
  ASSERT_EQ(s.add_runner("env_a", "BTCUSDT", "hold_long.lua").status, 201);
  pid_t pid = 0;
  // Running: the worker has attached, so it is past its exec (before
  // it, /proc shows the environment of the fork, stratd's own).
  ASSERT_TRUE(eventually([&] {
    auto r = s.runner("env_a");
    if (r["lifecycle"] != "Running" || !r["pid"].is_number_integer()) return false;
    pid = r["pid"].get<pid_t>();
    return true;
  }));
  const std::string env = worker_environment(pid);
  ASSERT_FALSE(env.empty());
  EXPECT_EQ(env.find("NOTIFY_SOCKET="), std::string::npos);
  EXPECT_EQ(env.find("WATCHDOG_USEC="), std::string::npos);
  // stratd's own environment does have them: the test is not vacuous.
  EXPECT_NE(worker_environment(s.pid()).find("NOTIFY_SOCKET="), std::string::npos);
}

TEST(SystemdNotify, WatchdogPingsStopWhileTheHttpLoopIsBlocked) {
  NotifySocket ns;
  StratdProcess s(notified(ns));
  ASSERT_TRUE(eventually([&] { return ns.count("WATCHDOG=1") >= 3; })) << "no watchdog pings";
  ASSERT_EQ(s.add_runner("wd_a", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return s.runner("wd_a")["lifecycle"] == "Running"; }));

  // Another process holds the database's write lock: stratd's next store
  // write (a runner's snapshot, every second) waits for it on the HTTP
  // loop, as it would on a disk that stopped answering.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((s.state_dir() + "/stratd.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto locked_at = steady_clock::now();
  // A silence of four ping periods while locked: the pings depend on the
  // loop, they do not come from a thread of their own.
  const bool silent = eventually([&] {
    const auto pings = ns.with("WATCHDOG=1");
    const auto now = steady_clock::now();
    const auto last = pings.empty() ? locked_at : std::max(pings.back().at, locked_at);
    return now - last >= microseconds(4 * kWatchdogUsec / 2);
  }, seconds(15), milliseconds(10));
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_TRUE(silent) << "watchdog pings went on while the HTTP loop was blocked";
  const size_t after = ns.count("WATCHDOG=1");
  EXPECT_TRUE(eventually([&] { return ns.count("WATCHDOG=1") >= after + 3; })) << "pings did not resume";
}

TEST(SystemdNotify, ReloadingThenReadyOnSighupAndStoppingOnSigterm) {
  NotifySocket ns;
  StratdProcess s(notified(ns));
  ASSERT_TRUE(eventually([&] { return ns.count("READY=1") == 1; }));
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return ns.count("READY=1") == 2; }));
  const auto reloading = ns.with("RELOADING=1");
  ASSERT_EQ(reloading.size(), 1u);
  EXPECT_LE(reloading.front().at, ns.with("READY=1").back().at);
  EXPECT_EQ(ns.count("MONOTONIC_USEC="), 1u);
  EXPECT_EQ(s.http().get("/health").status, 200);  // still serving
  EXPECT_EQ(ns.count("STOPPING=1"), 0u);
  EXPECT_EQ(s.terminate(), 0);
  EXPECT_EQ(ns.count("STOPPING=1"), 1u);
}
