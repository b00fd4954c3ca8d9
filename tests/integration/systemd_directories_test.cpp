// Under systemd, stratd keeps its sockets in $RUNTIME_DIRECTORY and the
// workers' and the feed's logs in $LOGS_DIRECTORY (RuntimeDirectory=,
// LogsDirectory=), not in the state directory.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
namespace fs = std::filesystem;

TEST(SystemdDirectories, SocketsAndLogsGoWhereSystemdSays) {
  const fs::path base = fs::path(::testing::TempDir()) / ("stratd-sd-dirs-" + std::to_string(getpid()));
  const fs::path run = base / "run", logs = base / "log";
  // What systemd hands the service; the child stratd inherits it.
  setenv("RUNTIME_DIRECTORY", run.c_str(), 1);
  setenv("LOGS_DIRECTORY", logs.c_str(), 1);
  StratdProcess s;
  unsetenv("RUNTIME_DIRECTORY");
  unsetenv("LOGS_DIRECTORY");

  ASSERT_EQ(s.add_runner("sd", "BTCUSDT", "flip.lua").status, 201);
  ASSERT_TRUE(eventually([&] {
    auto r = s.http().get("/api/runners/sd/snapshot");
    return r.status == 200 && r.body["data"]["stats"]["ticks_processed"].get<uint64_t>() > 0;
  })) << s.log_tail();
  EXPECT_TRUE(fs::exists(run / "md.ipc"));
  EXPECT_TRUE(fs::exists(run / "events.ipc"));
  EXPECT_TRUE(fs::exists(logs / "sd.log"));
  EXPECT_TRUE(fs::exists(logs / "feed.log"));
  EXPECT_FALSE(fs::exists(fs::path(s.state_dir()) / "run"));
  EXPECT_FALSE(fs::exists(fs::path(s.state_dir()) / "logs"));
  EXPECT_EQ(s.terminate(), 0);
  fs::remove_all(base);
}
