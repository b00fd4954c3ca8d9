#pragma once
// A runner's shared-memory segment as stratd holds it: the mapping, the
// reader over it, and what stratd has learned of it. The worker is
// untrusted, so every read is checked: a snapshot that does not decode as
// this runner's is counted (once per commit) and never shown.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bar_ring.hpp"
#include "common/result.hpp"
#include "common/snapshot.hpp"
#include "ipc/segment.hpp"

namespace stratd::supervisor {

class RunnerSegment {
 public:
  // How a segment comes to be. Fresh: a new runner; whatever an earlier
  // one of its id left is removed. Resume: a segment that survived stratd
  // (killed, not rebooted) is reused as it is, else it is rebuilt.
  // Rebuild: a new segment seeded with the store's copy of the snapshot.
  enum class Origin { Fresh, Resume, Rebuild };

  static Expected<RunnerSegment> open(const std::string& name, uint32_t window, Origin origin,
                                      const std::optional<std::string>& stored_snapshot);

  // The published snapshot (a fresh runner's empty one before its worker
  // has published). Errors: SnapshotUnavailable.
  Expected<Snapshot> snapshot(const std::string& runner_id, const std::string& symbol) const;
  // Only the snapshot's figures (snapshot.hpp), if they are this runner's;
  // an unreadable one is not counted here (snapshot() does).
  std::optional<SnapshotFigures> figures(const std::string& runner_id, const std::string& symbol) const;
  // The raw bytes and their decoding, if they are this runner's.
  struct Committed {
    std::string bytes;
    Snapshot snapshot;
  };
  std::optional<Committed> committed(const std::string& runner_id, const std::string& symbol) const;
  Expected<std::vector<Bar>> history(size_t count) const;
  // The age of `pid`'s heartbeat, if `pid` is the worker attached.
  std::optional<int64_t> heartbeat_age_ms(pid_t pid) const;
  int32_t worker_pid() const { return reader_ ? reader_->worker_pid() : 0; }
  uint64_t commits() const { return reader_ ? reader_->commits() : 0; }
  // Whether it held a previous worker's commits when opened.
  bool resumed() const { return resumed_; }
  uint64_t errors() const { return errors_; }
  // A rebuilt segment keeps counting where the one it replaces stopped.
  void carry_errors(uint64_t earlier) { errors_ += earlier; }

  const std::string& name() const { return name_; }
  // Unmaps and unlinks it.
  void remove();

 private:
  RunnerSegment(std::string name, std::unique_ptr<ipc::SegmentMapping> m, bool resumed);
  Expected<Snapshot> corrupt(const std::string& runner_id, const std::string& why) const;

  std::string name_;
  std::unique_ptr<ipc::SegmentMapping> mapping_;
  std::unique_ptr<ipc::SegmentReader> reader_;
  bool resumed_ = false;
  // Commits whose snapshot did not decode as this runner's, and the last
  // one seen.
  mutable uint64_t errors_ = 0;
  mutable uint64_t bad_commit_ = UINT64_MAX;
};

}  // namespace stratd::supervisor
