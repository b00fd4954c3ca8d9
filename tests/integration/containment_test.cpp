// Hostile strategies are contained: they lose nothing but their own calls,
// and the API keeps answering throughout.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"
#include "common/event.hpp"
#include "common/msgpack_codec.hpp"
#include "ipc/bus.hpp"
#include "tests/support/ws_client.hpp"

using namespace stratd::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

json snapshot(const StratdProcess& s, const std::string& id) {
  auto r = s.http().get("/api/runners/" + id + "/snapshot");
  return r.status == 200 ? r.body["data"] : json(nullptr);
}

std::unique_ptr<WsClient> connect_ws(const StratdProcess& s) {
  std::ifstream in(s.state_dir() + "/http.url");
  std::string url;
  std::getline(in, url);
  const auto colon = url.rfind(':');
  return std::make_unique<WsClient>(url.substr(7, colon - 7), uint16_t(std::stoi(url.substr(colon + 1))));
}

StratdOptions with_config(const std::string& toml) {
  static int n = 0;
  const std::string path = "/tmp/stratd-containment-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".toml";
  std::ofstream(path) << toml;
  StratdOptions o;
  o.extra_args = {"--config", path};
  return o;
}

}  // namespace

TEST(Containment, SandboxEscapesAllFail) {
  std::filesystem::remove("/tmp/stratd-sandbox-escaped");
  StratdProcess s;
  ASSERT_EQ(s.add_runner("jail", "BTCUSDT", "escape.lua").status, 201);
  json snap;
  ASSERT_TRUE(eventually([&] {
    snap = snapshot(s, "jail");
    return snap["context"]["integers"].value("calls", 0) >= 3;
  }));
  EXPECT_EQ(snap["context"]["strings"]["escaped_at_load"], "");
  EXPECT_EQ(snap["context"]["strings"]["escaped_at_call"], "");
  EXPECT_FALSE(std::filesystem::exists("/tmp/stratd-sandbox-escaped"));
  EXPECT_TRUE(eventually([&] { return s.runner("jail")["lifecycle"] == "Running"; }));
  EXPECT_EQ(s.runner("jail")["restarts"], 0);
}

TEST(Containment, EveryHostileStrategyAtOnceWhileTheApiAnswers) {
  StratdProcess s(with_config("[lua]\ninstruction_budget = 2000000\nmemory_limit_bytes = 8388608\n"));
  const std::map<std::string, std::string> hostile = {{"h_errors", "error_every_call.lua"},
                                                      {"h_runaway", "runaway.lua"},
                                                      {"h_escape", "escape.lua"},
                                                      {"h_hang", "hang_in_c.lua"},
                                                      {"h_noload", "load_error.lua"}};
  for (const auto& [id, file] : hostile) ASSERT_EQ(s.add_runner(id, "BTCUSDT", file).status, 201) << id;
  auto bad = s.add_runner("h_syntax", "BTCUSDT", "bad_syntax.lua");
  EXPECT_EQ(bad.status, 422);
  ASSERT_EQ(s.add_runner("bystander", "ETHBTC", "hold_long.lua").status, 201);

  // While they misbehave, every request is answered, and the bystander trades on.
  int failures = 0, requests = 0;
  const auto ticks_before = snapshot(s, "bystander").value("stats", json::object()).value("ticks_processed", 0);
  ASSERT_TRUE(eventually([&] {
    for (const char* path : {"/api/runners", "/api/engine/health", "/api/runners/h_runaway/snapshot"}) {
      ++requests;
      if (s.http().get(path).status != 200) ++failures;
    }
    const auto errs = snapshot(s, "h_runaway")["stats"]["errors"].get<int>();
    const auto hung = s.runner("h_hang")["restarts"].get<int>();
    return errs >= 4 && hung >= 1 && s.runner("h_noload")["lifecycle"] == "Failed";
  }, 60s));
  EXPECT_EQ(failures, 0) << "of " << requests;
  EXPECT_GT(snapshot(s, "bystander")["stats"]["ticks_processed"].get<int>(), ticks_before);
  EXPECT_EQ(s.runner("bystander")["restarts"], 0);
  EXPECT_EQ(s.runner("h_errors")["lifecycle"], "Running");
  EXPECT_EQ(s.runner("h_runaway")["lifecycle"], "Running");
  EXPECT_EQ(s.runner("h_escape")["lifecycle"], "Running");
  EXPECT_EQ(s.http().get("/health").status, 200);
}

