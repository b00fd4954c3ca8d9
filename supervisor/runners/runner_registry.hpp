#pragma once
// The runner registry: every runner by id, the operations clients ask for
// (add, remove, start, stop, restart) and the queries that serve them. A
// runner's lifecycle moves only through handle(), which steps the table in
// lifecycle.hpp and does the actions it names: spawning through the worker
// launcher, stopping through the process manager, events through the hub,
// records through the store. The watchdog (runner_watchdog.hpp) judges
// heartbeats and hands its verdicts back in. Runs entirely on the
// Asio loop's thread.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/event.hpp"
#include "common/snapshot.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/build_runner.hpp"
#include "supervisor/runners/exit_reason.hpp"
#include "supervisor/runners/runner.hpp"
#include "supervisor/runners/runner_watchdog.hpp"
#include "supervisor/runners/worker_launcher.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"

namespace stratd::supervisor {

// What went with a lifecycle event: why, the exit it came from, the backoff.
struct LifecycleDetail {
  std::string reason{};
  std::vector<Field> fields{};  // RunnerStopped's or RunnerCrashed's data besides the reason
  std::chrono::milliseconds delay{0};
  std::vector<Field> failure_fields{};  // RunnerFailed's
  ExitKind kind = ExitKind::SpawnFailed;  // a crash's, carried to the restart it leads to
};

class RunnerRegistry {
 public:
  RunnerRegistry(boost::asio::io_context& io, ProcessManager& pm, EventHub& hub, Store& store,
                 const StrategyCatalog& catalog, const Config& cfg, WorkerPaths paths);

  // Brings back every runner the store knows, each in its desired state
  // (runner_persistence.hpp). Workers a previous stratd left behind are
  // killed and waited for on the loop; `done` runs once every runner is
  // back.
  void restore(std::function<void()> done);
  // Writes the runner's current snapshot and positions to the store, if it
  // committed anything since the last time.
  void persist(const std::string& id);

  // Creates the runner's segment and starts its worker. The spec must be
  // validated; `strategy_file` is its canonical path.
  Expected<const Runner*> add(const RunnerSpec& spec, const std::string& strategy_file);
  // Stops the worker if any, removes the segment, forgets the runner.
  void remove(const std::string& id, std::function<void()> done);
  Expected<const Runner*> start(const std::string& id);
  Expected<const Runner*> stop(const std::string& id);
  Expected<const Runner*> restart(const std::string& id);

  const Runner* find(const std::string& id) const;
  std::vector<const Runner*> list() const;  // in id order
  size_t size() const { return runners_.size(); }

  // The worker's published snapshot (a fresh runner's empty one before it
  // has published). Errors: SnapshotUnavailable.
  Expected<Snapshot> snapshot(const Runner& r) const { return r.segment.snapshot(r.spec.runner_id, r.spec.symbol); }
  // Only the snapshot's figures, for monitoring: none while unreadable.
  std::optional<SnapshotFigures> figures(const Runner& r) const { return r.segment.figures(r.spec.runner_id, r.spec.symbol); }
  Expected<std::vector<Bar>> history(const Runner& r, size_t count) const { return r.segment.history(count); }
  std::optional<int64_t> heartbeat_age_ms(const Runner& r) const { return r.segment.heartbeat_age_ms(r.pid); }
  int64_t uptime_secs(const Runner& r) const;
  // Where the runner's worker writes its output.
  std::string log_path(const std::string& id) const { return launcher_.log_path(id); }
  bool healthy(const Runner& r) const { return r.health == Health::Healthy; }

  // Stops every worker (SIGTERM, then SIGKILL after the grace period),
  // removes the segments, then calls `done`. Asked for during a restore,
  // it waits for the restored runners (none of which then starts).
  void shutdown(std::function<void()> done);

 private:
  using Detail = LifecycleDetail;

  Runner* find_mut(const std::string& id);
  // What a start needs: not shutting down, the desired state recorded,
  // the strategy file found.
  Status prepare_start(Runner& r);
  // The one place a runner's lifecycle changes.
  void handle(Runner& r, LifecycleEvent event, const Detail& detail = {});
  void perform(Runner& r, Actions actions, const Detail& detail);
  void spawn(Runner& r);
  void count_crash(Runner& r, const Detail& detail);
  void on_exit(const std::string& id, const ExitStatus& status);
  void finish_delete(const std::string& id);
  void on_heartbeat(Runner& r, const HeartbeatVerdict& v);
  void emit(const Runner& r, EventType type, std::vector<Field> data);
  void set_health(Runner& r, Health health);
  void set_desired(const Runner& r, bool running);
  void maybe_finish_shutdown();

  boost::asio::io_context& io_;
  ProcessManager& pm_;
  EventHub& hub_;
  Store& store_;
  const StrategyCatalog& catalog_;
  const Config& cfg_;
  WorkerLauncher launcher_;
  RunnerDeps deps_;
  std::map<std::string, std::unique_ptr<Runner>> runners_;
  RunnerWatchdog watchdog_;
  bool restoring_ = false;  // between restore() and its runners being back
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
};

}  // namespace stratd::supervisor
