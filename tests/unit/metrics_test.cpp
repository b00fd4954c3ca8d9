// The metrics library: instruments, both exposition formats (names,
// escaping, cumulative buckets, OpenMetrics' # EOF), content negotiation,
// and the pieces that label what stratd counts (route templates, close
// and exit kinds, the feed's tick counts).
#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include <gtest/gtest.h>

#include "common/msgpack_codec.hpp"
#include "common/snapshot.hpp"
#include "supervisor/http/router.hpp"
#include "supervisor/metrics/exposition.hpp"
#include "supervisor/metrics/feed_ticks.hpp"
#include "supervisor/metrics/instruments.hpp"
#include "supervisor/runners/exit_reason.hpp"
#include "supervisor/ws/ws_metrics.hpp"

using namespace stratd::supervisor;
using metrics::Exposition;
using metrics::Format;
using metrics::Type;
namespace bh = boost::beast::http;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST(Metrics, CounterAdds) {
  metrics::Counter c;
  EXPECT_EQ(c.value(), 0u);
  c.add();
  c.add(41);
  EXPECT_EQ(c.value(), 42u);
}

TEST(Metrics, HistogramBucketsAreCumulativeAndInclusive) {
  static constexpr std::array<double, 3> bounds{0.1, 1, 10};
  metrics::Histogram h(bounds);
  for (double v : {0.05, 0.1, 0.5, 1.0, 7.0, 100.0}) h.observe(v);
  h.observe(std::numeric_limits<double>::quiet_NaN());  // not below any bound: +Inf
  const auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), 4u);
  EXPECT_EQ(s.cumulative[0], 2u);  // le 0.1: 0.05 and 0.1 itself
  EXPECT_EQ(s.cumulative[1], 4u);  // le 1
  EXPECT_EQ(s.cumulative[2], 5u);  // le 10
  EXPECT_EQ(s.cumulative[3], 7u);  // +Inf: everything
  EXPECT_EQ(s.count(), 7u);
  EXPECT_TRUE(std::isnan(s.sum));
}

TEST(Metrics, TextFormatNamesCountersAndInfoBySamples) {
  Exposition out(Format::Text);
  out.family("app_requests", Type::Counter, "Requests.");
  out.sample({{"route", "/a/:id"}}, 3u);
  out.family("app_temperature_celsius", Type::Gauge, "A gauge.", "celsius");
  out.sample({}, -1.5);
  out.family("app_build", Type::Info, "Build.");
  out.sample({{"version", "1.2"}}, 1u);
  const std::string text = std::move(out).finish();
  EXPECT_EQ(text,
            "# HELP app_requests_total Requests.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{route=\"/a/:id\"} 3\n"
            "# HELP app_temperature_celsius A gauge.\n"
            "# TYPE app_temperature_celsius gauge\n"
            "app_temperature_celsius -1.5\n"
            "# HELP app_build_info Build.\n"
            "# TYPE app_build_info gauge\n"
            "app_build_info{version=\"1.2\"} 1\n");
}

TEST(Metrics, OpenMetricsNamesFamiliesAndEndsWithEof) {
  Exposition out(Format::OpenMetrics);
  out.family("app_requests", Type::Counter, "Requests.");
  out.sample({}, 3u);
  out.family("app_cpu_seconds", Type::Counter, "CPU.", "seconds");
  out.sample({}, 0.25);
  out.family("app_build", Type::Info, "Build.");
  out.sample({{"version", "1.2"}}, 1u);
  const std::string text = std::move(out).finish();
  EXPECT_EQ(text,
            "# HELP app_requests Requests.\n"
            "# TYPE app_requests counter\n"
            "app_requests_total 3\n"
            "# HELP app_cpu_seconds CPU.\n"
            "# TYPE app_cpu_seconds counter\n"
            "# UNIT app_cpu_seconds seconds\n"
            "app_cpu_seconds_total 0.25\n"
            "# HELP app_build Build.\n"
            "# TYPE app_build info\n"
            "app_build_info{version=\"1.2\"} 1\n"
            "# EOF\n");
}

