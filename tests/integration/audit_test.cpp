// The audit log against the real stratd: every control action and refused
// key recorded with who, from where, on what and how it ended, kept
// across a restart.
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/keyed_stratd.hpp"

using namespace stratd::test;
using nlohmann::json;

TEST(Audit, EveryControlActionAndRefusedKeyIsRecordedWithWhoAndWhere) {
  KeyedStratd s;
  const auto& admin = keys().admin.key;
  const HttpResult added = s.as(admin, "POST", "/api/runners", runner_body("r1"));
  ASSERT_EQ(added.status, 201);
  const HttpResult stopped = s.as(keys().operator_.key, "POST", "/api/runners/r1/stop");
  ASSERT_EQ(stopped.status, 200);
  EXPECT_EQ(s.as(keys().viewer.key, "DELETE", "/api/runners/r1").status, 403);
  EXPECT_EQ(s.as("stratd.ops." + std::string(43, 'C'), "POST", "/api/runners/r1/start").status, 401);
  EXPECT_EQ(s.as(keys().operator_.key, "POST", "/api/runners/nobody/restart").status, 404);
  const HttpResult reloaded = s.as(admin, "POST", "/api/engine/reload");
  ASSERT_EQ(reloaded.status, 200);
  EXPECT_TRUE(reloaded.body["data"]["applied"].is_array());
  ASSERT_EQ(kill(s.stratd.pid(), SIGHUP), 0);
  // The signal is handled when it is: its entry first, then on.
  ASSERT_TRUE(eventually([&] {
    return s.as(admin, "GET", "/api/audit?limit=1").body["data"]["entries"][0].value("action", "") == "config.reload";
  }));
  ASSERT_EQ(s.as(admin, "DELETE", "/api/runners/r1").status, 204);
  // Only an admin reads it; the others' tries are refused keys, recorded.
  EXPECT_EQ(s.as(keys().viewer.key, "GET", "/api/audit").status, 403);
  EXPECT_EQ(s.as(keys().operator_.key, "GET", "/api/audit").status, 403);

  struct Want {
    std::string action, target, key, role;
    int status;
    std::string outcome;
  };
  const std::vector<Want> want = {
      {"POST /api/runners", "r1", "ops", "admin", 201, "ok"},
      {"POST /api/runners/:id/stop", "r1", "oncall", "operator", 200, "ok"},
      {"auth.forbidden", "DELETE /api/runners/r1", "dash", "viewer", 403, "FORBIDDEN"},
      {"auth.bad_key", "POST /api/runners/r1/start", "", "", 401, "UNAUTHORIZED"},
      {"POST /api/runners/:id/restart", "nobody", "oncall", "operator", 404, "RUNNER_NOT_FOUND"},
      {"POST /api/engine/reload", "", "ops", "admin", 200, "ok"},
      {"config.reload", "SIGHUP", "", "", 0, "ok"},
      {"DELETE /api/runners/:id", "r1", "ops", "admin", 204, "ok"},
      {"auth.forbidden", "GET /api/audit", "dash", "viewer", 403, "FORBIDDEN"},
      {"auth.forbidden", "GET /api/audit", "oncall", "operator", 403, "FORBIDDEN"},
  };
  json entries;
  ASSERT_TRUE(eventually([&] {
    entries = s.as(admin, "GET", "/api/audit").body["data"]["entries"];
    return entries.size() >= want.size();
  })) << entries.dump(1);
  ASSERT_EQ(entries.size(), want.size()) << entries.dump(1);
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(entries[i].dump());
    const json& e = entries[i];
    EXPECT_EQ(e["action"], want[i].action);
    EXPECT_EQ(e["target"], want[i].target);
    EXPECT_EQ(e["key"], want[i].key.empty() ? json(nullptr) : json(want[i].key));
    EXPECT_EQ(e["role"], want[i].role.empty() ? json(nullptr) : json(want[i].role));
    EXPECT_EQ(e["status"], want[i].status == 0 ? json(nullptr) : json(want[i].status));
    EXPECT_EQ(e["outcome"], want[i].outcome);
    EXPECT_EQ(e["address"], want[i].action == "config.reload" ? "signal" : "127.0.0.1");
    if (i > 0) {
      EXPECT_GT(e["id"].get<int64_t>(), entries[i - 1]["id"].get<int64_t>());
    }
  }
  // Each names the request that did it, as its answer and stratd's log do.
  EXPECT_EQ(entries[0]["request_id"], added.headers.at("x-request-id"));
  EXPECT_EQ(entries[1]["request_id"], stopped.headers.at("x-request-id"));
  EXPECT_NE(s.stratd.output().find(stopped.headers.at("x-request-id")), std::string::npos);

  // Pages: the two newest, then the ones after an id.
  const json newest = s.as(admin, "GET", "/api/audit?limit=2").body["data"];
  ASSERT_EQ(newest["entries"].size(), 2u);
  EXPECT_EQ(newest["entries"][1]["id"], entries.back()["id"]);
  const json after = s.as(admin, "GET", "/api/audit?since=" + entries[7]["id"].dump()).body["data"];
  ASSERT_GE(after["entries"].size(), 2u);
  EXPECT_EQ(after["entries"][0]["id"], entries[8]["id"]);
  EXPECT_EQ(s.as(admin, "GET", "/api/audit?limit=0").status, 400);
  EXPECT_EQ(s.as(admin, "GET", "/api/audit?since=x").status, 400);

  // The log survives a restart: it is in the store.
  const std::string dir = s.stratd.state_dir();
  ASSERT_EQ(s.stratd.terminate(), 0);
  StratdOptions again;
  again.state_dir = dir;
  again.extra_args = {"--config", s.config.path};
  StratdProcess restarted(again);
  const json kept = restarted.http().request("GET", "/api/audit", "", bearer(admin)).body["data"]["entries"];
  ASSERT_GE(kept.size(), want.size());
  EXPECT_EQ(kept[0]["action"], "POST /api/runners");
}
