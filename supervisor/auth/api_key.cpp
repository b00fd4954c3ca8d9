#include "supervisor/auth/api_key.hpp"

#include <stdexcept>

#include <sodium.h>

namespace stratd::supervisor::auth {
namespace {
constexpr std::string_view kPrefix = "stratd.";
constexpr size_t kSecretBytes = 32;
// sodium_base64_ENCODED_LEN for 32 bytes, URL-safe, no padding, minus its NUL.
constexpr size_t kSecretChars = 43;

void need_sodium() {
  // Idempotent and thread-safe; fails only without a random source.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not start");
}

bool secret_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
}  // namespace

std::string generate_key(std::string_view name) {
  need_sodium();
  unsigned char secret[kSecretBytes];
  randombytes_buf(secret, sizeof secret);
  char text[sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  std::string key = std::string(kPrefix) + std::string(name) + "." + text;
  sodium_memzero(text, sizeof text);
  return key;
}

std::optional<std::string_view> key_name(std::string_view key) {
  if (key.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  key.remove_prefix(kPrefix.size());
  const auto dot = key.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot > 64) return std::nullopt;
  const std::string_view secret = key.substr(dot + 1);
  if (secret.size() != kSecretChars) return std::nullopt;
  for (char c : secret) {
    if (!secret_char(c)) return std::nullopt;
  }
  return key.substr(0, dot);
}

Expected<std::string> hash_key(std::string_view key) {
  need_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, key.data(), key.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return fail(ErrorCode::InternalError, "hashing the key failed (out of memory?)");
  }
  return std::string(out);
}

bool verify_key(const std::string& hash, std::string_view key) {
  need_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), key.data(), key.size()) == 0;
}

}  // namespace stratd::supervisor::auth
