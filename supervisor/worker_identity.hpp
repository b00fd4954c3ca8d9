#pragma once
// Who workers and the feed run as. A stratd that is not root runs them as
// itself (it could not do otherwise). A root stratd never runs strategy
// code as root: its children switch to [runners] worker_user (default
// nobody, which owns no file) between fork and exec. What they still need
// of stratd's private state is handed to them as descriptors opened
// before the switch (child_process.hpp, SpawnSpec::pass_fds).
#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.hpp"

namespace stratd::supervisor {

struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;  // the user's primary group; no supplementary groups
  std::string name;
};

// nullopt: children keep stratd's own user. Errors: ConfigInvalid when
// stratd is root and the user is unknown, or is root itself.
Expected<std::optional<RunAs>> worker_identity(const std::string& user);

}  // namespace stratd::supervisor
