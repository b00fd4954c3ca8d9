#pragma once
// When to bring a crashed process back: exponential backoff from the
// initial delay, doubling per crash inside the window, capped; more than
// `crash_limit` crashes inside the window means give up.
#include <chrono>
#include <cstdint>
#include <deque>

#include "common/settings.hpp"

namespace stratd::supervisor {

class RestartPolicy {
 public:
  struct Verdict {
    bool give_up = false;
    std::chrono::milliseconds delay{0};
    int crashes_in_window = 0;
  };

  explicit RestartPolicy(RestartPolicySettings s) : s_(s) {}

  // Records a crash at `now_ms` (monotonic) and decides.
  Verdict on_crash(int64_t now_ms);
  // Forgets past crashes (a restart asked for over the API).
  void reset() { crashes_.clear(); }
  const RestartPolicySettings& settings() const { return s_; }

 private:
  RestartPolicySettings s_;
  std::deque<int64_t> crashes_;
};

}  // namespace stratd::supervisor
