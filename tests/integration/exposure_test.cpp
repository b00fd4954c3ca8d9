// Listening beyond loopback: refused without keys unless --insecure, and
// a reload that would take the keys away from such a stratd refused too.
#include <csignal>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/keyed_stratd.hpp"

using namespace stratd::test;

TEST(Exposure, ANonLoopbackAddressWithoutKeysIsRefusedUnlessInsecure) {
  StratdOptions probe;
  StratdProcess scratch(probe);  // only for a state directory of its own
  const ProgramRun refused =
      run_stratd({"--host", "0.0.0.0", "--port", "0", "--state-dir", scratch.state_dir() + "/other",
                  "--strategies-dir", STRATD_FIXTURES_DIR});
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.out.find("--insecure"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("auth.keys"), std::string::npos) << refused.out;

  StratdOptions o;
  o.extra_args = {"--host", "0.0.0.0", "--insecure"};
  StratdProcess insecure(o);
  EXPECT_EQ(insecure.http().get("/health").status, 200);
  EXPECT_NE(insecure.output().find("INSECURE"), std::string::npos);

  // With keys, any address is fine.
  KeyedStratd keyed({"--host", "0.0.0.0"});
  EXPECT_EQ(keyed.as(keys().viewer.key, "GET", "/api/runners").status, 200);
}

TEST(Exposure, AReloadThatWouldOpenANonLoopbackStratdIsRefused) {
  KeyedStratd s({"--host", "0.0.0.0"});
  s.config.write("");  // every key removed
  ASSERT_EQ(kill(s.stratd.pid(), SIGHUP), 0);
  const HttpResult refused = s.as(keys().admin.key, "POST", "/api/engine/reload");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(error_code(refused), "CONFIG_REFUSED");
  // The keys are still asked for.
  EXPECT_EQ(s.stratd.http().post("/api/runners", runner_body("r1")).status, 401);
  EXPECT_EQ(s.as(keys().admin.key, "GET", "/api/runners").status, 200);
}
