// /ws against the real stratd: subscriptions, protocol errors, resume,
// coalescing, batching, slow clients, many clients, shutdown.
#include <sys/resource.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <set>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Endpoint {
  std::string host;
  uint16_t port;
};

Endpoint endpoint(const StratdProcess& s) {
  std::ifstream in(s.state_dir() + "/http.url");
  std::string url;
  std::getline(in, url);
  const auto colon = url.rfind(':');
  return {url.substr(7, colon - 7), uint16_t(std::stoi(url.substr(colon + 1)))};
}

std::unique_ptr<WsClient> connect(const StratdProcess& s, int rcvbuf = 0) {
  auto ep = endpoint(s);
  return std::make_unique<WsClient>(ep.host, ep.port, rcvbuf);
}

bool is_event(const json& m) { return m.contains("seq") && m.contains("runner_id"); }

StratdOptions with_config(const std::string& toml) {
  static int n = 0;
  const std::string path = "/tmp/stratd-ws-test-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".toml";
  std::ofstream(path) << toml;
  StratdOptions o;
  o.extra_args = {"--config", path};
  return o;
}

}  // namespace

TEST(WebSocket, WithoutAMessageAClientGetsEverything) {
  StratdProcess s;
  auto c = connect(s);
  ASSERT_EQ(s.add_runner("everything", "BTCUSDT", "hold_long.lua").status, 201);
  std::set<std::string> types;
  uint64_t last = 0;
  for (int i = 0; i < 40; ++i) {
    auto m = c->next();
    ASSERT_TRUE(m) << "no message " << i;
    ASSERT_TRUE(is_event(*m)) << m->dump();
    for (const char* key : {"type", "runner_id", "symbol", "seq", "timestamp", "data"}) ASSERT_TRUE(m->contains(key)) << key;
    EXPECT_GT((*m)["seq"].get<uint64_t>(), last);
    last = (*m)["seq"];
    EXPECT_EQ((*m)["runner_id"], "everything");
    types.insert((*m)["type"]);
  }
  EXPECT_TRUE(types.count("RunnerStarted"));
  EXPECT_TRUE(types.count("TickReceived"));
  EXPECT_TRUE(types.count("StateTransition"));
  EXPECT_TRUE(types.count("PositionOpened"));
}

TEST(WebSocket, SubscriptionsNarrowAndUnsubscribeNarrowsFurther) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("fa", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_EQ(s.add_runner("fb", "ETHUSDT", "error_every_call.lua").status, 201);
  auto c = connect(s);
  c->send(R"({"type":"subscribe","runners":["fb"],"event_types":["TickReceived","StrategyError"]})");
  auto ack = c->next_where([](const json& m) { return m["type"] == "subscribed"; });
  ASSERT_TRUE(ack);
  EXPECT_EQ((*ack)["runners"], json::array({"fb"}));
  std::set<std::string> types;
  for (int i = 0; i < 30; ++i) {
    auto m = c->next();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["runner_id"], "fb") << m->dump();
    types.insert((*m)["type"]);
  }
  EXPECT_EQ(types, (std::set<std::string>{"TickReceived", "StrategyError"}));

  c->send(R"({"type":"unsubscribe","event_types":["TickReceived"]})");
  auto unsub = c->next_where([](const json& m) { return m["type"] == "unsubscribed"; });
  ASSERT_TRUE(unsub);
  // The acknowledgement says what is selected now.
  EXPECT_EQ((*unsub)["runners"], json::array({"fb"}));
  EXPECT_EQ((*unsub)["event_types"], json::array({"StrategyError"}));
  EXPECT_TRUE((*unsub)["symbols"].is_null());
  for (int i = 0; i < 10; ++i) {
    auto m = c->next();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["type"], "StrategyError") << m->dump();
  }

  // By symbol.
  auto d = connect(s);
  d->send(R"({"type":"subscribe","symbols":["BTCUSDT"]})");
  ASSERT_TRUE(d->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  for (int i = 0; i < 10; ++i) {
    auto m = d->next();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["symbol"], "BTCUSDT");
  }
}

