#include "supervisor/child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/clock.hpp"

namespace stratd::supervisor {

std::string ExitStatus::describe() const {
  if (signaled) {
    const char* name = sigabbrev_np(signal);
    return std::string("killed by SIG") + (name ? name : std::to_string(signal));
  }
  return "exited with code " + std::to_string(code);
}

namespace {
// stratd's environment without what systemd meant for stratd alone: a
// worker must never notify systemd (or pet its watchdog) for stratd, nor
// take sockets passed to stratd, nor log as if its output were the journal.
std::vector<char*> child_environment() {
  static constexpr std::string_view kStratdOnly[] = {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=",
                                                     "LISTEN_FDS=",    "LISTEN_PID=",    "LISTEN_FDNAMES=",
                                                     "JOURNAL_STREAM="};
  std::vector<char*> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    const bool skip = std::any_of(std::begin(kStratdOnly), std::end(kStratdOnly),
                                  [&](std::string_view p) { return entry.substr(0, p.size()) == p; });
    if (!skip) env.push_back(*e);
  }
  env.push_back(nullptr);
  return env;
}
// In the child: a line for its log, then out. Async-signal-safe.
[[noreturn]] void die(const char* message) {
  const size_t n = strlen(message);
  if (::write(STDERR_FILENO, message, n) < 0) _exit(127);
  _exit(127);
}

// In the child: the user it runs as from exec on. Supplementary groups
// first, then the group, then the user (after which nothing else could be
// changed); and proof that root cannot be taken back.
void switch_user(const RunAs& who) {
  if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0)
    die("spawn: cannot switch to the worker user\n");
  if (setuid(0) == 0 || getuid() != who.uid || geteuid() != who.uid || getegid() != who.gid)
    die("spawn: the switch to the worker user did not hold\n");
}

// In the child: death with the parent. The kernel clears this setting on a
// change of credentials, so it is set again after switch_user.
void die_with(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
}

}  // namespace

