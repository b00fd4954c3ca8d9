#include "supervisor/private_paths.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace stratd::supervisor {
namespace fs = std::filesystem;

namespace {

constexpr mode_t kGroupOther = S_IRWXG | S_IRWXO;

// Narrows one entry we own; lstat first, so a symbolic link is left alone.
void narrow(const std::string& path) {
  struct stat st{};
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode) || st.st_uid != geteuid()) return;
  if ((st.st_mode & kGroupOther) == 0) return;
  if (chmod(path.c_str(), st.st_mode & S_IRWXU) != 0)
    spdlog::warn("cannot make {} private: {}", path, strerror(errno));
  else
    spdlog::info("made {} private (was {:o})", path, st.st_mode & 07777);
}

}  // namespace

Status make_private_dir(const std::string& dir, bool must_own) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(ErrorCode::ConfigInvalid, "cannot create " + dir + ": " + ec.message());
  struct stat st{};
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(ErrorCode::ConfigInvalid, dir + " is not a directory");
  if (st.st_uid != geteuid()) {
    if (must_own) return fail(ErrorCode::ConfigInvalid, dir + " belongs to another user");
    return ok();
  }
  if ((st.st_mode & 07777) != 0700 && chmod(dir.c_str(), 0700) != 0)
    return fail(ErrorCode::ConfigInvalid, "cannot make " + dir + " private: " + strerror(errno));
  return ok();
}

void tighten_tree(const std::string& root) {
  narrow(root);
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) narrow(it->path().string());
}

void tighten_file(const std::string& path) { narrow(path); }

int open_private(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  struct stat st{};
  if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & kGroupOther) != 0) fchmod(fd, 0600);
  return fd;
}

}  // namespace stratd::supervisor
