#pragma once
// The system call filter a worker installs on itself once it is set up
// (segment mapped, strategy file read, bus sockets made) and before the
// strategy's first line runs; the feed installs it before its loop. Even
// a strategy that escaped the Lua sandbox then keeps only what a running
// worker needs: memory, its descriptors, threads, time, AF_UNIX sockets
// (ZeroMQ reconnects). Anything else ends the process with SIGSYS, which
// stratd reports as a crash like any other. docs/operations.md lists the
// allow-list and why each call is on it.
//
// Also sets PR_SET_NO_NEW_PRIVS (whatever the mode): nothing it could
// still exec would gain privileges.
#include "common/result.hpp"
#include "common/seccomp_mode.hpp"

namespace stratd::ipc {

// Errors: InternalError when the kernel refuses the filter (or NO_NEW_PRIVS).
Status install_seccomp_filter(SeccompMode mode);

}  // namespace stratd::ipc
