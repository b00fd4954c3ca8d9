#pragma once
// The runner registry: adds, removes, starts, stops and restarts runners,
// spawns their workers through the process manager, reacts to their exits
// with the restart policy, and watches their heartbeats. Runs entirely on
// the Asio loop's thread.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/snapshot.hpp"
#include "supervisor/event_hub.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runner.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"

namespace stratd::supervisor {

struct RegistryPaths {
  std::string worker_program;  // strat-worker
  std::string log_dir;
  std::string instance;        // names this stratd's shared-memory segments
  std::string md_endpoint;
  std::string events_endpoint;
};

class RunnerRegistry {
 public:
  RunnerRegistry(boost::asio::io_context& io, ProcessManager& pm, EventHub& hub, Store& store,
                 const StrategyCatalog& catalog, const Config& cfg, RegistryPaths paths);

  // Brings back every runner the store knows, each in its desired state:
  // from its shared-memory segment if that survived (stratd itself was
  // killed), else from the snapshot in the store (a reboot).
  void restore();
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
  std::vector<const Runner*> list() const;
  size_t size() const { return runners_.size(); }

  // The worker's published snapshot (a fresh runner's empty one before it
  // has published). Errors: SNAPSHOT_UNAVAILABLE.
  Expected<Snapshot> snapshot(const Runner& r) const;
  Expected<std::vector<Bar>> history(const Runner& r, size_t count) const;
  std::optional<int64_t> heartbeat_age_ms(const Runner& r) const;
  int64_t uptime_secs(const Runner& r) const;
  bool healthy(const Runner& r) const { return r.health == "healthy"; }

  // Stops every worker (SIGTERM, then SIGKILL after the grace period),
  // removes the segments, then calls `done`.
  void shutdown(std::function<void()> done);

 private:
  Runner* find_mut(const std::string& id);
  void spawn(Runner& r);
  void on_exit(const std::string& id, pid_t pid, const ExitStatus& status);
  void on_crash(Runner& r, const std::string& reason);
  void mark_failed(Runner& r, const std::string& reason, std::vector<Field> details);
  void request_stop(Runner& r, Runner::AfterStop after);
  void finish_delete(const std::string& id);
  std::string log_path(const std::string& id) const { return paths_.log_dir + "/" + id + ".log"; }
  void watchdog();
  void schedule_watchdog();
  void emit(const Runner& r, EventType type, std::vector<Field> data);
  void set_health(Runner& r, const std::string& health);
  void maybe_finish_shutdown();
  void persist(Runner& r);
  void set_desired(const Runner& r, bool running);

  boost::asio::io_context& io_;
  ProcessManager& pm_;
  EventHub& hub_;
  Store& store_;
  const StrategyCatalog& catalog_;
  const Config& cfg_;
  RegistryPaths paths_;
  std::map<std::string, std::unique_ptr<Runner>> runners_;
  boost::asio::steady_timer watchdog_timer_;
  int64_t last_sample_ms_ = 0;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
};

}  // namespace stratd::supervisor
