#include "supervisor/auth/role.hpp"

namespace stratd::supervisor::auth {

std::optional<Role> parse_role(std::string_view name) {
  if (name == "viewer") return Role::Viewer;
  if (name == "operator") return Role::Operator;
  if (name == "admin") return Role::Admin;
  return std::nullopt;
}

std::string_view to_string(Role r) {
  switch (r) {
    case Role::Viewer: return "viewer";
    case Role::Operator: return "operator";
    case Role::Admin: return "admin";
  }
  return "viewer";
}

}  // namespace stratd::supervisor::auth