TEST(Metrics, HistogramSamples) {
  static constexpr std::array<double, 3> bounds{0.0001, 0.5, 2};
  metrics::Histogram h(bounds);
  h.observe(0.00005);
  h.observe(1);
  h.observe(3);
  for (Format f : {Format::Text, Format::OpenMetrics}) {
    Exposition out(f);
    out.family("app_latency_seconds", Type::Histogram, "Latency.", "seconds");
    out.histogram({{"route", "/x"}}, h.snapshot());
    const std::string text = std::move(out).finish();
    EXPECT_TRUE(contains(text, "# TYPE app_latency_seconds histogram\n")) << text;
    EXPECT_TRUE(contains(text,
                         "app_latency_seconds_bucket{route=\"/x\",le=\"0.0001\"} 1\n"
                         "app_latency_seconds_bucket{route=\"/x\",le=\"0.5\"} 1\n"
                         "app_latency_seconds_bucket{route=\"/x\",le=\"2.0\"} 2\n"
                         "app_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"
                         "app_latency_seconds_sum{route=\"/x\"} 4.00005\n"
                         "app_latency_seconds_count{route=\"/x\"} 3\n"))
        << text;
  }
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
  for (Format f : {Format::Text, Format::OpenMetrics}) {
    Exposition out(f);
    out.family("app_x", Type::Gauge, "Back\\slash, \"quoted\"\nand a new line.");
    out.sample({{"a", "back\\slash \"q\"\nline"}}, 1u);
    const std::string text = std::move(out).finish();
    EXPECT_TRUE(contains(text, "app_x{a=\"back\\\\slash \\\"q\\\"\\nline\"} 1\n")) << text;
    // The text format leaves a help text's quotes alone; OpenMetrics escapes them.
    EXPECT_TRUE(contains(text, f == Format::Text ? "# HELP app_x Back\\\\slash, \"quoted\"\\nand a new line.\n"
                                                 : "# HELP app_x Back\\\\slash, \\\"quoted\\\"\\nand a new line.\n"))
        << text;
  }
}

