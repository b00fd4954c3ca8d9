#include "supervisor/feed_supervisor.hpp"

#include <spdlog/spdlog.h>

#include "common/clock.hpp"

namespace stratd::supervisor {

SpawnSpec feed_spawn_spec(const Config& cfg, const FeedPaths& paths) {
  SpawnSpec spec{paths.program,
                 {"--source", cfg.feed.source, "--endpoint", paths.endpoint, "--listen-fd",
                  std::to_string(kFirstPassedFd), "--interval-ms", std::to_string(cfg.feed.sim_interval_ms), "--seed",
                  std::to_string(cfg.feed.sim_seed), "--state-fd", std::to_string(kFirstPassedFd + 1), "--log-level",
                  cfg.log.level, "--seccomp", cfg.runners.worker_seccomp},
                 paths.log_path};
  spec.pass_fds = {paths.listener, paths.state_fd};
  spec.run_as = paths.run_as;
  return spec;
}

FeedSupervisor::FeedSupervisor(boost::asio::io_context& io, ProcessManager& pm, SpawnSpec spec,
                               RestartPolicySettings policy)
    : pm_(pm), spec_(std::move(spec)), policy_(policy), timer_(io) {}

void FeedSupervisor::start() { spawn(); }

void FeedSupervisor::spawn() {
  auto pid = pm_.spawn(spec_, [this](const ExitStatus& st) { on_exit(st); });
  if (!pid) {
    spdlog::error("feed: {}", pid.error().message);
    on_exit(ExitStatus{false, 127, 0, wall_ms()});
    return;
  }
  pid_ = *pid;
  spdlog::info("feed started, pid {}", pid_);
}

void FeedSupervisor::on_exit(const ExitStatus& st) {
  pid_ = 0;
  last_exit_ = st;
  if (stopping_) {
    if (stopped_) std::exchange(stopped_, nullptr)();
    return;
  }
  spdlog::warn("feed {}; restarting", st.describe());
  auto v = policy_.on_crash(mono_ms());
  if (v.give_up) {
    // Keep trying at the slowest pace rather than leave every runner starved.
    policy_.reset();
    v.delay = std::chrono::milliseconds(policy_.settings().backoff_max_ms);
  }
  schedule(v.delay);
}

void FeedSupervisor::schedule(std::chrono::milliseconds delay) {
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    ++restarts_;
    spawn();
  });
}

void FeedSupervisor::stop(std::chrono::milliseconds grace, std::function<void()> done) {
  stopping_ = true;
  timer_.cancel();
  if (pid_ == 0) {
    done();
    return;
  }
  stopped_ = std::move(done);
  pm_.stop(pid_, grace);
}

}  // namespace stratd::supervisor
