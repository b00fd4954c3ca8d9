// What stratctl reads from stratd: the URL it is given, the envelope of an
// answer, /ws messages, and the overlap of a log page with its live tail.
#include <gtest/gtest.h>

#include "cli/api_client.hpp"
#include "cli/base_url.hpp"
#include "cli/event_line.hpp"
#include "cli/log_overlap.hpp"
#include "cli/ws_message.hpp"

using namespace stratd::cli;
using nlohmann::json;

TEST(StratctlUrl, ParsesHostPortAndPrefix) {
  auto a = parse_base_url("http://127.0.0.1:3000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 3000);
  EXPECT_EQ(a->prefix, "");
  auto b = parse_base_url("http://stratd.example/api-gw/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->port, 80);
  EXPECT_EQ(b->prefix, "/api-gw");
  auto c = parse_base_url("http://[::1]:8080");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->authority(), "[::1]:8080");
  EXPECT_FALSE(c->tls);
  auto d = parse_base_url("https://stratd.example");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->tls);
  EXPECT_EQ(d->port, 443);
  EXPECT_EQ(d->text(), "https://stratd.example:443");
  auto e = parse_base_url("https://127.0.0.1:3443/gw");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->port, 3443);
  EXPECT_EQ(e->prefix, "/gw");
  for (const char* bad : {"127.0.0.1:3000", "ws://h", "wss://h", "https://", "http://", "http://h:", "http://h:0",
                          "http://h:70000", "http://h:x", "http://u:p@h", "http://h/?q", "http://[::1"}) {
    auto r = parse_base_url(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().exit, ExitCode::Usage) << bad;
  }
}

TEST(StratctlEnvelope, DataErrorsAndStrangers) {
  auto ok = read_envelope(200, R"({"status":"ok","data":{"a":1},"timestamp":1})");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["a"], 1);
  EXPECT_TRUE(read_envelope(204, "")->is_null());

  auto err = read_envelope(404, R"({"status":"error","error":{"code":"RUNNER_NOT_FOUND","message":"Runner 'x' not found",)"
                                R"("details":null},"timestamp":1})");
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().exit, ExitCode::ServerError);
  EXPECT_EQ(err.error().code, "RUNNER_NOT_FOUND");
  EXPECT_EQ(err.error().message, "Runner 'x' not found");

  for (auto [status, body] : std::vector<std::pair<unsigned, std::string>>{
           {200, "<html>"}, {502, "Bad Gateway"}, {200, "[1]"}, {500, R"({"status":"error"})"},
           {404, R"({"status":"ok","data":1})"}}) {
    auto r = read_envelope(status, body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, "BAD_RESPONSE") << body;
    EXPECT_EQ(r.error().exit, ExitCode::ServerError);
  }
  EXPECT_EQ(url_encode("a b/é"), "a%20b%2F%C3%A9");
  EXPECT_EQ(runner_path("x y", "/stop"), "/api/runners/x%20y/stop");
}

TEST(StratctlWsMessage, EventsBatchesAndControl) {
  const std::string ev = R"({"type":"RunnerStopped","runner_id":"r","symbol":"BTCUSDT","seq":9,"timestamp":1764636000250,"data":{"reason":"asked to stop","code":0}})";
  auto one = classify_ws_message(ev);
  ASSERT_EQ(one.kind, WsMessage::Kind::Events);
  ASSERT_EQ(one.events.size(), 1u);
  auto batch = classify_ws_message(R"({"type":"batch","events":[)" + ev + "," + ev + "]}");
  ASSERT_EQ(batch.kind, WsMessage::Kind::Events);
  EXPECT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(classify_ws_message(R"({"type":"subscribed","last_seq":3})").kind, WsMessage::Kind::Subscribed);
  EXPECT_EQ(classify_ws_message(R"({"type":"lagged","dropped":3})").kind, WsMessage::Kind::Lagged);
  EXPECT_EQ(classify_ws_message(R"({"type":"error","error":{"code":"X"}})").kind, WsMessage::Kind::Error);
  EXPECT_EQ(classify_ws_message(R"({"type":"log","runner_id":"r","text":"t"})").kind, WsMessage::Kind::LogLine);
  EXPECT_EQ(classify_ws_message(R"({"type":"pong"})").kind, WsMessage::Kind::Other);
  EXPECT_EQ(classify_ws_message("not json").kind, WsMessage::Kind::Other);

  EXPECT_EQ(event_line(one.events[0], false),
            R"(2025-12-02T00:40:00.250Z #9 RunnerStopped r BTCUSDT code=0 reason="asked to stop")");
  const json tick = json::parse(R"({"type":"TickReceived","runner_id":"r","symbol":"S","seq":10,"timestamp":0,)"
                                R"("data":{"price":448.41651648309093,"state":"Idle","ok":true}})");
  EXPECT_EQ(event_line(tick, false), "1970-01-01T00:00:00.000Z #10 TickReceived r S ok=true price=448.4165165 state=Idle");
  EXPECT_NE(event_line(tick, true).find("\x1b[2mTickReceived\x1b[0m"), std::string::npos);
}

TEST(StratctlLogOverlap, DropsTheLinesBothHaveAndNothingElse) {
  const std::vector<LogLine> page = {{"a", 1}, {"b", 2}, {"raw print", std::nullopt}, {"c", 3}};
  {
    // Subscribed before "b" was written: b, the raw print and c came twice.
    LogOverlap o(page);
    EXPECT_TRUE(o.repeat({"b", 2}));
    EXPECT_TRUE(o.repeat({"raw print", std::nullopt}));
    EXPECT_TRUE(o.repeat({"c", 3}));
    EXPECT_FALSE(o.repeat({"d", 4}));
    EXPECT_FALSE(o.repeat({"a", 1}));  // after the overlap, even a look-alike is new
  }
  {
    // Nothing written in between: the first live line is new.
    LogOverlap o(page);
    EXPECT_FALSE(o.repeat({"d", 4}));
    EXPECT_FALSE(o.repeat({"c", 3}));
  }
  {
    // An unstamped first line cannot be placed: shown.
    LogOverlap o(page);
    EXPECT_FALSE(o.repeat({"raw print", std::nullopt}));
  }
  {
    // The overlap breaks off: the rest is shown.
    LogOverlap o(page);
    EXPECT_TRUE(o.repeat({"b", 2}));
    EXPECT_FALSE(o.repeat({"other", std::nullopt}));
    EXPECT_FALSE(o.repeat({"c", 3}));
  }
}
