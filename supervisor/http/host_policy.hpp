#pragma once
// Which Host headers stratd answers ([server] allowed_hosts), against DNS
// rebinding: a page of evil.example whose name is then made to resolve to
// 127.0.0.1 is same-origin with stratd for its browser, which sends
// `Host: evil.example` and, on a GET, no Origin. Only the Host names the
// site the page believes it is talking to, so stratd answers only Hosts
// that are its own:
// - localhost, any name ending in .localhost, 127.0.0.1, [::1] and the
//   listen address, always (no page of another site can make a browser
//   send those);
// - the names listed, a listed name without a port with any port;
// - any Host at all when the list has "*", or when the list is empty and
//   stratd listens on an address that is not loopback (there keys protect
//   it, and the names it is reached by are not known).
// A request without Host (HTTP/1.0) is no browser's and is answered.
#include <string_view>

#include "common/settings.hpp"

namespace stratd::supervisor::http {

class HostPolicy {
 public:
  explicit HostPolicy(const HttpSettings& settings);
  bool allows(std::string_view host_header) const;

 private:
  const HttpSettings& settings_;  // the list reloads live
  bool loopback_;                 // the listen address (restart only)
};

}  // namespace stratd::supervisor::http