TEST(Metrics, PreparedLabelsComeFirst) {
  const metrics::LabelSet runner({{"runner", "a\"b"}});
  EXPECT_EQ(runner.text(), "runner=\"a\\\"b\"");
  Exposition out(Format::Text);
  out.family("app_state", Type::Gauge, "State.");
  out.sample(runner, {{"state", "Idle"}}, 1u);
  out.sample(runner, {}, 0.5);
  out.sample(metrics::LabelSet({}), {}, 2u);
  const std::string text = std::move(out).finish();
  EXPECT_TRUE(contains(text, "app_state{runner=\"a\\\"b\",state=\"Idle\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "app_state{runner=\"a\\\"b\"} 0.5\n")) << text;
  EXPECT_TRUE(contains(text, "app_state 2\n")) << text;
}

TEST(Metrics, WritesSpecialAndLargeValues) {
  Exposition out(Format::Text);
  out.family("app_v", Type::Gauge, "Values.");
  out.sample({{"k", "nan"}}, std::numeric_limits<double>::quiet_NaN());
  out.sample({{"k", "inf"}}, std::numeric_limits<double>::infinity());
  out.sample({{"k", "-inf"}}, -std::numeric_limits<double>::infinity());
  out.sample({{"k", "max"}}, std::numeric_limits<uint64_t>::max());
  out.sample({{"k", "neg"}}, int64_t(-7));
  out.sample({{"k", "bool"}}, true);
  const std::string text = std::move(out).finish();
  EXPECT_TRUE(contains(text, "app_v{k=\"nan\"} NaN\n"));
  EXPECT_TRUE(contains(text, "app_v{k=\"inf\"} +Inf\n"));
  EXPECT_TRUE(contains(text, "app_v{k=\"-inf\"} -Inf\n"));
  EXPECT_TRUE(contains(text, "app_v{k=\"max\"} 18446744073709551615\n"));
  EXPECT_TRUE(contains(text, "app_v{k=\"neg\"} -7\n"));
  EXPECT_TRUE(contains(text, "app_v{k=\"bool\"} 1\n"));
}

TEST(Metrics, NegotiatesTheFormat) {
  // What Prometheus 2.x sends.
  EXPECT_EQ(metrics::format_for_accept("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                       "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            Format::OpenMetrics);
  EXPECT_EQ(metrics::format_for_accept("application/openmetrics-text"), Format::OpenMetrics);
  EXPECT_EQ(metrics::format_for_accept("Application/OpenMetrics-Text; version=\"1.0.0\""), Format::OpenMetrics);
  EXPECT_EQ(metrics::format_for_accept(""), Format::Text);
  EXPECT_EQ(metrics::format_for_accept("*/*"), Format::Text);
  EXPECT_EQ(metrics::format_for_accept("text/plain;version=0.0.4"), Format::Text);
  EXPECT_EQ(metrics::format_for_accept("application/openmetrics-text;q=0.2, text/plain"), Format::Text);
  EXPECT_EQ(metrics::format_for_accept("application/openmetrics-text;q=0"), Format::Text);
  // A version we do not write is not taken.
  EXPECT_EQ(metrics::format_for_accept("application/openmetrics-text;version=0.0.1"), Format::Text);
  EXPECT_EQ(metrics::format_for_accept("application/json"), Format::Text);
  EXPECT_EQ(metrics::content_type(Format::OpenMetrics), "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(metrics::content_type(Format::Text), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(Metrics, RouterCountsByRouteTemplateNeverByPath) {
  http::Router r;
  r.add(bh::verb::get, "/api/runners/:id", http::Access::Viewer, [](const http::Request&, const http::PathParams& p, http::Respond respond) {
    respond(p.at(0) == "missing" ? http::reply_error(stratd::ErrorCode::RunnerNotFound, "no")
                                 : http::reply_ok(bh::status::ok, nullptr));
  });
  r.add(bh::verb::delete_, "/api/runners/:id", http::Access::Viewer, [](const http::Request&, const http::PathParams&, http::Respond) {
    throw std::runtime_error("a bug");
  });
  auto run = [&](bh::verb v, const char* target) {
    http::Request req{v, target, 11};
    r.dispatch(req, [](http::Response) {});
  };
  run(bh::verb::get, "/api/runners/secret-id-1");
  run(bh::verb::get, "/api/runners/secret-id-2");
  run(bh::verb::get, "/api/runners/missing");
  run(bh::verb::put, "/api/runners/secret-id-3");
  run(bh::verb::delete_, "/api/runners/secret-id-4");
  run(bh::verb::get, "/no/such/secret-path");
  Exposition out(Format::Text);
  r.metrics().write(out);
  const std::string text = std::move(out).finish();
  EXPECT_TRUE(contains(text, "stratd_http_requests_total{route=\"/api/runners/:id\",method=\"GET\",code=\"200\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(text, "stratd_http_requests_total{route=\"/api/runners/:id\",method=\"GET\",code=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_http_requests_total{route=\"/api/runners/:id\",method=\"PUT\",code=\"405\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_http_requests_total{route=\"/api/runners/:id\",method=\"DELETE\",code=\"500\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_http_request_duration_seconds_count{route=\"/api/runners/:id\"} 5\n"));
  EXPECT_TRUE(contains(text, "stratd_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"+Inf\"} 1\n"));
  EXPECT_FALSE(contains(text, "secret"));
}

TEST(Metrics, ClassifiesWebSocketCloses) {
  using ws::CloseKind;
  EXPECT_EQ(ws::close_kind(1008, 0), CloseKind::Policy);
  EXPECT_EQ(ws::close_kind(1008, 1000), CloseKind::Policy);  // ours, then the client's answer
  EXPECT_EQ(ws::close_kind(1001, 1001), CloseKind::GoingAway);
  EXPECT_EQ(ws::close_kind(0, 1000), CloseKind::Normal);
  EXPECT_EQ(ws::close_kind(0, 1001), CloseKind::Normal);  // a browser leaving the page
  EXPECT_EQ(ws::close_kind(0, 0), CloseKind::Error);      // reset, timeout, no handshake
  ws::WsMetrics m;
  m.count_message(ws::WsMetrics::Message::Control);
  m.count_message(ws::WsMetrics::Message::Events, 3);
  m.count_message(ws::WsMetrics::Message::Logs);
  m.count_shed(ws::WsMetrics::Shed::Ticks, 5);
  m.count_close(1008, 0);
  Exposition out(Format::Text);
  m.write(out, 2);
  const std::string text = std::move(out).finish();
  EXPECT_TRUE(contains(text, "stratd_websocket_clients 2\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_messages_sent_total{kind=\"events\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_messages_sent_total{kind=\"control\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_events_sent_total 3\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_messages_sent_total{kind=\"logs\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_shed_total{kind=\"ticks\"} 5\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_shed_total{kind=\"logs\"} 0\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_closed_total{reason=\"policy\"} 1\n"));
  EXPECT_TRUE(contains(text, "stratd_websocket_closed_total{reason=\"normal\"} 0\n"));
}

TEST(Metrics, ClassifiesWorkerExits) {
  ExitStatus killed{.signaled = true, .signal = SIGKILL};
  ExitStatus segv{.signaled = true, .signal = SIGSEGV};
  ExitStatus code{.signaled = false, .code = 3};
  EXPECT_EQ(exit_kind(killed, true), ExitKind::Hung);
  EXPECT_EQ(exit_kind(killed, false), ExitKind::Killed);
  EXPECT_EQ(exit_kind(segv, false), ExitKind::Crashed);
  EXPECT_EQ(exit_kind(code, false), ExitKind::Exited);
  EXPECT_EQ(to_string(ExitKind::SpawnFailed), "spawn_failed");
}

TEST(Metrics, ReadsTheFeedsTickCounts) {
  const auto dir = std::filesystem::temp_directory_path() / ("stratd-feed-ticks-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "feed-sim.json").string();
  metrics::FeedTicks ticks(path);
  EXPECT_TRUE(ticks.read().empty());  // no file yet
  auto write = [&](const std::string& text) {
    const std::string tmp = path + ".tmp";
    std::ofstream(tmp) << text;
    std::filesystem::rename(tmp, path);  // as the feed saves it
  };
  write(R"({"BTCUSDT":{"price":1.5,"ticks":7},"bad symbol!":{"price":1,"ticks":3},"ETHUSDT":{"price":2}})");
  using Counts = metrics::FeedTicks::Counts;
  EXPECT_EQ(ticks.read(), (Counts{{"BTCUSDT", 7}}));
  write(R"({"BTCUSDT":{"price":1.6,"ticks":12},"ETHUSDT":{"price":2,"ticks":4}})");
  EXPECT_EQ(ticks.read(), (Counts{{"BTCUSDT", 12}, {"ETHUSDT", 4}}));
  write("{\"BTCUSDT\":");  // half a file: the last counts stand
  EXPECT_EQ(ticks.read(), (Counts{{"BTCUSDT", 12}, {"ETHUSDT", 4}}));
  std::filesystem::remove_all(dir);
}

TEST(Metrics, SnapshotFiguresReadASnapshotsFields) {
  stratd::Snapshot s;
  s.runner_id = "r1";
  s.symbol = "BTCUSDT";
  s.state = stratd::StrategyState::InPosition;
  stratd::Position position;
  position.id = 3;
  position.side = stratd::Side::Short;
  position.entry_price = 100;
  position.quantity = 2;
  s.position = position;
  s.context.numbers["x"] = 1.5;
  s.context.strings["why"] = "because";
  s.stats.ticks_processed = 1234;
  s.stats.errors = 5;
  s.stats.trades = 7;
  s.stats.realized_pnl = -12.5;
  s.event_seq = 99;
  s.last_price = 95;
  s.recent_trades.assign(std::vector<stratd::Trade>(3));
  const auto f = stratd::msgpack_decode<stratd::SnapshotFigures>(stratd::msgpack_encode(s));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->runner_id, "r1");
  EXPECT_EQ(f->symbol, "BTCUSDT");
  EXPECT_EQ(f->state, stratd::StrategyState::InPosition);
  ASSERT_TRUE(f->position);
  EXPECT_EQ(f->position->side, stratd::Side::Short);
  EXPECT_EQ(f->position->unrealized_pnl(f->last_price), 10);
  EXPECT_EQ(f->stats.ticks_processed, 1234u);
  EXPECT_EQ(f->stats.errors, 5u);
  EXPECT_EQ(f->stats.trades, 7u);
  EXPECT_EQ(f->stats.realized_pnl, -12.5);
  EXPECT_EQ(f->last_price, 95);
  EXPECT_FALSE(stratd::msgpack_decode<stratd::SnapshotFigures>(stratd::msgpack_encode(std::string("not one"))));
}
