#pragma once
// Who may do what. A key has a role; a route asks for an access level.
// Roles are ordered: an operator may do all a viewer may, an admin all.
#include <optional>
#include <string_view>

namespace stratd::supervisor::auth {

enum class Role : uint8_t { Viewer, Operator, Admin };

std::optional<Role> parse_role(std::string_view name);
std::string_view to_string(Role r);

// What a route asks of its caller.
enum class Access : uint8_t {
  Public,    // anyone, even with keys configured
  Health,    // GET /health: [auth] health (public by default)
  Metrics,   // GET /metrics: [auth] metrics (a key by default)
  Viewer,    // reading: GET, /ws
  Operator,  // start, stop, restart
  Admin,     // add and delete runners, reload the configuration, the audit log
};

}  // namespace stratd::supervisor::auth
