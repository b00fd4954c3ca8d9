#pragma once
// Test-only, built into strat-worker-hostile and never into strat-worker:
// a strategy with the power of one that escaped the Lua sandbox, as far as
// the kernel can tell. `raw_syscall(number, ...)` makes any system call
// with up to six arguments (integers, or strings passed as pointers) and
// returns its result and errno; `SYS` names the numbers of a few calls
// (getpid, execve, socket, ptrace, openat). The seccomp filter
// must hold against it.
struct lua_State;

namespace stratd::worker {

void expose_raw_syscall(lua_State* L);

}  // namespace stratd::worker
