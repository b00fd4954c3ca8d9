#include "supervisor/auth/rate_limiter.hpp"

#include <algorithm>
#include <vector>

namespace stratd::supervisor::auth {

double RateLimiter::now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void RateLimiter::reconfigure(const LimitSettings& settings) {
  std::lock_guard lock(mu_);
  settings_ = settings;
}

bool RateLimiter::exempt(std::string_view address) const {
  return std::find(settings_.exempt.begin(), settings_.exempt.end(), address) != settings_.exempt.end();
}

RateLimiter::Buckets& RateLimiter::buckets(std::string_view id, double t) {
  auto it = clients_.find(std::string(id));
  if (it == clients_.end()) {
    if (clients_.size() >= settings_.max_tracked_clients) forget_some(t);
    it = clients_.emplace(std::string(id), Buckets{}).first;
  }
  it->second.last_seen = t;
  return it->second;
}

void RateLimiter::forget_some(double t) {
  const LimitSettings& s = settings_;
  for (auto it = clients_.begin(); it != clients_.end();) {
    Buckets& b = it->second;
    const bool unused = b.requests.full(s.requests_per_sec, s.request_burst, t) &&
                        b.mutations.full(s.mutations_per_sec, s.mutation_burst, t) &&
                        b.failures.full(s.auth_failures_per_min / 60.0, s.auth_failure_burst, t);
    it = unused ? clients_.erase(it) : std::next(it);
  }
  if (clients_.size() < s.max_tracked_clients) return;
  // All still refilling (a flood from many addresses): the eighth idle
  // longest go, so this sweep is not paid on every new client.
  std::vector<double> seen;
  seen.reserve(clients_.size());
  for (const auto& [_, b] : clients_) seen.push_back(b.last_seen);
  const size_t cut = std::max<size_t>(1, seen.size() / 8);
  std::nth_element(seen.begin(), seen.begin() + (cut - 1), seen.end());
  const double oldest = seen[cut - 1];
  std::erase_if(clients_, [&](const auto& kv) { return kv.second.last_seen <= oldest; });
}

std::optional<RateLimiter::Refusal> RateLimiter::admit(std::string_view client, std::string_view address,
                                                       bool mutating) {
  std::lock_guard lock(mu_);
  const LimitSettings& s = settings_;
  const bool limit_requests = s.requests_per_sec > 0;
  const bool limit_mutations = mutating && s.mutations_per_sec > 0;
  if ((!limit_requests && !limit_mutations) || exempt(address)) return std::nullopt;
  const double t = now();
  Buckets& b = buckets(client, t);
  double wait = 0;
  // The stricter bucket first, so a refused mutation costs no general token.
  if (limit_mutations && !b.mutations.has(s.mutations_per_sec, s.mutation_burst, t)) {
    b.mutations.take(s.mutations_per_sec, s.mutation_burst, t, wait);
    return Refusal{http::Rejection::MutationRateLimited, wait};
  }
  if (limit_requests && !b.requests.take(s.requests_per_sec, s.request_burst, t, wait)) {
    return Refusal{http::Rejection::RateLimited, wait};
  }
  if (limit_mutations) b.mutations.take(s.mutations_per_sec, s.mutation_burst, t, wait);
  return std::nullopt;
}

std::optional<RateLimiter::Refusal> RateLimiter::check_auth_failures(std::string_view address) {
  std::lock_guard lock(mu_);
  const LimitSettings& s = settings_;
  if (s.auth_failures_per_min <= 0) return std::nullopt;
  const double t = now();
  auto it = clients_.find(std::string(address));
  if (it == clients_.end()) return std::nullopt;
  if (it->second.failures.has(s.auth_failures_per_min / 60.0, s.auth_failure_burst, t)) return std::nullopt;
  double wait = 0;
  TokenBucket probe = it->second.failures;  // how long, without taking
  probe.take(s.auth_failures_per_min / 60.0, s.auth_failure_burst, t, wait);
  return Refusal{http::Rejection::AuthFailureRateLimited, wait};
}

void RateLimiter::count_auth_failure(std::string_view address) {
  std::lock_guard lock(mu_);
  const LimitSettings& s = settings_;
  if (s.auth_failures_per_min <= 0) return;
  const double t = now();
  double wait = 0;
  buckets(address, t).failures.take(s.auth_failures_per_min / 60.0, s.auth_failure_burst, t, wait);
}

size_t RateLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return clients_.size();
}

}  // namespace stratd::supervisor::auth