TEST(Containment, ForgedAndGarbageEventsAreCountedAndDropped) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("honest", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return s.runner("honest")["lifecycle"] == "Running"; }));
  auto listener = connect_ws(s);

  // A rogue process on the event bus, as a compromised worker would be.
  zmq::context_t ctx(1);
  zmq::socket_t rogue(ctx, zmq::socket_type::pub);
  rogue.set(zmq::sockopt::linger, 0);
  rogue.connect("ipc://" + s.state_dir() + "/run/events.ipc");
  auto forged = [](stratd::EventType type, const std::string& runner, const std::string& symbol, uint64_t seq) {
    stratd::Event e;
    e.type = type;
    e.runner_id = runner;
    e.symbol = symbol;
    e.runner_seq = seq;
    e.data = {{"forged", true}};
    return stratd::msgpack_encode(e);
  };
  // Without the credential stratd handed the honest runner's worker, no
  // message passes as its events, however well formed; a forged sequence
  // number far ahead must not lock its real events out either.
  const std::string guess(32, 'a');
  struct Forgery {
    std::string topic, credential, body;
  };
  const std::vector<Forgery> messages = {
      {"ev.honest", guess, forged(stratd::EventType::PositionOpened, "honest", "BTCUSDT", 1'000'000)},
      {"ev.honest", "", forged(stratd::EventType::PositionOpened, "honest", "BTCUSDT", 1'000'001)},
      {"ev.honest", guess, "\xc1\xc1 not msgpack"},
      {"ev.ghost", guess, forged(stratd::EventType::PositionOpened, "ghost", "BTCUSDT", 1)},  // unknown runner
      {"ev.honest", guess, std::string(size_t(70'000), 'x')},  // oversized
  };
  const auto health_before = s.http().get("/api/engine/health").body["data"]["events"];
  const uint64_t rejected_before = health_before["rejected"];
  const uint64_t disconnects_before = health_before["disconnects"];
  // PUB drops until the subscription reaches it: send until all are counted.
  ASSERT_TRUE(eventually([&] {
    for (const auto& m : messages) stratd::ipc::send_signed_message(rogue, m.topic, m.credential, m.body);
    // Not in the [topic, credential, body] shape at all.
    stratd::ipc::send_message(rogue, "ev.honest", forged(stratd::EventType::PositionOpened, "honest", "BTCUSDT", 7));
    const uint64_t now = s.http().get("/api/engine/health").body["data"]["events"]["rejected"];
    return now >= rejected_before + messages.size();  // the oversized one is refused by ZeroMQ itself
  }));
  // ZeroMQ cuts off a peer that sends more than the limit: that is counted too.
  EXPECT_TRUE(eventually([&] {
    return s.http().get("/api/engine/health").body["data"]["events"]["disconnects"].get<uint64_t>() >
           disconnects_before;
  }));
  EXPECT_GT(s.runner("honest")["events_rejected"].get<uint64_t>(), 0u);
  // None of it reached a client; the honest runner is unaffected.
  for (int i = 0; i < 20; ++i) {
    auto m = listener->next(5s);
    ASSERT_TRUE(m);
    EXPECT_FALSE((*m)["data"].contains("forged")) << m->dump();
    EXPECT_NE((*m)["runner_id"], "ghost");
  }
  auto events = s.http().get("/api/events?limit=1000").body["data"]["events"];
  for (const auto& e : events) EXPECT_FALSE(e["data"].contains("forged")) << e.dump();
  // The honest runner's own events still get in after the forged ones.
  const uint64_t after = s.http().get("/api/engine/health").body["data"]["events"]["last_seq"];
  ASSERT_TRUE(eventually([&] {
    return !s.http().get("/api/events?since=" + std::to_string(after) + "&runner=honest").body["data"]["events"].empty();
  }));
  EXPECT_EQ(s.runner("honest")["lifecycle"], "Running");
  EXPECT_EQ(s.http().get("/health").status, 200);
}

TEST(Containment, ACorruptedSegmentIsRefusedAndTheRunnerResumesFromTheStore) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("scribbled", "BTCUSDT", "hold_long.lua").status, 201);
  json before;
  ASSERT_TRUE(eventually([&] {
    before = snapshot(s, "scribbled");
    return before["current_state"] == "InPosition";
  }));
  ASSERT_EQ(s.http().post("/api/runners/scribbled/stop").status, 200);
  ASSERT_TRUE(eventually([&] { return s.runner("scribbled")["lifecycle"] == "Stopped"; }));
  before = snapshot(s, "scribbled");

  // Garbage over everything after the header: both slots, lengths included.
  const std::string instance = s.http().get("/api/engine/health").body["data"]["instance"];
  const std::string path = "/dev/shm/stratd." + instance + ".scribbled";
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f);
    f.seekg(0, std::ios::end);
    const auto size = size_t(f.tellg());
    std::mt19937 rng(7);
    std::string junk(size - 256, '\0');
    for (auto& c : junk) c = char(rng());
    f.seekp(256);
    f.write(junk.data(), std::streamsize(junk.size()));
  }
  // Reads fail cleanly; the API answers; the corruption is counted.
  for (int i = 0; i < 10; ++i) {
    const int st = s.http().get("/api/runners/scribbled/snapshot").status;
    EXPECT_TRUE(st == 200 || st == 503) << st;
    EXPECT_EQ(s.http().get("/api/runners/scribbled").status, 200);
  }
  EXPECT_EQ(s.runner("scribbled")["segment_errors"], 1);
  // Starting again resumes from the store's copy, not from the garbage.
  ASSERT_EQ(s.http().post("/api/runners/scribbled/start").status, 200);
  json after;
  ASSERT_TRUE(eventually([&] {
    after = snapshot(s, "scribbled");
    return !after.is_null() && s.runner("scribbled")["lifecycle"] == "Running" &&
           after["stats"]["ticks_processed"].get<uint64_t>() > before["stats"]["ticks_processed"].get<uint64_t>();
  }));
  EXPECT_EQ(after["position"]["entry_price"], before["position"]["entry_price"]);
}

