// RunnerRegistry: how runners' workers are started, watched and brought
// back. Every reaction to a worker's exit happens in on_exit, called by the
// process manager from the Asio loop.
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "supervisor/previous_writer.hpp"
#include "supervisor/registry.hpp"
#include "worker/worker_options.hpp"

namespace stratd::supervisor {
namespace {
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(100);
constexpr int64_t kSampleEveryMs = 1000;
}  // namespace

void RunnerRegistry::emit(const Runner& r, EventType type, std::vector<Field> data) {
  Event e;
  e.type = type;
  e.runner_id = r.spec.runner_id;
  e.symbol = r.spec.symbol;
  e.data = std::move(data);
  hub_.publish(std::move(e));
}

void RunnerRegistry::set_health(Runner& r, const std::string& health) {
  if (r.health == health) return;
  emit(r, EventType::HealthChanged, {{"from", r.health}, {"to", health}});
  r.health = health;
}

void RunnerRegistry::spawn(Runner& r) {
  const auto& c = cfg_;
  if (!end_previous_writer(r.reader->worker_pid(), r.segment_name)) {
    return mark_failed(r, "its previous worker could not be stopped; start it again once that process is gone", {});
  }
  // A worker resumes from its segment; one that no longer reads as this
  // runner's (scribbled on) is rebuilt from the store's copy first.
  if (r.reader->commits() > 0 && !snapshot(r)) {
    spdlog::error("runner {}: its segment is unreadable; restoring it from the store", r.spec.runner_id);
    r.reader.reset();
    r.segment.reset();
    ipc::SegmentMapping::remove(r.segment_name);
    auto seg = ipc::SegmentMapping::create(r.segment_name, r.spec.window_size);
    if (!seg) {
      on_crash(r, seg.error().message);
      return;
    }
    r.segment = std::make_unique<ipc::SegmentMapping>(std::move(*seg));
    if (auto bytes = store_.snapshot(r.spec.runner_id)) ipc::SegmentWriter::seed(*r.segment, *bytes);
    r.reader = std::make_unique<ipc::SegmentReader>(*r.segment);
    r.persisted_commits = r.reader->commits();
  }
  SpawnSpec spec;
  spec.program = paths_.worker_program;
  spec.log_path = log_path(r.spec.runner_id);
  spec.args = {"--runner-id",       r.spec.runner_id,
               "--symbol",          r.spec.symbol,
               "--strategy",        r.strategy_file,
               "--segment",         r.segment_name,
               "--md-endpoint",     paths_.md_endpoint,
               "--events-endpoint", paths_.events_endpoint,
               "--window",          std::to_string(r.spec.window_size),
               "--instruction-budget", std::to_string(c.lua.instruction_budget),
               "--memory-limit",    std::to_string(c.lua.memory_limit_bytes),
               "--fee-bps",         std::to_string(c.broker.fee_bps),
               "--slippage-bps",    std::to_string(c.broker.slippage_bps),
               "--max-consecutive-errors", std::to_string(c.runners.max_consecutive_strategy_errors),
               "--log-level",       c.log_level,
               "--nice",            std::to_string(c.runners.worker_nice),
               "--credential-fd",   std::to_string(kHandoffFd)};
  // A credential of its own: its events are told apart from anyone's else.
  auto credential = new_credential();
  if (!credential) {
    spdlog::error("runner {}: {}", r.spec.runner_id, credential.error().message);
    on_crash(r, credential.error().message);
    return;
  }
  spec.handoff = std::move(*credential);
  hub_.set_credential(r.spec.runner_id, spec.handoff);
  spec.address_space_limit = c.runners.worker_address_space_bytes;
  spec.open_files_limit = c.runners.worker_open_files;
  r.hang_kill = false;
  r.after_stop = Runner::AfterStop::StayStopped;
  const std::string id = r.spec.runner_id;
  auto pid = pm_.spawn(spec, [this, id](const ExitStatus& st) {
    // The pid is looked up again: the runner may have been replaced.
    if (Runner* rr = find_mut(id)) on_exit(id, rr->pid, st);
  });
  if (!pid) {
    spdlog::error("runner {}: {}", id, pid.error().message);
    r.pid = 0;
    r.last_exit_reason = pid.error().message;
    on_crash(r, pid.error().message);
    return;
  }
  r.pid = *pid;
  r.spawned_mono_ms = mono_ms();
  r.lifecycle = Lifecycle::Starting;
  r.sampler.reset();
  r.usage = {};
  spdlog::info("runner {}: worker pid {} started", id, r.pid);
}

void RunnerRegistry::request_stop(Runner& r, Runner::AfterStop after) {
  r.lifecycle = Lifecycle::Stopping;
  r.after_stop = after;
  pm_.stop(r.pid, std::chrono::milliseconds(cfg_.runners.stop_grace_ms));
}

void RunnerRegistry::on_exit(const std::string& id, pid_t, const ExitStatus& status) {
  Runner* r = find_mut(id);
  if (!r) return;
  persist(*r);  // what the worker committed last, before anything else happens
  const pid_t pid = r->pid;
  r->pid = 0;
  r->last_exit = status;
  r->running_since_ms = 0;
  r->usage = {};
  set_health(*r, "down");
  std::vector<Field> exit_fields{{"pid", int64_t(pid)},
                                 {"exit_code", status.signaled ? Scalar{} : Scalar(int64_t(status.code))},
                                 {"signal", status.signaled ? Scalar(int64_t(status.signal)) : Scalar{}}};

  if (r->lifecycle == Lifecycle::Stopping) {
    r->lifecycle = Lifecycle::Stopped;
    r->last_exit_reason = "stopped on request";
    exit_fields.push_back({"reason", std::string(shutting_down_ ? "shutdown" : "requested")});
    emit(*r, EventType::RunnerStopped, std::move(exit_fields));
    spdlog::info("runner {}: worker {} stopped ({})", id, pid, status.describe());
    const auto after = r->after_stop;
    r->after_stop = Runner::AfterStop::StayStopped;
    if (after == Runner::AfterStop::Delete) {
      finish_delete(id);
    } else if (after == Runner::AfterStop::Start && !shutting_down_) {
      spawn(*r);
    }
    maybe_finish_shutdown();
    return;
  }

  std::string reason;
  if (r->hang_kill) {
    reason = "hung: no heartbeat for " + std::to_string(cfg_.runners.hang_timeout_ms) + " ms";
  } else if (!status.signaled && status.code == worker::kExitStrategyInvalid) {
    reason = "strategy failed to load (see the runner's log)";
  } else if (!status.signaled && status.code == worker::kExitTooManyErrors) {
    reason = "stopped by the error policy: " + std::to_string(cfg_.runners.max_consecutive_strategy_errors) +
             " strategy errors in a row";
  } else {
    reason = status.describe();
  }
  r->last_exit_reason = reason;
  r->lifecycle = Lifecycle::Crashed;
  exit_fields.push_back({"reason", reason});
  emit(*r, EventType::RunnerCrashed, std::move(exit_fields));
  spdlog::warn("runner {}: worker {} crashed: {}", id, pid, reason);
  if (shutting_down_) {
    r->lifecycle = Lifecycle::Stopped;
    maybe_finish_shutdown();
    return;
  }
  if (!status.signaled &&
      (status.code == worker::kExitStrategyInvalid || status.code == worker::kExitTooManyErrors)) {
    // Restarting cannot fix a strategy that does not load, or one that only errs.
    mark_failed(*r, reason, {});
    return;
  }
  on_crash(*r, reason);
}

void RunnerRegistry::mark_failed(Runner& r, const std::string& reason, std::vector<Field> details) {
  r.lifecycle = Lifecycle::Failed;
  r.last_exit_reason = reason;
  spdlog::error("runner {} failed: {}", r.spec.runner_id, reason);
  // It stays down across a restart of stratd too, until started again.
  if (auto st = store_.set_failed(r.spec.runner_id, reason); !st) {
    spdlog::error("runner {}: cannot record its failure: {}", r.spec.runner_id, st.error().message);
  }
  details.insert(details.begin(), {"reason", reason});
  emit(r, EventType::RunnerFailed, std::move(details));
}

void RunnerRegistry::on_crash(Runner& r, const std::string& reason) {
  const auto verdict = r.policy.on_crash(mono_ms());
  if (verdict.give_up) {
    const auto& s = r.policy.settings();
    const std::string why = std::to_string(verdict.crashes_in_window) + " crashes within " +
                            std::to_string(s.window.count()) + " s (last: " + reason + ")";
    mark_failed(r, why, {{"crashes_in_window", int64_t(verdict.crashes_in_window)}});
    return;
  }
  r.lifecycle = Lifecycle::Restarting;
  const std::string id = r.spec.runner_id;
  const auto delay = verdict.delay;
  r.backoff->expires_after(delay);
  r.backoff->async_wait([this, id, delay](const boost::system::error_code& ec) {
    if (ec) return;
    Runner* rr = find_mut(id);
    if (!rr || rr->lifecycle != Lifecycle::Restarting || shutting_down_) return;
    ++rr->restarts;
    spawn(*rr);
    if (rr->has_process()) {
      emit(*rr, EventType::RunnerRestarted, {{"restarts", int64_t(rr->restarts)},
                                             {"backoff_ms", int64_t(delay.count())},
                                             {"pid", int64_t(rr->pid)}});
    }
  });
}

void RunnerRegistry::schedule_watchdog() {
  watchdog_timer_.expires_after(kWatchdogPeriod);
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    watchdog();
    schedule_watchdog();
  });
}

