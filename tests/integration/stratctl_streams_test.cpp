// stratctl's live views against a real stratd: watch (filters, --count,
// --since, the end of stratd, Ctrl-C), top piped and on a terminal,
// colours only on a terminal, and logs with -f.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/stratctl_process.hpp"
#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using namespace std::chrono;
using nlohmann::json;

TEST(Stratctl, WatchPrintsALiveEventAndEndsAfterCount) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("w", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "w") == "Running"; }));
  for (bool as_json : {false, true}) {
    std::vector<std::string> args = {"--url", url_of(s), "watch", "--type", "RunnerStopped", "--runner", "w",
                                     "--count", "1"};
    if (as_json) args.push_back("--json");
    Cli watch(args);
    // Connected: from here on it gets every event (the subscription
    // follows at once and counts from the connection).
    ASSERT_TRUE(eventually(
        [&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1; }));
    ASSERT_EQ(s.http().post("/api/runners/w/stop").status, 200);
    ASSERT_EQ(watch.wait(), 0) << watch.err();
    const auto stopped = seqs_of(s, "RunnerStopped", "w");
    ASSERT_FALSE(stopped.empty());
    const auto lines = lines_of(watch.out());
    ASSERT_EQ(lines.size(), 1u) << watch.out();
    if (as_json) {
      const json e = json::parse(lines[0]);
      EXPECT_EQ(e["type"], "RunnerStopped");
      EXPECT_EQ(e["runner_id"], "w");
      EXPECT_EQ(e["seq"], stopped.back());
    } else {
      EXPECT_FALSE(has_escape(watch.out()));
      EXPECT_NE(lines[0].find("#" + std::to_string(stopped.back()) + " RunnerStopped w BTCUSDT"), std::string::npos)
          << lines[0];
    }
    ASSERT_EQ(s.http().post("/api/runners/w/start").status, 200);
    ASSERT_TRUE(eventually([&] { return lifecycle(s, "w") == "Running"; }));
    ASSERT_TRUE(eventually(
        [&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 0; }));
  }
}

TEST(Stratctl, WatchSinceResumesExactly) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("res", "BTCUSDT", "hold_long.lua").status, 201);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(eventually([&] { return lifecycle(s, "res") == "Running"; }));
    ASSERT_EQ(s.http().post("/api/runners/res/stop").status, 200);
    ASSERT_TRUE(eventually([&] { return lifecycle(s, "res") == "Stopped"; }));
    if (i == 0) {
      ASSERT_EQ(s.http().post("/api/runners/res/start").status, 200);
    }
  }
  ASSERT_TRUE(eventually([&] { return seqs_of(s, "RunnerStopped", "res").size() == 2; }));
  const auto stopped = seqs_of(s, "RunnerStopped", "res");

  // Everything after the first stop: the second, and nothing before it.
  Result one = ctl(s, {"watch", "--json", "--type", "RunnerStopped", "--runner", "res", "--since",
                    std::to_string(stopped[0]), "--count", "1"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(json::parse(one.out)["seq"], stopped[1]);

  // From just before the first: both, in order; a comma list of types.
  Result both = ctl(s, {"watch", "--json", "--type", "RunnerStopped,RunnerFailed", "--runner", "res", "--since",
                     std::to_string(stopped[0] - 1), "-n", "2"});
  ASSERT_EQ(both.code, 0) << both.err;
  const auto lines = lines_of(both.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0])["seq"], stopped[0]);
  EXPECT_EQ(json::parse(lines[1])["seq"], stopped[1]);

  // stratd refuses what it cannot replay: exit 1 with its code.
  Result ahead = ctl(s, {"watch", "--since", std::to_string(last_seq(s) + 1000)});
  EXPECT_EQ(ahead.code, 1);
  EXPECT_NE(ahead.err.find("stratctl: SINCE_AHEAD: "), std::string::npos) << ahead.err;
  Result bad_type = ctl(s, {"watch", "--type", "NoSuchEvent"});
  EXPECT_EQ(bad_type.code, 1);
  EXPECT_NE(bad_type.err.find("stratctl: UNKNOWN_EVENT_TYPE: "), std::string::npos) << bad_type.err;
}

TEST(Stratctl, WatchExitsThreeWithTheLastSeqWhenStratdGoes) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("gone", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "gone") == "Running"; }));
  Cli watch({"--url", url_of(s), "watch", "--type", "RunnerStopped", "--runner", "gone"});
  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1; }));
  ASSERT_EQ(s.http().post("/api/runners/gone/stop").status, 200);
  ASSERT_TRUE(watch.read_until([](const std::string& out) { return out.find("RunnerStopped") != std::string::npos; }));
  const auto stopped = seqs_of(s, "RunnerStopped", "gone");
  ASSERT_EQ(stopped.size(), 1u);
  const uint64_t seen = stopped[0];
  s.terminate();
  EXPECT_EQ(watch.wait(), 3) << watch.err();
  EXPECT_NE(watch.err().find("resume with --since " + std::to_string(seen)), std::string::npos) << watch.err();
}

TEST(Stratctl, WatchEndsCleanlyOnCtrlC) {
  StratdProcess s;
  Cli watch({"--url", url_of(s), "watch", "--type", "RunnerFailed"});
  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1; }));
  watch.signal(SIGINT);
  EXPECT_EQ(watch.wait(), 0) << watch.err();
  EXPECT_NE(watch.err().find("stopped; last seq "), std::string::npos) << watch.err();
}