TEST(WebSocket, InvalidMessagesGetErrorsAndTheConnectionStays) {
  StratdProcess s;
  auto c = connect(s);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "INVALID_JSON"},
      {"[1,2,3]", "INVALID_MESSAGE"},
      {R"({"no":"type"})", "INVALID_MESSAGE"},
      {R"({"type":"launch_rockets"})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","runners":"all"})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","runners":[1]})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","symbols":["btc"]})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","event_types":["Nope"]})", "UNKNOWN_EVENT_TYPE"},
      {R"({"type":"subscribe","since":-1})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","tick_interval_ms":"fast"})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","extra":true})", "INVALID_MESSAGE"},
      {R"({"type":"subscribe","since":999999999})", "SINCE_AHEAD"},
  };
  for (const auto& [text, code] : cases) {
    c->send(text);
    auto m = c->next_where([](const json& m) { return m["type"] == "error"; });
    ASSERT_TRUE(m) << text;
    EXPECT_EQ((*m)["error"]["code"], code) << text;
    EXPECT_TRUE((*m)["error"]["message"].is_string());
  }
  c->send(R"({"type":"ping"})");
  auto pong = c->next_where([](const json& m) { return m["type"] == "pong"; });
  ASSERT_TRUE(pong);
  EXPECT_FALSE(c->closed());
  // The failed subscriptions changed nothing: everything still arrives.
  ASSERT_EQ(s.add_runner("after", "BTCUSDT", "hold_long.lua").status, 201);
  EXPECT_TRUE(c->next_where([](const json& m) { return m["type"] == "TickReceived"; }));
}

TEST(WebSocket, ResumeWithSinceMatchesAClientThatStayedConnected) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("res", "BTCUSDT", "error_every_call.lua").status, 201);
  const std::string sub = R"({"type":"subscribe","runners":["res"],"event_types":["StrategyError","TickReceived"]})";
  auto steady = connect(s);
  steady->send(sub);
  ASSERT_TRUE(steady->next_where([](const json& m) { return m["type"] == "subscribed"; }));

  auto flaky = connect(s);
  flaky->send(sub);
  ASSERT_TRUE(flaky->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  std::vector<uint64_t> got;
  for (int i = 0; i < 20; ++i) got.push_back(flaky->next().value()["seq"]);
  flaky->close();
  flaky.reset();

  // Events keep coming while it is away.
  const uint64_t away_from = got.back();
  std::vector<uint64_t> reference;
  for (;;) {
    auto m = steady->next();
    ASSERT_TRUE(m);
    const uint64_t seq = (*m)["seq"];
    if (seq > away_from) reference.push_back(seq);
    if (reference.size() >= 60) break;
  }

  auto back = connect(s);
  back->send(R"({"type":"subscribe","runners":["res"],"event_types":["StrategyError","TickReceived"],"since":)" +
             std::to_string(away_from) + "}");
  auto ack = back->next_where([](const json& m) { return m["type"] == "subscribed"; });
  ASSERT_TRUE(ack);
  EXPECT_EQ((*ack)["since"], away_from);
  std::vector<uint64_t> resumed;
  while (resumed.size() < reference.size()) {
    auto m = back->next();
    ASSERT_TRUE(m);
    resumed.push_back((*m)["seq"]);
  }
  // The same events, in the same order: nothing missed, nothing twice.
  EXPECT_EQ(resumed, reference);
  // And the same live events after the replay.
  std::vector<uint64_t> live_back, live_steady;
  for (int i = 0; i < 40; ++i) live_back.push_back(back->next().value()["seq"]);
  while (live_steady.size() < live_back.size()) live_steady.push_back(steady->next().value()["seq"]);
  EXPECT_EQ(live_back, live_steady);
}

TEST(WebSocket, AResumeFurtherBackThanTheQueueLimitIsReplayedWhole) {
  // The queue limit bounds what piles up while a client is connected; a
  // replay the client asked for runs at its own pace instead.
  StratdProcess s(with_config("[websocket]\nqueue_limit = 16\n"));
  ASSERT_EQ(s.add_runner("far", "BTCUSDT", "error_every_call.lua").status, 201);
  ASSERT_TRUE(eventually([&] {
    return s.http().get("/api/events?runner=far&type=StrategyError&limit=1000").body["data"]["events"].size() >= 100;
  }));
  // Quiet from here on: only the replay counts.
  ASSERT_EQ(s.http().post("/api/runners/far/stop").status, 200);
  ASSERT_TRUE(eventually([&] { return s.runner("far")["lifecycle"] == "Stopped"; }));
  const auto journal = s.http().get("/api/events?since=0&runner=far&type=StrategyError&limit=1000").body["data"];
  std::vector<uint64_t> expected;
  for (const auto& e : journal["events"]) expected.push_back(e["seq"]);
  ASSERT_GE(expected.size(), 100u);

  auto c = connect(s);
  c->send(R"({"type":"subscribe","runners":["far"],"event_types":["StrategyError"],"since":0})");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  std::vector<uint64_t> got;
  while (got.size() < expected.size()) {
    auto m = c->next();
    ASSERT_TRUE(m) << "closed: " << c->close_code() << " after " << got.size();
    ASSERT_EQ((*m)["type"], "StrategyError") << m->dump();
    got.push_back((*m)["seq"]);
  }
  EXPECT_EQ(got, expected);
  EXPECT_FALSE(c->closed());
}

