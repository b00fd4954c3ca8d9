// A root stratd runs its workers and its feed as [runners] worker_user
// (default nobody), never as root, and they still reach everything they
// need: their segment and strategy (inherited descriptors) and the bus
// (its sockets, theirs to connect to). Only when the test runs as root.
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using namespace std::chrono_literals;

namespace {


// "uid uid uid uid": real, effective, saved and filesystem ids alike.
std::string four_times(unsigned id) {
  const std::string s = std::to_string(id);
  return s + "\t" + s + "\t" + s + "\t" + s;
}

struct stat stat_of(const std::string& path) {
  struct stat st{};
  stat(path.c_str(), &st);
  return st;
}


}  // namespace

TEST(WorkerUser, ARootStratdRunsWorkersAndTheFeedAsNobody) {
  if (geteuid() != 0) GTEST_SKIP() << "stratd switches users only when it runs as root";
  const passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  const uid_t uid = nobody->pw_uid;
  const gid_t gid = nobody->pw_gid;
  StratdProcess s;
  ASSERT_EQ(s.add_runner("low", "BTCUSDT", "flip.lua").status, 201);
  // Ticks in, a snapshot out, events back: the worker reached all of it.
  ASSERT_TRUE(eventually([&] { return runner_ticks(s, "low") > 3; })) << s.log_tail();
  ASSERT_TRUE(eventually([&] {
    auto r = s.http().get("/api/events?runner=low&limit=5");
    return r.status == 200 && !r.body["data"]["events"].empty();
  })) << s.log_tail();

  const pid_t worker = s.runner("low")["pid"].get<pid_t>();
  const pid_t feed = s.http().get("/api/engine/health").body["data"]["feed"]["pid"].get<pid_t>();
  for (pid_t p : {worker, feed}) {
    EXPECT_EQ(proc_status_field(p, "Uid"), four_times(uid)) << p;
    EXPECT_EQ(proc_status_field(p, "Gid"), four_times(gid)) << p;
    EXPECT_EQ(proc_status_field(p, "Groups"), "") << p;
    EXPECT_EQ(proc_status_field(p, "NoNewPrivs"), "1") << p;
    EXPECT_EQ(proc_status_field(p, "Seccomp"), "2") << p;  // a filter
  }
  EXPECT_EQ(proc_status_field(s.pid(), "Uid"), four_times(0));

  // stratd's state stays stratd's: the worker holds descriptors, not access.
  const std::string instance = s.http().get("/api/engine/health").body["data"]["instance"];
  const struct stat segment = stat_of("/dev/shm/stratd." + instance + ".low");
  EXPECT_EQ(segment.st_uid, 0u);
  EXPECT_EQ(segment.st_mode & 07777, 0600u);
  const struct stat run = stat_of(s.state_dir() + "/run");
  EXPECT_EQ(run.st_uid, 0u);
  EXPECT_EQ(run.st_mode & 07777, 0700u);
  // The sockets are the one thing the worker user owns: connecting needs it.
  for (const char* sock : {"/run/md.ipc", "/run/events.ipc"}) {
    const struct stat st = stat_of(s.state_dir() + sock);
    EXPECT_EQ(st.st_uid, uid) << sock;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << sock;
  }

  // The feed restarted as nobody still serves the socket stratd bound.
  kill(feed, SIGKILL);
  ASSERT_TRUE(eventually([&] {
    auto f = s.http().get("/api/engine/health").body["data"]["feed"];
    return f["pid"].is_number_integer() && f["pid"].get<pid_t>() != feed;
  }, 20s));
  const int64_t before = runner_ticks(s, "low");
  EXPECT_TRUE(eventually([&] { return runner_ticks(s, "low") > before + 3; }, 20s)) << s.log_tail();
}

TEST(WorkerUser, RootOrAnUnknownUserIsRefusedAtStart) {
  if (geteuid() != 0) GTEST_SKIP() << "the setting applies only when stratd runs as root";
  char tmpl[] = "/tmp/stratd-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  const std::string bin = std::string(STRATD_BIN_DIR) + "/stratd";
  const auto root = run_command({bin, "--port", "0", "--state-dir", tmpl, "--worker-user", "root"});
  EXPECT_TRUE(WIFEXITED(root.status) && WEXITSTATUS(root.status) == 1) << root.output;
  EXPECT_NE(root.output.find("workers never run as root"), std::string::npos) << root.output;
  const auto unknown = run_command({bin, "--port", "0", "--state-dir", tmpl, "--worker-user", "no-such-user-here"});
  EXPECT_TRUE(WIFEXITED(unknown.status) && WEXITSTATUS(unknown.status) == 1) << unknown.output;
  EXPECT_NE(unknown.output.find("no user 'no-such-user-here'"), std::string::npos) << unknown.output;
  std::filesystem::remove_all(tmpl);
}
