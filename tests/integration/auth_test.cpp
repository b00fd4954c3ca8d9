// API keys and roles, against the real stratd with keys from the real
// `stratd keygen`: every role on every route, wrong and absent keys, the
// WebSocket's two ways of sending one, keys reloaded and revoked while
// connections are open, and keygen itself.
#include <csignal>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/keyed_stratd.hpp"
#include "tests/support/openapi_spec.hpp"
#include "tests/support/raw_connection.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;

namespace {

enum class Needs { Nothing, Viewer, Operator, Admin };

}  // namespace

TEST(Auth, EveryRoleAgainstEveryRoute) {
  KeyedStratd s({"--auth-failure-burst", "1000"});
  ASSERT_EQ(s.as(keys().admin.key, "POST", "/api/runners", runner_body("r1")).status, 201);
  struct Route {
    std::string method, target;
    Needs needs;
    std::string body = "";
    int status = 0;  // what a caller allowed gets, where one answer is right (0: any but 401, 403, 5xx)
  };
  // Every route of the API (checked below against docs/openapi.yaml).
  const std::vector<Route> routes = {
      {"GET", "/health", Needs::Nothing},
      {"GET", "/api/engine/health", Needs::Viewer},
      {"GET", "/api/engine/summary", Needs::Viewer},
      {"GET", "/api/strategies", Needs::Viewer},
      {"GET", "/api/runners", Needs::Viewer},
      {"GET", "/api/runners/r1", Needs::Viewer},
      {"GET", "/api/runners/r1/snapshot", Needs::Viewer},
      {"GET", "/api/runners/r1/history", Needs::Viewer},
      {"GET", "/api/runners/r1/trades", Needs::Viewer},
      {"GET", "/api/runners/r1/logs", Needs::Viewer},
      {"GET", "/api/events", Needs::Viewer},
      {"GET", "/metrics", Needs::Viewer},
      {"GET", "/api/openapi.json", Needs::Viewer},
      {"GET", "/api/no-such-path", Needs::Viewer},
      {"POST", "/api/runners/r1/stop", Needs::Operator},
      {"POST", "/api/runners/r1/start", Needs::Operator},
      {"POST", "/api/runners/r1/restart", Needs::Operator},
      {"POST", "/api/runners", Needs::Admin, runner_body("r2")},
      {"DELETE", "/api/runners/r2", Needs::Admin},
      {"GET", "/api/audit", Needs::Admin, "", 200},
      {"POST", "/api/engine/reload", Needs::Admin, "", 200},  // the same file: nothing changes
  };
  // Every operation the document has is in that list (but /ws, which has
  // tests of its own): a new route cannot miss its row.
  {
    const auto& spec = OpenApiSpec::installed();
    std::set<std::string> listed;
    for (const auto& r : routes) {
      if (auto path = spec.match_path(r.target)) listed.insert(r.method + " " + *path);
    }
    for (const auto& [path, item] : spec.document()["paths"].items()) {
      if (item.value("x-stratd-before-router", false)) continue;
      for (const auto& method : spec.methods(path)) {
        EXPECT_TRUE(listed.count(method + " " + path)) << method << " " << path << " has no row";
      }
    }
  }
  struct Who {
    std::string name, key;
    Needs has;
    bool has_key;
  };
  // A key shaped right, of a configured name, with another secret.
  const std::string forged = "stratd.ops." + std::string(43, 'A');
  const std::vector<Who> callers = {
      {"no key", "", Needs::Nothing, false},
      {"a forged key", forged, Needs::Nothing, true},
      {"viewer", keys().viewer.key, Needs::Viewer, true},
      {"operator", keys().operator_.key, Needs::Operator, true},
      {"admin", keys().admin.key, Needs::Admin, true},
  };
  for (const auto& who : callers) {
    for (const auto& r : routes) {
      SCOPED_TRACE(who.name + ": " + r.method + " " + r.target);
      HttpResult res = s.as(who.key, r.method, r.target, r.body);
      const bool bad_key = who.has_key && who.has == Needs::Nothing;
      if (bad_key) {
        // A key that is not valid is refused everywhere, /health too.
        EXPECT_EQ(res.status, 401);
        EXPECT_EQ(error_code(res), "UNAUTHORIZED");
      } else if (int(who.has) >= int(r.needs)) {
        EXPECT_NE(res.status, 401);
        EXPECT_NE(res.status, 403);
        EXPECT_LT(res.status, 500);
        if (r.status) {
          EXPECT_EQ(res.status, r.status) << res.raw;
        }
      } else if (who.has == Needs::Nothing) {
        EXPECT_EQ(res.status, 401);
        EXPECT_EQ(error_code(res), "UNAUTHORIZED");
        EXPECT_NE(res.headers["www-authenticate"].find("Bearer"), std::string::npos);
      } else {
        EXPECT_EQ(res.status, 403);
        EXPECT_EQ(error_code(res), "FORBIDDEN");
      }
      // Every answer, refused or not, carries the security headers.
      EXPECT_EQ(res.headers["x-content-type-options"], "nosniff");
      EXPECT_EQ(res.headers["cache-control"], "no-store");
      EXPECT_NE(res.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
    }
  }
  // The refusals changed nothing: r2 was added and deleted by the admin only.
  auto list = s.as(keys().viewer.key, "GET", "/api/runners");
  ASSERT_EQ(list.body["data"].size(), 1u);
  EXPECT_EQ(list.body["data"][0]["runner_id"], "r1");
  // Argon2 ran once per good key (and once per forged attempt), not per request.
  auto metrics = s.as(keys().viewer.key, "GET", "/metrics");
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"missing_key\"}"), std::string::npos);
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"forbidden\"}"), std::string::npos);
}

