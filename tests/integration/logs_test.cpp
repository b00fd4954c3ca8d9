// A runner's log over REST and live over /ws, and stratd's own log lines:
// text or JSON, each HTTP line with its request id.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using namespace std::chrono;
using nlohmann::json;

namespace {

json logs(const StratdProcess& s, const std::string& id, const std::string& query = "") {
  auto r = s.http().get("/api/runners/" + id + "/logs" + query);
  EXPECT_EQ(r.status, 200) << r.raw;
  return r.body["data"];
}

// Waits until the runner's log has lines, so a test reads a log that exists.
void wait_for_log(const StratdProcess& s, const std::string& id) {
  ASSERT_TRUE(eventually([&] { return !logs(s, id)["lines"].empty(); })) << s.log_tail();
}

}  // namespace

TEST(RunnerLogs, TailReturnsTheLastLinesOldestFirst) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("chatty_tail", "BTCUSDT", "chatty.lua").status, 201);
  // chatty prints 100 lines a tick: soon more than 5.
  ASSERT_TRUE(eventually([&] { return logs(s, "chatty_tail", "?tail=5")["truncated"] == true; }));
  const json d = logs(s, "chatty_tail", "?tail=5");
  EXPECT_EQ(d["runner_id"], "chatty_tail");
  ASSERT_EQ(d["lines"].size(), 5u);
  int64_t previous = 0;
  for (const auto& l : d["lines"]) {
    EXPECT_NE(l["text"].get<std::string>().find("tick"), std::string::npos) << l;
    // Lines strategies print go through the worker's logger: stamped.
    ASSERT_TRUE(l["timestamp_ms"].is_number_integer()) << l;
    EXPECT_GE(l["timestamp_ms"].get<int64_t>(), previous);
    previous = l["timestamp_ms"].get<int64_t>();
  }
  // The default tail is 100 lines.
  EXPECT_EQ(logs(s, "chatty_tail")["lines"].size(), 100u);
}

TEST(RunnerLogs, RotatedFileComesFirstAndSinceFilters) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("rot_logs", "BTCUSDT", "hold_long.lua").status, 201);
  wait_for_log(s, "rot_logs");
  // What a rotation leaves behind: older lines in <log>.1. One of them has
  // no stamp of its own and goes with the line before it.
  {
    std::ofstream old(s.state_dir() + "/logs/rot_logs.log.1");
    old << "2020-01-01T00:00:00.000Z info [worker:rot_logs] first old line\n"
        << "2020-01-01T00:00:01.000Z info [worker:rot_logs] second old line\n"
        << "  a continuation without a stamp\n";
  }
  const json all = logs(s, "rot_logs", "?tail=10000");
  ASSERT_GE(all["lines"].size(), 4u);
  EXPECT_EQ(all["lines"][0]["text"], "2020-01-01T00:00:00.000Z info [worker:rot_logs] first old line");
  EXPECT_EQ(all["lines"][0]["timestamp_ms"], 1577836800000);
  EXPECT_EQ(all["lines"][2]["text"], "  a continuation without a stamp");
  EXPECT_TRUE(all["lines"][2]["timestamp_ms"].is_null());
  EXPECT_EQ(all["truncated"], false);

  // Since the second old line (as RFC 3339 and as milliseconds): it, its
  // continuation, and everything after.
  for (const std::string since : {"2020-01-01T00:00:01Z", "1577836801000", "2020-01-01T01:00:01%2B01:00"}) {
    const json later = logs(s, "rot_logs", "?tail=10000&since=" + since);
    ASSERT_EQ(later["lines"].size(), all["lines"].size() - 1) << since;
    EXPECT_EQ(later["lines"][0]["text"], "2020-01-01T00:00:01.000Z info [worker:rot_logs] second old line");
    EXPECT_EQ(later["lines"][1]["text"], "  a continuation without a stamp");
  }
  // A time after every line: nothing.
  EXPECT_TRUE(logs(s, "rot_logs", "?since=4102444800000")["lines"].empty());
}

TEST(RunnerLogs, BadQueriesAndUnknownRunnersAreRefused) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("bad_q", "BTCUSDT", "hold_long.lua").status, 201);
  for (const std::string q : {"?tail=0", "?tail=10001", "?tail=x", "?since=yesterday", "?since=2026-13-01T00:00:00Z"}) {
    auto r = s.http().get("/api/runners/bad_q/logs" + q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_EQ(r.body["error"]["code"], "VALIDATION_ERROR") << q;
  }
  auto missing = s.http().get("/api/runners/nobody/logs");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"]["code"], "RUNNER_NOT_FOUND");
  // A path that tries to leave the logs directory is not a runner.
  EXPECT_EQ(s.http().get("/api/runners/..%2F..%2Fetc%2Fpasswd/logs").status, 404);
}

