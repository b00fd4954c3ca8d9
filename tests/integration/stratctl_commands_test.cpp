// stratctl's commands against a real stratd: what ls, show, add, rm, stop,
// start, restart and health print, and what they change (seen over REST).
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

TEST(Stratctl, LsShowsEveryRunnerAsATableAndAsJson) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("holder", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_EQ(s.add_runner("flipper", "ETHUSDT", "flip.lua").status, 201);
  // hold_long enters on its second tick and holds.
  ASSERT_TRUE(eventually([&] { return s.runner("holder")["state"] == "InPosition"; }));
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "flipper") == "Running"; }));

  Result r = ctl(s, {"ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_FALSE(has_escape(r.out)) << "piped output has no colour";
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const char* col : {"ID", "SYMBOL", "STRATEGY", "LIFECYCLE", "STATE", "POSITION", "PNL", "TICKS", "RESTARTS",
                          "CPU", "RSS", "HEARTBEAT", "UPTIME"}) {
    EXPECT_NE(lines[0].find(col), std::string::npos) << col;
  }
  const std::string holder = row_of(r.out, "holder");
  for (const char* cell : {"BTCUSDT", "hold_long.lua", "Running", "InPosition", "Long "}) {
    EXPECT_NE(holder.find(cell), std::string::npos) << cell << " in: " << holder;
  }
  EXPECT_NE(row_of(r.out, "flipper").find("ETHUSDT"), std::string::npos) << r.out;

  Result j = ctl(s, {"ls", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const json list = json::parse(j.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u);
  std::map<std::string, json> by_id;
  for (const auto& d : list) by_id[d["runner_id"]] = d;
  ASSERT_TRUE(by_id.count("holder") && by_id.count("flipper"));
  // The details, not only the summary.
  for (const char* key : {"pid", "lifecycle", "state", "position", "realized_pnl", "unrealized_pnl", "ticks_processed",
                          "restarts", "cpu_percent", "rss_bytes", "heartbeat_age_ms", "uptime_secs"}) {
    EXPECT_TRUE(by_id["holder"].contains(key)) << key;
  }
  EXPECT_EQ(by_id["holder"]["position"]["side"], "Long");
}

TEST(Stratctl, AddShowAndRemove) {
  StratdProcess s;
  Result empty = ctl(s, {"ls"});
  ASSERT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "no runners\n");

  Result add = ctl(s, {"add", "cli_one", "BTCUSDT", "hold_long.lua", "--window-size", "30"});
  ASSERT_EQ(add.code, 0) << add.err;
  EXPECT_EQ(add.out.rfind("added cli_one (BTCUSDT, hold_long.lua): ", 0), 0u) << add.out;
  const json d = s.runner("cli_one");
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d["window_size"], 30);
  EXPECT_NE(row_of(ctl(s, {"ls"}).out, "cli_one").find("hold_long.lua"), std::string::npos);

  ASSERT_TRUE(eventually([&] { return lifecycle(s, "cli_one") == "Running"; }));
  Result show = ctl(s, {"show", "cli_one"});
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_FALSE(has_escape(show.out));
  EXPECT_NE(row_of(show.out, "runner").find("cli_one"), std::string::npos) << show.out;
  EXPECT_NE(row_of(show.out, "lifecycle").find("Running"), std::string::npos) << show.out;
  EXPECT_NE(row_of(show.out, "pid").find(std::to_string(s.runner("cli_one")["pid"].get<int>())), std::string::npos)
      << show.out;
  Result show_json = ctl(s, {"show", "cli_one", "--json"});
  ASSERT_EQ(show_json.code, 0);
  EXPECT_EQ(json::parse(show_json.out)["runner_id"], "cli_one");

  Result add_json = ctl(s, {"--json", "add", "cli_two", "ETHUSDT", "flip.lua"});
  ASSERT_EQ(add_json.code, 0) << add_json.err;
  EXPECT_EQ(json::parse(add_json.out)["symbol"], "ETHUSDT");

  Result rm = ctl(s, {"rm", "cli_one", "cli_two"});
  ASSERT_EQ(rm.code, 0) << rm.err;
  EXPECT_EQ(rm.out, "removed cli_one\nremoved cli_two\n");
  EXPECT_EQ(s.http().get("/api/runners/cli_one").status, 404);
  EXPECT_EQ(s.http().get("/api/runners/cli_two").status, 404);
  EXPECT_EQ(ctl(s, {"ls"}).out, "no runners\n");
}

TEST(Stratctl, StopStartAndRestartTakeEffect) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("ctl", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "ctl") == "Running"; }));
  const int first_pid = s.runner("ctl")["pid"];

  Result stop = ctl(s, {"stop", "ctl"});
  ASSERT_EQ(stop.code, 0) << stop.err;
  EXPECT_EQ(stop.out.rfind("ctl: ", 0), 0u) << stop.out;
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "ctl") == "Stopped"; }));
  EXPECT_TRUE(s.runner("ctl")["pid"].is_null());
  EXPECT_NE(row_of(ctl(s, {"ls"}).out, "ctl").find("Stopped"), std::string::npos);

  Result start = ctl(s, {"start", "ctl", "--json"});
  ASSERT_EQ(start.code, 0) << start.err;
  EXPECT_EQ(json::parse(start.out)["runner_id"], "ctl");
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "ctl") == "Running"; }));
  const int second_pid = s.runner("ctl")["pid"];
  EXPECT_NE(second_pid, first_pid);

  Result restart = ctl(s, {"restart", "ctl"});
  ASSERT_EQ(restart.code, 0) << restart.err;
  ASSERT_TRUE(eventually([&] {
    const json r = s.runner("ctl");
    return r["lifecycle"] == "Running" && r["pid"].is_number() && r["pid"] != second_pid;
  }));
}

TEST(Stratctl, Health) {
  StratdProcess s;
  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["feed"]["running"] == true; }));
  Result h = ctl(s, {"health"});
  ASSERT_EQ(h.code, 0) << h.err;
  EXPECT_NE(row_of(h.out, "status").find("healthy"), std::string::npos) << h.out;
  EXPECT_NE(row_of(h.out, "feed").find("sim, running"), std::string::npos) << h.out;
  EXPECT_NE(row_of(h.out, "runners").find("0 (0 healthy)"), std::string::npos) << h.out;
  Result j = ctl(s, {"health", "--json"});
  ASSERT_EQ(j.code, 0);
  const json d = json::parse(j.out);
  EXPECT_EQ(d["status"], "healthy");
  EXPECT_TRUE(d["feed"]["pid"].is_number_integer());
}
