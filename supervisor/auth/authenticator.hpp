#pragma once
// Which configured key a presented token is. Argon2id is slow on purpose
// (tens of milliseconds and 64 MiB), so it never runs on a loop's thread
// and never twice for the same good key: verification happens on this
// class's own thread, and a verified token is remembered under a keyed
// 128-bit SipHash of it (a secret key drawn at start, so the cache's
// lookups reveal nothing about the tokens, and a forged token matches a
// remembered one with odds of 2^-128 a try; SipHash rather than BLAKE2b
// because it is built for short inputs: 0.2 µs a request instead of 1,
// bench_access_gate). Only verified tokens are
// remembered; failures are paid again, and rate limited per address
// (rate_limiter.hpp). Thread-safe.
#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/settings.hpp"
#include "supervisor/auth/role.hpp"

namespace stratd::supervisor::auth {

class Authenticator {
 public:
  enum class Outcome { Verified, Refused, Busy };
  struct Verdict {
    Outcome outcome;
    std::string key = {};  // its name, when verified
    Role role = Role::Viewer;
    uint64_t generation = 0;  // of the keys it was decided against
  };
  using Done = std::function<void(Verdict)>;

  // Verifications waiting at most; beyond, Busy (the client retries).
  static constexpr size_t kMaxQueued = 64;

  explicit Authenticator(const AuthSettings& settings);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // A reload: the keys as now configured. Tokens verified before are
  // forgotten (a key removed or re-hashed must stop working at once).
  void reconfigure(const AuthSettings& settings);
  // Lock-free: read by every request.
  bool keys_configured() const { return keys_configured_.load(std::memory_order_acquire); }
  // Bumped by every reconfigure that changes the keys (KeyMemo's check).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The verdict at once when the cache knows the token or it cannot be a
  // key of ours; else none, and `done` is called later on this class's
  // thread (never after it is destroyed).
  std::optional<Verdict> authenticate(std::string_view token, Done done);
  // The two halves of it: the verdict known at once (the cache, or a
  // token that cannot be ours), else none...
  std::optional<Verdict> recall(std::string_view token) const;
  // ...and the verification queued (or a verdict at once: Busy, or a
  // name removed meanwhile).
  std::optional<Verdict> verify(std::string_view token, Done done);

  // Verifications run so far (for tests and metrics: the cache works if
  // this does not grow with requests).
  uint64_t verifications() const;

 private:
  using Digest = std::array<unsigned char, 16>;
  struct DigestHash {
    size_t operator()(const Digest& d) const;
  };
  struct Key {
    std::string hash;
    Role role;
  };
  struct Remembered {
    std::string key;
    Role role;
  };
  struct Job {
    Digest digest;
    std::string token;
    std::string hash;
    std::string key;
    Role role;
    uint64_t generation;
  };

  Digest digest_of(std::string_view token) const;
  void load_keys(const AuthSettings& settings);
  void run();

  std::array<unsigned char, 16> secret_{};
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<ApiKeyEntry> configured_;        // as configured, to tell a change
  std::unordered_map<std::string, Key> keys_;  // by name
  std::atomic<uint64_t> generation_{0};        // written under mu_
  std::atomic<bool> keys_configured_{false};   // written under mu_
  size_t cache_limit_;
  std::unordered_map<Digest, Remembered, DigestHash> cache_;
  std::deque<Digest> cache_order_;  // oldest first: the first to go past the limit
  std::unordered_map<Digest, std::vector<Done>, DigestHash> waiting_;  // one verification per token
  std::deque<Job> queue_;
  uint64_t verifications_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stratd::supervisor::auth
