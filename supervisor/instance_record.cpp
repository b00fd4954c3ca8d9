#include "supervisor/instance_record.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ipc/segment.hpp"

namespace stratd::supervisor {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "stratd.";
constexpr size_t kIdLength = 12;

std::string record_name(const std::string& instance) { return std::string(kPrefix) + instance; }

bool is_instance_id(std::string_view s) {
  return s.size() == kIdLength && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// Whether `fd` is still the record in /dev/shm: --cleanup may have
// unlinked it between our open and our lock.
bool still_linked(int fd, const std::string& name) {
  struct stat held{}, now{};
  return fstat(fd, &held) == 0 && stat(("/dev/shm/" + name).c_str(), &now) == 0 && held.st_ino == now.st_ino &&
         held.st_dev == now.st_dev;
}

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  off_t at = 0;
  for (ssize_t n; (n = pread(fd, buf, sizeof buf, at)) > 0 && text.size() < 65536; at += n) text.append(buf, size_t(n));
  return text;
}

// An instance's names in /dev/shm: its record (if any) and its segments.
struct Found {
  bool record = false;
  std::vector<std::string> segments;
};

std::map<std::string, Found> scan_shm() {
  std::map<std::string, Found> out;
  DIR* dir = opendir("/dev/shm");
  if (!dir) return out;
  while (dirent* e = readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name.substr(0, kPrefix.size()) != kPrefix) continue;
    const std::string_view rest = name.substr(kPrefix.size());
    const std::string_view id = rest.substr(0, rest.find('.'));
    if (!is_instance_id(id)) continue;
    Found& f = out[std::string(id)];
    if (rest.size() == id.size()) {
      f.record = true;
    } else {
      f.segments.emplace_back(name);
    }
  }
  closedir(dir);
  return out;
}

}  // namespace

std::string instance_id(const std::string& state_dir) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : state_dir) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(h & 0xffffffffffffull));
  return buf;
}

Expected<InstanceRecord> InstanceRecord::claim(const std::string& instance, const std::string& state_dir) {
  const std::string name = record_name(instance);
  // A --cleanup looking at this record holds its lock for an instant; a
  // lock held for longer is another stratd's.
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int fd = shm_open(("/" + name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail(ErrorCode::SegmentError, "cannot open /dev/shm/" + name + ": " + strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    if (!still_linked(fd, name)) {
      ::close(fd);
      continue;
    }
    const std::string text = state_dir + "\n";
    fchmod(fd, 0600);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
      const int err = errno;
      ::close(fd);
      return fail(ErrorCode::SegmentError, "cannot write /dev/shm/" + name + ": " + strerror(err));
    }
    return InstanceRecord(fd);
  }
  return fail(ErrorCode::SegmentError, "/dev/shm/" + name + " is held by another process (an instance id shared "
                                       "with another state directory?)");
}

InstanceRecord::InstanceRecord(InstanceRecord&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

InstanceRecord::~InstanceRecord() {
  if (fd_ >= 0) ::close(fd_);
}

CleanupReport cleanup_stale_instances(FILE* out) {
  CleanupReport report;
  for (const auto& entry : scan_shm()) {
    const std::string& id = entry.first;
    const Found& found = entry.second;
    auto keep = [&](const std::string& why) {
      ++report.kept_instances;
      fprintf(out, "kept instance %s (%zu segments): %s\n", id.c_str(), found.segments.size(), why.c_str());
    };
    if (!found.record) {
      keep("no record of its state directory (made by an older stratd; its own stratd removes them at start)");
      continue;
    }
    const std::string name = record_name(id);
    const int fd = shm_open(("/" + name).c_str(), O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
      keep(std::string("cannot open its record: ") + strerror(errno));
      continue;
    }
    // Held until the record is gone: a stratd starting on this directory
    // meanwhile waits for it, and then writes a fresh record.
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      keep("a stratd is running on it");
      ::close(fd);
      continue;
    }
    std::string path = read_all(fd);
    if (!path.empty() && path.back() == '\n') path.pop_back();
    std::error_code ec;
    if (path.empty() || instance_id(path) != id) {
      keep("its record does not name its state directory");
    } else if (fs::exists(path, ec) || ec) {
      keep("state directory " + path + " exists");
    } else {
      for (const auto& segment : found.segments) {
        if (ipc::SegmentMapping::remove(segment)) {
          ++report.removed_segments;
          fprintf(out, "removed segment %s (state directory %s is gone)\n", segment.c_str(), path.c_str());
        }
      }
      // The ipc:// sockets' fallback directory for a deep runtime dir.
      const std::string run_fallback = "/tmp/stratd-" + id;
      struct stat st{};
      if (lstat(run_fallback.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid()) {
        fs::remove_all(run_fallback, ec);
      }
      shm_unlink(("/" + name).c_str());
      ++report.removed_instances;
    }
    ::close(fd);
  }
  fprintf(out, "removed %d segments of %d instances; kept %d instances\n", report.removed_segments,
          report.removed_instances, report.kept_instances);
  return report;
}

}  // namespace stratd::supervisor
