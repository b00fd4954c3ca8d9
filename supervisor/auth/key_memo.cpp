#include "supervisor/auth/key_memo.hpp"

#include <cstring>

#include <sodium.h>

namespace stratd::supervisor::auth {
namespace {

// Equal bytes, in time that depends on the length only: eight bytes a
// step, the differences OR-ed together and looked at once at the end.
// sodium_memcmp does the same a byte at a time through a volatile (about
// 480 instructions for a 63-byte key, more than the rest of a remembered
// key's path); the empty asm keeps the compiler from turning the
// accumulation into an early exit.
bool same_bytes(const char* a, const char* b, size_t n) {
  uint64_t diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    diff |= x ^ y;
    __asm__ volatile("" : "+r"(diff));
  }
  for (; i < n; ++i) {
    diff |= uint64_t(uint8_t(a[i]) ^ uint8_t(b[i]));
    __asm__ volatile("" : "+r"(diff));
  }
  return diff == 0;
}

}  // namespace

std::optional<KeyMemo::Known> KeyMemo::recall(std::string_view token, uint64_t generation) const {
  // The length is no secret (every key of a name has the same shape); the
  // bytes are compared in constant time.
  if (!set_ || generation != generation_ || token.size() != token_.size()) return std::nullopt;
  if (!same_bytes(token.data(), token_.data(), token.size())) return std::nullopt;
  return Known{key_, role_};
}

void KeyMemo::remember(std::string_view token, uint64_t generation, std::string key, Role role) {
  forget();
  token_.assign(token);
  generation_ = generation;
  key_ = std::move(key);
  role_ = role;
  set_ = true;
}

void KeyMemo::forget() {
  if (!token_.empty()) sodium_memzero(token_.data(), token_.size());
  token_.clear();
  set_ = false;
}

}  // namespace stratd::supervisor::auth
