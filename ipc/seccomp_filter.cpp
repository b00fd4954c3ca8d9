#include "ipc/seccomp_filter.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(STRATD_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>

namespace stratd::ipc {
namespace {

// Allowed whatever their arguments: what a running worker and the feed
// were seen to make (strace -f, docs/operations.md), and what the paths
// they can take make sooner or later.
constexpr int kAllowed[] = {
    // their descriptors: the log, the bus, the signalfd, ZeroMQ's eventfds
    // and epoll; pwrite64: the feed's state file; fstat: stdio's first use
    SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pwrite64), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(fcntl),
    SCMP_SYS(poll), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait), SCMP_SYS(eventfd2),
    // ZeroMQ's connections, (re)made at any time (families: at socket(), below)
    SCMP_SYS(connect), SCMP_SYS(accept4), SCMP_SYS(getsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
    SCMP_SYS(sendto), SCMP_SYS(recvfrom),
    // memory: the C library's allocator under Lua's (executable pages: below)
    SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
    // threads: their start (ZeroMQ's may still be starting as the filter
    // goes in: it reads its scheduling parameters and names the thread, below),
    // synchronisation and end
    SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(sched_getparam),
    SCMP_SYS(sched_getscheduler), SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(getpid), SCMP_SYS(gettid),
    // signals: the signalfd's mask, handlers, a call restarted after SIGSTOP
    SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
#if defined(STRATD_ASAN)
    SCMP_SYS(sigaltstack),  // AddressSanitizer's, in every thread
#endif
    // time: Lua's os.clock (CLOCK_PROCESS_CPUTIME_ID is no vDSO call), and
    // the others where the clock source has no vDSO
    SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(time),
};

// Never needed by a running worker, and the first things an attacker
// reaches for: killed even in `log` mode.
constexpr int kNever[] = {
    SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(ptrace),
    SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(mount), SCMP_SYS(umount2),
    SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(bpf),
    SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(init_module), SCMP_SYS(finit_module),
    SCMP_SYS(delete_module), SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key),
    SCMP_SYS(request_key), SCMP_SYS(userfaultfd), SCMP_SYS(open_by_handle_at),
};

struct ContextDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};

Unexpected<Error> refused(const std::string& what, int rc) {
  return fail(ErrorCode::InternalError, "seccomp: " + what + ": " + strerror(-rc));
}

}  // namespace

void prepare_for_seccomp_filter() {
  // Whatever the mode, so that a trace with the filter off shows what it
  // must allow.
  if (!getenv("TZ")) setenv("TZ", ":/etc/localtime", 1);
  tzset();
  mallopt(M_ARENA_MAX, 1);
}

Status install_seccomp_filter(SeccompMode mode) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return fail(ErrorCode::InternalError, std::string("PR_SET_NO_NEW_PRIVS: ") + strerror(errno));
  if (mode == SeccompMode::Off) return ok();
#if defined(STRATD_ASAN)
  // AddressSanitizer's runtime makes calls of its own that a worker never
  // does (reports, its allocator's maps): under it the filter logs what
  // the allow-list lacks instead of killing. The plain build's suite is
  // the one that tests the filter.
  if (mode == SeccompMode::Kill) mode = SeccompMode::Log;
#endif
  const uint32_t otherwise = mode == SeccompMode::Kill ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_LOG;
  std::unique_ptr<void, ContextDeleter> ctx(seccomp_init(otherwise));
  if (!ctx) return fail(ErrorCode::InternalError, "seccomp_init failed");
  auto rule = [&](uint32_t action, int call, unsigned count, const scmp_arg_cmp* args) -> Status {
    // A rule that says what the default says is no rule (libseccomp refuses it).
    if (action == otherwise) return ok();
    const int rc = seccomp_rule_add_array(ctx.get(), action, call, count, args);
    if (rc != 0) {
      char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, call);
      const std::string shown = name ? name : std::to_string(call);
      free(name);
      return refused("rule for " + shown, rc);
    }
    return ok();
  };
  for (int call : kAllowed) {
    if (Status st = rule(SCMP_ACT_ALLOW, call, 0, nullptr); !st) return st;
  }
  for (int call : kNever) {
    if (Status st = rule(SCMP_ACT_KILL_PROCESS, call, 0, nullptr); !st) return st;
  }
  // Sockets of one family only: ZeroMQ's ipc://. No network, no netlink.
  const scmp_arg_cmp unix_only[] = {SCMP_A0(SCMP_CMP_EQ, AF_UNIX)};
  if (Status st = rule(SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, unix_only); !st) return st;
  const scmp_arg_cmp other_family[] = {SCMP_A0(SCMP_CMP_NE, AF_UNIX)};
  if (Status st = rule(SCMP_ACT_KILL_PROCESS, SCMP_SYS(socket), 1, other_family); !st) return st;
  // Memory, but never executable: no code of its own for an attacker.
  const scmp_arg_cmp not_exec[] = {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)};
  const scmp_arg_cmp exec[] = {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC)};
  for (int call : {SCMP_SYS(mmap), SCMP_SYS(mprotect)}) {
    if (Status st = rule(SCMP_ACT_ALLOW, call, 1, not_exec); !st) return st;
    if (Status st = rule(SCMP_ACT_KILL_PROCESS, call, 1, exec); !st) return st;
  }
  // Threads (the C library's pthread_create), never processes.
  const scmp_arg_cmp thread[] = {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)};
  const scmp_arg_cmp process[] = {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)};
  if (Status st = rule(SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, thread); !st) return st;
  if (Status st = rule(SCMP_ACT_KILL_PROCESS, SCMP_SYS(clone), 1, process); !st) return st;
  // clone3's flags sit behind a pointer a filter cannot read: ENOSYS makes
  // the C library fall back to clone, whose flags it can.
  if (Status st = rule(SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0, nullptr); !st) return st;
  // ZeroMQ's threads set their scheduling policy as they start (and abort
  // if they cannot): the one they inherited, ours, and no other.
  const int policy = sched_getscheduler(0);
  const scmp_arg_cmp own_policy[] = {SCMP_A1(SCMP_CMP_EQ, scmp_datum_t(policy < 0 ? SCHED_OTHER : policy))};
  if (Status st = rule(SCMP_ACT_ALLOW, SCMP_SYS(sched_setscheduler), 1, own_policy); !st) return st;
  const scmp_arg_cmp set_name[] = {SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME)};
  if (Status st = rule(SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, set_name); !st) return st;
  // Signals to itself only (abort(), raise(): a failed assertion still
  // reads SIGABRT).
  const pid_t self = getpid();
  const scmp_arg_cmp to_self[] = {SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(self))};
  if (Status st = rule(SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, to_self); !st) return st;
  if (Status st = rule(SCMP_ACT_ALLOW, SCMP_SYS(kill), 1, to_self); !st) return st;
#if defined(STRATD_ASAN)
  // LeakSanitizer's check at exit stops the world with clone and ptrace,
  // which the filter kills: it checks now instead, and not again at exit.
  __lsan_do_leak_check();
#endif
  // The filter holds in every thread: ZeroMQ's are running already.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_TSYNC, 1); rc != 0) return refused("TSYNC", rc);
  if (int rc = seccomp_load(ctx.get()); rc != 0) return refused("load", rc);
  return ok();
}

}  // namespace stratd::ipc