TEST(Containment, TheErrorPolicyStopsARunnerThatOnlyErrs) {
  StratdProcess s(with_config("[runners]\nmax_consecutive_strategy_errors = 5\n"));
  ASSERT_EQ(s.add_runner("hopeless", "BTCUSDT", "error_every_call.lua").status, 201);
  ASSERT_EQ(s.add_runner("fine", "BTCUSDT", "hold_long.lua").status, 201);
  json d;
  ASSERT_TRUE(eventually([&] {
    d = s.runner("hopeless");
    return d["lifecycle"] == "Failed";
  }));
  EXPECT_EQ(d["restarts"], 0);  // retrying would not help
  EXPECT_NE(d["last_exit"]["reason"].get<std::string>().find("error policy"), std::string::npos);
  EXPECT_GE(snapshot(s, "hopeless")["stats"]["errors"].get<int>(), 5);
  EXPECT_TRUE(eventually([&] { return s.runner("fine")["lifecycle"] == "Running"; }));
}

TEST(Containment, BytesThatAreNotUtf8AreRepairedNotFatal) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("bytes", "BTCUSDT", "bad_utf8.lua").status, 201);
  auto listener = connect_ws(s);
  json snap;
  ASSERT_TRUE(eventually([&] {
    snap = snapshot(s, "bytes");
    return !snap.is_null() && snap["context"]["strings"].contains("note");
  }));
  // Invalid sequences become U+FFFD; everything else answers as usual.
  EXPECT_EQ(snap["context"]["strings"]["note"], "caf\ufffd\ufffd");
  EXPECT_EQ(s.http().get("/api/runners").status, 200);
  EXPECT_EQ(s.http().get("/api/engine/summary").status, 200);
  // A client's message cut inside a UTF-8 sequence when it is quoted back.
  listener->send(R"({"type":")" + std::string(62, 'x') + "\xc9\xbd" + R"("})");
  auto err = listener->next_where([](const json& m) { return m["type"] == "error"; });
  ASSERT_TRUE(err);
  EXPECT_EQ((*err)["error"]["code"], "INVALID_MESSAGE");
  EXPECT_EQ(s.http().get("/health").status, 200);
}
