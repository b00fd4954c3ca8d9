#include "supervisor/runners/worker_launcher.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ipc/worker_command.hpp"
#include "supervisor/bus_sockets.hpp"
#include "supervisor/events/event_admission.hpp"

namespace stratd::supervisor {
namespace {

// Where each inherited descriptor lands in the worker.
enum PassedFd : int { kSegmentFd = kFirstPassedFd, kStrategyFd, kMarketDataFd, kEventsFd };

// Descriptors opened for one spawn, closed once the child has its own.
class Opened {
 public:
  Opened() = default;
  Opened(const Opened&) = delete;
  Opened& operator=(const Opened&) = delete;
  ~Opened() {
    for (int fd : fds_) ::close(fd);
  }
  int add(int fd) {
    if (fd >= 0) fds_.push_back(fd);
    return fd;
  }

 private:
  std::vector<int> fds_;
};

}  // namespace

Expected<pid_t> WorkerLauncher::launch(const Runner& r, ProcessManager::ExitHandler on_exit) {
  if (!paths_.bus || paths_.bus->market_data_path() < 0 || paths_.bus->events_path() < 0)
    return fail(ErrorCode::SpawnFailed, "no bus sockets to hand over");
  Opened opened;
  const int segment = opened.add(shm_open(("/" + r.segment.name()).c_str(), O_RDWR | O_CLOEXEC, 0));
  if (segment < 0) return fail(ErrorCode::SpawnFailed, "cannot open segment " + r.segment.name() + ": " + strerror(errno));
  // A strategy that cannot be opened is the worker's to report, as one it
  // cannot read: the runner fails for its strategy, not for its spawn.
  const int strategy = opened.add(::open(r.strategy_file.c_str(), O_RDONLY | O_CLOEXEC));

  ipc::WorkerCommand c;
  c.runner_id = r.spec.runner_id;
  c.symbol = r.spec.symbol;
  c.strategy_path = r.strategy_file;
  c.segment = r.segment.name();
  c.md_endpoint = BusSockets::endpoint_through(kMarketDataFd);
  c.events_endpoint = BusSockets::endpoint_through(kEventsFd);
  c.window = r.spec.window_size;
  c.lua = cfg_.lua;
  c.broker = cfg_.broker;
  c.max_consecutive_errors = cfg_.runners.max_consecutive_strategy_errors;
  c.log_level = cfg_.log.level;
  c.credential_fd = kHandoffFd;
  c.nice = cfg_.runners.worker_nice;
  c.segment_fd = kSegmentFd;
  c.strategy_fd = kStrategyFd;
  c.seccomp = cfg_.runners.worker_seccomp;

  SpawnSpec spec;
  spec.program = paths_.worker_program;
  spec.args = ipc::to_args(c);
  spec.log_path = log_path(r.spec.runner_id);
  spec.address_space_limit = cfg_.runners.worker_address_space_bytes;
  spec.open_files_limit = cfg_.runners.worker_open_files;
  spec.pass_fds = {segment, strategy, paths_.bus->market_data_path(), paths_.bus->events_path()};
  spec.run_as = paths_.run_as;
  // A credential of its own: its events are told apart from anyone's else.
  auto credential = new_credential();
  if (!credential) return Unexpected<Error>{credential.error()};
  spec.handoff = std::move(*credential);
  hub_.set_credential(r.spec.runner_id, spec.handoff);
  return pm_.spawn(spec, std::move(on_exit));
}

}  // namespace stratd::supervisor
