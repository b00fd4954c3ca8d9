#pragma once
// stratd's state directory: locked for one stratd at a time, with its
// layout (the store; the logs and the ipc:// sockets, in logs/ and run/
// unless the paths settings put them elsewhere), the instance id that
// names this directory's shared-memory segments, and http.url, where
// scripts find the address stratd listens on. Everything in it is private
// to stratd's user (private_paths.hpp), and /dev/shm records which
// directory the instance's segments belong to (instance_record.hpp).
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/settings.hpp"
#include "supervisor/instance_record.hpp"

namespace stratd::supervisor {

class StateDir {
 public:
  // Paths as resolve_paths leaves them. Errors: ConfigInvalid when another
  // stratd holds it, or a directory cannot be made.
  static Expected<StateDir> open(const PathSettings& paths);
  StateDir(StateDir&& o) noexcept;
  StateDir& operator=(StateDir&&) = delete;
  ~StateDir();

  std::string file(const std::string& name) const { return root_ + "/" + name; }
  const std::string& instance() const { return instance_; }
  const std::string& run_dir() const { return run_dir_; }
  const std::string& log_dir() const { return log_dir_; }

  // Unlinks this directory's segments whose runner is not in `keep`
  // (deleted while stratd was not running cleanly): nothing refers to them.
  void remove_stale_segments(const std::set<std::string>& keep) const;
  // Writes http.url atomically; clear_url removes it.
  void publish_url(const std::string& url) const;
  void clear_url() const;

 private:
  StateDir() = default;
  // This instance's segments in /dev/shm, by name.
  std::vector<std::string> segments() const;
  void tighten_segments() const;
  std::string root_, instance_, run_dir_, log_dir_;
  std::optional<InstanceRecord> record_;
  int lock_fd_ = -1;
};

}  // namespace stratd::supervisor
