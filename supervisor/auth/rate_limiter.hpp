#pragma once
// Per-client token buckets: every request, the ones that change things,
// and failed keys (per address: brute force). A client is its key's name
// when it presented a good one, else its address. Thread-safe (one lock,
// held for a map lookup): sessions on either loop ask it. Bounded: past
// `max_tracked_clients` the buckets idle longest are forgotten (a full
// bucket is as good as a new one).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/settings.hpp"
#include "supervisor/auth/token_bucket.hpp"
#include "supervisor/http/rejections.hpp"

namespace stratd::supervisor::auth {

class RateLimiter {
 public:
  explicit RateLimiter(const LimitSettings& settings) : settings_(settings) {}
  // A reload: the new rates apply to the buckets as they are.
  void reconfigure(const LimitSettings& settings);

  struct Refusal {
    http::Rejection reason;
    double retry_after_secs;
  };
  // One request of `client` from `address`.
  std::optional<Refusal> admit(std::string_view client, std::string_view address, bool mutating);
  // Before a key from `address` is verified: refused while its failures'
  // bucket is empty, so a brute force costs no Argon2 time.
  std::optional<Refusal> check_auth_failures(std::string_view address);
  // A key from `address` failed.
  void count_auth_failure(std::string_view address);

  size_t tracked() const;

 private:
  struct Buckets {
    TokenBucket requests, mutations, failures;
    double last_seen = 0;
  };
  static double now();
  bool exempt(std::string_view address) const;
  Buckets& buckets(std::string_view id, double t);
  void forget_some(double t);

  mutable std::mutex mu_;
  LimitSettings settings_;
  std::unordered_map<std::string, Buckets> clients_;
};

}  // namespace stratd::supervisor::auth
