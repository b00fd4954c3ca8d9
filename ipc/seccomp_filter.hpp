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

// First thing in main, while the process has one thread: what the C
// library would otherwise do lazily, behind the filter's back, is settled
// now. The time zone is read and TZ names it (the first localtime_r opens
// /etc/localtime; without TZ, every mktime and strftime, a strategy's
// os.time and os.date, stats it). Every thread allocates from the main
// arena (a thread's own arena reads /proc/sys/vm/overcommit_memory the
// first time it shrinks, seen in ZeroMQ's reaper as a worker stops).
void prepare_for_seccomp_filter();

// Errors: InternalError when the kernel refuses the filter (or NO_NEW_PRIVS).
Status install_seccomp_filter(SeccompMode mode);

}  // namespace stratd::ipc
