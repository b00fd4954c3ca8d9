#include "common/host_authority.hpp"

#include <algorithm>

namespace stratd {
namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

// ":digits" or "" after the host.
bool parse_port(std::string_view rest, std::optional<uint16_t>& port) {
  if (rest.empty()) return true;
  if (rest.front() != ':') return false;
  rest.remove_prefix(1);
  if (rest.empty()) return true;  // "name:": RFC 3986 allows an empty port
  if (rest.size() > 5) return false;
  uint32_t v = 0;
  for (char c : rest) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint32_t(c - '0');
  }
  if (v > 65535) return false;
  port = uint16_t(v);
  return true;
}

}  // namespace

std::optional<HostAuthority> parse_host_authority(std::string_view text) {
  HostAuthority out;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close < 2) return std::nullopt;
    const auto inside = text.substr(1, close - 1);
    if (!std::all_of(inside.begin(), inside.end(), ipv6_char) || inside.find(':') == std::string_view::npos) {
      return std::nullopt;
    }
    out.host = text.substr(0, close + 1);
    if (!parse_port(text.substr(close + 1), out.port)) return std::nullopt;
    return out;
  }
  const auto colon = text.find(':');
  out.host = text.substr(0, colon);
  if (colon != std::string_view::npos && !parse_port(text.substr(colon), out.port)) return std::nullopt;
  if (!out.host.empty() && out.host.back() == '.') out.host.remove_suffix(1);
  if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), name_char)) return std::nullopt;
  return out;
}

}  // namespace stratd