TEST(WebSocket, ASubscribeWithSinceRepeatsNothingAlreadyDelivered) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("rep", "BTCUSDT", "error_every_call.lua").status, 201);
  ASSERT_TRUE(eventually([&] {
    return s.http().get("/api/events?runner=rep&type=StrategyError").body["data"]["events"].size() >= 30;
  }));
  const uint64_t before = s.http().get("/api/events?runner=rep&type=StrategyError&limit=20").body["data"]["events"][0]["seq"];

  auto c = connect(s);
  const std::string selection = R"("runners":["rep"],"event_types":["StrategyError"])";
  c->send(R"({"type":"subscribe",)" + selection + "}");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  std::vector<uint64_t> got;
  for (int i = 0; i < 15; ++i) got.push_back(c->next().value()["seq"]);
  // Now ask for everything since before this connection: only what it has
  // not delivered yet comes again.
  c->send(R"({"type":"subscribe",)" + selection + R"(,"since":)" + std::to_string(before) + "}");
  for (;;) {
    auto m = c->next();
    ASSERT_TRUE(m);
    if ((*m)["type"] == "subscribed") break;
    got.push_back((*m)["seq"]);
  }
  for (int i = 0; i < 40; ++i) got.push_back(c->next().value()["seq"]);
  std::set<uint64_t> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), got.size()) << "an event came twice";
  const auto journal = s.http().get("/api/events?since=" + std::to_string(before) +
                                    "&runner=rep&type=StrategyError&limit=1000").body["data"]["events"];
  std::set<uint64_t> expected;
  for (const auto& e : journal) {
    if (e["seq"].get<uint64_t>() <= *unique.rbegin()) expected.insert(e["seq"].get<uint64_t>());
  }
  EXPECT_EQ(unique, expected) << "an event is missing";
  // Once the subscription has changed after events were delivered, which
  // were delivered under which is not kept: a replay is refused, not
  // answered with repeats.
  c->send(R"({"type":"subscribe","runners":["rep"]})");
  c->send(R"({"type":"subscribe",)" + selection + R"(,"since":)" + std::to_string(before) + "}");
  auto refused = c->next_where([](const json& m) { return m["type"] == "error"; });
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["error"]["code"], "SINCE_AFTER_CHANGE");
}

TEST(WebSocket, ChangingTheSubscriptionLosesNothingStillSelected) {
  // Small buffers: while the client does not read, events wait in stratd.
  StratdProcess s(with_config("[websocket]\nsend_buffer_bytes = 4096\n"));
  ASSERT_EQ(s.add_runner("chg", "BTCUSDT", "error_every_call.lua").status, 201);
  auto c = connect(s, 4096);
  c->send(R"({"type":"subscribe","runners":["chg"],"event_types":["StrategyError"]})");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  std::vector<uint64_t> errors;
  for (int i = 0; i < 5; ++i) errors.push_back(c->next().value()["seq"]);
  // Stop reading for a while, then widen the selection.
  const uint64_t target = errors.back() + 200;
  ASSERT_TRUE(eventually([&] {
    return s.http().get("/api/engine/health").body["data"]["events"]["last_seq"].get<uint64_t>() > target;
  }));
  c->send(R"({"type":"subscribe","runners":["chg"],"event_types":["StrategyError","TickReceived"]})");
  bool acked = false;
  while (errors.size() < 80) {
    auto m = c->next();
    ASSERT_TRUE(m);
    if ((*m)["type"] == "subscribed") acked = true;
    if ((*m)["type"] == "StrategyError") errors.push_back((*m)["seq"]);
  }
  EXPECT_TRUE(acked);
  const auto journal = s.http().get("/api/events?since=" + std::to_string(errors.front() - 1) +
                                    "&runner=chg&type=StrategyError&limit=80").body["data"]["events"];
  std::vector<uint64_t> expected;
  for (const auto& e : journal) expected.push_back(e["seq"]);
  EXPECT_EQ(errors, expected);  // every error, across the change, in order
}

