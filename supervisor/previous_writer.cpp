#include "supervisor/previous_writer.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <vector>

#include <spdlog/spdlog.h>

namespace stratd::supervisor {
namespace {

// Whether `pid` runs strat-worker on exactly this segment (its argv).
bool is_worker_of(int32_t pid, const std::string& segment) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
  if (argv.empty() || std::filesystem::path(argv[0]).filename() != "strat-worker") return false;
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i] == "--segment") return argv[i + 1] == segment;
  }
  return false;
}

}  // namespace

bool end_previous_writer(int32_t pid, const std::string& segment) {
  if (pid <= 0) return true;
  // The pidfd first: from here on it names this process, whatever becomes
  // of the number, so the check below and the signal hit the same one.
  const int fd = int(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return true;  // gone
  if (!is_worker_of(pid, segment)) {
    ::close(fd);
    return true;  // the number now belongs to someone else
  }
  spdlog::warn("segment {}: its previous worker {} is still alive; killing it", segment, pid);
  syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
  // Readable once it has exited: a killed process goes at once unless the
  // kernel holds it (uninterruptible I/O), so this rarely waits at all.
  // A signal to stratd meanwhile is no reason to give up on it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool exited = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    const int n = poll(&p, 1, int(std::max<int64_t>(left.count(), 0)));
    if (n < 0 && errno == EINTR) continue;
    exited = n == 1;
    break;
  }
  ::close(fd);
  return exited;
}

}  // namespace stratd::supervisor
