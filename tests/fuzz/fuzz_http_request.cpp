// Raw bytes on the HTTP port: Beast's parser with stratd's limits, then
// stratd's router and its real handlers, over a real registry, store, event
// hub and pipeline (journal, WebSocket hub, storing events) in a scratch
// state dir. State carries over between inputs
// (a POST that succeeds makes a runner the next input can stop or delete),
// as it does on a live server. Workers are spawned, but from a program that
// does not exist: each spawn fails its exec, which drives the crash and
// restart paths without running strategies inside the fuzzer.
//
// Keys are configured, as an exposed stratd has them: every input passes
// the access gate first (its Authorization header, and on /ws its
// Sec-WebSocket-Protocol), then the router checks the route's role. The
// corpus carries the admin key below, so inputs reach the handlers; a
// mutated key is refused, or verified and refused (Argon2, slowly).
//
// Besides crashes, three answers are findings: a request that is never
// answered (or answered twice), a 500, and a body that is not the seed's
// envelope (but for /metrics' text and GET /api/openapi.json's document).
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "ipc/bus.hpp"
#include "ipc/segment.hpp"
#include "supervisor/auth/access_gate.hpp"
#include "supervisor/auth/access_policy.hpp"
#include "supervisor/auth/api_key.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/events/event_pipeline.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/api_context.hpp"
#include "supervisor/http/router.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/runner_registry.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"

using namespace stratd;
using namespace stratd::supervisor;
namespace bh = boost::beast::http;
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxRunners = 8;
// The corpus's key (an admin's; "look" is a viewer with the same secret).
constexpr const char* kFuzzKey = "stratd.fuzz.FUZZfuzzFUZZfuzzFUZZfuzzFUZZfuzzFUZZfuzzFUZ";

struct Server {
  std::string dir;
  std::string instance;
  Config cfg;
  std::unique_ptr<Store> store;
  boost::asio::io_context io{1};
  zmq::context_t zctx{1};
  std::unique_ptr<EventHub> hub;
  std::unique_ptr<ProcessManager> pm;
  std::unique_ptr<FeedSupervisor> feed;
  std::unique_ptr<StrategyCatalog> catalog;
  std::unique_ptr<RunnerRegistry> registry;
  std::unique_ptr<EventPipeline> events;
  http::Rejections rejections;
  std::unique_ptr<http::ApiContext> api;
  auth::AccessPolicy policy;
  std::unique_ptr<auth::AccessGate> gate;
  auth::KeyMemo memo;  // one connection's, across inputs: a repeated key takes the short path
  http::Router router{&policy, &rejections};

  Server() {
    spdlog::set_level(spdlog::level::off);
    char tmpl[] = "/tmp/stratd-fuzz-http-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    dir = tmpl;
    instance = "fuzz" + std::to_string(getpid());
    cfg.paths.state_dir = dir;
    cfg.paths.strategies_dir = STRATD_STRATEGIES_DIR;
    cfg.runners.max_runners = kMaxRunners;
    cfg.runners.backoff_initial_ms = 1;
    cfg.runners.stop_grace_ms = 100;
    cfg.events.journal_capacity = 1000;
    auto hash = auth::hash_key(kFuzzKey);
    if (!hash) std::abort();
    cfg.auth.keys = {ApiKeyEntry{"fuzz", "admin", *hash}, ApiKeyEntry{"look", "viewer", *hash}};
    // Every input from one address: no bucket may end the run's coverage.
    cfg.limits.requests_per_sec = 0;
    cfg.limits.mutations_per_sec = 0;
    cfg.limits.auth_failures_per_min = 0;
    gate = std::make_unique<auth::AccessGate>(cfg, rejections);
    policy.reconfigure(cfg.auth);
    fs::create_directories(dir + "/logs");
    fs::create_directories(dir + "/run");
    auto opened = Store::open(dir + "/stratd.db");
    if (!opened) std::abort();
    store = std::move(*opened);
    hub = std::make_unique<EventHub>(zctx, ipc::events_endpoint(dir + "/run"));
    pm = std::make_unique<ProcessManager>(io, cfg.log.max_file_bytes);
    // Never started: the routes only read its state.
    feed = std::make_unique<FeedSupervisor>(io, *pm, SpawnSpec{dir + "/no-feed", {}, dir + "/logs/feed.log"},
                                            RestartPolicySettings{1, 10, 5, 60});
    catalog = std::make_unique<StrategyCatalog>(cfg.paths.strategies_dir);
    registry = std::make_unique<RunnerRegistry>(
        io, *pm, *hub, *store, *catalog, cfg,
        WorkerPaths{dir + "/no-worker", dir + "/logs", instance});
    events = std::make_unique<EventPipeline>(*hub, *store, io, [this](const std::string& id) { registry->persist(id); },
                                             cfg);
    if (!events->start()) std::abort();
    api = std::make_unique<http::ApiContext>(http::ApiContext{io, *registry, *hub, events->journal(),
                                                              events->websocket(), *catalog, *store, *feed, cfg, 0,
                                                              instance, rejections});
    http::add_api_routes(router, *api, dir + "/feed-sim.json");
  }

