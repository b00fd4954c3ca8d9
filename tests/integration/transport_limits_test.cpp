// The transport's limits against a real stratd over real sockets: clients
// that trickle a request are cut off at their deadline while others are
// served, oversized targets, the connection caps, WebSocket clients that
// send too much or follow too many logs; and /metrics counts each.
#include <functional>

#include <gtest/gtest.h>

#include "tests/support/raw_connection.hpp"
#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// stratd_http_rejections_total{reason="..."}, from /metrics.
double rejections(const StratdProcess& s, const std::string& reason) {
  const auto r = s.http().get("/metrics");
  const std::string key = "stratd_http_rejections_total{reason=\"" + reason + "\"} ";
  const auto at = r.raw.find(key);
  return at == std::string::npos ? -1 : std::stod(r.raw.substr(at + key.size()));
}

// Sends `step` again and again (a trickling client) until stratd answers
// or closes; `meanwhile` runs once, while the connection is still open.
// True if stratd ended it within the deadline.
bool trickle_until_cut(RawConnection& c, const std::string& step, const std::function<void()>& meanwhile) {
  bool ran = false;
  return eventually(
      [&] {
        c.send(step);
        c.read_available();
        if (!ran && c.received().empty() && !c.closed()) {
          meanwhile();
          ran = true;
        }
        return c.closed();
      },
      20s, 50ms);
}

void expect_answer(const std::string& bytes, int status, const std::string& code, const std::string& method,
                   const std::string& target) {
  auto a = parse_raw_answer(bytes);
  ASSERT_TRUE(a) << bytes;
  EXPECT_EQ(a->answer.status, status) << bytes;
  EXPECT_EQ(a->body["error"]["code"], code) << bytes;
  EXPECT_EQ(a->answer.headers["connection"], "close") << bytes;
  if (auto why = OpenApiSpec::installed().check(method, target, a->answer)) ADD_FAILURE() << *why;
}

}  // namespace

