#include "supervisor/worker_identity.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace stratd::supervisor {

Expected<std::optional<RunAs>> worker_identity(const std::string& user) {
  if (geteuid() != 0) return std::optional<RunAs>{};
  if (user.empty()) return fail(ErrorCode::ConfigInvalid, "runners.worker_user must name a user when stratd runs as root");
  passwd pw{}, *found = nullptr;
  std::vector<char> buf(16384);
  const int rc = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || !found) {
    return fail(ErrorCode::ConfigInvalid, "runners.worker_user: no user '" + user + "'" +
                                              (rc != 0 ? std::string(": ") + strerror(rc) : std::string()));
  }
  if (found->pw_uid == 0) {
    return fail(ErrorCode::ConfigInvalid, "runners.worker_user: workers never run as root ('" + user + "' is uid 0)");
  }
  return std::optional<RunAs>{RunAs{found->pw_uid, found->pw_gid, user}};
}

}  // namespace stratd::supervisor