TEST(Stratctl, TopPrintsEachRefreshPlainWhenPiped) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("topper", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "topper") == "Running"; }));
  Result top = ctl(s, {"top", "-n", "2", "--interval", "0.1"});
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_FALSE(has_escape(top.out));
  size_t frames = 0, rows = 0;
  for (const auto& line : lines_of(top.out)) {
    frames += line.rfind("stratd " + url_of(s), 0) == 0;
    rows += line.rfind("topper ", 0) == 0;
  }
  EXPECT_EQ(frames, 2u) << top.out;
  EXPECT_EQ(rows, 2u) << top.out;

  Result j = ctl(s, {"top", "--count", "2", "--interval", "0.1", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const auto lines = lines_of(j.out);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) {
    const json f = json::parse(l);
    EXPECT_EQ(f["runners"][0]["runner_id"], "topper");
    EXPECT_TRUE(f["health"].contains("status"));
  }
}

TEST(Stratctl, ColoursOnlyOnATerminal) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("tty", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "tty") == "Running"; }));
  Result coloured = ctl(s, {"ls"}, {.env = {}, .terminal = true});
  ASSERT_EQ(coloured.code, 0) << coloured.err;
  EXPECT_NE(coloured.out.find("\x1b[32mRunning\x1b[0m"), std::string::npos) << coloured.out;
  Result no_color_env = ctl(s, {"ls"}, {.env = {{"NO_COLOR", "1"}}, .terminal = true});
  ASSERT_EQ(no_color_env.code, 0);
  EXPECT_FALSE(has_escape(no_color_env.out)) << no_color_env.out;
  Result no_color_flag = ctl(s, {"ls", "--no-color"}, {.env = {}, .terminal = true});
  ASSERT_EQ(no_color_flag.code, 0);
  EXPECT_FALSE(has_escape(no_color_flag.out)) << no_color_flag.out;
  // top on a terminal: the alternate screen, given back at the end.
  Result top = ctl(s, {"top", "-n", "1"}, {.env = {}, .terminal = true});
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_EQ(top.out.rfind("\x1b[?1049h", 0), 0u);
  EXPECT_NE(top.out.find("\x1b[?1049l"), std::string::npos);
}

TEST(Stratctl, TopOnATerminalEndsWithQ) {
  StratdProcess s;
  Cli top({"--url", url_of(s), "top", "--interval", "0.2"}, {.env = {}, .terminal = true});
  // A refresh or two, then q.
  ASSERT_TRUE(top.read_until([](const std::string& out) { return out.find("q to quit") != std::string::npos; }));
  ASSERT_TRUE(top.type("q"));
  EXPECT_EQ(top.wait(), 0) << top.err();
  EXPECT_NE(top.out().find("\x1b[?1049l"), std::string::npos) << "the screen is given back";
}

TEST(Stratctl, LogsPrintsAndFollowsTheWorkerLog) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("talk", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "talk") == "Running"; }));
  const std::string first_pid = std::to_string(s.runner("talk")["pid"].get<int>());
  const std::string started = "running talk on BTCUSDT (pid " + first_pid + ")";
  Result page;
  ASSERT_TRUE(eventually([&] {
    page = ctl(s, {"logs", "talk"});
    return page.code == 0 && page.out.find(started) != std::string::npos;
  })) << page.code << " " << page.err;
  EXPECT_FALSE(has_escape(page.out));

  Result one = ctl(s, {"logs", "talk", "--tail", "1", "--json"});
  ASSERT_EQ(one.code, 0) << one.err;
  const json d = json::parse(one.out);
  EXPECT_EQ(d["runner_id"], "talk");
  ASSERT_EQ(d["lines"].size(), 1u);
  EXPECT_TRUE(d["lines"][0]["text"].is_string());

  Result later = ctl(s, {"logs", "talk", "--since", "2999-01-01T00:00:00Z"});
  ASSERT_EQ(later.code, 0) << later.err;
  EXPECT_EQ(later.out, "");
  // stratd judges the time; stratctl shows its code.
  const HttpResult refused = s.http().get("/api/runners/talk/logs?since=yesterday");
  ASSERT_EQ(refused.status, 400);
  Result bad_since = ctl(s, {"logs", "talk", "--since", "yesterday"});
  EXPECT_EQ(bad_since.code, 1);
  EXPECT_EQ(bad_since.err.rfind("stratctl: " + refused.body["error"]["code"].get<std::string>() + ": ", 0), 0u)
      << bad_since.err;
  Result missing = ctl(s, {"logs", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("stratctl: RUNNER_NOT_FOUND: "), std::string::npos) << missing.err;
  Result missing_follow = ctl(s, {"logs", "nope", "-f"});
  EXPECT_EQ(missing_follow.code, 1);
  EXPECT_NE(missing_follow.err.find("stratctl: RUNNER_NOT_FOUND: "), std::string::npos) << missing_follow.err;

  // -f: the page, then what the next worker writes, each line once.
  Cli follow({"--url", url_of(s), "logs", "talk", "-f"});
  ASSERT_TRUE(follow.read_until([&](const std::string& out) { return out.find(started) != std::string::npos; }));
  ASSERT_EQ(s.http().post("/api/runners/talk/restart").status, 200);
  std::string second_pid;
  ASSERT_TRUE(eventually([&] {
    const json r = s.runner("talk");
    if (r["pid"].is_number() && std::to_string(r["pid"].get<int>()) != first_pid) {
      second_pid = std::to_string(r["pid"].get<int>());
    }
    return !second_pid.empty();
  }));
  const std::string restarted = "running talk on BTCUSDT (pid " + second_pid + ")";
  ASSERT_TRUE(follow.read_until([&](const std::string& out) { return out.find(restarted) != std::string::npos; }))
      << follow.out();
  follow.signal(SIGINT);
  EXPECT_EQ(follow.wait(), 0) << follow.err();
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = follow.out().find(needle); at != std::string::npos; at = follow.out().find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(started), 1u) << follow.out();
  EXPECT_EQ(count(restarted), 1u) << follow.out();
}
