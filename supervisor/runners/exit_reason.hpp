#pragma once
// Why a worker ended, in the words its runner's events and details give:
// hung, a strategy that does not load, the error policy, or how it exited.
// And whether a restart could help at all.
#include <cstdint>
#include <string>

#include "supervisor/child_process.hpp"

namespace stratd::supervisor {

std::string exit_reason(const ExitStatus& status, bool killed_for_hanging, int64_t hang_timeout_ms,
                        uint64_t max_consecutive_errors);
// The worker said, by its exit code, that starting it again will not help.
bool exit_is_final(const ExitStatus& status);

}  // namespace stratd::supervisor
