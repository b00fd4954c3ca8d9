// The configuration as an operator meets it: the seed plan's sections,
// --check-config with where each value came from, max_runners enforced,
// and SIGHUP applying what can change live.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/stratd_command.hpp"
#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;

TEST(Configuration, SeedSectionsLoadAndCheckConfigSaysWhereEachValueCameFrom) {
  TempFile f(
      "[server]\n"
      "host = \"127.0.0.1\"\n"
      "port = 3999\n"
      "\n"
      "[cors]\n"
      "allowed_origins = [\"https://dashboard.example.com\"]\n"
      "max_age = 600\n"
      "\n"
      "[engine]\n"
      "max_runners = 7\n"
      "data_source = \"sim\"\n");
  const ProgramRun r = run_stratd({"--check-config", "--config", f.path, "--log-level", "debug"}, "STRATD_PORT=4123");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("port = 4123  # environment STRATD_PORT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("host = \"127.0.0.1\"  # " + f.path + ":2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("allowed_origins = [\"https://dashboard.example.com\"]  # " + f.path + ":6"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("max_age = 600  # " + f.path + ":7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max_runners = 7  # " + f.path + ":10 (as engine.max_runners)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("level = \"debug\"  # flag --log-level"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hang_timeout_ms = 5000  # default"), std::string::npos) << r.out;
}

TEST(Configuration, ErrorsNameTheKeyAndTheLine) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[server]\nport = 3000\n\n[engine]\nmax_runners = 0\n", ":5 (engine.max_runners): runners.max_runners is out of range"},
      {"[engine]\nmax_runnerz = 3\n", ":2: unknown setting engine.max_runnerz"},
      {"[engine]\ndata_source = \"binance\"\n", "feed.source"},
      {"[engine]\nmax_runners = 3\n[runners]\nmax_runners = 4\n", ":4: runners.max_runners sets runners.max_runners again"},
      {"[server]\nport = \"x\"\n", ":2: server.port must be a number"},
      {"[server\nport = 1\n", ":1"},
  };
  for (const auto& c : cases) {
    TempFile f(c.text);
    const ProgramRun r = run_stratd({"--check-config", "--config", f.path});
    EXPECT_EQ(r.code, 2) << c.text << r.out;
    EXPECT_NE(r.out.find(c.expected), std::string::npos) << c.text << "\n" << r.out;
  }
}

TEST(Configuration, MaxRunnersIsEnforcedAndReloadsLive) {
  TempFile f("[engine]\nmax_runners = 1\n");
  StratdOptions o;
  o.extra_args = {"--config", f.path};
  StratdProcess s(o);
  ASSERT_EQ(s.add_runner("limit_a", "BTCUSDT", "hold_long.lua").status, 201);
  auto refused = s.add_runner("limit_b", "BTCUSDT", "hold_long.lua");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["error"]["code"], "RUNNER_LIMIT");
  EXPECT_EQ(s.runner("limit_b").is_null(), true);

  // A live setting and one that needs a restart.
  f.write("[engine]\nmax_runners = 2\n[events]\njournal_capacity = 20000\n");
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return s.output().find("reload: now in effect: runners.max_runners") != std::string::npos; }))
      << s.log_tail();
  EXPECT_NE(s.output().find("only a restart of stratd applies: events.journal_capacity"), std::string::npos);
  EXPECT_EQ(s.add_runner("limit_b", "BTCUSDT", "hold_long.lua").status, 201);
  EXPECT_EQ(s.add_runner("limit_c", "BTCUSDT", "hold_long.lua").status, 409);

  // A file that does not load changes nothing.
  f.write("[engine]\nmax_runners = banana\n");
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return s.output().find("reload refused, nothing changed") != std::string::npos; }));
  EXPECT_EQ(s.add_runner("limit_c", "BTCUSDT", "hold_long.lua").status, 409);
  EXPECT_EQ(s.http().get("/health").status, 200);
}

TEST(Configuration, LogLevelReloadsLive) {
  TempFile f("[log]\nlevel = \"info\"\n");
  StratdOptions o;
  o.extra_args = {"--config", f.path};
  StratdProcess s(o);
  s.http().get("/health");
  EXPECT_EQ(s.output().find("GET /health 200"), std::string::npos);  // access lines are debug
  f.write("[log]\nlevel = \"debug\"\n");
  kill(s.pid(), SIGHUP);
  ASSERT_TRUE(eventually([&] { return s.output().find("now in effect: log.level") != std::string::npos; }));
  ASSERT_TRUE(eventually([&] {
    s.http().get("/health");
    return s.output().find("GET /health 200") != std::string::npos;
  }));
}
