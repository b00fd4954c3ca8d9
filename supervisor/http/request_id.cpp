#include "supervisor/http/request_id.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>

namespace stratd::supervisor::http {

bool usable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                       c == '_' || c == '.' || c == ':';
    if (!plain) return false;
  }
  return true;
}

std::string next_request_id() {
  static const std::string prefix = [] {
    char buf[16];
    snprintf(buf, sizeof buf, "%08x", unsigned(std::random_device{}()));
    return std::string(buf);
  }();
  static std::atomic<uint64_t> count{0};
  char buf[24];
  snprintf(buf, sizeof buf, "-%llx",
           static_cast<unsigned long long>(count.fetch_add(1, std::memory_order_relaxed) + 1));
  return prefix + buf;
}

}  // namespace stratd::supervisor::http
