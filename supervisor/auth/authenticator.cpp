#include "supervisor/auth/authenticator.hpp"

#include <cstring>
#include <stdexcept>

#include <sodium.h>

#include "supervisor/auth/api_key.hpp"

namespace stratd::supervisor::auth {

size_t Authenticator::DigestHash::operator()(const Digest& d) const {
  size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // already a keyed hash: any 8 bytes of it will do
  return h;
}

Authenticator::Authenticator(const AuthSettings& settings) : cache_limit_(settings.cache_entries) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
  static_assert(sizeof(Digest) == crypto_shorthash_siphashx24_BYTES);
  static_assert(sizeof(secret_) == crypto_shorthash_siphashx24_KEYBYTES);
  randombytes_buf(secret_.data(), secret_.size());
  load_keys(settings);
  thread_ = std::thread([this] { run(); });
}

Authenticator::~Authenticator() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (auto& job : queue_) sodium_memzero(job.token.data(), job.token.size());
}

void Authenticator::load_keys(const AuthSettings& settings) {
  configured_ = settings.keys;
  keys_.clear();
  for (const auto& k : settings.keys) {
    // The configuration checked the role when it loaded.
    keys_[k.name] = Key{k.hash, parse_role(k.role).value_or(Role::Viewer)};
  }
  keys_configured_.store(!keys_.empty(), std::memory_order_release);
}

void Authenticator::reconfigure(const AuthSettings& settings) {
  std::lock_guard lock(mu_);
  if (settings.keys == configured_) return;  // a reload of other settings: nothing to forget
  load_keys(settings);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  cache_.clear();
  cache_order_.clear();
}

uint64_t Authenticator::verifications() const {
  std::lock_guard lock(mu_);
  return verifications_;
}

Authenticator::Digest Authenticator::digest_of(std::string_view token) const {
  Digest d;
  crypto_shorthash_siphashx24(d.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                              secret_.data());
  return d;
}

std::optional<Authenticator::Verdict> Authenticator::authenticate(std::string_view token, Done done) {
  if (auto now = recall(token)) return now;
  return verify(token, std::move(done));
}

std::optional<Authenticator::Verdict> Authenticator::recall(std::string_view token) const {
  const auto name = key_name(token);
  if (!name) return Verdict{Outcome::Refused};
  const Digest d = digest_of(token);
  std::lock_guard lock(mu_);
  if (auto hit = cache_.find(d); hit != cache_.end()) {
    // The map found it by the digest; this makes the match itself
    // constant-time, whatever the map's comparison does.
    if (sodium_memcmp(hit->first.data(), d.data(), d.size()) == 0) {
      return Verdict{Outcome::Verified, hit->second.key, hit->second.role, generation_.load()};
    }
  }
  if (!keys_.count(std::string(*name))) return Verdict{Outcome::Refused};
  return std::nullopt;
}

std::optional<Authenticator::Verdict> Authenticator::verify(std::string_view token, Done done) {
  const auto name = key_name(token);
  if (!name) return Verdict{Outcome::Refused};
  const Digest d = digest_of(token);
  std::lock_guard lock(mu_);
  if (auto hit = cache_.find(d); hit != cache_.end()) {
    return Verdict{Outcome::Verified, hit->second.key, hit->second.role, generation_.load()};
  }
  const auto key = keys_.find(std::string(*name));
  if (key == keys_.end()) return Verdict{Outcome::Refused};
  if (auto same = waiting_.find(d); same != waiting_.end()) {
    same->second.push_back(std::move(done));
    return std::nullopt;
  }
  if (queue_.size() >= kMaxQueued) return Verdict{Outcome::Busy};
  waiting_[d].push_back(std::move(done));
  queue_.push_back(Job{d, std::string(token), key->second.hash, key->first, key->second.role, generation_});
  wake_.notify_one();
  return std::nullopt;
}

void Authenticator::run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    const bool good = verify_key(job.hash, job.token);
    lock.lock();
    ++verifications_;
    if (job.generation != generation_) {
      // The keys changed while it ran: verified again against them, if
      // its name is still one (the token was kept for that).
      auto key = keys_.find(job.key);
      if (key != keys_.end()) {
        job.hash = key->second.hash;
        job.role = key->second.role;
        job.generation = generation_;
        queue_.push_front(std::move(job));
        continue;
      }
    }
    Verdict verdict{good && job.generation == generation_ ? Outcome::Verified : Outcome::Refused, job.key, job.role,
                    job.generation};
    if (verdict.outcome == Outcome::Verified && !cache_.count(job.digest)) {
      while (cache_.size() >= cache_limit_ && !cache_order_.empty()) {
        cache_.erase(cache_order_.front());
        cache_order_.pop_front();
      }
      cache_.emplace(job.digest, Remembered{job.key, job.role});
      cache_order_.push_back(job.digest);
    }
    sodium_memzero(job.token.data(), job.token.size());
    std::vector<Done> waiters;
    if (auto w = waiting_.find(job.digest); w != waiting_.end()) {
      waiters = std::move(w->second);
      waiting_.erase(w);
    }
    lock.unlock();
    for (auto& done : waiters) done(verdict);
    lock.lock();
  }
}

}  // namespace stratd::supervisor::auth
