// stratd's state is its user's alone whatever the umask it starts under:
// the state directory, the logs and the ZeroMQ sockets, the database and
// its journal files, and every shared-memory segment (issue 11). What an
// older stratd left readable to others is narrowed at start.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st{};
  return lstat(path.c_str(), &st) == 0 ? st.st_mode : 0;
}

// Everything at or below `root` that a group or other users could use,
// with its mode; symbolic links have no mode of their own.
std::vector<std::string> open_to_others(const std::string& root) {
  std::vector<std::string> out;
  auto check = [&](const fs::path& p) {
    const mode_t m = mode_of(p.string());
    if (!S_ISLNK(m) && (m & 077) != 0) {
      char buf[16];
      snprintf(buf, sizeof buf, "%o", m & 07777);
      out.push_back(p.string() + " " + buf);
    }
  };
  check(root);
  for (const auto& e : fs::recursive_directory_iterator(root)) check(e.path());
  return out;
}

std::vector<std::string> instance_files(const std::string& instance) {
  std::vector<std::string> out;
  for (const auto& name : shm_segments("stratd." + instance)) out.push_back("/dev/shm/" + name);
  return out;
}



std::string fresh_dir() {
  char tmpl[] = "/tmp/stratd-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

// Runs until everything that can exist does: the runner's log and
// segment, the database's -wal and -shm, the feed's saved state.
void exercise(const StratdProcess& s, const std::string& logs) {
  ASSERT_EQ(s.add_runner("priv", "BTCUSDT", "flip.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return runner_ticks(s, "priv") > 2; })) << s.log_tail();
  ASSERT_TRUE(eventually([&] {
    std::error_code ec;
    return fs::file_size(s.state_dir() + "/feed-sim.json", ec) > 0 && fs::exists(s.state_dir() + "/stratd.db-wal") &&
           fs::exists(logs + "/priv.log");
  })) << s.log_tail();
}

}  // namespace

TEST(PrivateState, UnderUmask000EverythingStratdMakesIsItsUsersAlone) {
  const std::string logs_parent = fresh_dir();
  const std::string logs = logs_parent + "/deeper/logs";  // made by stratd
  StratdOptions o;
  o.umask = 0;
  o.extra_args = {"--logs-dir", logs};
  StratdProcess s(o);
  exercise(s, logs);
  const std::string instance = s.http().get("/api/engine/health").body["data"]["instance"];
  EXPECT_EQ(proc_status_field(s.pid(), "Umask"), "0077");

  EXPECT_EQ(open_to_others(s.state_dir()), std::vector<std::string>{});
  EXPECT_EQ(open_to_others(logs), std::vector<std::string>{});
  for (const char* made : {"/stratd.db", "/stratd.db-wal", "/stratd.db-shm", "/stratd.lock", "/http.url",
                           "/feed-sim.json", "/run/md.ipc", "/run/events.ipc"}) {
    EXPECT_TRUE(fs::exists(s.state_dir() + made)) << made;  // checked above, so it must be there
  }
  EXPECT_TRUE(fs::exists(logs + "/priv.log"));
  EXPECT_TRUE(fs::exists(logs + "/feed.log"));
  // The segment and the instance's record beside it.
  const auto shm = instance_files(instance);
  EXPECT_EQ(shm.size(), 2u);
  for (const auto& f : shm) EXPECT_EQ(mode_of(f) & 077, 0u) << f;
  s.terminate();
  fs::remove_all(logs_parent);
}

TEST(PrivateState, WhatAnOlderStratdLeftOpenIsNarrowedAtStart) {
  const std::string dir = fresh_dir();
  std::string instance;
  {
    StratdOptions first;
    first.state_dir = dir;
    StratdProcess s(first);
    exercise(s, dir + "/logs");
    instance = s.http().get("/api/engine/health").body["data"]["instance"];
    s.kill_hard();  // leaves the segment behind, as a crash would
  }
  // As an older stratd, or a wide umask, would have left them.
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_symlink()) chmod(e.path().c_str(), e.is_directory() ? 0755 : 0644);
  }
  chmod(dir.c_str(), 0755);
  for (const auto& f : instance_files(instance)) chmod(f.c_str(), 0644);
  ASSERT_FALSE(open_to_others(dir).empty());

  StratdOptions o;
  o.state_dir = dir;
  StratdProcess s(o);
  ASSERT_TRUE(eventually([&] { return runner_ticks(s, "priv") > 0; })) << s.log_tail();
  EXPECT_EQ(open_to_others(dir), std::vector<std::string>{});
  const auto shm = instance_files(instance);
  EXPECT_EQ(shm.size(), 2u);
  for (const auto& f : shm) EXPECT_EQ(mode_of(f) & 077, 0u) << f;
  s.terminate();
  fs::remove_all(dir);
}
