#pragma once
// A token bucket: `burst` requests at once, refilled at `rate` per
// second. Times are the steady clock's, in seconds, so a wall-clock step
// neither empties nor fills it.
#include <algorithm>

namespace stratd::supervisor::auth {

class TokenBucket {
 public:
  // Takes one token if there is one. If not, `retry_after` is how long
  // until there is (seconds).
  bool take(double rate, double burst, double now, double& retry_after) {
    refill(rate, burst, now);
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    retry_after = rate > 0 ? (1.0 - tokens_) / rate : 1.0;
    return false;
  }
  // Whether a token is there now, without taking it.
  bool has(double rate, double burst, double now) {
    refill(rate, burst, now);
    return tokens_ >= 1.0;
  }
  // Full again: as good as a bucket never used, so it may be forgotten.
  bool full(double rate, double burst, double now) {
    refill(rate, burst, now);
    return tokens_ >= burst;
  }

 private:
  void refill(double rate, double burst, double now) {
    if (!started_) {
      started_ = true;
      tokens_ = burst;
    } else if (now > last_) {
      tokens_ = std::min(burst, tokens_ + (now - last_) * rate);
    }
    tokens_ = std::min(tokens_, burst);  // a burst lowered by a reload
    last_ = std::max(last_, now);
  }

  double tokens_ = 0;
  double last_ = 0;
  bool started_ = false;
};

}  // namespace stratd::supervisor::auth
