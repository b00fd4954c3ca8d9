#include "supervisor/runners/runner_watchdog.hpp"

#include "common/clock.hpp"
#include "supervisor/runners/runner_persistence.hpp"

namespace stratd::supervisor {
namespace {
constexpr auto kPeriod = std::chrono::milliseconds(100);
constexpr int64_t kSampleEveryMs = 1000;
}  // namespace

RunnerWatchdog::RunnerWatchdog(boost::asio::io_context& io, Store& store, int64_t hang_timeout_ms,
                               ForEachRunner runners, OnVerdict on_verdict)
    : timer_(io), store_(store), hang_timeout_ms_(hang_timeout_ms), runners_(std::move(runners)),
      on_verdict_(std::move(on_verdict)) {}

void RunnerWatchdog::start() {
  timer_.expires_after(kPeriod);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    tick();
    start();
  });
}

void RunnerWatchdog::tick() {
  const int64_t now = mono_ms();
  const bool sample = now - last_sample_ms_ >= kSampleEveryMs;
  if (sample) last_sample_ms_ = now;
  runners_([&](Runner& r) {
    if (sample) save_new_snapshot(r, store_);
    // A worker already being killed for hanging is judged no more.
    if (r.has_process() && !r.hang_kill) {
      const auto v = judge_heartbeat({r.lifecycle(), r.segment.heartbeat_age_ms(r.pid), now - r.spawned_mono_ms},
                                     hang_timeout_ms_);
      if (v.event || v.health) on_verdict_(r, v);
    }
    if (sample && r.has_process()) {
      if (auto u = r.sampler.sample(r.pid, mono_ns())) r.usage = *u;
    }
  });
}

}  // namespace stratd::supervisor
