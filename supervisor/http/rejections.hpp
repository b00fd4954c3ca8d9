#pragma once
// What stratd refused before a request reached its handler, counted by
// reason for /metrics (stratd_http_rejections_total{reason}). Each is
// counted where it was refused (the listener, an HTTP or a WebSocket
// session, the access gate), on whichever loop that runs: relaxed atomics.
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace stratd::supervisor::metrics {
class Exposition;
}

namespace stratd::supervisor::http {

enum class Rejection : uint8_t {
  MissingKey,              // 401: a route that needs a key, and none was sent
  BadKey,                  // 401: a key that is not one of ours
  Forbidden,               // 403: the key's role may not do this
  OriginNotAllowed,        // 403: a browser Origin outside [cors] allowed_origins
  HostNotAllowed,          // 421: a Host that is not one of stratd's names (DNS rebinding)
  RateLimited,             // 429: the client's request bucket is empty
  MutationRateLimited,     // 429: its bucket for routes that change things
  AuthFailureRateLimited,  // 429: too many failed keys from one address
  HeadersTooLarge,         // 431
  UriTooLong,              // 414
  BodyTooLarge,            // 413
  HeaderTimeout,           // 408 or closed: headers not in within their deadline
  BodyTimeout,             // 408 or closed: the body not in within its deadline
  ConnectionsPerAddress,   // closed at accept: one address has too many open
  ConnectionsTotal,        // closed at accept: too many open in all
  WsMessageRate,           // a WebSocket client sending faster than allowed
  WsSubscriptions,         // a WebSocket client asking for too many follows
  TlsHandshake,            // a TLS handshake that failed or timed out
  kCount
};

std::string_view to_string(Rejection r);

class Rejections {
 public:
  void count(Rejection r) { counts_[size_t(r)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t count_of(Rejection r) const { return counts_[size_t(r)].load(std::memory_order_relaxed); }
  // The family, one sample per reason (zeros included: a rate of a
  // counter that appears late is lost).
  void write(metrics::Exposition& out) const;

 private:
  std::array<std::atomic<uint64_t>, size_t(Rejection::kCount)> counts_{};
};

}  // namespace stratd::supervisor::http
