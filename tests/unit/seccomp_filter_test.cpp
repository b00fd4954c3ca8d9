// The workers' and the feed's system call filter (ipc/seccomp_filter.hpp),
// installed in a forked child: what a running worker needs still works,
// and what it never needs ends the child with SIGSYS.
#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "ipc/seccomp_filter.hpp"

using namespace stratd;

namespace {

constexpr int kFilterRefused = 100;

// Runs `body` in a child that has installed the filter; its wait status.
int in_filtered_child(SeccompMode mode, const std::function<int()>& body) {
  const pid_t pid = fork();
  if (pid == 0) {
    ipc::prepare_for_seccomp_filter();
    if (auto st = ipc::install_seccomp_filter(mode); !st) {
      fprintf(stderr, "%s\n", st.error().message.c_str());
      _exit(kFilterRefused);
    }
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "exited with " + std::to_string(WEXITSTATUS(status));
}

bool killed_by_sigsys(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS; }
bool exited_zero(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

struct Call {
  const char* name;
  std::function<int()> run;  // returns 0 when the call did what it was asked
};

// Every call the filter must kill, made raw (the C library's wrappers may
// use other calls).
const Call kForbidden[] = {
    {"execve", [] { return int(syscall(SYS_execve, "/bin/true", nullptr, nullptr)); }},
    {"execveat", [] { return int(syscall(SYS_execveat, AT_FDCWD, "/bin/true", nullptr, nullptr, 0)); }},
    {"fork", [] { return int(syscall(SYS_fork)); }},
    {"vfork", [] { return int(syscall(SYS_vfork)); }},
    {"clone of a process", [] { return int(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)); }},
    {"socket(AF_INET)", [] { return int(syscall(SYS_socket, AF_INET, SOCK_STREAM, 0)); }},
    {"socket(AF_INET6)", [] { return int(syscall(SYS_socket, AF_INET6, SOCK_DGRAM, 0)); }},
    {"socket(AF_NETLINK)", [] { return int(syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 0)); }},
    {"socket(AF_PACKET)", [] { return int(syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0)); }},
    {"ptrace", [] { return int(syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0)); }},
    {"process_vm_readv", [] { return int(syscall(SYS_process_vm_readv, getppid(), nullptr, 0, nullptr, 0, 0)); }},
    {"process_vm_writev", [] { return int(syscall(SYS_process_vm_writev, getppid(), nullptr, 0, nullptr, 0, 0)); }},
    {"mount", [] { return int(syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, nullptr)); }},
    {"umount2", [] { return int(syscall(SYS_umount2, "/mnt", 0)); }},
    {"bpf", [] { return int(syscall(SYS_bpf, BPF_PROG_LOAD, nullptr, 0)); }},
    {"kexec_load", [] { return int(syscall(SYS_kexec_load, 0, 0, nullptr, 0)); }},
    {"init_module", [] { return int(syscall(SYS_init_module, nullptr, 0, "")); }},
    {"finit_module", [] { return int(syscall(SYS_finit_module, -1, "", 0)); }},
    {"unshare", [] { return int(syscall(SYS_unshare, CLONE_NEWUSER)); }},
    {"openat", [] { return int(syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY)); }},
    {"unlink", [] { return int(syscall(SYS_unlinkat, AT_FDCWD, "/tmp/stratd-seccomp-none", 0)); }},
    {"kill of another process", [] { return int(syscall(SYS_kill, getppid(), 0)); }},
    {"setuid", [] { return int(syscall(SYS_setuid, 0)); }},
    {"prctl other than PR_SET_NAME", [] { return int(syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0)); }},
    {"sched_setscheduler to another policy",
     [] {
       sched_param p{};
       return int(syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &p));
     }},
    {"mmap of executable memory",
     [] { return syscall(SYS_mmap, nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == -1; }},
    {"mprotect to executable",
     [] {
       void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
       return int(syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC));
     }},
};

}  // namespace

TEST(SeccompFilter, EveryForbiddenCallEndsTheProcessWithSigsys) {
#if defined(STRATD_ASAN)
  GTEST_SKIP() << "under AddressSanitizer the filter only logs (ipc/seccomp_filter.cpp); the plain build tests it";
#endif
  for (const Call& c : kForbidden) {
    const int status = in_filtered_child(SeccompMode::Kill, c.run);
    EXPECT_TRUE(killed_by_sigsys(status)) << c.name << ": " << describe(status);
  }
}

