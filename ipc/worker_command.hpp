#pragma once
// strat-worker's command line: the contract between stratd, which builds
// it (to_args), the worker, which parses it (parse_worker_command), and the
// previous-writer check, which reads it back from /proc (segment_of). The
// exit codes a worker uses to tell stratd something are here too.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/settings.hpp"

namespace stratd::ipc {

inline constexpr std::string_view kWorkerProgram = "strat-worker";

// Exit codes stratd tells apart; the last two say "restarting will not help".
inline constexpr int kExitUsage = 64;            // bad command line
inline constexpr int kExitStrategyInvalid = 78;  // the strategy cannot run
inline constexpr int kExitTooManyErrors = 79;    // the error policy stopped it

struct WorkerCommand {
  std::string runner_id;
  std::string symbol;
  std::string strategy_path;  // absolute; the worker reads it from strategy_fd
  std::string segment;        // shared-memory name; the worker maps it from segment_fd
  std::string md_endpoint;
  std::string events_endpoint;
  uint64_t window = 0;
  LuaLimits lua{};
  BrokerSettings broker{};
  uint64_t max_consecutive_errors = 0;  // 0: keep running whatever the strategy does
  std::string log_level;
  int64_t credential_fd = -1;  // where stratd's credential for our events is to be read
  int64_t nice = 0;            // how much below stratd the strategy's thread runs
  // Opened by stratd and inherited: the worker may run as a user that
  // could not open them itself (supervisor/worker_identity.hpp).
  int64_t segment_fd = -1;
  int64_t strategy_fd = -1;
  std::string seccomp;  // the system call filter's mode: kill, log or off (ipc/seccomp_filter.hpp)
};

// argv[1..] for the command.
std::vector<std::string> to_args(const WorkerCommand& c);
// Every option is required: stratd always passes them all. Errors: Usage.
Expected<WorkerCommand> parse_worker_command(const std::vector<std::string_view>& args);
// The segment a worker's argv (argv[0] included) says it writes, if it is
// strat-worker's; lenient, so a worker of an older stratd still counts.
std::optional<std::string> segment_of(const std::vector<std::string>& argv);

}  // namespace stratd::ipc
