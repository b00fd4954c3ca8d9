// The judge of stratd's answers (tests/support/openapi_spec), over the real
// docs/openapi.json: answers the document gives pass, and each way an answer
// can differ from it fails.
#include "tests/support/openapi_spec.hpp"

#include <gtest/gtest.h>

using stratd::test::OpenApiSpec;
using stratd::test::SpecAnswer;
using nlohmann::json;

namespace {

const OpenApiSpec& spec() { return OpenApiSpec::installed(); }

SpecAnswer json_answer(int status, const json& body) {
  return SpecAnswer{status, {{"content-type", "application/json"}}, body.dump()};
}
json ok_envelope(json data) { return json{{"status", "ok"}, {"data", std::move(data)}, {"timestamp", 1766282234}}; }
json error_envelope(const std::string& code, json details = nullptr) {
  return json{{"status", "error"},
              {"error", {{"code", code}, {"message", "m"}, {"details", std::move(details)}}},
              {"timestamp", 1766282234}};
}
bool passes(const std::string& method, const std::string& target, const SpecAnswer& a) {
  auto why = spec().check(method, target, a);
  if (why) std::cerr << "  (" << method << " " << target << ": " << *why << ")\n";
  return !why;
}

json summary() {
  return json{{"runner_id", "r1"},   {"symbol", "BTCUSDT"},  {"strategy_path", "a.lua"}, {"state", "Idle"},
              {"has_position", false}, {"ticks_processed", 3}, {"uptime_secs", 1},        {"lifecycle", "Running"},
              {"health", "healthy"},   {"pid", 123},           {"restarts", 0}};
}

}  // namespace

TEST(OpenApiSpec, MatchesTargetsToPaths) {
  EXPECT_EQ(spec().match_path("/api/runners/r1/stop?x=1"), "/api/runners/{id}/stop");
  EXPECT_EQ(spec().match_path("/api/runners"), "/api/runners");
  EXPECT_EQ(spec().match_path("/api/runners/r1"), "/api/runners/{id}");
  EXPECT_EQ(spec().match_path("//health/"), "/health");
  EXPECT_EQ(spec().match_path("/api/runners/..%2F..%2Fetc"), "/api/runners/{id}");  // decoded after splitting
  EXPECT_EQ(spec().match_path("/api/openapi.json"), "/api/openapi.json");
  EXPECT_FALSE(spec().match_path("/api/nothing/here").has_value());
  EXPECT_FALSE(spec().match_path("/api/runners/r1/stop/now").has_value());
  EXPECT_EQ(spec().methods("/api/runners"), (std::vector<std::string>{"GET", "POST"}));
}

TEST(OpenApiSpec, AcceptsWhatTheDocumentGives) {
  EXPECT_TRUE(passes("GET", "/health", json_answer(200, ok_envelope({{"status", "ok"}, {"version", "0.1.0"}, {"uptime_secs", 5}}))));
  EXPECT_TRUE(passes("GET", "/api/runners", json_answer(200, ok_envelope(json::array({summary()})))));
  json no_snapshot = summary();
  no_snapshot["state"] = nullptr;
  no_snapshot["pid"] = nullptr;
  EXPECT_TRUE(passes("GET", "/api/runners", json_answer(200, ok_envelope(json::array({no_snapshot})))));
  EXPECT_TRUE(passes("GET", "/api/runners/x", json_answer(404, error_envelope("RUNNER_NOT_FOUND"))));
  EXPECT_TRUE(passes("POST", "/api/runners", json_answer(409, error_envelope("RUNNER_LIMIT"))));
  EXPECT_TRUE(passes("DELETE", "/api/runners/x", SpecAnswer{204, {}, ""}));
  EXPECT_TRUE(passes("GET", "/nothing", json_answer(404, error_envelope("NOT_FOUND"))));
  EXPECT_TRUE(passes("PUT", "/api/runners",
                     SpecAnswer{405, {{"content-type", "application/json"}, {"allow", "GET, POST"}},
                                error_envelope("METHOD_NOT_ALLOWED", {{"allow", "GET, POST"}}).dump()}));
  EXPECT_TRUE(passes("OPTIONS", "/api/runners/x", SpecAnswer{204, {{"allow", "DELETE, GET, OPTIONS"}}, ""}));
  // /ws is answered before routing, whatever the method.
  EXPECT_TRUE(passes("POST", "/ws", SpecAnswer{426, {{"content-type", "application/json"}, {"upgrade", "websocket"}},
                                               error_envelope("UPGRADE_REQUIRED").dump()}));
  EXPECT_TRUE(passes("GET", "/metrics", SpecAnswer{200, {{"content-type", "text/plain; version=0.0.4"}}, "up 1\n"}));
  EXPECT_FALSE(spec().check_malformed(json_answer(400, error_envelope("BAD_REQUEST"))).has_value());
}

