#pragma once
// API keys: "stratd.<name>.<secret>", the secret 32 random bytes in
// base64url. The name says which [[auth.keys]] hash to check, so a
// presented key costs one Argon2id verification, not one per key
// configured; the name is not secret (it is in the config and the audit).
// The config holds crypto_pwhash_str's Argon2id hash, never the key.
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace stratd::supervisor::auth {

// A new key for `name` (already checked as a key name).
std::string generate_key(std::string_view name);
// The name a presented key claims; none if it is not shaped like a key.
std::optional<std::string_view> key_name(std::string_view key);
// Argon2id (libsodium's interactive limits: 64 MiB, 2 passes).
Expected<std::string> hash_key(std::string_view key);
// Constant-time in the key, as libsodium's verification is; slow by design.
bool verify_key(const std::string& hash, std::string_view key);

}  // namespace stratd::supervisor::auth
