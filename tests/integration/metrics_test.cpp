// GET /metrics against the real stratd with real workers and a real feed:
// every family is there with its labels and moves as stratd works, a
// worker killed with SIGKILL shows up as a restart by reason, OpenMetrics
// comes on Accept, and both texts pass their reference checkers
// (`promtool check metrics` for the text format, the Prometheus Python
// client's OpenMetrics parser), each run as a child process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>

#include "tests/support/raw_connection.hpp"
#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kOpenMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";

// "name{labels}" (as stratd writes them) -> value, and the families' types.
struct Scrape {
  int status = 0;
  std::string content_type;
  std::string text;
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // from the TYPE lines

  double at(const std::string& key) const {
    auto it = samples.find(key);
    return it == samples.end() ? -1 : it->second;
  }
  bool has(const std::string& key) const { return samples.count(key) > 0; }
};

Scrape scrape(const StratdProcess& s, const std::map<std::string, std::string>& headers = {}) {
  Scrape out;
  auto r = s.http().request("GET", "/metrics", "", headers);
  out.status = r.status;
  out.content_type = r.headers["content-type"];
  out.text = r.raw;
  std::istringstream lines(r.raw);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      out.types[name] = type;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out.samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

// Runs `command` with `input` on its standard input; its exit status and
// what it printed.
std::pair<int, std::string> run_with_input(const std::string& command, const std::string& input) {
  char in_path[] = "/tmp/stratd-metrics-in-XXXXXX";
  const int fd = mkstemp(in_path);
  if (fd < 0) return {-1, "mkstemp failed"};
  close(fd);
  std::ofstream(in_path) << input;
  const std::string out_path = std::string(in_path) + ".out";
  const int st = std::system((command + " <" + in_path + " >" + out_path + " 2>&1").c_str());
  std::ifstream o(out_path);
  std::stringstream printed;
  printed << o.rdbuf();
  unlink(in_path);
  unlink(out_path.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, printed.str()};
}

// Every label name used: the bounded ones, never an id, pid or seq.
std::set<std::string> label_names(const Scrape& sc) {
  std::set<std::string> names;
  for (const auto& [key, _] : sc.samples) {
    const auto open = key.find('{');
    if (open == std::string::npos) continue;
    size_t i = open + 1;
    while (i < key.size() && key[i] != '}') {
      const auto eq = key.find('=', i);
      names.insert(key.substr(i, eq - i));
      i = eq + 2;  // past ="
      while (i < key.size() && key[i] != '"') i += key[i] == '\\' ? 2 : 1;
      i += 1;  // past the closing quote
      if (i < key.size() && key[i] == ',') ++i;
    }
  }
  return names;
}

std::pair<std::string, uint16_t> endpoint(const StratdProcess& s) {
  std::ifstream in(s.state_dir() + "/http.url");
  std::string url;
  std::getline(in, url);
  const auto colon = url.rfind(':');
  return {url.substr(7, colon - 7), uint16_t(std::stoi(url.substr(colon + 1)))};
}

// A WebSocket client that asks one thing and closes with a close frame.
void close_politely(const std::string& host, uint16_t port) {
  namespace net = boost::asio;
  net::io_context io;
  boost::beast::websocket::stream<net::ip::tcp::socket> ws(io);
  ws.next_layer().connect({net::ip::make_address(host), port});
  ws.handshake(host + ":" + std::to_string(port), "/ws");
  ws.write(net::buffer(std::string(R"({"type":"ping"})")));
  boost::beast::flat_buffer buf;
  ws.read(buf);  // the pong
  ws.close(boost::beast::websocket::close_code::normal);
}

std::string ticks_of(const std::string& id) { return "stratd_runner_ticks_total{runner=\"" + id + "\"}"; }

}  // namespace

