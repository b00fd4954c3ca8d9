#include "supervisor/runners/previous_writer.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "ipc/worker_command.hpp"

namespace stratd::supervisor {
namespace {

// A pidfd for `pid` if it runs strat-worker on exactly this segment, else -1.
int open_writer(int32_t pid, const std::string& segment) {
  if (pid <= 0) return -1;
  // The pidfd first: from here on it names this process, whatever becomes
  // of the number, so the check below and the signal hit the same one.
  const int fd = int(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return -1;  // gone
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  for (std::string arg; std::getline(in, arg, '\0');) argv.push_back(arg);
  if (ipc::segment_of(argv) != segment) {
    ::close(fd);
    return -1;  // the number now belongs to someone else
  }
  return fd;
}

bool exited(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

}  // namespace

bool previous_writer_gone(int32_t pid, const std::string& segment) {
  const int fd = open_writer(pid, segment);
  if (fd < 0) return true;
  spdlog::warn("segment {}: its previous worker {} is still alive; killing it", segment, pid);
  syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
  const bool gone = exited(fd);
  ::close(fd);
  return gone;
}

void end_previous_writers(boost::asio::io_context& io, std::vector<PreviousWriter> writers,
                          std::chrono::milliseconds deadline, std::function<void(std::set<std::string>)> done) {
  struct Wait {
    std::vector<std::unique_ptr<boost::asio::posix::stream_descriptor>> pidfds;
    std::set<std::string> alive;
    boost::asio::steady_timer timer;
    std::function<void(std::set<std::string>)> done;
    explicit Wait(boost::asio::io_context& io) : timer(io) {}
    void finish() {
      if (!done) return;
      timer.cancel();
      for (auto& fd : pidfds) fd->cancel();
      std::exchange(done, nullptr)(alive);
    }
  };
  auto wait = std::make_shared<Wait>(io);
  wait->done = std::move(done);
  for (const auto& w : writers) {
    const int fd = open_writer(w.pid, w.segment);
    if (fd < 0) continue;
    spdlog::warn("segment {}: its previous worker {} is still alive; killing it", w.segment, w.pid);
    syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0);
    wait->alive.insert(w.segment);
    auto& sd = wait->pidfds.emplace_back(std::make_unique<boost::asio::posix::stream_descriptor>(io, fd));
    // Readable once it has exited: a killed process goes at once unless
    // the kernel holds it (uninterruptible I/O).
    sd->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                   [wait, segment = w.segment](const boost::system::error_code& ec) {
                     if (ec) return;
                     wait->alive.erase(segment);
                     if (wait->alive.empty()) wait->finish();
                   });
  }
  if (wait->alive.empty()) {
    // Nothing to wait for: answered from the loop all the same, never
    // from inside the caller.
    boost::asio::post(io, [wait] { wait->finish(); });
    return;
  }
  wait->timer.expires_after(deadline);
  wait->timer.async_wait([wait](const boost::system::error_code& ec) {
    if (!ec) wait->finish();
  });
}

}  // namespace stratd::supervisor
