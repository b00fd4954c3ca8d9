// What the access checks cost the thread that runs them, per request:
// the gate (key, rate limits) and the router's role check, in process,
// for the paths a request can take. A refusal must cost microseconds.
//   build/bin/bench_access_gate [--benchmark_repetitions=5]
#include <atomic>
#include <thread>

#include <benchmark/benchmark.h>

#include "common/config.hpp"
#include "supervisor/auth/access_gate.hpp"
#include "supervisor/auth/api_key.hpp"
#include "supervisor/http/router.hpp"

using namespace stratd;
using namespace stratd::supervisor;
namespace bh = boost::beast::http;

namespace {

struct Fixture {
  std::string key = auth::generate_key("ops");
  Config cfg;
  http::Rejections rejections;
  std::unique_ptr<auth::AccessGate> gate;
  auth::AccessPolicy policy;
  http::Router router{&policy, &rejections};

  explicit Fixture(bool keys, bool limits) {
    if (keys) cfg.auth.keys = {ApiKeyEntry{"ops", "viewer", *auth::hash_key(key)}};
    cfg.limits.exempt = {};
    if (!limits) {
      cfg.limits.requests_per_sec = 0;
      cfg.limits.mutations_per_sec = 0;
      cfg.limits.auth_failures_per_min = 0;
    }
    if (limits) {
      cfg.limits.requests_per_sec = 1e-6;  // refused after the burst
      cfg.limits.request_burst = 1;
      cfg.limits.auth_failures_per_min = 1e-6;  // locked out for the run once the burst is spent
    }
    gate = std::make_unique<auth::AccessGate>(cfg, rejections);
    policy.reconfigure(cfg.auth);
    router.add(bh::verb::get, "/api/runners", http::Access::Viewer,
               [](const http::Request&, const http::PathParams&, http::Respond respond) {
                 respond(http::reply_no_content());
               });
    router.add(bh::verb::post, "/api/runners", http::Access::Admin,
               [](const http::Request&, const http::PathParams&, http::Respond respond) {
                 respond(http::reply_no_content());
               });
  }
  // The key's one verification, on the verifier's thread, waited for.
  void warm(const http::Request& req) {
    std::atomic<bool> done{false};
    gate->admit(req, "192.0.2.1", "bench-0", false, nullptr, [&](auth::Admission) { done = true; });
    while (!done) std::this_thread::yield();
  }
  // One request through the gate and the router, answered at once.
  // `memo`: the connection's last good key (a keep-alive connection's).
  unsigned run(const http::Request& req, auth::KeyMemo* memo = nullptr) {
    unsigned status = 0;
    gate->admit(req, "192.0.2.1", "bench-1", false, memo, [&](auth::Admission a) {
      if (a.refusal) {
        status = a.refusal->result_int();
        return;
      }
      router.dispatch(req, a.caller, [&](http::Response res) { status = res.result_int(); });
    });
    return status;
  }
};

http::Request request(bh::verb method, const std::string& key) {
  http::Request req{method, "/api/runners", 11};
  req.set(bh::field::host, "x");
  if (!key.empty()) req.set(bh::field::authorization, "Bearer " + key);
  return req;
}

void expect(benchmark::State& state, unsigned got, unsigned want) {
  if (got != want) state.SkipWithError(("status " + std::to_string(got)).c_str());
}

// The baseline: no keys, no limits.
void NoKeysNoLimits(benchmark::State& state) {
  Fixture f(false, false);
  const auto req = request(bh::verb::get, "");
  for (auto _ : state) expect(state, f.run(req), 204);
}
// A good key, verified before (the cache).
void CachedKey(benchmark::State& state) {
  Fixture f(true, false);
  const auto req = request(bh::verb::get, f.key);
  f.warm(req);
  for (auto _ : state) expect(state, f.run(req), 204);
}
// The same, on a connection that sent it before (KeyMemo).
void RememberedKey(benchmark::State& state) {
  Fixture f(true, false);
  const auto req = request(bh::verb::get, f.key);
  f.warm(req);
  auth::KeyMemo memo;
  for (auto _ : state) expect(state, f.run(req, &memo), 204);
}
// Refusals.
void MissingKey401(benchmark::State& state) {
  Fixture f(true, false);
  const auto req = request(bh::verb::get, "");
  for (auto _ : state) expect(state, f.run(req), 401);
}
void MalformedKey401(benchmark::State& state) {
  Fixture f(true, false);
  const auto req = request(bh::verb::get, "not-a-key");
  for (auto _ : state) expect(state, f.run(req), 401);
}
void Forbidden403(benchmark::State& state) {
  Fixture f(true, false);
  const auto warm = request(bh::verb::get, f.key);
  f.warm(warm);
  const auto req = request(bh::verb::post, f.key);
  for (auto _ : state) expect(state, f.run(req), 403);
}
// An address locked out for failed keys: refused before any hashing.
void LockedOut429(benchmark::State& state) {
  Fixture f(true, true);
  const auto req = request(bh::verb::get, "stratd.ops." + std::string(43, 'x'));
  for (int i = 0; i < 30; ++i) f.warm(req);  // wrong keys until the address is locked out
  for (auto _ : state) expect(state, f.run(req), 429);
}
void RateLimited429(benchmark::State& state) {
  Fixture f(false, true);
  const auto req = request(bh::verb::get, "");
  f.run(req);  // the burst
  for (auto _ : state) expect(state, f.run(req), 429);
}

}  // namespace

BENCHMARK(NoKeysNoLimits);
BENCHMARK(CachedKey);
BENCHMARK(RememberedKey);
BENCHMARK(MissingKey401);
BENCHMARK(MalformedKey401);
BENCHMARK(Forbidden403);
BENCHMARK(LockedOut429);
BENCHMARK(RateLimited429);
BENCHMARK_MAIN();
