#pragma once
// The last key one connection presented and the gate found good, so that
// the next request on it (a dashboard's keep-alive connection sends the
// same key every time) costs one constant-time compare instead of the
// shape check, the keyed hash, the cache's lock and its map. Valid only
// while the keys are as they were (the authenticator's generation): a
// reload that changes any key makes the next request go the long way.
// Owned by the connection's session and used on its loop only. The token
// is a secret: wiped when replaced and when the connection ends.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "supervisor/auth/role.hpp"

namespace stratd::supervisor::auth {

class KeyMemo {
 public:
  struct Known {
    const std::string& key;  // its name
    Role role;
  };

  KeyMemo() = default;
  KeyMemo(const KeyMemo&) = delete;
  KeyMemo& operator=(const KeyMemo&) = delete;
  ~KeyMemo() { forget(); }

  // Who `token` is, if it is the remembered one and the keys are still
  // those of `generation`.
  std::optional<Known> recall(std::string_view token, uint64_t generation) const;
  void remember(std::string_view token, uint64_t generation, std::string key, Role role);
  void forget();

 private:
  std::string token_;
  uint64_t generation_ = 0;
  std::string key_;
  Role role_ = Role::Viewer;
  bool set_ = false;
};

}  // namespace stratd::supervisor::auth
