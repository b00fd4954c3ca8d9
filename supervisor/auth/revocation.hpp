#pragma once
// What a change of keys takes away from connections already open: a
// WebSocket was admitted once, at its upgrade, and would otherwise go on
// streaming with a key that no longer opens anything. (REST requests are
// each admitted anew, so they need none of this.)
#include <string>
#include <string_view>
#include <vector>

#include "common/settings.hpp"

namespace stratd::supervisor::auth {

struct Revocation {
  // Names whose tokens stopped working: removed, or given a new hash
  // (a new secret; the same secret re-hashed is ended too, and simply
  // reconnects).
  std::vector<std::string> keys;
  // Keys are asked for now and were not before: connections admitted
  // without one.
  bool keyless = false;

  bool any() const { return keyless || !keys.empty(); }
  // Whether a connection admitted with key `key` ("" for none) ends.
  bool ends(std::string_view key) const;
};

Revocation revoked_by(const std::vector<ApiKeyEntry>& before, const std::vector<ApiKeyEntry>& after);

}  // namespace stratd::supervisor::auth
