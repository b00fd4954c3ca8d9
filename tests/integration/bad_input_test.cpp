// Bad input gets the seed's error envelope with a stable code, and changes nothing.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using nlohmann::json;

namespace {

void expect_error(const HttpResult& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.raw;
  EXPECT_EQ(r.body["status"], "error") << r.raw;
  EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
  EXPECT_TRUE(r.body["error"]["message"].is_string()) << r.raw;
  EXPECT_TRUE(r.body["error"].contains("details")) << r.raw;
  EXPECT_TRUE(r.body["timestamp"].is_number_integer()) << r.raw;
}

std::string add_body(const std::string& id, const std::string& symbol, const std::string& path) {
  return json{{"runner_id", id}, {"symbol", symbol}, {"strategy_path", path}}.dump();
}

}  // namespace

TEST(BadInput, RunnerDefinitionsAreChecked) {
  // A strategies dir with a symlink pointing outside it.
  const std::string dir = "/tmp/stratd-test-strategies-" + std::to_string(getpid());
  const std::string outside = "/tmp/stratd-test-outside-" + std::to_string(getpid()) + ".lua";
  std::filesystem::create_directories(dir + "/sub");
  std::filesystem::copy_file(std::string(STRATD_FIXTURES_DIR) + "/hold_long.lua", dir + "/ok.lua");
  std::filesystem::copy_file(std::string(STRATD_FIXTURES_DIR) + "/bad_syntax.lua", dir + "/bad_syntax.lua");
  std::ofstream(outside) << "function detect_opportunity() end";
  std::filesystem::create_symlink(outside, dir + "/link.lua");
  StratdOptions opts;
  opts.strategies_dir = dir;
  StratdProcess s(opts);
  const auto& http = s.http();

  ASSERT_EQ(http.post("/api/runners", add_body("good", "BTCUSDT", "ok.lua")).status, 201);

  expect_error(http.post("/api/runners", "{not json"), 400, "INVALID_JSON");
  expect_error(http.post("/api/runners", "[1,2]"), 400, "VALIDATION_ERROR");
  auto missing = http.post("/api/runners", R"({"runner_id":"x"})");
  expect_error(missing, 400, "VALIDATION_ERROR");
  EXPECT_EQ(missing.body["error"]["details"]["fields"]["symbol"], "is required");
  EXPECT_EQ(missing.body["error"]["details"]["fields"]["strategy_path"], "is required");
  expect_error(http.post("/api/runners", add_body("bad id!", "BTCUSDT", "ok.lua")), 400, "VALIDATION_ERROR");
  expect_error(http.post("/api/runners", add_body(std::string(65, 'a'), "BTCUSDT", "ok.lua")), 400,
               "VALIDATION_ERROR");
  expect_error(http.post("/api/runners", add_body("x", "btcusdt", "ok.lua")), 400, "VALIDATION_ERROR");
  expect_error(http.post("/api/runners", add_body("x", "BTC-USDT", "ok.lua")), 400, "VALIDATION_ERROR");
  expect_error(http.post("/api/runners", R"({"runner_id":"x","symbol":"BTCUSDT","strategy_path":"ok.lua","window_size":0})"),
               400, "VALIDATION_ERROR");
  expect_error(http.post("/api/runners", R"({"runner_id":"x","symbol":"BTCUSDT","strategy_path":"ok.lua","extra":1})"),
               400, "VALIDATION_ERROR");
  expect_error(http.post("/api/runners", R"({"runner_id":7,"symbol":"BTCUSDT","strategy_path":"ok.lua"})"), 400,
               "VALIDATION_ERROR");

  for (const char* path : {"../outside.lua", "/etc/passwd", "sub/../../x.lua", "link.lua", "sub"}) {
    auto r = http.post("/api/runners", add_body("x", "BTCUSDT", path));
    expect_error(r, 400, "INVALID_STRATEGY_PATH");
    EXPECT_EQ(r.raw.find(dir), std::string::npos) << "leaks the server's path: " << r.raw;
  }
  expect_error(http.post("/api/runners", add_body("x", "BTCUSDT", "nope.lua")), 404, "STRATEGY_NOT_FOUND");
  auto invalid = http.post("/api/runners", add_body("x", "BTCUSDT", "bad_syntax.lua"));
  expect_error(invalid, 422, "STRATEGY_INVALID");
  EXPECT_NE(invalid.body["error"]["message"].get<std::string>().find("bad_syntax.lua:"), std::string::npos);
  expect_error(http.get("/api/runners/x"), 404, "RUNNER_NOT_FOUND");  // no runner was created

  expect_error(http.post("/api/runners", add_body("good", "ETHBTC", "ok.lua")), 409, "RUNNER_EXISTS");

  // Nothing above changed anything.
  auto list = http.get("/api/runners").body["data"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["symbol"], "BTCUSDT");
  std::filesystem::remove(outside);
  std::filesystem::remove_all(dir);
}

