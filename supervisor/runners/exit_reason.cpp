#include "supervisor/runners/exit_reason.hpp"

#include <csignal>

#include "ipc/worker_command.hpp"

namespace stratd::supervisor {

std::string exit_reason(const ExitStatus& status, bool killed_for_hanging, int64_t hang_timeout_ms,
                        uint64_t max_consecutive_errors) {
  if (killed_for_hanging) return "hung: no heartbeat for " + std::to_string(hang_timeout_ms) + " ms";
  if (!status.signaled && status.code == ipc::kExitStrategyInvalid) return "strategy failed to load (see the runner's log)";
  if (!status.signaled && status.code == ipc::kExitTooManyErrors) {
    return "stopped by the error policy: " + std::to_string(max_consecutive_errors) + " strategy errors in a row";
  }
  if (status.signaled && status.signal == SIGSYS) {
    return status.describe() + ": it made a system call its seccomp filter forbids (see the runner's log)";
  }
  return status.describe();
}

bool exit_is_final(const ExitStatus& status) {
  return !status.signaled && (status.code == ipc::kExitStrategyInvalid || status.code == ipc::kExitTooManyErrors);
}

std::string_view to_string(ExitKind k) {
  switch (k) {
    case ExitKind::Hung: return "hung";
    case ExitKind::Killed: return "killed";
    case ExitKind::Crashed: return "crashed";
    case ExitKind::Exited: return "exited";
    case ExitKind::SpawnFailed: return "spawn_failed";
    case ExitKind::kCount: break;
  }
  return "exited";
}

ExitKind exit_kind(const ExitStatus& status, bool killed_for_hanging) {
  if (killed_for_hanging) return ExitKind::Hung;
  if (!status.signaled) return ExitKind::Exited;
  return status.signal == SIGKILL ? ExitKind::Killed : ExitKind::Crashed;
}

}  // namespace stratd::supervisor
