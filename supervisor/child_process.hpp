#pragma once
// Starting a child program and collecting its exit: fork+exec with output
// to a log file, a pidfd to watch it by, and death with the parent.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "supervisor/worker_identity.hpp"

namespace stratd::supervisor {

struct SpawnSpec {
  std::string program;            // absolute path
  std::vector<std::string> args;  // argv[1..]
  std::string log_path;           // stdout and stderr are appended here
  uint64_t address_space_limit = 0;  // RLIMIT_AS in bytes, 0 = inherit
  uint64_t open_files_limit = 0;     // RLIMIT_NOFILE, 0 = inherit
  // Bytes the child reads from descriptor 3 (a pipe only it holds): a
  // secret never shown in its command line or environment.
  std::string handoff{};
  // Descriptors the child gets at kFirstPassedFd, kFirstPassedFd + 1, ...
  // in this order: what it may use though it could not open it itself
  // (the caller keeps its own copies, and closes them). -1 leaves that one
  // closed in the child.
  std::vector<int> pass_fds{};
  // The user the child runs as from exec on; unset: stratd's own.
  std::optional<RunAs> run_as{};
};

inline constexpr int kHandoffFd = 3;
inline constexpr int kFirstPassedFd = 4;

struct SpawnedChild {
  pid_t pid = -1;
  int pidfd = -1;  // owned by the caller
};

struct ExitStatus {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // terminating signal when signaled
  int64_t at_ms = 0;

  bool clean() const { return !signaled && code == 0; }
  std::string describe() const;
};

// Spawns the child. It gets SIGKILL if stratd dies (PR_SET_PDEATHSIG), so
// no worker outlives its supervisor, and it keeps no descriptor of ours
// but those the spec passes.
Expected<SpawnedChild> spawn_child(const SpawnSpec& spec);

// Reaps an exited child through its pidfd (must be readable).
ExitStatus reap_child(int pidfd, pid_t pid);

// Sends a signal through the pidfd: never hits a recycled pid.
bool signal_child(int pidfd, int sig);

// Past max_bytes, a log's content moves to <path>.1 and the log starts
// again empty. A running child keeps writing through its O_APPEND
// descriptor, so the file is copied and truncated rather than renamed.
void trim_log_if_large(const std::string& path, uint64_t max_bytes);

}  // namespace stratd::supervisor
