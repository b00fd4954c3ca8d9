// API keys, roles and the limits that protect stratd, against the real
// stratd with keys from the real `stratd keygen`: every role on every
// route, wrong and absent keys, the WebSocket's two ways of sending one,
// cross-site upgrades, brute force and rate limits.
#include <csignal>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/openapi_spec.hpp"
#include "tests/support/raw_connection.hpp"
#include "tests/support/stratd_command.hpp"
#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;

namespace {

// One key per role, made once for the whole test program (Argon2 is slow
// on purpose).
struct Keys {
  GeneratedKey admin = generate_key("ops", "admin");
  GeneratedKey operator_ = generate_key("oncall", "operator");
  GeneratedKey viewer = generate_key("dash", "viewer");
  std::string toml() const { return admin.entry + "\n" + operator_.entry + "\n" + viewer.entry; }
};
const Keys& keys() {
  static const Keys k;
  return k;
}

std::map<std::string, std::string> bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

std::string error_code(const HttpResult& r) { return r.body.is_object() ? r.body["error"].value("code", "") : ""; }

// A stratd with the three keys in its configuration file.
struct KeyedStratd {
  TempFile config;
  StratdProcess stratd;
  explicit KeyedStratd(std::vector<std::string> args = {}, const std::string& extra_toml = "")
      : config(keys().toml() + "\n" + extra_toml), stratd([&] {
          StratdOptions o;
          o.extra_args = {"--config", config.path};
          o.extra_args.insert(o.extra_args.end(), args.begin(), args.end());
          return o;
        }()) {}
  HttpResult as(const std::string& key, const std::string& method, const std::string& target,
                const std::string& body = "") const {
    return stratd.http().request(method, target, body, key.empty() ? std::map<std::string, std::string>{} : bearer(key));
  }
};

std::string runner_body(const std::string& id) {
  return json{{"runner_id", id}, {"symbol", "BTCUSDT"}, {"strategy_path", "hold_long.lua"}}.dump();
}

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

TEST(Auth, ACrossSiteWebSocketUpgradeIsRefused) {
  StratdProcess s;  // loopback, no keys, no [cors] list
  const auto& http = s.http();
  auto upgrade_from = [&](const std::string& origin) {
    return http.raw(
        "GET /ws HTTP/1.1\r\nHost: " + http.host() + ":" + std::to_string(http.port()) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nOrigin: " +
        origin + "\r\n\r\n");
  };
  const HttpResult evil = upgrade_from("https://evil.example");
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(error_code(evil), "ORIGIN_NOT_ALLOWED");
  // A dashboard on loopback, and a page of stratd's own origin, may.
  EXPECT_EQ(upgrade_from("http://localhost:5173").status, 101);
  EXPECT_EQ(upgrade_from("http://" + http.host() + ":" + std::to_string(http.port())).status, 101);
  // A program sends no Origin: not a browser, nothing to hijack.
  WsClient program(http.host(), http.port());
  program.send(R"({"type":"ping"})");
  EXPECT_TRUE(program.next_where([](const json& m) { return m.value("type", "") == "pong"; }));
  auto metrics = http.get("/metrics");
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"origin_not_allowed\"} 1"), std::string::npos);
}

// DNS rebinding: a page of evil.example whose name is then made to resolve
// to 127.0.0.1 is same-origin with stratd for its browser, which sends
// `Host: evil.example:PORT` and, on a GET, no Origin.
TEST(Auth, ARebindingPageIsRefusedByItsHost) {
  StratdProcess s;  // keyless on loopback, no [server] allowed_hosts
  const auto& http = s.http();
  const std::string port = ":" + std::to_string(http.port());
  auto get_as = [&](const std::string& host, const std::string& target = "/api/runners",
                    std::map<std::string, std::string> headers = {}) {
    headers["Host"] = host;
    return http.request("GET", target, "", headers);
  };
  const HttpResult evil = get_as("evil.example" + port, "/api/runners", {{"Origin", "http://evil.example" + port}});
  EXPECT_EQ(evil.status, 421);
  EXPECT_EQ(error_code(evil), "HOST_NOT_ALLOWED");
  // Not even the error is for the page to read.
  EXPECT_FALSE(evil.headers.count("access-control-allow-origin"));
  EXPECT_EQ(get_as("evil.example" + port, "/health").status, 421);
  const HttpResult post = http.request("POST", "/api/runners", runner_body("rebound"), {{"Host", "evil.example"}});
  EXPECT_EQ(post.status, 421);
  EXPECT_EQ(http.get("/api/runners").body["data"].size(), 0u);
  // stratd's own names, any port, any case.
  const std::vector<std::string> own = {"localhost" + port, "LocalHost" + port, "localhost",
                                        "127.0.0.1" + port, "[::1]" + port,     "dash.localhost" + port};
  for (const auto& ok : own) {
    EXPECT_EQ(get_as(ok).status, 200) << ok;
  }

  // The same for a WebSocket upgrade, before any Origin check.
  auto upgrade_as = [&](const std::string& host) {
    return http.raw("GET /ws HTTP/1.1\r\nHost: " + host +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n");
  };
  const HttpResult ws = upgrade_as("evil.example" + port);
  EXPECT_EQ(ws.status, 421);
  EXPECT_EQ(error_code(ws), "HOST_NOT_ALLOWED");
  EXPECT_EQ(upgrade_as("localhost" + port).status, 101);

  const auto metrics = http.get("/metrics");
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"host\"} 4\n"), std::string::npos) << metrics.raw;
}