TEST(BadInput, RoutesMethodsAndSizes) {
  StratdProcess s;
  const auto& http = s.http();
  expect_error(http.get("/api/runners/nobody"), 404, "RUNNER_NOT_FOUND");
  expect_error(http.get("/api/runners/nobody/snapshot"), 404, "RUNNER_NOT_FOUND");
  expect_error(http.get("/api/runners/nobody/history"), 404, "RUNNER_NOT_FOUND");
  expect_error(http.del("/api/runners/nobody"), 404, "RUNNER_NOT_FOUND");
  expect_error(http.post("/api/runners/nobody/stop"), 404, "RUNNER_NOT_FOUND");
  expect_error(http.get("/api/runners/..%2F..%2Fetc"), 404, "RUNNER_NOT_FOUND");
  expect_error(http.get("/api/nothing/here"), 404, "NOT_FOUND");
  auto wrong = http.request("PUT", "/api/runners", "{}");
  expect_error(wrong, 405, "METHOD_NOT_ALLOWED");
  EXPECT_EQ(wrong.allow, "GET, POST");
  expect_error(http.request("PATCH", "/health", ""), 405, "METHOD_NOT_ALLOWED");

  const std::string big(70 * 1024, 'x');
  expect_error(http.post("/api/runners", "{\"runner_id\":\"" + big + "\"}"), 413, "PAYLOAD_TOO_LARGE");
  auto garbage = http.raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.status, 400);
  auto huge_header = http.raw("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge_header.status, 431);

  ASSERT_EQ(s.add_runner("r1", "BTCUSDT", "hold_long.lua").status, 201);
  expect_error(http.get("/api/runners/r1/history?count=0"), 400, "VALIDATION_ERROR");
  expect_error(http.get("/api/runners/r1/history?count=abc"), 400, "VALIDATION_ERROR");
  expect_error(http.get("/api/runners/r1/history?count=-5"), 400, "VALIDATION_ERROR");
  // After all of it the server still answers.
  EXPECT_EQ(http.get("/health").status, 200);
  EXPECT_EQ(http.get("/api/runners").body["data"].size(), 1u);
}

TEST(Api, CorsHeadersForBrowsersAndPreflights) {
  StratdProcess s;  // on loopback, with no [cors] list: loopback origins only
  auto request = [&](const std::string& method, const std::string& origin, const std::string& extra = "") {
    return s.http().raw(method + " /api/runners HTTP/1.1\r\nHost: localhost\r\nOrigin: " + origin + "\r\n" + extra +
                        "Connection: close\r\n\r\n");
  };
  // A simple request gets the origin header only.
  auto get = request("GET", "http://localhost:5173");
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.headers["access-control-allow-origin"], "http://localhost:5173");
  EXPECT_EQ(get.headers["vary"], "Origin");
  EXPECT_FALSE(get.headers.count("access-control-allow-methods"));
  // A preflight gets what a browser asks it for.
  auto pre = request("OPTIONS", "http://127.0.0.1:8080", "Access-Control-Request-Method: POST\r\n");
  EXPECT_TRUE(pre.status == 200 || pre.status == 204) << pre.status;
  EXPECT_EQ(pre.headers["access-control-allow-origin"], "http://127.0.0.1:8080");
  EXPECT_NE(pre.headers["access-control-allow-methods"].find("POST"), std::string::npos);
  EXPECT_NE(pre.headers["access-control-allow-headers"].find("Content-Type"), std::string::npos);
  EXPECT_NE(pre.headers["access-control-allow-headers"].find("Authorization"), std::string::npos);
  // Another site is not allowed to read the answers.
  auto other = request("GET", "http://dash.example");
  EXPECT_EQ(other.status, 200);
  EXPECT_FALSE(other.headers.count("access-control-allow-origin"));
  auto other_pre = request("OPTIONS", "http://dash.example", "Access-Control-Request-Method: POST\r\n");
  EXPECT_FALSE(other_pre.headers.count("access-control-allow-origin"));
}

TEST(Api, CorsAllowListFromTheConfiguration) {
  StratdOptions o;
  o.extra_args = {"--cors-origins", "https://dash.example.com"};
  StratdProcess s(o);
  auto request = [&](const std::string& method, const std::string& origin, const std::string& extra = "") {
    return s.http().raw(method + " /api/runners HTTP/1.1\r\nHost: localhost\r\nOrigin: " + origin + "\r\n" + extra +
                        "Connection: close\r\n\r\n");
  };
  auto pre = request("OPTIONS", "https://dash.example.com", "Access-Control-Request-Method: DELETE\r\n");
  EXPECT_EQ(pre.headers["access-control-allow-origin"], "https://dash.example.com");
  EXPECT_EQ(pre.headers["access-control-max-age"], "3600");
  // With a list, loopback origins are not allowed by default any more.
  EXPECT_FALSE(request("GET", "http://localhost:5173").headers.count("access-control-allow-origin"));
  EXPECT_FALSE(request("GET", "https://evil.example").headers.count("access-control-allow-origin"));
}
