#include "supervisor/runners/worker_launcher.hpp"

#include "ipc/worker_command.hpp"
#include "supervisor/events/event_admission.hpp"

namespace stratd::supervisor {

Expected<pid_t> WorkerLauncher::launch(const Runner& r, ProcessManager::ExitHandler on_exit) {
  ipc::WorkerCommand c;
  c.runner_id = r.spec.runner_id;
  c.symbol = r.spec.symbol;
  c.strategy_path = r.strategy_file;
  c.segment = r.segment.name();
  c.md_endpoint = paths_.md_endpoint;
  c.events_endpoint = paths_.events_endpoint;
  c.window = r.spec.window_size;
  c.lua = cfg_.lua;
  c.broker = cfg_.broker;
  c.max_consecutive_errors = cfg_.runners.max_consecutive_strategy_errors;
  c.log_level = cfg_.log.level;
  c.credential_fd = kHandoffFd;
  c.nice = cfg_.runners.worker_nice;

  SpawnSpec spec;
  spec.program = paths_.worker_program;
  spec.args = ipc::to_args(c);
  spec.log_path = log_path(r.spec.runner_id);
  spec.address_space_limit = cfg_.runners.worker_address_space_bytes;
  spec.open_files_limit = cfg_.runners.worker_open_files;
  // A credential of its own: its events are told apart from anyone's else.
  auto credential = new_credential();
  if (!credential) return Unexpected<Error>{credential.error()};
  spec.handoff = std::move(*credential);
  hub_.set_credential(r.spec.runner_id, spec.handoff);
  return pm_.spawn(spec, std::move(on_exit));
}

}  // namespace stratd::supervisor
