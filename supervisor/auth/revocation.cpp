#include "supervisor/auth/revocation.hpp"

#include <algorithm>

namespace stratd::supervisor::auth {

bool Revocation::ends(std::string_view key) const {
  if (key.empty()) return keyless;
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Revocation revoked_by(const std::vector<ApiKeyEntry>& before, const std::vector<ApiKeyEntry>& after) {
  Revocation r;
  // No keys now: nothing is asked for, so nothing open loses access.
  if (after.empty()) return r;
  r.keyless = before.empty();
  for (const auto& old : before) {
    const bool kept = std::any_of(after.begin(), after.end(), [&](const ApiKeyEntry& k) {
      // Every role may read /ws, so a changed role alone ends nothing.
      return k.name == old.name && k.hash == old.hash;
    });
    if (!kept) r.keys.push_back(old.name);
  }
  return r;
}

}  // namespace stratd::supervisor::auth
