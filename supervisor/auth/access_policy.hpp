#pragma once
// The role each access level asks for, as [auth] configures it now.
// Changed by a reload on the HTTP loop; read there by the router, and on
// the hub's loop by TLS sessions' /ws upgrades: atomics.
#include <atomic>
#include <optional>

#include "common/settings.hpp"
#include "supervisor/auth/role.hpp"

namespace stratd::supervisor::auth {

class AccessPolicy {
 public:
  AccessPolicy() = default;
  explicit AccessPolicy(const AuthSettings& s) { reconfigure(s); }
  void reconfigure(const AuthSettings& s) {
    health_public_.store(s.health == "public", std::memory_order_relaxed);
    metrics_public_.store(s.metrics == "public", std::memory_order_relaxed);
  }
  // None: anyone may.
  std::optional<Role> required(Access a) const {
    switch (a) {
      case Access::Public: return std::nullopt;
      case Access::Health: return health_public_.load(std::memory_order_relaxed) ? std::nullopt : std::optional(Role::Viewer);
      case Access::Metrics: return metrics_public_.load(std::memory_order_relaxed) ? std::nullopt : std::optional(Role::Viewer);
      case Access::Viewer: return Role::Viewer;
      case Access::Operator: return Role::Operator;
      case Access::Admin: return Role::Admin;
    }
    return Role::Admin;
  }

 private:
  std::atomic<bool> health_public_{true};
  std::atomic<bool> metrics_public_{false};
};

}  // namespace stratd::supervisor::auth