  // Segments and the scratch dir do not outlive the fuzzer.
  ~Server() {
    for (const auto* r : registry->list()) ipc::SegmentMapping::remove(r->segment.name());
    pm->kill_all_now();
    events->stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Server& server() {
  static Server s;
  return s;
}

[[noreturn]] void finding(const char* what, const http::Request& req, const bh::response<bh::string_body>* res) {
  fprintf(stderr, "finding: %s\nrequest: %s %s\n", what, std::string(req.method_string()).c_str(),
          std::string(req.target()).c_str());
  if (res) fprintf(stderr, "response %u: %s\n", res->result_int(), res->body().c_str());
  std::abort();
}

void check_envelope(const http::Request& req, const http::Response& res) {
  if (res.result() == bh::status::internal_server_error) finding("500", req, &res);
  if (res.result() == bh::status::no_content) return;
  // The answers that are not JSON: metrics for a scraper, and the API's
  // description, a document served outside the envelope.
  if (res.result() == bh::status::ok && http::split_path(http::to_sv(req.target())) == std::vector<std::string>{"metrics"}) {
    if (res.body().empty()) finding("empty metrics", req, &res);
    return;
  }
  if (res.result() == bh::status::ok && http::split_path(http::to_sv(req.target())) ==
                                            std::vector<std::string>{"api", "openapi.json"}) {
    return;
  }
  const auto body = nlohmann::json::parse(res.body(), nullptr, false);
  if (!body.is_object() || !body.contains("timestamp")) finding("not the envelope", req, &res);
  const auto status = body.value("status", std::string());
  if (status == "ok" ? !body.contains("data") : !(status == "error" && body.contains("error") &&
                                                    body["error"].contains("code") &&
                                                    body["error"].contains("message"))) {
    finding("not the envelope", req, &res);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Server& s = server();
  bh::request_parser<bh::string_body> parser;
  parser.body_limit(s.cfg.server.body_limit_bytes);
  parser.header_limit(8 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  // Shared with the handler's answer, which may come after this input is
  // done with (a second, late answer is a finding, not a dangling write).
  struct Exchange {
    http::Request req;
    int answers = 0;
  };
  auto x = std::make_shared<Exchange>(Exchange{parser.release()});
  auto answer = [x](http::Response res) {
    if (++x->answers > 1) finding("answered more than once", x->req, &res);
    check_envelope(x->req, res);
    res.prepare_payload();
  };
  // Admitted, then routed on the HTTP loop, as in a session (a key's first
  // verification answers from the verifier's thread: posted back).
  const bool websocket = http::split_path(http::to_sv(x->req.target())) == std::vector<std::string>{"ws"};
  boost::asio::post(s.io, [&s, x, answer, websocket] {
    s.gate->admit(x->req, "192.0.2.1", "fuzz", websocket, &s.memo, [&s, x, answer](auth::Admission a) {
      boost::asio::post(s.io, [&s, x, answer, a = std::move(a)]() mutable {
        if (a.refusal) return answer(std::move(*a.refusal));
        s.router.dispatch(x->req, a.caller, answer);
      });
    });
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (x->answers == 0 && std::chrono::steady_clock::now() < deadline) s.io.run_one_for(std::chrono::milliseconds(50));
  // Whatever the request set going (exits of failed spawns, their backoff
  // timers, a delete finishing) runs before the next input.
  s.io.poll();
  if (x->answers == 0) finding("never answered", x->req, nullptr);
  return 0;
}