TEST(WebSocket, IdleClientsArePingedAndSilentOnesClosed) {
  StratdProcess s(with_config("[websocket]\nidle_timeout_ms = 3000\n"));
  auto reading = connect(s);
  auto silent = connect(s);
  reading->send(R"({"type":"subscribe","event_types":["RunnerFailed"]})");  // nothing will come
  ASSERT_TRUE(reading->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  silent->send(R"({"type":"subscribe","event_types":["RunnerFailed"]})");
  // The reading client answers the server's pings (Beast does while it
  // reads); the silent one never reads again, so never answers.
  ASSERT_TRUE(eventually([&] {
    reading->next(50ms);
    return reading->pings() >= 2;
  }));
  EXPECT_FALSE(reading->closed());
  ASSERT_TRUE(eventually([&] {
    reading->next(10ms);
    return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1;
  }));
  EXPECT_FALSE(reading->closed());
}

TEST(WebSocket, ACoalescedTickIsTheLatest) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("late", "BTCUSDT", "hold_long.lua").status, 201);
  auto c = connect(s);
  c->send(R"({"type":"subscribe","runners":["late"],"event_types":["TickReceived"],"tick_interval_ms":300})");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "TickReceived"; }));
  // Ticks come every 20 ms, so by now some are held back.
  ASSERT_TRUE(eventually([&] {
    return s.http().get("/api/events?runner=late&type=TickReceived&limit=20").body["data"]["events"].size() >= 20;
  }));
  // No more ticks after the stop: the one held back must be the last one.
  ASSERT_EQ(s.http().post("/api/runners/late/stop").status, 200);
  ASSERT_TRUE(eventually([&] { return s.runner("late")["lifecycle"] == "Stopped"; }));
  // The worker's last tick may still be on its way to the journal: wait
  // for the one the snapshot says was last.
  uint64_t last_tick = 0;
  ASSERT_TRUE(eventually([&] {
    const int64_t final_tick = s.http().get("/api/runners/late/snapshot").body["data"]["last_tick_timestamp"];
    const auto ticks = s.http().get("/api/events?runner=late&type=TickReceived&limit=1").body["data"]["events"];
    if (ticks.empty() || ticks[0]["data"]["market_timestamp"] != final_tick) return false;
    last_tick = ticks[0]["seq"];
    return true;
  }));
  ASSERT_TRUE(c->next_where([&](const json& m) { return m["seq"] == last_tick; }, 5s)) << last_tick;
}

TEST(WebSocket, ASilentNewClientIsServedBeforeTheJournalPassesIt) {
  // The initial hold waits for a client's first message, but never so long
  // that the journal drops events the client is owed: then it is served
  // (and shed, if need be) like any other, not closed.
  StratdProcess s(
      with_config("[events]\njournal_capacity = 100\n[websocket]\nqueue_limit = 50\ninitial_hold_ms = 10000\n"));
  ASSERT_EQ(s.add_runner("quick", "BTCUSDT", "hold_long.lua").status, 201);
  auto c = connect(s);
  const uint64_t start = s.http().get("/api/engine/health").body["data"]["events"]["last_seq"];
  uint64_t seen = 0;
  while (seen < start + 150) {  // past the journal's whole capacity, the client silent throughout
    auto m = c->next(30s);
    ASSERT_TRUE(m) << "closed: " << c->close_code() << " at seq " << seen;
    for (const auto& e : events_of(*m)) {
      if (e.contains("seq")) seen = std::max(seen, e["seq"].get<uint64_t>());
    }
  }
  EXPECT_FALSE(c->closed());
}

TEST(WebSocket, SinceOlderThanTheJournalIsRefused) {
  StratdProcess s(with_config("[events]\njournal_capacity = 100\n[websocket]\nqueue_limit = 50\n"));
  ASSERT_EQ(s.add_runner("old", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] {
    return s.http().get("/api/engine/health").body["data"]["events"]["last_seq"].get<uint64_t>() > 250;
  }));
  auto c = connect(s);
  c->send(R"({"type":"subscribe","since":1})");
  auto m = c->next_where([](const json& m) { return m["type"] == "error"; });
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)["error"]["code"], "SINCE_TOO_OLD");
  auto r = s.http().get("/api/events?since=1");
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.body["error"]["code"], "SINCE_TOO_OLD");
}

