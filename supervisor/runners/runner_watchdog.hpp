#pragma once
// The runners' clock: every 100 ms each live worker's heartbeat is judged
// (heartbeat.hpp) and the verdict handed to the registry, which alone acts
// on it; every second each runner's CPU and memory are sampled and a
// snapshot its worker committed since is saved to the store.
#include <cstdint>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "supervisor/runners/heartbeat.hpp"
#include "supervisor/runners/runner.hpp"
#include "supervisor/store.hpp"

namespace stratd::supervisor {

class RunnerWatchdog {
 public:
  // Calls its argument for every runner.
  using ForEachRunner = std::function<void(const std::function<void(Runner&)>&)>;
  using OnVerdict = std::function<void(Runner&, const HeartbeatVerdict&)>;

  RunnerWatchdog(boost::asio::io_context& io, Store& store, int64_t hang_timeout_ms, ForEachRunner runners,
                 OnVerdict on_verdict);
  void start();
  void stop() { timer_.cancel(); }

 private:
  void tick();

  boost::asio::steady_timer timer_;
  Store& store_;
  int64_t hang_timeout_ms_;
  ForEachRunner runners_;
  OnVerdict on_verdict_;
  int64_t last_sample_ms_ = 0;
};

}  // namespace stratd::supervisor
