#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "common/config.hpp"

using namespace stratd;

namespace {
struct EnvVar {
  EnvVar(const char* k, const char* v) : key(k) { setenv(k, v, 1); }
  ~EnvVar() { unsetenv(key); }
  const char* key;
};
Expected<LoadedConfig> load(std::vector<const char*> args) {
  args.insert(args.begin(), "stratd");
  return load_config(int(args.size()), args.data());
}
}  // namespace

TEST(Config, Defaults) {
  auto c = load({});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->config.server.host, "127.0.0.1");
  EXPECT_EQ(c->config.server.port, 3000);
  EXPECT_EQ(c->config.feed.source, "sim");
  EXPECT_EQ(c->config.feed.sim_interval_ms, 250);
  EXPECT_EQ(c->config.runners.backoff_initial_ms, 100);
  EXPECT_EQ(c->config.runners.backoff_max_ms, 30'000);
  EXPECT_EQ(c->config.runners.crash_limit, 5);
  EXPECT_EQ(c->config.runners.crash_window_secs, 60);
}

TEST(Config, FlagsOverEnvironmentOverFile) {
  const auto path = std::filesystem::temp_directory_path() / ("stratd-config-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << "[server]\nhost = \"0.0.0.0\"\nport = 4000\n[feed]\nsim_interval_ms = 100\n"
                         "[runners]\ncrash_limit = 9\n";
  EnvVar port("STRATD_PORT", "5000");
  EnvVar interval("STRATD_SIM_INTERVAL_MS", "50");
  auto c = load({"--config", path.c_str(), "--sim-interval-ms=20"});
  std::filesystem::remove(path);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->config.server.host, "0.0.0.0");  // file
  EXPECT_EQ(c->config.server.port, 5000);        // env over file
  EXPECT_EQ(c->config.feed.sim_interval_ms, 20); // flag over env
  EXPECT_EQ(c->config.runners.crash_limit, 9);
}

TEST(Config, BadValuesAreRefusedWithAReason) {
  EXPECT_FALSE(load({"--port", "70000"}));
  EXPECT_FALSE(load({"--port", "abc"}));
  EXPECT_FALSE(load({"--sim-interval-ms", "0"}));
  EXPECT_FALSE(load({"--bogus", "1"}));
  EXPECT_FALSE(load({"--port"}));
  auto missing = load({"--config", "/nonexistent/stratd.toml"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::ConfigInvalid);
  EXPECT_EQ(load({"--help"})->action, CliAction::Help);
}

TEST(Config, FileValuesOfTheWrongTypeOrRangeAreRefused) {
  const auto path = std::filesystem::temp_directory_path() / ("stratd-config-bad-" + std::to_string(getpid()) + ".toml");
  auto refused = [&](const std::string& toml) {
    std::ofstream(path) << toml;
    auto c = load({"--config", path.c_str()});
    std::filesystem::remove(path);
    return c ? std::string() : c.error().message;
  };
  // A negative count would wrap to a huge one.
  EXPECT_NE(refused("[runners]\nmax_consecutive_strategy_errors = -1\n").find("out of range"), std::string::npos);
  EXPECT_NE(refused("[runners]\nstop_grace_ms = \"soon\"\n").find("must be a number"), std::string::npos);
  EXPECT_NE(refused("[runners]\nstop_grace_ms = -5\n").find("stop_grace_ms"), std::string::npos);
  EXPECT_NE(refused("[runners]\nmax_runners = 0\n").find("max_runners"), std::string::npos);
  EXPECT_NE(refused("[server]\nrequest_timeout_ms = 0\n").find("request_timeout_ms"), std::string::npos);
  EXPECT_NE(refused("[log]\nmax_file_bytes = 10\n").find("max_file_bytes"), std::string::npos);
  EXPECT_NE(refused("[server]\nhost = 7\n").find("server.host must be a string"), std::string::npos);
  EXPECT_NE(refused("[server]\nport = \"http\"\n").find("server.port"), std::string::npos);
  EXPECT_NE(refused("[server]\ncors_origins = [1]\n").find("cors_origins"), std::string::npos);
  EXPECT_NE(refused("[server]\nallowed_hosts = [\"stratd.lan\", \"::1\"]\n").find("'::1' is not a host"),
            std::string::npos);
  EXPECT_NE(refused("[server]\nallowed_hosts = [\"a:99999\"]\n").find("server.allowed_hosts"), std::string::npos);
  EXPECT_EQ(refused("[server]\nallowed_hosts = [\"stratd.lan\", \"[::1]:3000\", \"*\"]\n"), "");
  EXPECT_EQ(refused("[runners]\nstop_grace_ms = 0\nmax_consecutive_strategy_errors = 3\n"), "");
  // Settings that bound each other.
  EXPECT_NE(refused("[tls]\ncert = \"c.pem\"\n").find("tls.cert and tls.key go together"), std::string::npos);
  EXPECT_NE(refused("[tls]\nkey = \"k.pem\"\n").find("tls.cert and tls.key go together"), std::string::npos);
  EXPECT_EQ(refused("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n"), "");
  EXPECT_NE(refused("[server]\nmax_connections = 10\nmax_connections_per_ip = 11\n").find("max_connections_per_ip"),
            std::string::npos);
}