TEST(Auth, WrongAbsentMalformedAndRetiredKeys) {
  KeyedStratd s({"--auth-failure-burst", "1000"});
  const std::string good = keys().viewer.key;
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> refused = {
      {"no Authorization", {}},
      {"another scheme", {{"Authorization", "Basic " + good}}},
      {"an empty bearer", {{"Authorization", "Bearer "}}},
      {"garbage", {{"Authorization", "Bearer not-a-key"}}},
      {"an unknown name", {{"Authorization", "Bearer stratd.nobody." + good.substr(good.rfind('.') + 1)}}},
      {"a truncated key", {{"Authorization", "Bearer " + good.substr(0, good.size() - 1)}}},
      {"another key's secret", {{"Authorization", "Bearer stratd.ops." + good.substr(good.rfind('.') + 1)}}},
      {"the key in the query string", {}},
  };
  for (const auto& [what, headers] : refused) {
    SCOPED_TRACE(what);
    const std::string target = what == "the key in the query string" ? "/api/runners?token=" + good : "/api/runners";
    const HttpResult r = s.stratd.http().request("GET", target, "", headers);
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(error_code(r), "UNAUTHORIZED");
    // The answer never repeats what was sent.
    EXPECT_EQ(r.raw.find(good.substr(good.rfind('.') + 1)), std::string::npos);
  }
  // The scheme's name is case-insensitive (RFC 7235).
  EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", {{"Authorization", "bearer " + good}}).status, 200);

  // Keys reload live: the viewer's key removed, a new one added.
  const GeneratedKey fresh = generate_key("fresh", "viewer");
  s.config.write(keys().admin.entry + "\n" + fresh.entry);
  ASSERT_EQ(kill(s.stratd.pid(), SIGHUP), 0);
  EXPECT_TRUE(eventually([&] { return s.as(fresh.key, "GET", "/api/runners").status == 200; }));
  EXPECT_EQ(s.as(good, "GET", "/api/runners").status, 401);
  EXPECT_EQ(s.as(keys().admin.key, "GET", "/api/runners").status, 200);
}

TEST(Auth, WebSocketTakesTheKeyInTheHeaderOrAsASubprotocol) {
  KeyedStratd s;
  const auto& http = s.stratd.http();
  auto upgrade = [&](const std::string& target, const std::string& extra) {
    return http.raw("GET " + target +
                    " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                    extra + "\r\n");
  };
  EXPECT_EQ(upgrade("/ws", "").status, 401);
  EXPECT_EQ(upgrade("/ws?token=" + keys().viewer.key, "").status, 401);
  EXPECT_EQ(upgrade("/ws", "Sec-WebSocket-Protocol: stratd, bearer.stratd.dash." + std::string(43, 'x') + "\r\n").status,
            401);

  // The header, as a program would send it.
  WsClient by_header(http.host(), http.port(), WsUpgrade{bearer(keys().viewer.key)});
  by_header.send(R"({"type":"ping"})");
  EXPECT_TRUE(by_header.next_where([](const json& m) { return m.value("type", "") == "pong"; }));

  // The subprotocol, as a browser must: stratd chooses `stratd`, never echoes the key.
  WsClient by_protocol(http.host(), http.port(),
                       WsUpgrade{{{"Sec-WebSocket-Protocol", "stratd, bearer." + keys().viewer.key}}});
  EXPECT_EQ(by_protocol.response_header("Sec-WebSocket-Protocol"), "stratd");
  by_protocol.send(R"({"type":"ping"})");
  EXPECT_TRUE(by_protocol.next_where([](const json& m) { return m.value("type", "") == "pong"; }));
}

namespace {

// The answer to a request sent on a kept-alive connection: everything
// after what had arrived before it.
std::optional<RawAnswer> answer_on(RawConnection& c, const std::string& request) {
  const size_t before = c.received().size();
  if (!c.send(request)) return std::nullopt;
  std::optional<RawAnswer> answer;
  eventually([&] {
    c.read_available();
    answer = parse_raw_answer(c.received().substr(before));
    return answer.has_value() || c.closed();
  });
  return answer;
}

std::string get_with(const std::string& key) {
  return "GET /api/runners HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key + "\r\n\r\n";
}

bool closed_with_policy_code(WsClient& ws) {
  return eventually([&] {
    ws.next(std::chrono::milliseconds(100));
    return ws.closed();
  }) && ws.close_code() == 1008;
}

}  // namespace

TEST(Auth, ARevokedKeyEndsItsOpenConnections) {
  KeyedStratd s;
  const auto& http = s.stratd.http();
  // A kept-alive connection that proved the viewer's key, and asks again
  // (the second time from what the connection remembers).
  RawConnection rest(http.port());
  for (int i = 0; i < 2; ++i) {
    auto answer = answer_on(rest, get_with(keys().viewer.key));
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->answer.status, 200);
  }
  WsClient viewer(http.host(), http.port(), WsUpgrade{bearer(keys().viewer.key)});
  WsClient admin(http.host(), http.port(), WsUpgrade{bearer(keys().admin.key)});
  viewer.send(R"({"type":"ping"})");
  ASSERT_TRUE(viewer.next_where([](const json& m) { return m.value("type", "") == "pong"; }));

  // The viewer's key removed, the admin's kept, by a reload.
  s.config.write(keys().admin.entry + "\n" + keys().operator_.entry);
  ASSERT_EQ(s.as(keys().admin.key, "POST", "/api/engine/reload").status, 200);
  EXPECT_TRUE(closed_with_policy_code(viewer)) << "close code " << viewer.close_code();
  auto refused = answer_on(rest, get_with(keys().viewer.key));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->answer.status, 401);
  EXPECT_EQ(refused->body["error"].value("code", ""), "UNAUTHORIZED");
  admin.send(R"({"type":"ping"})");
  EXPECT_TRUE(admin.next_where([](const json& m) { return m.value("type", "") == "pong"; }));
  EXPECT_FALSE(admin.closed());
}

