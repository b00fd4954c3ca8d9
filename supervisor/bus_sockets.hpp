#pragma once
// The bus's ipc:// sockets as stratd's children reach them, whoever they
// run as (worker_identity.hpp), while the runtime directory stays 0700 and
// stratd's. stratd binds both: events.ipc (the event hub's SUB, through
// ZeroMQ) and md.ipc (a listening socket made here, which the feed serves
// through ZMQ_USE_FD), so no child needs to create anything in that
// directory. A worker connects through an O_PATH descriptor of each socket
// it inherits, as ipc:///proc/self/fd/N: the kernel then needs no search
// permission on the directories above the socket, only write permission on
// the socket itself, which is given to the worker user alone.
#include <optional>
#include <string>

#include "common/result.hpp"
#include "supervisor/worker_identity.hpp"

namespace stratd::supervisor {

class BusSockets {
 public:
  explicit BusSockets(std::optional<RunAs> children) : children_(std::move(children)) {}
  BusSockets(const BusSockets&) = delete;
  BusSockets& operator=(const BusSockets&) = delete;
  // Closes everything and unlinks md.ipc (its listener is ours).
  ~BusSockets();

  // Binds md.ipc for the feed. Errors: InternalError, naming the call that failed.
  Status listen_market_data(const std::string& path);
  // events.ipc, once the hub has bound it.
  Status expose_events(const std::string& path);

  // The feed's listening socket (ZMQ_USE_FD).
  int market_data_listener() const { return md_listener_; }
  // For workers to connect through.
  int market_data_path() const { return md_path_; }
  int events_path() const { return events_path_; }

  // The endpoint a child reaches a socket by when it inherits its O_PATH
  // descriptor as `child_fd`.
  static std::string endpoint_through(int child_fd);

 private:
  Status expose(const std::string& path, int& path_fd);
  std::optional<RunAs> children_;
  std::string md_file_;
  int md_listener_ = -1, md_path_ = -1, events_path_ = -1;
};

}  // namespace stratd::supervisor
