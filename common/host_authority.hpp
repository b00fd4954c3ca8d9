#pragma once
// A Host header's value, or an entry of [server] allowed_hosts: a name or
// an address and an optional port ("stratd.lan", "127.0.0.1:3000",
// "[::1]:3000"; RFC 9110 §7.2). Parsed without copying, so checking every
// request's Host costs no allocation. Names compare case-insensitively
// (ascii_iequals, common/ascii.hpp) and a trailing dot is dropped ("LocalHost." is "localhost"); an IPv6 address
// keeps its brackets, so "[::1]" and "::1" are not confused with a port.
#include <cstdint>
#include <optional>
#include <string_view>

namespace stratd {

struct HostAuthority {
  std::string_view host;          // as written (case kept), brackets kept, no trailing dot
  std::optional<uint16_t> port;   // none: no port, or an empty one ("name:")
};

// Nothing for what is not a host: an empty name, an IPv6 address without
// brackets, a port that is not 0-65535, characters no host name has.
std::optional<HostAuthority> parse_host_authority(std::string_view text);

}  // namespace stratd