void RunnerRegistry::watchdog() {
  const int64_t now = mono_ms();
  const int64_t hang_ms = cfg_.runners.hang_timeout_ms;
  const bool sample = now - last_sample_ms_ >= kSampleEveryMs;
  if (sample) last_sample_ms_ = now;
  for (auto& [id, rp] : runners_) {
    Runner& r = *rp;
    if (sample) persist(r);
    if (!r.has_process() || r.hang_kill) continue;
    // -1: the worker has not attached (no heartbeat of its own yet).
    const bool attached = r.reader->worker_pid() == r.pid;
    const int64_t age = attached ? r.reader->heartbeat_age_ms().value_or(-1) : -1;
    if (r.lifecycle == Lifecycle::Starting && age >= 0 && age < hang_ms) {
      r.lifecycle = Lifecycle::Running;
      r.running_since_ms = wall_ms();
      emit(r, EventType::RunnerStarted, {{"pid", int64_t(r.pid)}, {"restarts", int64_t(r.restarts)}});
    }
    if (r.lifecycle == Lifecycle::Starting || r.lifecycle == Lifecycle::Running) {
      // Without a heartbeat for the hang timeout (or never attaching within
      // it), the worker is hung: kill it and let the exit path restart it.
      const int64_t silent_for = age >= 0 ? age : now - r.spawned_mono_ms;
      if (silent_for > hang_ms) {
        spdlog::warn("runner {}: worker {} silent for {} ms; killing it", id, r.pid, silent_for);
        r.hang_kill = true;
        pm_.kill(r.pid);
        continue;
      }
    }
    if (r.lifecycle == Lifecycle::Running) {
      set_health(r, age >= 0 && age <= hang_ms / 2 ? "healthy" : "unresponsive");
    }
    if (sample) {
      if (auto u = r.sampler.sample(r.pid, mono_ns())) r.usage = *u;
    }
  }
}

void RunnerRegistry::shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  for (auto& [id, r] : runners_) {
    r->backoff->cancel();
    if (r->has_process() && r->lifecycle != Lifecycle::Stopping) {
      request_stop(*r, Runner::AfterStop::StayStopped);
    }
  }
  maybe_finish_shutdown();
}

void RunnerRegistry::maybe_finish_shutdown() {
  if (!shutting_down_ || !shutdown_done_) return;
  for (const auto& [id, r] : runners_) {
    if (r->has_process()) return;
  }
  watchdog_timer_.cancel();
  for (auto& [id, r] : runners_) {
    // The store now holds everything the segment did; a restart resumes from it.
    persist(*r);
    hub_.unregister_runner(id);
    r->reader.reset();
    r->segment.reset();
    ipc::SegmentMapping::remove(r->segment_name);
  }
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  done();
}

}  // namespace stratd::supervisor