TEST(SeccompFilter, WhatAWorkerNeedsStillWorks) {
#if defined(STRATD_ASAN)
  GTEST_SKIP() << "under AddressSanitizer the filter only logs (ipc/seccomp_filter.cpp); the plain build tests it";
#endif
  // A listening AF_UNIX socket made before the filter, as stratd's are.
  const std::string path = "/tmp/stratd-seccomp-" + std::to_string(getpid()) + ".sock";
  unlink(path.c_str());
  const int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << strerror(errno);
  ASSERT_EQ(listen(listener, 4), 0);

  const Call allowed[] = {
      {"an AF_UNIX socket, connected",
       [&] {
         const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
         if (s < 0) return 1;
         if (connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return 2;
         const int peer = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
         if (peer < 0) return 3;
         if (send(s, "x", 1, 0) != 1) return 4;
         char c = 0;
         return recv(peer, &c, 1, 0) == 1 && c == 'x' ? 0 : 5;
       }},
      {"anonymous memory, read-write",
       [] {
         auto* p = static_cast<char*>(mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
         if (p == MAP_FAILED) return 1;
         p[12345] = 1;
         if (mprotect(p, 4096, PROT_NONE) != 0) return 2;
         return munmap(p, 1 << 20);
       }},
      {"malloc, large and small",
       [] {
         std::string big(64 << 20, 'x');
         std::string small(100, 'y');
         return big[1000] == 'x' && small[10] == 'y' ? 0 : 1;
       }},
      {"a thread",
       [] {
         int seen = 0;
         std::thread t([&] { seen = 42; });
         t.join();
         return seen == 42 ? 0 : 1;
       }},
      {"an eventfd (ZeroMQ's mailboxes), polled",
       [] {
         const int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
         if (ev < 0) return 1;
         uint64_t one = 1;
         if (write(ev, &one, sizeof one) != sizeof one) return 2;
         pollfd p{ev, POLLIN, 0};
         return poll(&p, 1, 1000) == 1 ? 0 : 3;
       }},
      {"naming a thread, as ZeroMQ's do", [] { return prctl(PR_SET_NAME, "ZMQbg/1", 0, 0, 0); }},
      {"time, and writing the log",
       [] {
         timespec ts{};
         if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 1;
         return write(STDERR_FILENO, "", 0) == 0 ? 0 : 2;
       }},
      {"a signal to itself, handled",
       [] {
         signal(SIGUSR1, [](int) {});
         return raise(SIGUSR1);
       }},
  };
  for (const Call& c : allowed) {
    const int status = in_filtered_child(SeccompMode::Kill, c.run);
    EXPECT_TRUE(exited_zero(status)) << c.name << ": " << describe(status);
  }
  close(listener);
  unlink(path.c_str());
}

TEST(SeccompFilter, LogModeLetsOthersThroughButNeverTheCallsNoWorkerNeeds) {
#if defined(STRATD_ASAN)
  GTEST_SKIP() << "under AddressSanitizer the filter only logs (ipc/seccomp_filter.cpp); the plain build tests it";
#endif
  const int opened = in_filtered_child(SeccompMode::Log, [] {
    const int fd = open("/etc/hostname", O_RDONLY);
    return fd >= 0 ? 0 : 1;
  });
  EXPECT_TRUE(exited_zero(opened)) << describe(opened);
  const int exec = in_filtered_child(SeccompMode::Log, [] { return int(syscall(SYS_execve, "/bin/true", nullptr, nullptr)); });
  EXPECT_TRUE(killed_by_sigsys(exec)) << describe(exec);
  const int inet = in_filtered_child(SeccompMode::Log, [] { return int(syscall(SYS_socket, AF_INET, SOCK_STREAM, 0)); });
  EXPECT_TRUE(killed_by_sigsys(inet)) << describe(inet);
}

TEST(SeccompFilter, OffStillForbidsGainingPrivileges) {
  const int status = in_filtered_child(SeccompMode::Off, [] {
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) return 1;
    const int fd = open("/etc/hostname", O_RDONLY);
    return fd >= 0 ? 0 : 2;
  });
  EXPECT_TRUE(exited_zero(status)) << describe(status);
}
