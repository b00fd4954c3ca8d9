#include "supervisor/bus_sockets.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stratd::supervisor {
namespace {

Unexpected<Error> failed(const std::string& what) {
  return fail(ErrorCode::InternalError, what + ": " + strerror(errno));
}

}  // namespace

BusSockets::~BusSockets() {
  for (int fd : {md_listener_, md_path_, events_path_}) {
    if (fd >= 0) ::close(fd);
  }
  if (!md_file_.empty()) ::unlink(md_file_.c_str());
}

Status BusSockets::listen_market_data(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return fail(ErrorCode::InternalError, "socket path too long: " + path);
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  // Non-blocking: the feed's ZeroMQ accepts only when told a peer waits,
  // and must not hang if that peer has gone meanwhile.
  md_listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (md_listener_ < 0) return failed("socket");
  ::unlink(path.c_str());  // a previous stratd's
  if (::bind(md_listener_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return failed("bind " + path);
  md_file_ = path;
  // A backlog for every runner at once (the feed restarting meanwhile).
  if (::listen(md_listener_, SOMAXCONN) != 0) return failed("listen " + path);
  return expose(path, md_path_);
}

Status BusSockets::expose_events(const std::string& path) { return expose(path, events_path_); }

Status BusSockets::expose(const std::string& path, int& path_fd) {
  // Connecting needs write permission on the socket: its owner's alone.
  if (children_ && ::chown(path.c_str(), children_->uid, children_->gid) != 0) return failed("chown " + path);
  if (::chmod(path.c_str(), 0600) != 0) return failed("chmod " + path);
  path_fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (path_fd < 0) return failed("open " + path);
  return ok();
}

std::string BusSockets::endpoint_through(int child_fd) { return "ipc:///proc/self/fd/" + std::to_string(child_fd); }

}  // namespace stratd::supervisor
