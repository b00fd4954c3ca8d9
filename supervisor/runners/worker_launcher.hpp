#pragma once
// Starting a runner's worker: its command line (ipc/worker_command.hpp),
// a fresh credential handed over on an inherited pipe and registered with
// the event hub, its limits and its log, through the process manager. It
// inherits its segment, its strategy file and the bus's sockets as
// descriptors, so it needs no access of its own to stratd's private files
// and may run as another user (worker_identity.hpp).
#include <sys/types.h>

#include <optional>
#include <string>

#include "common/config.hpp"
#include "common/result.hpp"
#include "supervisor/bus_sockets.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/runner.hpp"
#include "supervisor/worker_identity.hpp"

namespace stratd::supervisor {

struct WorkerPaths {
  std::string worker_program;  // strat-worker
  std::string log_dir;
  std::string instance;        // names this stratd's shared-memory segments
  const BusSockets* bus = nullptr;  // how the worker reaches the bus; none: it cannot be spawned
  std::optional<RunAs> run_as{};    // unset: stratd's own user
};

class WorkerLauncher {
 public:
  WorkerLauncher(ProcessManager& pm, EventHub& hub, const Config& cfg, WorkerPaths paths)
      : pm_(pm), hub_(hub), cfg_(cfg), paths_(std::move(paths)) {}

  // Spawns `r`'s worker; `on_exit` runs on the loop when it ends.
  // Errors: SpawnFailed.
  Expected<pid_t> launch(const Runner& r, ProcessManager::ExitHandler on_exit);

  std::string log_path(const std::string& runner_id) const { return paths_.log_dir + "/" + runner_id + ".log"; }

 private:
  ProcessManager& pm_;
  EventHub& hub_;
  const Config& cfg_;
  WorkerPaths paths_;
};

}  // namespace stratd::supervisor
