#pragma once
// Who sent a request, as the access gate found it: what the router checks
// a route's access against, and what the audit log records.
#include <optional>
#include <string>

#include "supervisor/auth/role.hpp"

namespace stratd::supervisor::auth {

struct Caller {
  std::string address;        // the client's IP address
  std::string request_id;     // its X-Request-Id (the audit log's link to the log)
  std::string key;            // the name of the key it presented; empty: none
  std::optional<Role> role;   // that key's role; none without a key
  bool open = false;          // no keys are configured: everything is allowed

  // Everything allowed: no keys configured (and in-process tests).
  static Caller unrestricted() {
    Caller c;
    c.open = true;
    return c;
  }
  // `needed` none: a public route.
  bool may(std::optional<Role> needed) const { return open || !needed || (role && *role >= *needed); }
};

}  // namespace stratd::supervisor::auth
