#pragma once
// Keeps the market-data feed process alive: spawned at start, restarted
// with backoff whenever it dies, stopped last at shutdown. Unlike a runner
// it never gives up: without a feed no runner can work.
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/config.hpp"
#include "common/settings.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/restart_policy.hpp"

namespace stratd::supervisor {

// What the feed is handed. Like a worker it may run as another user
// (worker_identity.hpp): it serves the market-data socket stratd bound
// (bus_sockets.hpp) and keeps its state in a file stratd opened for it.
struct FeedPaths {
  std::string program;   // strat-feed
  std::string endpoint;  // where it publishes market data
  int listener = -1;     // that endpoint's listening socket
  int state_fd = -1;     // the file where the sim feed keeps its prices across restarts
  std::string log_path;
  std::optional<RunAs> run_as{};
};

// strat-feed's command line for these settings.
SpawnSpec feed_spawn_spec(const Config& cfg, const FeedPaths& paths);

class FeedSupervisor {
 public:
  FeedSupervisor(boost::asio::io_context& io, ProcessManager& pm, SpawnSpec spec,
                 RestartPolicySettings policy);

  void start();
  void stop(std::chrono::milliseconds grace, std::function<void()> done);

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  uint32_t restarts() const { return restarts_; }
  const std::optional<ExitStatus>& last_exit() const { return last_exit_; }

 private:
  void spawn();
  void on_exit(const ExitStatus& st);
  void schedule(std::chrono::milliseconds delay);

  ProcessManager& pm_;
  SpawnSpec spec_;
  RestartPolicy policy_;
  boost::asio::steady_timer timer_;
  pid_t pid_ = 0;
  uint32_t restarts_ = 0;
  std::optional<ExitStatus> last_exit_;
  bool stopping_ = false;
  std::function<void()> stopped_;
};

}  // namespace stratd::supervisor