TEST(Auth, KeysAddedToAnOpenStratdEndTheConnectionsAdmittedWithoutOne) {
  TempFile config("");
  StratdOptions o;
  o.extra_args = {"--config", config.path};
  StratdProcess s(o);
  WsClient anonymous(s.http().host(), s.http().port());
  anonymous.send(R"({"type":"ping"})");
  ASSERT_TRUE(anonymous.next_where([](const json& m) { return m.value("type", "") == "pong"; }));
  config.write(keys().toml());
  ASSERT_EQ(kill(s.pid(), SIGHUP), 0);
  EXPECT_TRUE(closed_with_policy_code(anonymous)) << "close code " << anonymous.close_code();
  EXPECT_EQ(s.http().get("/api/runners").status, 401);
}

// A bad name or role fails at once, before the key is hashed. Shown with
// an address-space limit too small for Argon2id's 64 MiB but big enough
// for stratd itself: a good name then fails in the hashing, a bad one
// still gets its own message (it never got that far).
TEST(Auth, KeygenChecksNameAndRoleBeforeHashing) {
#if defined(STRATD_ASAN)
  GTEST_SKIP() << "AddressSanitizer's shadow memory does not fit under an address-space limit";
#endif
  auto keygen = [](const std::vector<std::string>& args, bool limited) {
    std::string cmd = std::string(limited ? "ulimit -v 57344; " : "") + STRATD_BIN_DIR + "/stratd keygen";
    for (const auto& a : args) cmd += " '" + a + "'";
    return run_command(cmd + " 2>&1");
  };
  const ProgramRun starved = keygen({"--name", "ok", "--role", "admin"}, true);
  ASSERT_EQ(starved.code, 1) << "the limit must stop the hashing, or this test shows nothing: " << starved.out;
  EXPECT_NE(starved.out.find("hashing the key failed"), std::string::npos) << starved.out;

  const ProgramRun bad_name = keygen({"--name", "bad name", "--role", "admin"}, true);
  EXPECT_EQ(bad_name.code, 2) << bad_name.out;
  EXPECT_NE(bad_name.out.find("stratd keygen: name 'bad name' must be 1-64 of A-Z a-z 0-9 - _"),
            std::string::npos)
      << bad_name.out;
  EXPECT_NE(bad_name.out.find("usage: stratd keygen"), std::string::npos) << bad_name.out;
  const ProgramRun bad_role = keygen({"--name", "ok", "--role", "root"}, true);
  EXPECT_EQ(bad_role.code, 2) << bad_role.out;
  EXPECT_NE(bad_role.out.find("stratd keygen: key 'ok': role must be viewer, operator or admin"), std::string::npos)
      << bad_role.out;
  const ProgramRun no_role = keygen({"--name", "ok"}, true);
  EXPECT_EQ(no_role.code, 2) << no_role.out;
  EXPECT_EQ(bad_name.out.find("hash = "), std::string::npos);  // no key, no entry

  // Without the limit a good one is made.
  const ProgramRun made = keygen({"--name", "ok", "--role", "viewer"}, false);
  EXPECT_EQ(made.code, 0) << made.out;
  EXPECT_NE(made.out.find("role = \"viewer\""), std::string::npos) << made.out;
}
