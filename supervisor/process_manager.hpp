#pragma once
// The one place that reacts to child exits: every child's pidfd is watched
// in the Asio loop, and its exit handler runs there. Stopping is SIGTERM,
// then SIGKILL when the grace period runs out. Children's logs are kept
// under a size limit here too, since this is where every child is known.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "supervisor/child_process.hpp"

namespace stratd::supervisor {

class ProcessManager {
 public:
  using ExitHandler = std::function<void(const ExitStatus&)>;

  ProcessManager(boost::asio::io_context& io, uint64_t log_max_bytes);
  ~ProcessManager();

  // Spawns and watches a child; `on_exit` runs in the loop when it ends.
  Expected<pid_t> spawn(const SpawnSpec& spec, ExitHandler on_exit);
  // SIGTERM now, SIGKILL after `grace` if it is still alive.
  void stop(pid_t pid, std::chrono::milliseconds grace);
  void kill(pid_t pid);
  bool alive(pid_t pid) const { return children_.count(pid) != 0; }
  size_t count() const { return children_.size(); }
  // SIGKILLs and reaps every child synchronously (last resort at exit).
  void kill_all_now();

 private:
  struct Child {
    pid_t pid;
    boost::asio::posix::stream_descriptor pidfd;
    boost::asio::steady_timer kill_timer;
    ExitHandler on_exit;
    std::string log_path;
    Child(boost::asio::io_context& io, pid_t p, int fd, ExitHandler h, std::string log)
        : pid(p), pidfd(io, fd), kill_timer(io), on_exit(std::move(h)), log_path(std::move(log)) {}
  };
  void on_readable(pid_t pid);
  void schedule_log_check();

  boost::asio::io_context& io_;
  uint64_t log_max_bytes_;
  boost::asio::steady_timer log_timer_;
  std::map<pid_t, std::unique_ptr<Child>> children_;
};

}  // namespace stratd::supervisor
