#include <gtest/gtest.h>

#include "common/json_codec.hpp"
#include "common/msgpack_codec.hpp"

using namespace stratd;

TEST(Codec, MarketDataRoundTrip) {
  MarketData md{"ETHBTC", 1509836520000, 0.00162008, 0.0017, 0.0015, 0.00161, 108.14853839, 0.0016, 0.00162};
  auto back = msgpack_decode<MarketData>(msgpack_encode(md));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->symbol, "ETHBTC");
  EXPECT_EQ(back->timestamp_ms, md.timestamp_ms);
  EXPECT_DOUBLE_EQ(back->close, md.close);
  EXPECT_DOUBLE_EQ(back->mid_price(), (0.0016 + 0.00162) / 2);
}

TEST(Codec, SnapshotRoundTrip) {
  Snapshot s;
  s.runner_id = "btc_ema";
  s.symbol = "BTCUSDT";
  s.state = StrategyState::InPosition;
  s.position = Position{7, Side::Short, 50000.0, 0.1, 1766280000000, 51000.0, std::nullopt, 5.0};
  s.context.numbers["ema_10"] = 50100.5;
  s.context.integers["ticks"] = -3;
  s.context.strings["signal"] = "bullish";
  s.context.booleans["strong"] = true;
  s.stats.record_tick(850'000);
  s.stats.realized_pnl = -12.5;
  s.event_seq = 99;
  auto back = msgpack_decode<Snapshot>(msgpack_encode(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->state, StrategyState::InPosition);
  ASSERT_TRUE(back->position);
  EXPECT_EQ(back->position->side, Side::Short);
  EXPECT_EQ(back->position->stop_loss, 51000.0);
  EXPECT_FALSE(back->position->take_profit);
  EXPECT_EQ(back->context, s.context);
  EXPECT_EQ(back->stats.ticks_processed, 1u);
  EXPECT_EQ(back->event_seq, 99u);

  const Json j = to_json(*back, 3600);
  EXPECT_EQ(j["current_state"], "InPosition");
  EXPECT_EQ(j["position"]["side"], "Short");
  EXPECT_EQ(j["position"]["take_profit"], nullptr);
  EXPECT_EQ(j["context"]["strings"]["signal"], "bullish");
  EXPECT_EQ(j["stats"]["avg_tick_duration"]["nanos"], 850000);
  EXPECT_EQ(j["uptime_secs"], 3600);
}

TEST(Codec, RecentTradesTravelAsABlobAndOlderSnapshotsStillDecode) {
  auto trade = [](uint64_t id) {
    Trade t;
    t.id = id;
    t.reason = "exit: test";
    t.realized_pnl = double(id);
    return t;
  };
  Snapshot s;
  s.runner_id = "r";
  s.symbol = "BTCUSDT";
  for (uint64_t id = 1; id <= 40; ++id) s.recent_trades.push(trade(id), Snapshot::kRecentTrades);
  auto back = msgpack_decode<Snapshot>(msgpack_encode(s));
  ASSERT_TRUE(back) << back.error().message;
  const auto trades = back->recent_trades.list();
  ASSERT_EQ(trades.size(), Snapshot::kRecentTrades);  // the oldest 8 were dropped
  EXPECT_EQ(trades.front().id, 9u);
  EXPECT_EQ(trades.back().id, 40u);
  EXPECT_EQ(trades.back().reason, "exit: test");

  // A snapshot written before trades became a blob had them as an array.
  msgpack::sbuffer old;
  msgpack::packer<msgpack::sbuffer> pk(old);
  pk.pack_array(12);
  pk.pack(s.runner_id).pack(s.symbol).pack(s.state).pack(s.position).pack(s.context).pack(s.stats);
  pk.pack(s.event_seq).pack(s.updated_ms).pack(s.last_tick_ms).pack(s.last_price).pack(s.worker_starts);
  pk.pack(std::vector<Trade>{trade(5), trade(6)});
  auto older = msgpack_decode<Snapshot>(std::string_view(old.data(), old.size()));
  ASSERT_TRUE(older) << older.error().message;
  const auto kept = older->recent_trades.list();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[1].id, 6u);
}

TEST(Codec, EventRoundTripAndWireJson) {
  Event e;
  e.type = EventType::StateTransition;
  e.runner_id = "r1";
  e.symbol = "ETHBTC";
  e.runner_seq = 7;
  e.timestamp_ms = 1766282234000;
  e.data = {{"from", std::string("Idle")}, {"to", std::string("Analyzing")}, {"n", int64_t(-2)},
            {"x", 1.5}, {"ok", true}, {"none", Scalar{}}};
  auto back = msgpack_decode<Event>(msgpack_encode(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, EventType::StateTransition);
  EXPECT_EQ(back->seq, 0u);  // never on the worker's wire
  back->seq = 42;
  const Json j = to_json(*back);
  EXPECT_EQ(j["type"], "StateTransition");
  EXPECT_EQ(j["runner_id"], "r1");
  EXPECT_EQ(j["symbol"], "ETHBTC");
  EXPECT_EQ(j["seq"], 42);
  EXPECT_EQ(j["timestamp"], 1766282234000);
  EXPECT_EQ(j["data"]["from"], "Idle");
  EXPECT_EQ(j["data"]["n"], -2);
  EXPECT_EQ(j["data"]["ok"], true);
  EXPECT_TRUE(j["data"]["none"].is_null());
}

TEST(Codec, GarbageIsAnErrorNotACrash) {
  EXPECT_FALSE(msgpack_decode<Event>(""));
  EXPECT_FALSE(msgpack_decode<Event>("\xc1"));
  EXPECT_FALSE(msgpack_decode<Event>(std::string("\x93\x01\x02", 3)));  // wrong arity/types
  EXPECT_FALSE(msgpack_decode<Snapshot>(msgpack_encode(MarketData{})));
  // Trailing bytes after a valid value.
  EXPECT_FALSE(msgpack_decode<MarketData>(msgpack_encode(MarketData{}) + "x"));
  // A forged header announcing 4 billion elements must not allocate them.
  EXPECT_FALSE(msgpack_decode<Event>(std::string("\xdd\xff\xff\xff\xff", 5)));
  EXPECT_FALSE(msgpack_decode<Event>(std::string("\xdf\xff\xff\xff\xff", 5)));
  EXPECT_FALSE(msgpack_decode<Event>(std::string("\xdb\xff\xff\xff\xff", 5)));
}

TEST(Codec, EventTypeNames) {
  for (size_t i = 0; i < size_t(EventType::kCount); ++i) {
    const auto t = EventType(i);
    EXPECT_EQ(event_type_from_string(to_string(t)), t);
  }
  EXPECT_FALSE(event_type_from_string("Nope"));
  EXPECT_TRUE(is_supervisor_event(EventType::RunnerCrashed));
  EXPECT_FALSE(is_supervisor_event(EventType::PositionClosed));
}

// The hot-path writer says exactly what the reference (nlohmann) encoding says.
TEST(Codec, EventJsonTextMatchesTheReference) {
  Event e;
  e.type = EventType::StrategyError;
  e.runner_id = "r-1";
  e.symbol = "ETHBTC";
  e.seq = 18446744073709551000ull;
  e.timestamp_ms = -5;
  e.publish_ns = 1766282234000000001;
  e.received_ns = 1766282234000000002;
  e.data = {{"message", std::string("quote \" backslash \\ newline \n tab \t bell \x07 é 日本")},
            {"price", 0.00162008},
            {"whole", 3.0},
            {"big", 1e300},
            {"tiny", -2.5e-12},
            {"nan", std::nan("")},
            {"count", int64_t(-9007199254740993)},
            {"flag", false},
            {"none", Scalar{}},
            {"k\"ey", std::string("v")}};
  const std::string text = event_json_text(e);
  const Json parsed = Json::parse(text);
  Json expected = to_json(e);
  expected["data"]["nan"] = nullptr;  // JSON has no NaN
  EXPECT_EQ(parsed, expected) << text;
  EXPECT_TRUE(parsed["data"]["whole"].is_number_float());
  EXPECT_EQ(text.rfind(R"({"type":"StrategyError","runner_id":"r-1")", 0), 0u);
}

TEST(Codec, EventJsonTextRepairsInvalidUtf8) {
  Event e;
  e.data = {{"bad\xff", std::string("a\xc3(b\xed\xa0\x80z\xf0\x28\x8c\x28")}};
  const std::string text = event_json_text(e);
  const Json parsed = Json::parse(text);  // throws on invalid UTF-8
  EXPECT_EQ(parsed["data"]["bad\xEF\xBF\xBD"], "a\xEF\xBF\xBD(b\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD(\xEF\xBF\xBD(");
}
