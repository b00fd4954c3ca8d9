#include "supervisor/state_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "ipc/segment.hpp"
#include "supervisor/private_paths.hpp"

namespace stratd::supervisor {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxUnixSocketPath = 100;  // sun_path is 108 bytes with its NUL

}  // namespace

Expected<StateDir> StateDir::open(const PathSettings& paths) {
  StateDir d;
  const std::string& root = paths.state_dir;
  d.root_ = root;
  if (Status st = make_private_dir(root); !st) return Unexpected<Error>{st.error()};
  d.lock_fd_ = open_private(d.file("stratd.lock"), O_RDWR);
  if (d.lock_fd_ < 0 || flock(d.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return fail(ErrorCode::ConfigInvalid, "another stratd is using state dir " + root);
  }
  d.instance_ = instance_id(root);
  // Before any segment is made: --cleanup must know whose they are.
  if (auto record = InstanceRecord::claim(d.instance_, root)) {
    d.record_.emplace(std::move(*record));
  } else {
    spdlog::warn("{}; stratd --cleanup will not know this instance's segments", record.error().message);
  }
  // ipc:// paths must fit a sockaddr_un; a deep runtime dir falls back to
  // /tmp, where anyone may have made the directory first: it must be ours.
  d.run_dir_ = paths.runtime_dir;
  const bool in_tmp = d.run_dir_.size() + 12 > kMaxUnixSocketPath;
  if (in_tmp) d.run_dir_ = "/tmp/stratd-" + d.instance_;
  d.log_dir_ = paths.logs_dir;
  if (Status st = make_private_dir(d.run_dir_, in_tmp); !st) return Unexpected<Error>{st.error()};
  if (Status st = make_private_dir(d.log_dir_); !st) return Unexpected<Error>{st.error()};
  // What an older stratd (or a wide umask) left readable to others.
  for (const std::string* dir : {&d.root_, &d.run_dir_, &d.log_dir_}) tighten_tree(*dir);
  d.tighten_segments();
  // SQLite creates its database 0644 less the umask, and its -wal and -shm
  // files with the database's mode: made 0600 here, they all are.
  if (int fd = open_private(d.file("stratd.db"), O_RDWR); fd >= 0) ::close(fd);
  d.clear_url();
  return d;
}

StateDir::StateDir(StateDir&& o) noexcept
    : root_(std::move(o.root_)), instance_(std::move(o.instance_)), run_dir_(std::move(o.run_dir_)),
      log_dir_(std::move(o.log_dir_)), record_(std::move(o.record_)), lock_fd_(std::exchange(o.lock_fd_, -1)) {}

StateDir::~StateDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void StateDir::remove_stale_segments(const std::set<std::string>& keep) const {
  const size_t prefix = ("stratd." + instance_ + ".").size();
  std::vector<std::string> stale;
  for (auto& name : segments()) {
    if (!keep.count(name.substr(prefix))) stale.push_back(std::move(name));
  }
  for (const auto& name : stale) {
    spdlog::info("removing stale segment {}", name);
    ipc::SegmentMapping::remove(name);
  }
}

std::vector<std::string> StateDir::segments() const {
  const std::string prefix = "stratd." + instance_ + ".";
  std::vector<std::string> out;
  DIR* dir = opendir("/dev/shm");
  if (!dir) return out;
  while (dirent* e = readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name.substr(0, prefix.size()) == prefix) out.emplace_back(name);
  }
  closedir(dir);
  return out;
}

void StateDir::tighten_segments() const {
  for (const auto& name : segments()) tighten_file("/dev/shm/" + name);
}

void StateDir::publish_url(const std::string& url) const {
  const std::string path = file("http.url");
  const std::string text = url + "\n";
  const int fd = open_private(path + ".tmp", O_WRONLY | O_TRUNC);
  if (fd < 0) return;
  const bool written = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ::close(fd);
  std::error_code ec;
  if (written) fs::rename(path + ".tmp", path, ec);
}

void StateDir::clear_url() const {
  std::error_code ec;
  fs::remove(file("http.url"), ec);
}

}  // namespace stratd::supervisor
