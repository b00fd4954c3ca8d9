#pragma once
// Why a worker ended, in the words its runner's events and details give:
// hung, a strategy that does not load, the error policy, or how it exited.
// And whether a restart could help at all; and the few words a metric's
// label uses for it.
#include <cstdint>
#include <string>
#include <string_view>

#include "supervisor/child_process.hpp"

namespace stratd::supervisor {

std::string exit_reason(const ExitStatus& status, bool killed_for_hanging, int64_t hang_timeout_ms,
                        uint64_t max_consecutive_errors);
// The worker said, by its exit code, that starting it again will not help.
bool exit_is_final(const ExitStatus& status);

// Why a worker that was not asked to stop is gone, in a bounded set:
// hung (killed by the watchdog), killed (SIGKILL from elsewhere: the OOM
// killer, an operator), crashed (any other signal), exited (an exit code),
// spawn_failed (no worker could be started).
enum class ExitKind : uint8_t { Hung, Killed, Crashed, Exited, SpawnFailed, kCount };
std::string_view to_string(ExitKind k);
ExitKind exit_kind(const ExitStatus& status, bool killed_for_hanging);

}  // namespace stratd::supervisor
