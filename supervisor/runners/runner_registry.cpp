#include "supervisor/runners/runner_registry.hpp"

#include <filesystem>

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "supervisor/runners/exit_reason.hpp"
#include "supervisor/runners/previous_writer.hpp"
#include "supervisor/runners/runner_persistence.hpp"

namespace stratd::supervisor {
namespace {
constexpr auto kPreviousWriterDeadline = std::chrono::seconds(5);
const char* kWriterStuck = "its previous worker could not be stopped; start it again once that process is gone";
}  // namespace

RunnerRegistry::RunnerRegistry(boost::asio::io_context& io, ProcessManager& pm, EventHub& hub, Store& store,
                               const StrategyCatalog& catalog, const Config& cfg, WorkerPaths paths)
    : io_(io), pm_(pm), hub_(hub), store_(store), catalog_(catalog), cfg_(cfg),
      launcher_(pm, hub, cfg, paths), deps_{io, cfg.runners, paths.instance, store},
      watchdog_(io, store, cfg.runners.hang_timeout_ms,
                [this](const std::function<void(Runner&)>& visit) {
                  for (auto& [id, r] : runners_) visit(*r);
                },
                [this](Runner& r, const HeartbeatVerdict& v) { on_heartbeat(r, v); }) {
  watchdog_.start();
}

Runner* RunnerRegistry::find_mut(const std::string& id) {
  auto it = runners_.find(id);
  return it == runners_.end() ? nullptr : it->second.get();
}

const Runner* RunnerRegistry::find(const std::string& id) const {
  auto it = runners_.find(id);
  return it == runners_.end() ? nullptr : it->second.get();
}

std::vector<const Runner*> RunnerRegistry::list() const {
  std::vector<const Runner*> out;
  out.reserve(runners_.size());
  for (const auto& [_, r] : runners_) out.push_back(r.get());
  return out;
}

int64_t RunnerRegistry::uptime_secs(const Runner& r) const {
  if (r.lifecycle() != Lifecycle::Running || r.running_since_ms == 0) return 0;
  return (wall_ms() - r.running_since_ms) / 1000;
}

// ------------------------------------------------------------ operations

Expected<const Runner*> RunnerRegistry::add(const RunnerSpec& spec, const std::string& strategy_file) {
  if (shutting_down_) return fail(ErrorCode::ShuttingDown, "stratd is shutting down");
  if (runners_.count(spec.runner_id)) {
    return fail(ErrorCode::RunnerExists, "Runner '" + spec.runner_id + "' already exists");
  }
  if (runners_.size() >= size_t(cfg_.runners.max_runners)) {
    return fail(ErrorCode::RunnerLimit,
                "at most " + std::to_string(cfg_.runners.max_runners) + " runners are allowed");
  }
  auto built = build_runner(spec, wall_ms(), RunnerSegment::Origin::Fresh, deps_);
  if (!built) return Unexpected<Error>{built.error()};
  std::unique_ptr<Runner> r = std::move(*built);
  r->strategy_file = strategy_file;
  // Accepted means durable: no runner exists that the store does not know.
  if (auto st = store_.put_runner(StoredRunner{spec, r->created_at_ms, true}); !st) {
    r->segment.remove();
    return Unexpected<Error>{st.error()};
  }
  hub_.register_runner(spec.runner_id, spec.symbol, uint64_t(0));
  Runner& ref = *r;
  runners_.emplace(spec.runner_id, std::move(r));
  spdlog::info("runner {} added: {} on {}", spec.runner_id, spec.strategy_path, spec.symbol);
  handle(ref, LifecycleEvent::StartAsked);
  return &ref;
}

void RunnerRegistry::remove(const std::string& id, std::function<void()> done) {
  Runner* r = find_mut(id);
  if (!r) return done();
  r->on_deleted.push_back(std::move(done));
  handle(*r, LifecycleEvent::DeleteAsked);
}

Status RunnerRegistry::prepare_start(Runner& r) {
  if (shutting_down_) return fail(ErrorCode::ShuttingDown, "stratd is shutting down");
  set_desired(r, true);
  if (r.strategy_file.empty()) {
    // Restored while its strategy file was missing: look again.
    auto resolved = catalog_.resolve(r.spec.strategy_path);
    if (!resolved) return Unexpected<Error>{resolved.error()};
    r.strategy_file = resolved->absolute;
  }
  return ok();
}

Expected<const Runner*> RunnerRegistry::start(const std::string& id) {
  Runner* r = find_mut(id);
  if (!r) return fail(ErrorCode::RunnerNotFound, "Runner '" + id + "' not found");
  if (auto st = prepare_start(*r); !st) return Unexpected<Error>{st.error()};
  handle(*r, LifecycleEvent::StartAsked);
  return r;
}

Expected<const Runner*> RunnerRegistry::stop(const std::string& id) {
  Runner* r = find_mut(id);
  if (!r) return fail(ErrorCode::RunnerNotFound, "Runner '" + id + "' not found");
  set_desired(*r, false);
  // Stopping a Failed runner acknowledges the failure: it is Stopped now.
  handle(*r, LifecycleEvent::StopAsked, {.reason = "requested"});
  return r;
}

Expected<const Runner*> RunnerRegistry::restart(const std::string& id) {
  Runner* r = find_mut(id);
  if (!r) return fail(ErrorCode::RunnerNotFound, "Runner '" + id + "' not found");
  // Without a worker, a restart is a start (that first looks for its file).
  if (auto st = prepare_start(*r); !st) return Unexpected<Error>{st.error()};
  handle(*r, LifecycleEvent::RestartAsked);
  return r;
}

void RunnerRegistry::persist(const std::string& id) {
  if (Runner* r = find_mut(id)) save_new_snapshot(*r, store_);
}

void RunnerRegistry::set_desired(const Runner& r, bool running) {
  if (auto st = store_.set_desired(r.spec.runner_id, running); !st) {
    spdlog::error("runner {}: cannot record desired state: {}", r.spec.runner_id, st.error().message);
  }
}

// ------------------------------------------------------------- lifecycle

void RunnerRegistry::handle(Runner& r, LifecycleEvent event, const Detail& detail) {
  const Step s = step(r.state, event);
  if (s.next != r.state) {
    spdlog::debug("runner {}: {} on {} -> {}", r.spec.runner_id, to_string(r.lifecycle()), to_string(event),
                  to_string(s.next.lifecycle));
  }
  r.state = s.next;
  perform(r, s.actions, detail);  // kDelete, if any, is the last thing done: `r` may be gone after it
}

void RunnerRegistry::perform(Runner& r, Actions a, const Detail& d) {
  const std::string id = r.spec.runner_id;
  if (a & kResetCrashes) r.policy.reset();
  if (a & kCancelBackoff) r.backoff.cancel();
  if (a & kSignalStop) pm_.stop(r.pid, std::chrono::milliseconds(cfg_.runners.stop_grace_ms));
  if (a & kKill) {
    r.hang_kill = true;
    pm_.kill(r.pid);
  }
  if (a & kEmitStarted) {
    r.running_since_ms = wall_ms();
    emit(r, EventType::RunnerStarted, {{"pid", int64_t(r.pid)}, {"restarts", int64_t(r.restarts)}});
  }
  auto with_reason = [&] {
    std::vector<Field> f = d.fields;
    f.push_back({"reason", d.reason});
    return f;
  };
  if (a & kEmitStopped) emit(r, EventType::RunnerStopped, with_reason());
  if (a & kEmitCrashed) emit(r, EventType::RunnerCrashed, with_reason());
  if (a & (kEmitFailed | kRecordFailure)) {
    r.last_exit_reason = d.reason;
    spdlog::error("runner {} failed: {}", id, d.reason);
  }
  if (a & kRecordFailure) {
    // It stays down across a restart of stratd too, until started again.
    if (auto st = store_.set_failed(id, d.reason); !st) {
      spdlog::error("runner {}: cannot record its failure: {}", id, st.error().message);
    }
  }
  if (a & kEmitFailed) {
    std::vector<Field> f{{"reason", d.reason}};
    f.insert(f.end(), d.failure_fields.begin(), d.failure_fields.end());
    emit(r, EventType::RunnerFailed, std::move(f));
  }
  if (a & kCountCrash) count_crash(r, d);
  if (a & kScheduleBackoff) {
    r.backoff.expires_after(d.delay);
    r.backoff.async_wait([this, id, delay = d.delay, kind = d.kind](const boost::system::error_code& ec) {
      Runner* rr = ec || shutting_down_ ? nullptr : find_mut(id);
      if (rr) handle(*rr, LifecycleEvent::BackoffElapsed, {.delay = delay, .kind = kind});
    });
  }
  if (a & kCountRestart) {
    ++r.restarts;
    ++r.restarts_by_kind[size_t(d.kind)];
  }
  if (a & kSpawn) spawn(r);
  if ((a & kEmitRestarted) && r.has_process()) {
    emit(r, EventType::RunnerRestarted,
         {{"restarts", int64_t(r.restarts)}, {"backoff_ms", int64_t(d.delay.count())}, {"pid", int64_t(r.pid)}});
  }
  if (a & kDelete) finish_delete(id);
}

void RunnerRegistry::spawn(Runner& r) {
  const std::string id = r.spec.runner_id;
  // Never a second writer: one still dying is killed, and the start is
  // retried like any that failed.
  if (!previous_writer_gone(r.segment.worker_pid(), r.segment.name())) {
    r.last_exit_reason = "its previous worker was still running; it was killed";
    return handle(r, LifecycleEvent::SpawnFailed, {.reason = r.last_exit_reason});
  }
  // A worker resumes from its segment; one that no longer reads as this
  // runner's (scribbled on) is rebuilt from the store's copy first.
  if (r.segment.commits() > 0 && !snapshot(r)) {
    spdlog::error("runner {}: its segment is unreadable; restoring it from the store", id);
    if (auto st = rebuild_segment(r, deps_); !st) {
      r.last_exit_reason = st.error().message;
      return handle(r, LifecycleEvent::SpawnFailed, {.reason = st.error().message});
    }
  }
  r.hang_kill = false;
  auto pid = launcher_.launch(r, [this, id](const ExitStatus& st) { on_exit(id, st); });
  if (!pid) {
    spdlog::error("runner {}: {}", id, pid.error().message);
    r.pid = 0;
    r.last_exit_reason = pid.error().message;
    return handle(r, LifecycleEvent::SpawnFailed, {.reason = pid.error().message});
  }
  r.pid = *pid;
  r.spawned_mono_ms = mono_ms();
  r.sampler.reset();
  r.usage = {};
  spdlog::info("runner {}: worker pid {} started", id, r.pid);
  handle(r, LifecycleEvent::Spawned);
}

void RunnerRegistry::count_crash(Runner& r, const Detail& d) {
  const auto verdict = r.policy.on_crash(mono_ms());
  if (verdict.give_up) {
    const std::string why = std::to_string(verdict.crashes_in_window) + " crashes within " +
                            std::to_string(r.policy.settings().crash_window_secs) + " s (last: " + d.reason + ")";
    Detail failed{.reason = why};
    failed.failure_fields = {{"crashes_in_window", int64_t(verdict.crashes_in_window)}};
    return handle(r, LifecycleEvent::CrashLimitHit, failed);
  }
  handle(r, LifecycleEvent::RetryAllowed, {.reason = d.reason, .delay = verdict.delay, .kind = d.kind});
}

// Every reaction to a worker's exit starts here, called by the process
// manager from the loop.
void RunnerRegistry::on_exit(const std::string& id, const ExitStatus& status) {
  Runner* r = find_mut(id);
  if (!r) return;
  save_new_snapshot(*r, store_);  // what the worker committed last, before anything else happens
  const pid_t pid = r->pid;
  r->pid = 0;
  r->last_exit = status;
  r->running_since_ms = 0;
  r->usage = {};
  set_health(*r, Health::Down);
  Detail d;
  d.fields = {{"pid", int64_t(pid)},
              {"exit_code", status.signaled ? Scalar{} : Scalar(int64_t(status.code))},
              {"signal", status.signaled ? Scalar(int64_t(status.signal)) : Scalar{}}};
  if (r->lifecycle() == Lifecycle::Stopping) {
    r->last_exit_reason = "stopped on request";
    d.reason = shutting_down_ ? "shutdown" : "requested";
    spdlog::info("runner {}: worker {} stopped ({})", id, pid, status.describe());
    handle(*r, LifecycleEvent::Exited, d);  // may start it again, or delete it
    return maybe_finish_shutdown();
  }
  d.reason = exit_reason(status, r->hang_kill, cfg_.runners.hang_timeout_ms, cfg_.runners.max_consecutive_strategy_errors);
  d.kind = exit_kind(status, r->hang_kill);
  r->last_exit_reason = d.reason;
  spdlog::warn("runner {}: worker {} crashed: {}", id, pid, d.reason);
  // Restarting cannot fix a strategy that does not load, or one that only errs.
  handle(*r, exit_is_final(status) ? LifecycleEvent::ExitedForGood : LifecycleEvent::Exited, d);
  maybe_finish_shutdown();
}

void RunnerRegistry::finish_delete(const std::string& id) {
  auto it = runners_.find(id);
  if (it == runners_.end()) return;
  std::unique_ptr<Runner> r = std::move(it->second);
  runners_.erase(it);
  r->backoff.cancel();
  hub_.unregister_runner(id);
  // The store first: killed in between, stratd must not bring back from an
  // old stored snapshot a runner whose segment is already gone.
  if (auto st = store_.delete_runner(id); !st) spdlog::error("runner {}: {}", id, st.error().message);
  r->segment.remove();
  // Its logs go with it, as its trades do: a runner added again under this
  // id starts afresh.
  std::error_code ec;
  std::filesystem::remove(launcher_.log_path(id), ec);
  std::filesystem::remove(launcher_.log_path(id) + ".1", ec);
  spdlog::info("runner {} deleted", id);
  for (auto& cb : r->on_deleted) cb();
}

// --------------------------------------------------- heartbeats, events

void RunnerRegistry::on_heartbeat(Runner& r, const HeartbeatVerdict& v) {
  if (v.event == LifecycleEvent::Hung) {
    spdlog::warn("runner {}: worker {} silent for {} ms; killing it", r.spec.runner_id, r.pid, v.silent_for_ms);
  }
  if (v.event) handle(r, *v.event);
  if (v.health) set_health(r, *v.health);
}

void RunnerRegistry::emit(const Runner& r, EventType type, std::vector<Field> data) {
  Event e;
  e.type = type;
  e.runner_id = r.spec.runner_id;
  e.symbol = r.spec.symbol;
  e.data = std::move(data);
  hub_.publish(std::move(e));
}

void RunnerRegistry::set_health(Runner& r, Health health) {
  if (r.health == health) return;
  emit(r, EventType::HealthChanged, {{"from", std::string(to_string(r.health))}, {"to", std::string(to_string(health))}});
  r.health = health;
}

// ------------------------------------------------------ restore, shutdown

void RunnerRegistry::restore(std::function<void()> done) {
  auto stored = store_.runners();
  if (!stored) {
    spdlog::critical("cannot read runners from the store: {}", stored.error().message);
    boost::asio::post(io_, std::move(done));
    return;
  }
  restoring_ = true;
  auto restored = std::make_shared<std::vector<RestoredRunner>>(restore_runners(*stored, catalog_, cfg_.runners, deps_));
  std::vector<PreviousWriter> writers;
  for (auto& rr : *restored) {
    Runner& r = *rr.runner;
    // Event numbering continues where the runner left it.
    std::optional<uint64_t> last_seq;
    if (auto snap = snapshot(r)) last_seq = snap->event_seq;
    hub_.register_runner(r.spec.runner_id, r.spec.symbol, last_seq);
    writers.push_back({r.segment.worker_pid(), r.segment.name()});
  }
  // A previous stratd's workers die with it, but may not be gone yet: no
  // runner starts while one might still write its segment.
  end_previous_writers(io_, std::move(writers), kPreviousWriterDeadline,
                       [this, restored, done = std::move(done)](const std::set<std::string>& stuck) {
                         restoring_ = false;
                         for (auto& rr : *restored) {
                           const std::string id = rr.runner->spec.runner_id;
                           auto [it, added] = runners_.try_emplace(id, std::move(rr.runner));
                           if (!added) continue;  // never: ids are the store's primary key
                           Runner& r = *it->second;
                           if (stuck.count(r.segment.name())) {
                             handle(r, LifecycleEvent::CannotStart, {.reason = kWriterStuck});
                             continue;
                           }
                           using Next = RestoredRunner::Next;
                           if (rr.next != Next::Start) r.last_exit_reason = rr.reason;
                           if (rr.next == Next::StayFailed) handle(r, LifecycleEvent::RestoredFailed, {.reason = rr.reason});
                           if (rr.next == Next::CannotStart) handle(r, LifecycleEvent::CannotStart, {.reason = rr.reason});
                           if (rr.next == Next::Start && !shutting_down_) handle(r, LifecycleEvent::StartAsked);
                         }
                         done();
                         // A stop asked for meanwhile waited for these runners.
                         maybe_finish_shutdown();
                       });
}

void RunnerRegistry::shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  for (auto& [id, r] : runners_) handle(*r, LifecycleEvent::ShutdownBegan);
  maybe_finish_shutdown();
}

void RunnerRegistry::maybe_finish_shutdown() {
  if (!shutting_down_ || !shutdown_done_ || restoring_) return;
  for (const auto& [id, r] : runners_) {
    if (r->has_process()) return;
  }
  watchdog_.stop();
  for (auto& [id, r] : runners_) {
    // The store now holds everything the segment did; a restart resumes from it.
    save_new_snapshot(*r, store_);
    hub_.unregister_runner(id);
    r->segment.remove();
  }
  std::exchange(shutdown_done_, nullptr)();
}

}  // namespace stratd::supervisor