TEST(Auth, AllowedHostsAddNamesAndReloadLive) {
  TempFile config("[server]\nallowed_hosts = [\"stratd.lan\", \"dash.example:8443\"]\n");
  StratdOptions o;
  o.extra_args = {"--config", config.path};
  StratdProcess s(o);
  const std::string port = ":" + std::to_string(s.http().port());
  auto status_as = [&](const std::string& host) {
    return s.http().request("GET", "/api/runners", "", {{"Host", host}}).status;
  };
  EXPECT_EQ(status_as("stratd.lan" + port), 200);
  EXPECT_EQ(status_as("STRATD.LAN"), 200);
  EXPECT_EQ(status_as("dash.example:8443"), 200);  // listed with a port: that port only
  EXPECT_EQ(status_as("dash.example" + port), 421);
  EXPECT_EQ(status_as("evil.example" + port), 421);
  EXPECT_EQ(status_as("localhost" + port), 200);  // the local names stay
  config.write("[server]\nallowed_hosts = [\"dash.lan\"]\n");
  ASSERT_EQ(kill(s.pid(), SIGHUP), 0);
  EXPECT_TRUE(eventually([&] { return status_as("dash.lan" + port) == 200; }));
  EXPECT_EQ(status_as("stratd.lan" + port), 421);
}

TEST(Auth, OnANonLoopbackAddressAnyHostIsAnswered) {
  // Reached by names stratd cannot know; its keys protect it.
  KeyedStratd s({"--host", "0.0.0.0"});
  auto headers = bearer(keys().viewer.key);
  headers["Host"] = "stratd.example.com:" + std::to_string(s.stratd.http().port());
  EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", headers).status, 200);
}

TEST(Limits, BruteForceHitsItsLimitAndLocksTheAddressOut) {
  KeyedStratd s({"--auth-failure-burst", "3", "--auth-failures-per-min", "1", "--auth-metrics", "public"});
  const std::string forged = "stratd.ops." + std::string(43, 'B');
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.as(forged, "GET", "/api/runners").status, 401) << i;
  const HttpResult locked = s.as(forged, "GET", "/api/runners");
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(error_code(locked), "RATE_LIMITED");
  EXPECT_EQ(locked.body["error"]["details"]["limit"], "auth_failures");
  ASSERT_TRUE(locked.headers.count("retry-after"));
  EXPECT_GE(std::stoi(locked.headers.at("retry-after")), 1);
  // While locked out, even a good key from that address is not tried.
  EXPECT_EQ(s.as(keys().admin.key, "GET", "/api/runners").status, 429);
  // Without a key nothing is verified, so nothing is locked: public routes answer.
  EXPECT_EQ(s.stratd.http().get("/health").status, 200);
  auto metrics = s.stratd.http().get("/metrics");
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"bad_key\"} 3"), std::string::npos) << metrics.raw;
  EXPECT_NE(metrics.raw.find("stratd_http_rejections_total{reason=\"auth_failure_rate_limited\"} 2"), std::string::npos);
}

TEST(Limits, EachClientHasItsOwnBucketsWithRetryAfter) {
  // Loopback is exempt by default; not here.
  KeyedStratd s({"--limits-exempt", "", "--requests-per-sec", "0.01", "--request-burst", "6", "--mutations-per-sec",
                 "0.01", "--mutation-burst", "2"});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(s.as(keys().viewer.key, "GET", "/api/runners").status, 200) << i;
  HttpResult limited = s.as(keys().viewer.key, "GET", "/api/runners");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body["error"]["details"]["limit"], "requests");
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 1);
  // Another key is another client.
  EXPECT_EQ(s.as(keys().operator_.key, "GET", "/api/runners").status, 200);
  // Changing requests have a stricter bucket of their own.
  EXPECT_EQ(s.as(keys().operator_.key, "POST", "/api/runners/none/stop").status, 404);
  EXPECT_EQ(s.as(keys().operator_.key, "POST", "/api/runners/none/stop").status, 404);
  const HttpResult mutation = s.as(keys().operator_.key, "POST", "/api/runners/none/stop");
  EXPECT_EQ(mutation.status, 429);
  EXPECT_EQ(mutation.body["error"]["details"]["limit"], "mutations");
  // A refused mutation cost no general token: reads still answer.
  EXPECT_EQ(s.as(keys().operator_.key, "GET", "/api/runners").status, 200);
  // Clients without a key are their address.
  EXPECT_EQ(s.stratd.http().get("/health").status, 200);
}

TEST(Auth, ANonLoopbackAddressWithoutKeysIsRefusedUnlessInsecure) {
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

TEST(Auth, APageOfAnotherSiteChangesNothing) {
  StratdProcess s;  // keyless on loopback: what a browser's page could reach
  const std::string body = runner_body("csrf");
  auto post_from = [&](const std::string& origin) {
    return s.http().raw("POST /api/runners HTTP/1.1\r\nHost: localhost\r\nOrigin: " + origin +
                        "\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body);
  };
  const HttpResult evil = post_from("https://evil.example");
  EXPECT_EQ(evil.status, 403);
  EXPECT_EQ(error_code(evil), "ORIGIN_NOT_ALLOWED");
  EXPECT_EQ(s.http().get("/api/runners").body["data"].size(), 0u);
  EXPECT_EQ(post_from("http://localhost:5173").status, 201);
}

TEST(Auth, AReloadThatWouldOpenANonLoopbackStratdIsRefused) {
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

TEST(Limits, CredentialsThatAreNotAKeyCountAgainstTheAddressToo) {
  KeyedStratd s({"--auth-failure-burst", "3", "--auth-failures-per-min", "1"});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", {{"Authorization", "Basic eDp5"}}).status, 401);
  }
  EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", {{"Authorization", "Basic eDp5"}}).status, 429);
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
