// Where stratd puts its state, sockets and logs: systemd's directories
// when the unit gives them, flags over those, and the state directory's
// own run/ and logs/ otherwise.
#include <cstdlib>
#include <filesystem>

#include <unistd.h>

#include <gtest/gtest.h>

#include "common/config.hpp"

using namespace stratd;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  ScratchDir() : path(fs::temp_directory_path() / ("stratd-paths-" + std::to_string(getpid()))) {
    fs::create_directories(path / "strategies");
  }
  ~ScratchDir() { fs::remove_all(path); }
  std::string at(const std::string& name) const { return (path / name).string(); }
  fs::path path;
};

// Sets systemd's variables for one test and restores them after.
struct SystemdDirectories {
  explicit SystemdDirectories(const char* state = nullptr, const char* runtime = nullptr, const char* logs = nullptr) {
    set("STATE_DIRECTORY", state);
    set("RUNTIME_DIRECTORY", runtime);
    set("LOGS_DIRECTORY", logs);
  }
  ~SystemdDirectories() {
    for (const char* v : {"STATE_DIRECTORY", "RUNTIME_DIRECTORY", "LOGS_DIRECTORY"}) unsetenv(v);
  }
  static void set(const char* name, const char* value) {
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
};

Config resolved(ScratchDir& dir, std::vector<const char*> args = {}) {
  args.insert(args.begin(), "stratd");
  auto loaded = load_config(int(args.size()), args.data());
  EXPECT_TRUE(loaded);
  Config c = loaded->config;
  auto st = resolve_paths(c, dir.at("strategies"));
  EXPECT_TRUE(st) << st.error().message;
  return c;
}

}  // namespace

TEST(ResolvePaths, WithoutSystemdSocketsAndLogsLiveInTheStateDirectory) {
  ScratchDir dir;
  SystemdDirectories none;
  const std::string state = dir.at("state");
  Config c = resolved(dir, {"--state-dir", state.c_str()});
  EXPECT_EQ(c.paths.state_dir, fs::canonical(state).string());
  EXPECT_EQ(c.paths.runtime_dir, c.paths.state_dir + "/run");
  EXPECT_EQ(c.paths.logs_dir, c.paths.state_dir + "/logs");
}

TEST(ResolvePaths, SystemdsDirectoriesAreUsedWhenGiven) {
  ScratchDir dir;
  const std::string state = dir.at("lib"), run = dir.at("run"), logs = dir.at("log");
  // A unit naming several directories lists them with ':'; the first is stratd's.
  const std::string logs_list = logs + ":" + dir.at("other");
  SystemdDirectories given(state.c_str(), run.c_str(), logs_list.c_str());
  Config c = resolved(dir);
  EXPECT_EQ(c.paths.state_dir, fs::canonical(state).string());
  EXPECT_EQ(c.paths.runtime_dir, run);
  EXPECT_EQ(c.paths.logs_dir, logs);
}

TEST(ResolvePaths, FlagsOverSystemdsDirectories) {
  ScratchDir dir;
  const std::string run = dir.at("run"), logs = dir.at("log");
  SystemdDirectories given(nullptr, run.c_str(), logs.c_str());
  const std::string state = dir.at("state"), my_run = dir.at("my-run"), my_logs = dir.at("my-logs");
  Config c = resolved(dir, {"--state-dir", state.c_str(), "--runtime-dir", my_run.c_str(), "--logs-dir",
                            my_logs.c_str()});
  EXPECT_EQ(c.paths.runtime_dir, my_run);
  EXPECT_EQ(c.paths.logs_dir, my_logs);
}

TEST(ResolvePaths, RelativeDirectoriesBecomeAbsolute) {
  ScratchDir dir;
  SystemdDirectories none;
  const std::string state = dir.at("state");
  Config c = resolved(dir, {"--state-dir", state.c_str(), "--runtime-dir", "rel/run", "--logs-dir", "./rel/../logs"});
  EXPECT_EQ(c.paths.runtime_dir, (fs::current_path() / "rel/run").string());
  EXPECT_EQ(c.paths.logs_dir, (fs::current_path() / "logs").string());
}

TEST(ResolvePaths, TheShippedStrategiesAreTheFallback) {
  ScratchDir dir;
  SystemdDirectories none;
  const std::string state = dir.at("state");
  const fs::path cwd = fs::current_path();
  // From a directory without strategies/ of its own.
  fs::create_directories(dir.path / "elsewhere");
  fs::current_path(dir.path / "elsewhere");
  Config c = resolved(dir, {"--state-dir", state.c_str()});
  fs::current_path(cwd);
  EXPECT_EQ(c.paths.strategies_dir, fs::canonical(dir.at("strategies")).string());
}
