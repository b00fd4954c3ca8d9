#pragma once
// The role each access level asks for, as [auth] configures it now.
// Read by the router on the HTTP loop and changed there by a reload.
#include <optional>

#include "common/settings.hpp"
#include "supervisor/auth/role.hpp"

namespace stratd::supervisor::auth {

class AccessPolicy {
 public:
  AccessPolicy() = default;
  explicit AccessPolicy(const AuthSettings& s) { reconfigure(s); }
  void reconfigure(const AuthSettings& s) {
    health_public_ = s.health == "public";
    metrics_public_ = s.metrics == "public";
  }
  // None: anyone may.
  std::optional<Role> required(Access a) const {
    switch (a) {
      case Access::Public: return std::nullopt;
      case Access::Health: return health_public_ ? std::nullopt : std::optional(Role::Viewer);
      case Access::Metrics: return metrics_public_ ? std::nullopt : std::optional(Role::Viewer);
      case Access::Viewer: return Role::Viewer;
      case Access::Operator: return Role::Operator;
      case Access::Admin: return Role::Admin;
    }
    return Role::Admin;
  }

 private:
  bool health_public_ = true;
  bool metrics_public_ = false;
};

}  // namespace stratd::supervisor::auth