TEST(TransportLimits, ATricklingHeadIsCutOffAtItsDeadlineWhileOthersAreServed) {
  StratdOptions o;
  o.extra_args = {"--header-timeout-ms", "1500"};
  StratdProcess s(o);
  RawConnection slow(s.http().port());
  ASSERT_TRUE(slow.send("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
  int served_meanwhile = 0;
  // A byte every 50 ms: never idle, and never done.
  ASSERT_TRUE(trickle_until_cut(slow, "a", [&] { served_meanwhile = s.http().get("/health").status; }))
      << "still open: " << slow.received();
  EXPECT_EQ(served_meanwhile, 200) << "another client was not served while one trickled";
  expect_answer(slow.received(), 408, "REQUEST_TIMEOUT", "GET", "/health");
  EXPECT_EQ(rejections(s, "header_timeout"), 1);
  EXPECT_EQ(s.http().get("/health").status, 200);
}

TEST(TransportLimits, ATricklingBodyGets408AndSilentConnectionsAreClosedWithoutAnAnswer) {
  StratdOptions o;
  o.extra_args = {"--header-timeout-ms", "1500", "--body-timeout-ms", "1500", "--idle-timeout-ms", "500"};
  StratdProcess s(o);
  RawConnection slow(s.http().port());
  ASSERT_TRUE(slow.send("POST /api/runners HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        "Content-Length: 1000\r\n\r\n{"));
  ASSERT_TRUE(trickle_until_cut(slow, " ", [] {})) << "still open: " << slow.received();
  expect_answer(slow.received(), 408, "REQUEST_TIMEOUT", "POST", "/api/runners");
  EXPECT_EQ(rejections(s, "body_timeout"), 1);

  // A new connection that never speaks: closed at the head's deadline, no answer.
  RawConnection mute(s.http().port());
  ASSERT_TRUE(eventually([&] {
    mute.read_available();
    return mute.closed();
  }, 20s));
  EXPECT_EQ(mute.received(), "");
  EXPECT_EQ(rejections(s, "header_timeout"), 1);

  // A kept-alive connection after its answer: closed when idle, no answer.
  RawConnection idle(s.http().port());
  ASSERT_TRUE(idle.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_TRUE(eventually([&] {
    idle.read_available();
    return idle.closed();
  }, 20s));
  auto answer = parse_raw_answer(idle.received());
  ASSERT_TRUE(answer) << idle.received();
  EXPECT_EQ(answer->answer.status, 200);
  EXPECT_EQ(idle.received().find("HTTP/1.1", 8), std::string::npos) << "a second answer: " << idle.received();
}

TEST(TransportLimits, AnOversizedTargetGets414) {
  StratdOptions o;
  o.extra_args = {"--max-url-bytes", "1024"};
  StratdProcess s(o);
  auto r = s.http().get("/api/runners?pad=" + std::string(1100, 'a'));
  EXPECT_EQ(r.status, 414) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], "URI_TOO_LONG");
  EXPECT_EQ(s.http().get("/api/runners?pad=" + std::string(900, 'a')).status, 200);
  EXPECT_EQ(rejections(s, "uri_too_long"), 1);
}

TEST(TransportLimits, ConnectionsArePerAddressAndInTotal) {
  // Any 127.x.y.z is this machine: the held connections come from .2, .3
  // and .4, and the test's own requests (/metrics) from .1.
  StratdOptions o;
  o.extra_args = {"--max-connections-per-ip", "2", "--max-connections", "4", "--header-timeout-ms", "60000"};
  StratdProcess s(o);
  const uint16_t port = s.http().port();
  auto refused = [&](RawConnection& c) {
    EXPECT_TRUE(eventually([&] {
      c.read_available();
      return c.closed();
    })) << "not closed";
    auto a = parse_raw_answer(c.received());
    if (!a) return false;
    if (auto why = OpenApiSpec::installed().check_refused_connection(a->answer)) ADD_FAILURE() << *why;
    return a->answer.status == 503 && a->body["error"]["code"] == "TOO_MANY_CONNECTIONS";
  };
  auto served = [&](const std::string& from) {
    RawConnection c(port, from);
    c.send("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    eventually([&] {
      c.read_available();
      return c.closed();
    });
    return c.received().rfind("HTTP/1.1 200", 0) == 0;
  };
  // Connections are accepted in the order they were made: two held from
  // one address, then a third from it is refused.
  auto a1 = std::make_unique<RawConnection>(port, "127.0.0.2");
  RawConnection a2(port, "127.0.0.2");
  RawConnection a3(port, "127.0.0.2");
  EXPECT_TRUE(refused(a3));
  EXPECT_EQ(rejections(s, "connections_per_address"), 1);
  // Another address has its own count, up to the total (4, the two held
  // from .2 and two from .3).
  RawConnection b1(port, "127.0.0.3");
  RawConnection b2(port, "127.0.0.3");
  RawConnection c1(port, "127.0.0.4");
  EXPECT_TRUE(refused(c1));
  // Once one closes, its place is free again.
  a1.reset();
  EXPECT_TRUE(eventually([&] { return served("127.0.0.4"); }));
  EXPECT_FALSE(b1.closed());
  EXPECT_GE(rejections(s, "connections_total"), 1);
}

TEST(TransportLimits, AWebSocketClientSendingTooFastIsToldThenClosed) {
  StratdOptions o;
  o.extra_args = {"--ws-client-messages-per-sec", "0.5", "--ws-client-messages-burst", "4"};
  StratdProcess s(o);
  WsClient ws("127.0.0.1", s.http().port());
  for (int i = 0; i < 12; ++i) {
    try {
      ws.send(R"({"type":"ping"})");
    } catch (const std::exception&) {
      break;  // closed under us: that is the point
    }
  }
  int pongs = 0;
  std::optional<json> refusal;
  while (auto m = ws.next(5s)) {
    if ((*m)["type"] == "pong") ++pongs;
    if ((*m)["type"] == "error" && !refusal) refusal = *m;
  }
  EXPECT_EQ(pongs, 4) << "the burst is answered";
  ASSERT_TRUE(refusal);
  EXPECT_EQ((*refusal)["error"]["code"], "RATE_LIMITED");
  EXPECT_TRUE(eventually([&] { return ws.closed(); }));
  EXPECT_EQ(ws.close_code(), 1008);
  EXPECT_GE(rejections(s, "ws_message_rate"), 4);
}

TEST(TransportLimits, AWebSocketClientFollowsAtMostSoManyLogs) {
  StratdOptions o;
  o.extra_args = {"--ws-max-log-follows", "2"};
  StratdProcess s(o);
  for (const char* id : {"f1", "f2", "f3"}) ASSERT_EQ(s.add_runner(id, "BTCUSDT", "hold_long.lua").status, 201);
  WsClient ws("127.0.0.1", s.http().port());
  auto reply_to = [&](const std::string& type, const std::string& runner) {
    ws.send(json{{"type", type}, {"runner", runner}}.dump());
    return ws.next_where([](const json& m) { return m["type"] != "log" && !m.contains("seq") && m["type"] != "batch"; });
  };
  EXPECT_EQ((*reply_to("logs", "f1"))["type"], "logs_subscribed");
  EXPECT_EQ((*reply_to("logs", "f2"))["type"], "logs_subscribed");
  EXPECT_EQ((*reply_to("logs", "f2"))["type"], "logs_subscribed") << "following again is no new follow";
  auto third = reply_to("logs", "f3");
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)["type"], "error");
  EXPECT_EQ((*third)["error"]["code"], "INVALID_MESSAGE");
  EXPECT_EQ((*reply_to("logs_unsubscribe", "f1"))["type"], "logs_unsubscribed");
  EXPECT_EQ((*reply_to("logs", "f3"))["type"], "logs_subscribed");
  EXPECT_FALSE(ws.closed());
  EXPECT_EQ(rejections(s, "ws_subscriptions"), 1);
}
