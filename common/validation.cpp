#include "common/validation.hpp"

namespace stratd {

bool is_valid_runner_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_valid_symbol(std::string_view symbol) {
  if (symbol.empty() || symbol.size() > 32) return false;
  for (char c : symbol) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

}  // namespace stratd