TEST(RunnerLogs, LiveTailOverWebSocket) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("chatty_live", "BTCUSDT", "chatty.lua").status, 201);
  ASSERT_EQ(s.add_runner("quiet_live", "ETHUSDT", "hold_long.lua").status, 201);
  WsClient ws(s.http().host(), s.http().port());
  ws.send(R"({"type":"logs","runner":"nobody"})");
  auto err = ws.next_where([](const json& m) { return m["type"] == "error"; });
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["error"]["code"], "RUNNER_NOT_FOUND");
  ws.send(R"({"type":"logs","runner":"chatty_live","extra":1})");
  err = ws.next_where([](const json& m) { return m["type"] == "error"; });
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["error"]["code"], "INVALID_MESSAGE");

  ws.send(R"({"type":"logs","runner":"chatty_live"})");
  auto ack = ws.next_where([](const json& m) { return m["type"] == "logs_subscribed"; });
  ASSERT_TRUE(ack);
  EXPECT_EQ((*ack)["runner"], "chatty_live");
  auto line = ws.next_where([](const json& m) {
    return m["type"] == "log" && m["text"].get<std::string>().find("tick") != std::string::npos;
  });
  ASSERT_TRUE(line) << s.log_tail();
  EXPECT_EQ((*line)["runner_id"], "chatty_live");
  EXPECT_NE((*line)["text"].get<std::string>().find("tick"), std::string::npos);
  EXPECT_TRUE((*line)["timestamp_ms"].is_number_integer());

  ws.send(R"({"type":"logs_unsubscribe","runner":"chatty_live"})");
  ASSERT_TRUE(ws.next_where([](const json& m) { return m["type"] == "logs_unsubscribed"; }));
  // After the ack no line of it comes, not even one queued before it.
  ws.send(R"({"type":"ping"})");
  auto next = ws.next_where([](const json& m) { return m["type"] == "log" || m["type"] == "pong"; });
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["type"], "pong");
  EXPECT_FALSE(ws.closed());
}

TEST(StratdLog, JsonLinesWithRequestIds) {
  StratdOptions o;
  o.extra_args = {"--log-format", "json", "--log-level", "debug"};
  StratdProcess s(o);
  auto r = s.http().request("GET", "/api/runners", "", {{"X-Request-Id", "trace-abc.123"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["x-request-id"], "trace-abc.123");
  // Without one, or with one that is not plain, stratd makes its own.
  auto own = s.http().request("GET", "/health", "", {{"X-Request-Id", "bad id\twith spaces"}});
  ASSERT_FALSE(own.headers["x-request-id"].empty());
  EXPECT_NE(own.headers["x-request-id"], "bad id\twith spaces");
  EXPECT_NE(s.http().get("/health").headers["x-request-id"], own.headers["x-request-id"]);

  bool found = false;
  ASSERT_TRUE(eventually([&] {
    std::istringstream out(s.output());
    std::string line;
    size_t lines = 0;
    while (std::getline(out, line)) {
      ++lines;
      const json j = json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
      if (j.is_discarded()) return true;
      EXPECT_TRUE(j["time"].is_string() && j["level"].is_string() && j["msg"].is_string()) << line;
      if (j.value("request_id", "") == "trace-abc.123" &&
          j["msg"].get<std::string>().find("GET /api/runners 200") != std::string::npos) {
        found = true;
      }
    }
    return found && lines > 0;
  }));
  EXPECT_TRUE(found);
}

TEST(StratdLog, UnderJournaldLinesCarryTheirPriorityAndNoTime) {
  // systemd names the journal stream by device and inode in
  // $JOURNAL_STREAM; stratd's stderr is this file, so it is "the journal".
  char tmpl[] = "/tmp/stratd-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string state = tmpl;
  const std::string out = state + "/stratd.out";
  std::ofstream(out).close();
  struct stat st{};
  ASSERT_EQ(stat(out.c_str(), &st), 0);
  StratdOptions o;
  o.state_dir = state;
  o.extra_args = {"--log-level", "debug"};
  o.env = {{"JOURNAL_STREAM", std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)}};
  {
    StratdProcess s(o);
    EXPECT_EQ(s.http().get("/api/runners/nobody").status, 404);
    ASSERT_TRUE(eventually([&] { return s.output().find("GET /api/runners/nobody 404") != std::string::npos; }));
    std::istringstream lines(s.output());
    std::string line;
    bool info = false, debug = false;
    while (std::getline(lines, line)) {
      ASSERT_TRUE(line.size() > 3 && line[0] == '<' && line[2] == '>') << "no priority: " << line;
      EXPECT_EQ(line.find("Z "), std::string::npos) << "a time stamp under journald: " << line;
      info |= line.rfind("<6>info [stratd] stratd listening", 0) == 0;
      debug |= line.rfind("<7>debug [stratd] req=", 0) == 0;
    }
    EXPECT_TRUE(info);
    EXPECT_TRUE(debug);
    // Its workers' logs are files, not the journal: stamped, no priority.
    ASSERT_EQ(s.add_runner("journal_w", "BTCUSDT", "hold_long.lua").status, 201);
    ASSERT_TRUE(eventually([&] {
      std::ifstream in(state + "/logs/journal_w.log");
      std::string first;
      return std::getline(in, first) && first.size() > 24 && first[0] == '2' && first[23] == 'Z';
    }));
    s.terminate();
  }
  std::error_code ec;
  std::filesystem::remove_all(state, ec);
}