TEST(Metrics, ScrapeShowsEveryFamilyMovingAndPassesPromtool) {
  StratdProcess s;
  const std::string a = "metrics_a_" + std::to_string(getpid());
  const std::string b = "metrics_b_" + std::to_string(getpid());
  ASSERT_EQ(s.add_runner(a, "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_EQ(s.add_runner(b, "ETHUSDT", "flip.lua").status, 201);
  // Running (attached by the watchdog's next look at the heartbeat) and ticking.
  ASSERT_TRUE(eventually([&] {
    const Scrape sc = scrape(s);
    return sc.at(ticks_of(a)) > 2 && sc.at(ticks_of(b)) > 2 && sc.at("stratd_runners{lifecycle=\"Running\"}") == 2;
  }));
  // WebSocket clients: one that gets events and vanishes, one that says
  // goodbye with a close frame.
  {
    const auto [host, port] = endpoint(s);
    WsClient ws(host, port);
    ws.send(R"({"type":"subscribe"})");
    ASSERT_TRUE(ws.next_where([](const json& m) { return m.contains("seq"); }));
    ws.close();
    close_politely(host, port);
  }
  for (int i = 0; i < 3; ++i) ASSERT_EQ(s.http().get("/api/runners/" + a + "/snapshot").status, 200);
  ASSERT_EQ(s.http().get("/api/runners/no_such_runner").status, 404);
  ASSERT_EQ(s.http().get("/no/such/path").status, 404);

  const Scrape first = scrape(s);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.content_type, "text/plain; version=0.0.4; charset=utf-8");

  // The families, by the name their TYPE line gives in this format.
  const std::map<std::string, std::string> families{
      {"stratd_build_info", "gauge"},
      {"stratd_events_received_total", "counter"},
      {"stratd_events_accepted_total", "counter"},
      {"stratd_events_rejected_total", "counter"},
      {"stratd_event_gaps_total", "counter"},
      {"stratd_event_bus_disconnects_total", "counter"},
      {"stratd_event_journal_events", "gauge"},
      {"stratd_event_journal_bytes", "gauge"},
      {"stratd_websocket_clients", "gauge"},
      {"stratd_websocket_messages_sent_total", "counter"},
      {"stratd_websocket_events_sent_total", "counter"},
      {"stratd_websocket_shed_total", "counter"},
      {"stratd_websocket_closed_total", "counter"},
      {"stratd_http_requests_total", "counter"},
      {"stratd_http_request_duration_seconds", "histogram"},
      {"stratd_http_rejections_total", "counter"},
      {"stratd_http_open_connections", "gauge"},
      {"stratd_audit_entries_dropped_total", "counter"},
      {"stratd_audit_write_failures_total", "counter"},
      {"stratd_runners", "gauge"},
      {"stratd_runner_info", "gauge"},
      {"stratd_runner_lifecycle", "gauge"},
      {"stratd_runner_healthy", "gauge"},
      {"stratd_runner_restarts_total", "counter"},
      {"stratd_runner_worker_cpu_seconds_total", "counter"},
      {"stratd_runner_worker_resident_memory_bytes", "gauge"},
      {"stratd_runner_heartbeat_age_seconds", "gauge"},
      {"stratd_runner_event_gaps_total", "counter"},
      {"stratd_runner_events_rejected_total", "counter"},
      {"stratd_runner_strategy_state", "gauge"},
      {"stratd_runner_ticks_total", "counter"},
      {"stratd_runner_strategy_errors_total", "counter"},
      {"stratd_runner_trades_total", "counter"},
      {"stratd_runner_position_open", "gauge"},
      {"stratd_runner_realized_pnl", "gauge"},
      {"stratd_runner_unrealized_pnl", "gauge"},
      {"stratd_feed_up", "gauge"},
      {"stratd_feed_restarts_total", "counter"},
      {"stratd_feed_ticks_total", "counter"},
      {"stratd_store_write_duration_seconds", "histogram"},
      {"process_cpu_seconds_total", "counter"},
      {"process_resident_memory_bytes", "gauge"},
      {"process_virtual_memory_bytes", "gauge"},
      {"process_open_fds", "gauge"},
      {"process_max_fds", "gauge"},
      {"process_start_time_seconds", "gauge"},
  };
  for (const auto& [name, type] : families) {
    auto it = first.types.find(name);
    ASSERT_NE(it, first.types.end()) << name << " missing";
    EXPECT_EQ(it->second, type) << name;
  }

  // Labels are the bounded ones: never a request, process, sequence or position id.
  const std::set<std::string> allowed{"route", "method", "code",      "kind",   "reason", "runner", "symbol",
                                      "strategy", "lifecycle", "state", "operation", "le", "version", "source"};
  for (const auto& name : label_names(first)) EXPECT_TRUE(allowed.count(name)) << "label " << name;
  EXPECT_EQ(first.text.find("no_such_runner"), std::string::npos);
  EXPECT_EQ(first.text.find("/no/such/path"), std::string::npos);

  // What was just done shows.
  EXPECT_EQ(first.at("stratd_runners{lifecycle=\"Running\"}"), 2);
  EXPECT_EQ(first.at("stratd_runner_lifecycle{runner=\"" + a + "\",lifecycle=\"Running\"}"), 1);
  EXPECT_EQ(first.at("stratd_runner_lifecycle{runner=\"" + a + "\",lifecycle=\"Stopped\"}"), 0);
  EXPECT_EQ(first.at("stratd_runner_info{runner=\"" + a + "\",symbol=\"BTCUSDT\",strategy=\"hold_long.lua\"}"), 1);
  EXPECT_GE(first.at("stratd_http_requests_total{route=\"/api/runners/:id/snapshot\",method=\"GET\",code=\"200\"}"), 3);
  EXPECT_EQ(first.at("stratd_http_requests_total{route=\"/api/runners/:id\",method=\"GET\",code=\"404\"}"), 1);
  EXPECT_EQ(first.at("stratd_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"}"), 1);
  EXPECT_GE(first.at("stratd_http_request_duration_seconds_count{route=\"/api/runners/:id/snapshot\"}"), 3);
  // Counted on the hub's thread once each write completes, and as each session ends.
  EXPECT_TRUE(eventually([&] {
    const Scrape sc = scrape(s);
    return sc.at("stratd_websocket_messages_sent_total{kind=\"events\"}") >= 1 &&
           sc.at("stratd_websocket_messages_sent_total{kind=\"control\"}") >= 2 &&  // the ack, the pong
           sc.at("stratd_websocket_closed_total{reason=\"normal\"}") == 1 &&
           sc.at("stratd_websocket_closed_total{reason=\"error\"}") == 1;
  }));
  EXPECT_GE(first.at("stratd_events_accepted_total"), 2);
  EXPECT_GE(first.at("stratd_store_write_duration_seconds_count{operation=\"runner\"}"), 2);
  EXPECT_GE(first.at("stratd_runner_heartbeat_age_seconds{runner=\"" + a + "\"}"), 0);
  // Sampled every second: there once the watchdog has looked.
  EXPECT_TRUE(eventually([&] { return scrape(s).at("stratd_runner_worker_resident_memory_bytes{runner=\"" + a + "\"}") > 0; }));
  EXPECT_EQ(first.at("stratd_feed_up{source=\"sim\"}"), 1);
  EXPECT_GT(first.at("process_open_fds"), 0);
  EXPECT_GT(first.at("process_resident_memory_bytes"), 0);
  const double now = double(time(nullptr));
  EXPECT_GT(first.at("process_start_time_seconds"), now - 600);
  EXPECT_LE(first.at("process_start_time_seconds"), now + 1);
  // hold_long enters at once and holds: its position is open.
  EXPECT_TRUE(eventually([&] {
    const Scrape sc = scrape(s);
    return sc.at("stratd_runner_position_open{runner=\"" + a + "\"}") == 1 &&
           sc.at("stratd_runner_strategy_state{runner=\"" + a + "\",state=\"InPosition\"}") == 1 &&
           sc.at("stratd_store_write_duration_seconds_count{operation=\"snapshot\"}") > 0;
  }));
  // The feed saves its counts every second.
  EXPECT_TRUE(eventually([&] { return scrape(s).at("stratd_feed_ticks_total{symbol=\"BTCUSDT\"}") > 0; }));

  // The text format passes promtool's checks, lint included.
  auto [rc, printed] = run_with_input("promtool check metrics", first.text);
  EXPECT_EQ(rc, 0) << "promtool check metrics (from the Debian package prometheus, see scripts/deps):\n" << printed;

  // Counters move between scrapes.
  const Scrape second = scrape(s);
  EXPECT_GT(second.at("stratd_http_requests_total{route=\"/metrics\",method=\"GET\",code=\"200\"}"),
            first.at("stratd_http_requests_total{route=\"/metrics\",method=\"GET\",code=\"200\"}"));
  EXPECT_TRUE(eventually([&] { return scrape(s).at(ticks_of(a)) > second.at(ticks_of(a)); }));
  EXPECT_TRUE(eventually([&] { return scrape(s).at("process_cpu_seconds_total") > first.at("process_cpu_seconds_total"); }));
}

// Open connections, counted from the accept to the close, WebSocket ones
// included. Each scrape is a connection of its own, counted in itself.
TEST(Metrics, OpenConnectionsGaugeFollowsIdleConnectionsAndWebSockets) {
  StratdProcess s;
  const std::string gauge = "stratd_http_open_connections";
  ASSERT_TRUE(eventually([&] { return scrape(s).at(gauge) == 1; }));  // the scrape alone
  // An idle connection that has not sent a byte holds its place.
  RawConnection idle(s.http().port());
  EXPECT_TRUE(eventually([&] { return scrape(s).at(gauge) == 2; }));
  {
    const auto [host, port] = endpoint(s);
    WsClient ws(host, port);
    ws.send(R"({"type":"ping"})");
    ASSERT_TRUE(ws.next_where([](const json& m) { return m.value("type", "") == "pong"; }));
    EXPECT_TRUE(eventually([&] { return scrape(s).at(gauge) == 3; }));
    ws.close();
  }
  EXPECT_TRUE(eventually([&] { return scrape(s).at(gauge) == 2; }));
  idle.close();
  EXPECT_TRUE(eventually([&] { return scrape(s).at(gauge) == 1; }));
  // The audit log lost nothing meanwhile.
  const Scrape last = scrape(s);
  EXPECT_EQ(last.at("stratd_audit_entries_dropped_total"), 0);
  EXPECT_EQ(last.at("stratd_audit_write_failures_total"), 0);
}

TEST(Metrics, AKilledWorkerCountsAsARestartByReason) {
  StratdProcess s;
  const std::string id = "metrics_kill_" + std::to_string(getpid());
  ASSERT_EQ(s.add_runner(id, "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return s.runner(id)["lifecycle"] == "Running"; }));
  const std::string killed = "stratd_runner_restarts_total{runner=\"" + id + "\",reason=\"killed\"}";
  const Scrape before = scrape(s);
  EXPECT_EQ(before.at(killed), 0);
  const pid_t pid = s.runner(id)["pid"].get<pid_t>();
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(eventually([&] { return scrape(s).at(killed) == 1; }));
  const Scrape after = scrape(s);
  EXPECT_EQ(after.at("stratd_runner_restarts_total{runner=\"" + id + "\",reason=\"crashed\"}"), 0);
  EXPECT_EQ(after.at("stratd_runner_restarts_total{runner=\"" + id + "\",reason=\"hung\"}"), 0);
  // Its new worker runs and ticks on.
  EXPECT_TRUE(eventually([&] { return s.runner(id)["lifecycle"] == "Running" && s.runner(id)["pid"] != pid; }));
  EXPECT_TRUE(eventually([&] { return scrape(s).at(ticks_of(id)) > after.at(ticks_of(id)); }));
}

TEST(Metrics, OpenMetricsOnAcceptPassesItsParser) {
  StratdProcess s;
  const std::string id = "metrics_om_" + std::to_string(getpid());
  ASSERT_EQ(s.add_runner(id, "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return scrape(s).at(ticks_of(id)) > 0; }));
  // What Prometheus 2.x asks for.
  const Scrape om = scrape(s, {{"Accept", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                          "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"}});
  ASSERT_EQ(om.status, 200);
  EXPECT_EQ(om.content_type, kOpenMetrics);
  ASSERT_GE(om.text.size(), 6u);
  EXPECT_EQ(om.text.substr(om.text.size() - 6), "# EOF\n");
  // Families are named without _total; samples keep it.
  EXPECT_EQ(om.types.at("stratd_runner_ticks"), "counter");
  EXPECT_EQ(om.types.at("stratd_build"), "info");
  EXPECT_GT(om.at(ticks_of(id)), 0);
  EXPECT_NE(om.text.find("# UNIT stratd_http_request_duration_seconds seconds\n"), std::string::npos);
  // The Prometheus Python client's parser is strict: it refuses what breaks the format.
  const char* check =
      "/usr/bin/python3 -c 'import sys; from prometheus_client.openmetrics.parser import "
      "text_string_to_metric_families as parse; n = len(list(parse(sys.stdin.read()))); print(n, \"families\")'";
  auto [rc, printed] = run_with_input(check, om.text);
  EXPECT_EQ(rc, 0) << "OpenMetrics parser (Debian package python3-prometheus-client, see scripts/deps):\n" << printed;

  // Without an Accept header, or asking for text, the text format.
  EXPECT_EQ(scrape(s).content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(scrape(s, {{"Accept", "text/plain"}}).content_type, "text/plain; version=0.0.4; charset=utf-8");
}