TEST(OpenApiSpec, RefusesWhatItDoesNot) {
  // A status the operation does not document.
  auto why = spec().check("GET", "/health", json_answer(404, error_envelope("NOT_FOUND")));
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("not documented"), std::string::npos) << *why;
  // A code of another status, or of no operation here.
  EXPECT_FALSE(passes("POST", "/api/runners", json_answer(409, error_envelope("VALIDATION_ERROR"))));
  EXPECT_FALSE(passes("GET", "/api/runners/x", json_answer(404, error_envelope("NOT_FOUND"))));
  EXPECT_FALSE(passes("GET", "/nothing", json_answer(404, error_envelope("RUNNER_NOT_FOUND"))));
  // Not the envelope: a missing timestamp, an unknown field, a wrong type, an unknown enum value.
  json bad = ok_envelope(json::array({summary()}));
  bad.erase("timestamp");
  EXPECT_FALSE(passes("GET", "/api/runners", json_answer(200, bad)));
  json extra = summary();
  extra["surprise"] = 1;
  EXPECT_FALSE(passes("GET", "/api/runners", json_answer(200, ok_envelope(json::array({extra})))));
  json wrong = summary();
  wrong["restarts"] = "none";
  EXPECT_FALSE(passes("GET", "/api/runners", json_answer(200, ok_envelope(json::array({wrong})))));
  json state = summary();
  state["lifecycle"] = "Sleeping";
  EXPECT_FALSE(passes("GET", "/api/runners", json_answer(200, ok_envelope(json::array({state})))));
  // Content: not JSON, another type, a body where none is documented.
  EXPECT_FALSE(passes("GET", "/api/runners", SpecAnswer{200, {{"content-type", "application/json"}}, "not json"}));
  EXPECT_FALSE(passes("GET", "/api/runners", SpecAnswer{200, {{"content-type", "text/html"}}, "[]"}));
  EXPECT_FALSE(passes("GET", "/api/runners", SpecAnswer{200, {}, ok_envelope(json::array()).dump()}));
  EXPECT_FALSE(passes("DELETE", "/api/runners/x", SpecAnswer{204, {{"content-type", "application/json"}}, "{}"}));
  EXPECT_FALSE(passes("OPTIONS", "/api/runners", SpecAnswer{200, {{"allow", "GET, POST, OPTIONS"}}, ""}));
  // Allow must name the path's methods exactly.
  EXPECT_FALSE(passes("OPTIONS", "/api/runners", SpecAnswer{204, {{"allow", "GET, OPTIONS"}}, ""}));
  EXPECT_FALSE(passes("OPTIONS", "/api/runners", SpecAnswer{204, {}, ""}));
  EXPECT_FALSE(passes("PUT", "/api/runners",
                      SpecAnswer{405, {{"content-type", "application/json"}, {"allow", "GET, POST, DELETE"}},
                                 error_envelope("METHOD_NOT_ALLOWED", {{"allow", "GET, POST, DELETE"}}).dump()}));
  // A required header missing.
  EXPECT_FALSE(passes("GET", "/ws", json_answer(426, error_envelope("UPGRADE_REQUIRED"))));
  EXPECT_TRUE(spec().check_malformed(json_answer(400, error_envelope("INVALID_JSON"))).has_value());
}

TEST(OpenApiSpec, WebSocketMessagesAreComponents) {
  const auto& s = spec().schemas();
  const char* server = "#/components/schemas/WsServerMessage";
  const char* client = "#/components/schemas/WsClientMessage";
  EXPECT_FALSE(s.check_ref(json::parse(R"({"type":"pong","last_seq":4})"), server).has_value());
  EXPECT_FALSE(s.check_ref(json::parse(R"({"type":"lagged","dropped":3})"), server).has_value());
  EXPECT_FALSE(s.check_ref(json::parse(R"({"type":"error","error":{"code":"INVALID_JSON","message":"m"}})"), server)
                   .has_value());
  const json event = json::parse(R"({"type":"HealthChanged","runner_id":"r1","symbol":"BTCUSDT","seq":9,
      "timestamp":1766282234000,"publish_ns":1,"received_ns":2,"data":{"from":"down","to":"healthy"}})");
  EXPECT_FALSE(s.check_ref(event, server).has_value());
  EXPECT_FALSE(s.check_ref(json{{"type", "batch"}, {"events", json::array({event})}}, server).has_value());
  json bad_event = event;
  bad_event["data"]["to"] = "fine";
  EXPECT_TRUE(s.check_ref(bad_event, server).has_value());
  EXPECT_TRUE(s.check_ref(json{{"type", "batch"}, {"events", json::array()}}, server).has_value());
  EXPECT_TRUE(s.check_ref(json::parse(R"({"type":"hello"})"), server).has_value());

  EXPECT_FALSE(s.check_ref(json::parse(R"({"type":"subscribe","runners":["a"],"since":3})"), client).has_value());
  EXPECT_FALSE(s.check_ref(json::parse(R"({"type":"logs","runner":"a"})"), client).has_value());
  EXPECT_TRUE(s.check_ref(json::parse(R"({"type":"subscribe","runner":"a"})"), client).has_value());
  EXPECT_TRUE(s.check_ref(json::parse(R"({"type":"subscribe","batch_ms":10001})"), client).has_value());
}