Expected<SpawnedChild> spawn_child(const SpawnSpec& spec) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls are allowed (other threads may hold locks).
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(spec.program.c_str()));
  for (const auto& a : spec.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  // Only stratd's user reads a child's log (a strategy's prints, its errors).
  const int log_fd = ::open(spec.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return fail(ErrorCode::SpawnFailed, "cannot open log " + spec.log_path + ": " + strerror(errno));
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // The handoff is written before the fork; the child gets the read end only.
  int handoff_fd = -1;
  if (!spec.handoff.empty()) {
    int p[2];
    // At most PIPE_BUF: written whole into the empty pipe, never blocking.
    bool ready = spec.handoff.size() <= PIPE_BUF && pipe2(p, O_CLOEXEC) == 0;
    if (ready) {
      ready = ::write(p[1], spec.handoff.data(), spec.handoff.size()) == ssize_t(spec.handoff.size());
      ::close(p[1]);
      if (ready) {
        handoff_fd = p[0];
      } else {
        ::close(p[0]);
      }
    }
    if (!ready) {
      ::close(log_fd);
      if (null_fd >= 0) ::close(null_fd);
      return fail(ErrorCode::SpawnFailed, "cannot hand the child its credential");
    }
  }
  const pid_t parent = getpid();
  // Built before the fork: the child may not allocate.
  std::vector<char*> env = child_environment();

  // Every signal blocked across the fork: until the child has put back
  // the default actions, a SIGTERM meant for it would run stratd's own
  // handler in it (and be lost), leaving it to ignore its stop.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = fork();
  if (pid != 0) pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) {
    const int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    if (handoff_fd >= 0) ::close(handoff_fd);
    return fail(ErrorCode::SpawnFailed, std::string("fork: ") + strerror(err));
  }
  if (pid == 0) {
    // The death signal follows the thread that forked, not the process:
    // children are only spawned from stratd's main thread, which lives as
    // long as stratd does.
    die_with(parent);
    // A session of its own: a Ctrl-C at stratd's terminal reaches stratd,
    // which then stops its children in order, not every child at once.
    setsid();
    // A fresh signal state: the parent handles or ignores some signals.
    // Defaults first, then unblocked: a signal already sent now acts.
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Out of the way first: the pipe and the passed descriptors might sit
    // on descriptors about to be reused.
    const int handoff_high = handoff_fd >= 0 ? fcntl(handoff_fd, F_DUPFD, 100) : -1;
    if (handoff_fd >= 0 && handoff_high < 0) _exit(127);  // without its credential it would run unheard
    const size_t passed = spec.pass_fds.size();
    int passed_high[16];
    if (passed > std::size(passed_high)) _exit(127);
    for (size_t i = 0; i < passed; ++i) {
      passed_high[i] = spec.pass_fds[i] < 0 ? -1 : fcntl(spec.pass_fds[i], F_DUPFD, 100);
      if (spec.pass_fds[i] >= 0 && passed_high[i] < 0) _exit(127);
    }
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    // dup2 clears close-on-exec.
    if (handoff_high >= 0) {
      dup2(handoff_high, kHandoffFd);
    } else {
      ::close(kHandoffFd);
    }
    for (size_t i = 0; i < passed; ++i) {
      if (passed_high[i] < 0) {
        ::close(kFirstPassedFd + int(i));
      } else if (dup2(passed_high[i], kFirstPassedFd + int(i)) < 0) {
        _exit(127);
      }
    }
    syscall(SYS_close_range, unsigned(kFirstPassedFd + passed), ~0u, 0u);
    struct rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
#if !defined(STRATD_ASAN)  // AddressSanitizer reserves terabytes of address space
    if (spec.address_space_limit) {
      struct rlimit as{spec.address_space_limit, spec.address_space_limit};
      setrlimit(RLIMIT_AS, &as);
    }
#endif
    if (spec.open_files_limit) {
      struct rlimit files{spec.open_files_limit, spec.open_files_limit};
      setrlimit(RLIMIT_NOFILE, &files);
    }
    if (spec.run_as) {
      switch_user(*spec.run_as);
      die_with(parent);
    }
    execve(argv[0], argv.data(), env.data());
    _exit(127);
  }
  ::close(log_fd);
  if (null_fd >= 0) ::close(null_fd);
  if (handoff_fd >= 0) ::close(handoff_fd);
  // The child may already have exited: pidfd_open works on a zombie too.
  const int pidfd = int(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int err = errno;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return fail(ErrorCode::SpawnFailed, std::string("pidfd_open: ") + strerror(err));
  }
  fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  return SpawnedChild{pid, pidfd};
}

ExitStatus reap_child(int pidfd, pid_t pid) {
  ExitStatus st;
  st.at_ms = wall_ms();
  siginfo_t info{};
  int rc;
  do {
    rc = waitid(P_PIDFD, id_t(pidfd), &info, WEXITED);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int status = 0;
    if (waitpid(pid, &status, 0) == pid) {
      st.signaled = WIFSIGNALED(status);
      st.code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
      st.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
    return st;
  }
  if (info.si_code == CLD_EXITED) {
    st.code = info.si_status;
  } else {
    st.signaled = true;
    st.signal = info.si_status;
  }
  return st;
}

bool signal_child(int pidfd, int sig) {
  return syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0;
}

void trim_log_if_large(const std::string& path, uint64_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size <= max_bytes) return;
  // Lines written between the copy and the truncate are lost: the price of
  // never touching the child's descriptor.
  if (!fs::copy_file(path, path + ".1", fs::copy_options::overwrite_existing, ec) || ec) {
    spdlog::warn("cannot keep log {}: {}", path, ec.message());
    return;  // never truncate what was not kept
  }
  if (::truncate(path.c_str(), 0) != 0) spdlog::warn("cannot truncate log {}: {}", path, strerror(errno));
}

}  // namespace stratd::supervisor
