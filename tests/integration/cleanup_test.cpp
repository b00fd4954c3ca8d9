// stratd --cleanup: the segments of an instance whose state directory is
// gone are removed; a running instance's, and those of an instance whose
// directory still exists, are kept.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
namespace fs = std::filesystem;

namespace {

std::string fresh_dir() {
  char tmpl[] = "/tmp/stratd-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::string instance_of(const StratdProcess& s) { return s.http().get("/api/engine/health").body["data"]["instance"]; }

CommandResult cleanup() { return run_command({std::string(STRATD_BIN_DIR) + "/stratd", "--cleanup"}); }

// A stratd with one runner, killed as a crash would kill it (its workers
// die with it): its segment stays in /dev/shm. Returns its instance.
std::string crashed_instance(const std::string& dir) {
  StratdOptions o;
  o.state_dir = dir;
  StratdProcess s(o);
  EXPECT_EQ(s.add_runner("left", "BTCUSDT", "flip.lua").status, 201);
  const std::string instance = instance_of(s);
  EXPECT_TRUE(eventually([&] { return s.runner("left")["lifecycle"] == "Running"; })) << s.log_tail();
  const pid_t worker = s.runner("left")["pid"].get<pid_t>();
  s.kill_hard();
  EXPECT_TRUE(eventually([&] { return !process_alive(worker); }));
  return instance;
}

}  // namespace

TEST(Cleanup, RemovesTheSegmentsOfAGoneStateDirectoryAndKeepsTheRest) {
  const std::string gone_dir = fresh_dir(), kept_dir = fresh_dir();
  const std::string gone = crashed_instance(gone_dir);
  const std::string kept = crashed_instance(kept_dir);
  ASSERT_EQ(shm_segments("stratd." + gone + ".left").size(), 1u);
  ASSERT_EQ(shm_segments("stratd." + kept + ".left").size(), 1u);
  fs::remove_all(gone_dir);

  StratdProcess live;
  ASSERT_EQ(live.add_runner("alive", "BTCUSDT", "flip.lua").status, 201);
  const std::string live_instance = instance_of(live);
  ASSERT_TRUE(eventually([&] { return live.runner("alive")["lifecycle"] == "Running"; })) << live.log_tail();

  const CommandResult r = cleanup();
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
  EXPECT_NE(r.output.find("removed segment stratd." + gone + ".left (state directory " + gone_dir + " is gone)"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(shm_segments("stratd." + gone).empty()) << "segment and record both gone";
  // The directory still exists: its own stratd removes what is stale.
  EXPECT_NE(r.output.find("kept instance " + kept + " (1 segments): state directory " + kept_dir + " exists"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(shm_segments("stratd." + kept + ".left").size(), 1u);
  // A running stratd's: its record is locked.
  EXPECT_NE(r.output.find("kept instance " + live_instance + " (1 segments): a stratd is running on it"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(shm_segments("stratd." + live_instance + ".alive").size(), 1u);
  EXPECT_EQ(live.http().get("/api/runners/alive").status, 200);

  // Nothing is left to remove: a second run says so.
  const CommandResult again = cleanup();
  EXPECT_TRUE(WIFEXITED(again.status) && WEXITSTATUS(again.status) == 0) << again.output;
  EXPECT_EQ(again.output.find("removed segment"), std::string::npos) << again.output;

  // A running stratd whose directory is deleted under it keeps its
  // segments all the same: it holds its record.
  fs::remove_all(live.state_dir());
  const CommandResult under_it = cleanup();
  EXPECT_NE(under_it.output.find("kept instance " + live_instance + " (1 segments): a stratd is running on it"),
            std::string::npos)
      << under_it.output;
  EXPECT_EQ(shm_segments("stratd." + live_instance + ".alive").size(), 1u);

  // Once the kept directory is gone too, its segments go.
  fs::remove_all(kept_dir);
  const CommandResult last = cleanup();
  EXPECT_NE(last.output.find("removed segment stratd." + kept + ".left"), std::string::npos) << last.output;
  EXPECT_TRUE(shm_segments("stratd." + kept).empty());
}
