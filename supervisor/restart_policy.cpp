#include "supervisor/restart_policy.hpp"

#include <algorithm>

namespace stratd::supervisor {

RestartPolicy::Verdict RestartPolicy::on_crash(int64_t now_ms) {
  const int64_t window_ms = s_.crash_window_secs * 1000;
  crashes_.push_back(now_ms);
  while (!crashes_.empty() && crashes_.front() <= now_ms - window_ms) crashes_.pop_front();
  Verdict v;
  v.crashes_in_window = int(crashes_.size());
  if (v.crashes_in_window > s_.crash_limit) {
    v.give_up = true;
    return v;
  }
  // 1st crash in the window: initial delay; each further one doubles it.
  int64_t delay = s_.backoff_initial_ms;
  for (int i = 1; i < v.crashes_in_window && delay < s_.backoff_max_ms; ++i) delay *= 2;
  v.delay = std::chrono::milliseconds(std::min<int64_t>(delay, s_.backoff_max_ms));
  return v;
}

}  // namespace stratd::supervisor
