// What a page of another site, in a user's browser, can make stratd do:
// a cross-site WebSocket upgrade, a form's POST (CSRF), a DNS-rebound
// name (the Host check), against the real stratd.
#include <csignal>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/keyed_stratd.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;

TEST(BrowserRules, ACrossSiteWebSocketUpgradeIsRefused) {
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

TEST(BrowserRules, APageOfAnotherSiteChangesNothing) {
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

// DNS rebinding: a page of evil.example whose name is then made to resolve
// to 127.0.0.1 is same-origin with stratd for its browser, which sends
// `Host: evil.example:PORT` and, on a GET, no Origin.
TEST(BrowserRules, ARebindingPageIsRefusedByItsHost) {
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

TEST(BrowserRules, AllowedHostsAddNamesAndReloadLive) {
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

TEST(BrowserRules, OnANonLoopbackAddressAnyHostIsAnswered) {
  // Reached by names stratd cannot know; its keys protect it.
  KeyedStratd s({"--host", "0.0.0.0"});
  auto headers = bearer(keys().viewer.key);
  headers["Host"] = "stratd.example.com:" + std::to_string(s.stratd.http().port());
  EXPECT_EQ(s.stratd.http().request("GET", "/api/runners", "", headers).status, 200);
}