TEST(WebSocket, TicksAreCoalescedButNothingElseIs) {
  StratdProcess s;  // a tick every 20 ms
  ASSERT_EQ(s.add_runner("co", "BTCUSDT", "error_every_call.lua").status, 201);
  auto c = connect(s);
  c->send(R"({"type":"subscribe","runners":["co"],"event_types":["TickReceived","StrategyError"],"tick_interval_ms":400})");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  std::vector<uint64_t> errors;
  std::vector<int64_t> tick_times;
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (std::chrono::steady_clock::now() < until) {
    auto m = c->next(1s);
    ASSERT_TRUE(m);
    if ((*m)["type"] == "StrategyError") errors.push_back((*m)["seq"]);
    if ((*m)["type"] == "TickReceived") tick_times.push_back((*m)["timestamp"]);
  }
  // Every error, consecutively numbered by the runner (one per tick)...
  ASSERT_GT(errors.size(), 30u);
  // ...but only a handful of ticks: at most one per 400 ms, plus the first.
  EXPECT_LE(tick_times.size(), 7u);
  EXPECT_GE(tick_times.size(), 3u);
  auto all = s.http().get("/api/events?runner=co&type=StrategyError&limit=1000").body["data"]["events"];
  std::set<uint64_t> journaled;
  for (const auto& e : all) journaled.insert(e["seq"].get<uint64_t>());
  for (uint64_t seq : errors) EXPECT_TRUE(journaled.count(seq)) << seq;
  // No error in the journal between the first and last received was skipped.
  size_t between = 0;
  for (uint64_t seq : journaled) between += seq >= errors.front() && seq <= errors.back();
  EXPECT_EQ(between, errors.size());
}

TEST(WebSocket, BatchesCarryEventsInOrder) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("ba", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_EQ(s.add_runner("bb", "ETHUSDT", "hold_long.lua").status, 201);
  auto c = connect(s);
  c->send(R"({"type":"subscribe","batch_ms":100})");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  uint64_t prev = 0;
  size_t batches = 0, events = 0;
  while (batches < 5) {
    auto m = c->next();
    ASSERT_TRUE(m);
    ASSERT_EQ((*m)["type"], "batch") << m->dump();
    ++batches;
    for (const auto& e : (*m)["events"]) {
      EXPECT_GT(e["seq"].get<uint64_t>(), prev);
      prev = e["seq"];
      ++events;
    }
  }
  EXPECT_GT(events, batches * 2);  // two runners at 50 ticks/s in 100 ms windows

  // Batches large enough to be written as one buffer read the same.
  auto big = connect(s);
  big->send(R"({"type":"subscribe","batch_ms":1000})");
  ASSERT_TRUE(big->next_where([](const json& m) { return m["type"] == "subscribed"; }));
  size_t largest = 0;
  prev = 0;
  for (int i = 0; i < 3; ++i) {
    auto m = big->next();
    ASSERT_TRUE(m);
    ASSERT_EQ((*m)["type"], "batch") << m->dump().substr(0, 200);
    largest = std::max(largest, (*m)["events"].size());
    for (const auto& e : (*m)["events"]) {
      EXPECT_GT(e["seq"].get<uint64_t>(), prev);
      prev = e["seq"];
    }
  }
  EXPECT_GT(largest, 50u);
}

