#include "supervisor/state_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "ipc/segment.hpp"

namespace stratd::supervisor {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxUnixSocketPath = 100;  // sun_path is 108 bytes with its NUL

// Stable for a directory, short enough for shared-memory names.
std::string instance_id(const std::string& state_dir) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : state_dir) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(h & 0xffffffffffffull));
  return buf;
}

}  // namespace

Expected<StateDir> StateDir::open(const PathSettings& paths) {
  StateDir d;
  const std::string& root = paths.state_dir;
  d.root_ = root;
  d.lock_fd_ = ::open(d.file("stratd.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (d.lock_fd_ < 0 || flock(d.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return fail(ErrorCode::ConfigInvalid, "another stratd is using state dir " + root);
  }
  d.instance_ = instance_id(root);
  // ipc:// paths must fit a sockaddr_un; a deep runtime dir falls back to /tmp.
  d.run_dir_ = paths.runtime_dir;
  if (d.run_dir_.size() + 12 > kMaxUnixSocketPath) d.run_dir_ = "/tmp/stratd-" + d.instance_;
  d.log_dir_ = paths.logs_dir;
  for (const std::string* dir : {&d.run_dir_, &d.log_dir_}) {
    std::error_code ec;
    fs::create_directories(*dir, ec);
    if (ec) return fail(ErrorCode::ConfigInvalid, "cannot create " + *dir + ": " + ec.message());
  }
  d.clear_url();
  return d;
}

StateDir::StateDir(StateDir&& o) noexcept
    : root_(std::move(o.root_)), instance_(std::move(o.instance_)), run_dir_(std::move(o.run_dir_)),
      log_dir_(std::move(o.log_dir_)), lock_fd_(std::exchange(o.lock_fd_, -1)) {}

StateDir::~StateDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void StateDir::remove_stale_segments(const std::set<std::string>& keep) const {
  const std::string prefix = "stratd." + instance_ + ".";
  DIR* dir = opendir("/dev/shm");
  if (!dir) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name.substr(0, prefix.size()) == prefix && !keep.count(std::string(name.substr(prefix.size())))) {
      stale.emplace_back(name);
    }
  }
  closedir(dir);
  for (const auto& name : stale) {
    spdlog::info("removing stale segment {}", name);
    ipc::SegmentMapping::remove(name);
  }
}

void StateDir::publish_url(const std::string& url) const {
  const std::string path = file("http.url");
  std::ofstream(path + ".tmp") << url << "\n";
  std::error_code ec;
  fs::rename(path + ".tmp", path, ec);
}

void StateDir::clear_url() const {
  std::error_code ec;
  fs::remove(file("http.url"), ec);
}

}  // namespace stratd::supervisor