TEST(WebSocket, ASlowClientIsBoundedAndNeverHoldsUpOthers) {
  // A small queue, and small socket buffers so stalling shows at once.
  StratdProcess s(with_config("[websocket]\nqueue_limit = 64\nsend_buffer_bytes = 4096\n"));
  for (const char* id : {"s1", "s2"}) ASSERT_EQ(s.add_runner(id, "BTCUSDT", "hold_long.lua").status, 201);
  for (const char* id : {"s3", "s4"}) ASSERT_EQ(s.add_runner(id, "ETHUSDT", "error_every_call.lua").status, 201);

  // Three slow clients: they subscribe and then stop reading.
  auto ticks_only = connect(s, 4096);
  ticks_only->send(R"({"type":"subscribe","event_types":["TickReceived"]})");
  auto important = connect(s, 4096);
  important->send(R"({"type":"subscribe","event_types":["StrategyError"]})");
  auto fast = connect(s);
  fast->send(R"({"type":"subscribe","runners":["s4"],"event_types":["StrategyError"]})");
  ASSERT_TRUE(fast->next_where([](const json& m) { return m["type"] == "subscribed"; }));

  // While they stall, the fast client keeps receiving every error in order
  // and the HTTP API answers.
  uint64_t prev = 0;
  for (int i = 0; i < 150; ++i) {
    auto m = fast->next(5s);
    ASSERT_TRUE(m) << i;
    const uint64_t seq = (*m)["seq"];
    EXPECT_GT(seq, prev);
    prev = seq;
    if (i % 30 == 0) {
      EXPECT_EQ(s.http().get("/api/runners").status, 200);
    }
  }
  auto errors = s.http().get("/api/events?runner=s4&type=StrategyError&limit=1000").body["data"]["events"];
  EXPECT_FALSE(errors.empty());

  // The tick-only client lost ticks, is told so, and stays connected.
  auto lagged = ticks_only->next_where([](const json& m) { return m["type"] == "lagged"; }, 20s);
  ASSERT_TRUE(lagged);
  EXPECT_GT((*lagged)["dropped"].get<uint64_t>(), 0u);
  EXPECT_TRUE(ticks_only->next_where([](const json& m) { return m["type"] == "TickReceived"; }));
  EXPECT_FALSE(ticks_only->closed());

  // The client whose never-dropped events overflowed was closed with 1008.
  EXPECT_TRUE(eventually([&] {
    auto m = important->next(1s);
    return important->closed();
  }, 30s));
  EXPECT_EQ(important->close_code(), 1008);
}

TEST(WebSocket, AThousandClientsAtOnce) {
  // Raise our own descriptor limit: 1000 sockets here, 1000 in stratd.
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  setrlimit(RLIMIT_NOFILE, &nofile);
  ASSERT_GE(nofile.rlim_cur, 2100u) << "descriptor limit too low for this test";

  StratdProcess s;
  ASSERT_EQ(s.add_runner("many", "BTCUSDT", "hold_long.lua").status, 201);
  const auto ep = endpoint(s);
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  net::io_context io;
  constexpr int kClients = 1000;
  int handshakes = 0, with_event = 0, failures = 0;
  // Connects, subscribes, and reads until its first tick (the ack comes first).
  struct Client {
    websocket::stream<net::ip::tcp::socket> ws;
    beast::flat_buffer buf;
    int& with_event;
    int& failures;
    Client(net::io_context& io, int& w, int& f) : ws(io), with_event(w), failures(f) {}
    void read() {
      ws.async_read(buf, [this](beast::error_code ec, size_t) {
        if (ec) return void(++failures);
        const std::string text = beast::buffers_to_string(buf.data());
        buf.consume(buf.size());
        if (text.find("\"TickReceived\"") != std::string::npos) return void(++with_event);
        read();
      });
    }
  };
  std::vector<std::unique_ptr<Client>> clients;
  const net::ip::tcp::endpoint target(net::ip::make_address(ep.host), ep.port);
  const std::string sub = R"({"type":"subscribe","runners":["many"],"event_types":["TickReceived"]})";
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(io, with_event, failures));
    Client* c = clients.back().get();
    c->ws.next_layer().async_connect(target, [&, c](beast::error_code ec) {
      if (ec) return void(++failures);
      c->ws.async_handshake(ep.host, "/ws", [&, c](beast::error_code ec) {
        if (ec) return void(++failures);
        ++handshakes;
        c->ws.async_write(net::buffer(sub), [&, c](beast::error_code ec, size_t) {
          if (ec) return void(++failures);
          c->read();
        });
      });
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (with_event + failures < kClients && std::chrono::steady_clock::now() < deadline) {
    io.run_for(100ms);
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(handshakes, kClients);
  EXPECT_EQ(with_event, kClients);
  auto health = s.http().get("/api/engine/health").body["data"];
  EXPECT_EQ(health["websocket_clients"], kClients);
  EXPECT_EQ(s.http().get("/health").status, 200);
}

TEST(WebSocket, ShutdownSendsGoingAway) {
  StratdProcess s;
  auto c = connect(s);
  c->send(R"({"type":"ping"})");
  ASSERT_TRUE(c->next_where([](const json& m) { return m["type"] == "pong"; }));
  const int status = s.terminate();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(c->next(5s));
  EXPECT_TRUE(c->closed());
  EXPECT_EQ(c->close_code(), 1001);
}

TEST(WebSocket, PlainHttpOnTheWebSocketPathIsTurnedAway) {
  StratdProcess s;
  auto r = s.http().get("/ws");
  EXPECT_EQ(r.status, 426);
  EXPECT_EQ(r.body["error"]["code"], "UPGRADE_REQUIRED");
}
