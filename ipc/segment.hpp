#pragma once
// A runner's shared-memory segment: created by stratd before the first
// spawn, written by the worker (SegmentWriter), read by stratd without ever
// blocking (SegmentReader). See segment_layout.hpp for the bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/interprocess/mapped_region.hpp>

#include "common/bar_ring.hpp"
#include "common/result.hpp"
#include "ipc/segment_layout.hpp"

namespace stratd::ipc {

// The POSIX shared-memory name for a runner of one stratd instance.
std::string segment_name(std::string_view instance, std::string_view runner_id);

class SegmentMapping {
 public:
  // Creates the segment, or reuses an existing one with the same layout and
  // window (what a restarted worker resumes from). Maps it read-write.
  static Expected<SegmentMapping> create(const std::string& name, uint32_t window_capacity);
  // Maps an existing segment, checking its header.
  static Expected<SegmentMapping> open(const std::string& name, bool writable);
  // The same through a descriptor of it (a worker's, inherited from stratd:
  // it may run as a user that could not open the segment by its name).
  static Expected<SegmentMapping> open_fd(int fd, bool writable);
  static bool remove(const std::string& name);
  static bool exists(const std::string& name);

  SegmentMapping() = default;
  SegmentHeader& header() const { return *static_cast<SegmentHeader*>(region_.get_address()); }
  SlotHeader& slot(uint32_t i) const;
  uint8_t* snapshot_area(uint32_t i) const;
  Bar* ring(uint32_t i) const;
  uint32_t window_capacity() const { return window_; }
  bool valid() const { return region_.get_address() != nullptr; }

 private:
  // Takes a mapping of the whole segment once its header checks out.
  static Expected<SegmentMapping> checked(boost::interprocess::mapped_region region, uint64_t size);
  boost::interprocess::mapped_region region_;
  uint32_t window_ = 0;  // our own copy: the header may be scribbled on
  uint64_t slot_bytes_ = 0;
};

// What the last consistent commit holds.
struct CommittedState {
  uint64_t generation = 0;
  std::string snapshot;
  std::vector<Bar> bars;  // oldest first
  uint64_t bars_total = 0;
};

// Worker side. Single writer.
class SegmentWriter {
 public:
  explicit SegmentWriter(SegmentMapping mapping);

  // The newest consistent commit, if any was ever made.
  std::optional<CommittedState> restore() const;
  // Claims the segment for this process; a slot left half-written by a
  // dead predecessor is scheduled for a full rewrite.
  void attach(int32_t pid);
  void detach();
  void heartbeat();
  // Publishes a snapshot and the bar window. False if the snapshot does
  // not fit (nothing is written then).
  bool commit(std::string_view snapshot, const BarRing& bars);

  const SegmentMapping& mapping() const { return m_; }

  // Writes a first commit into a segment no worker has attached yet (the
  // supervisor restoring a runner whose segment did not survive a reboot).
  static bool seed(const SegmentMapping& m, std::string_view snapshot);

 private:
  static bool commit_to(const SegmentMapping& m, bool (&full_rewrite)[kSlotCount], std::string_view snapshot,
                        const BarRing& bars);
  SegmentMapping m_;
  bool full_rewrite_[kSlotCount] = {true, true};
};

// Why a read found nothing to return: nothing committed yet, a writer
// rewriting both slots this instant (a retry succeeds), or bytes that do
// not hold a commit.
enum class ReadStatus { Ok, Empty, Busy, Corrupt };

template <class T>
using ReadResult = Expected<T, ReadStatus>;

// Supervisor side. Never blocks, never trusts lengths it reads. Does not
// own the mapping, which must outlive it.
class SegmentReader {
 public:
  explicit SegmentReader(const SegmentMapping& mapping) : m_(mapping) {}

  ReadResult<std::string> snapshot() const;
  // Snapshot and bars from one consistent commit.
  ReadResult<CommittedState> committed(size_t max_bars) const;
  // Empty (not an error) before the first commit.
  ReadResult<std::vector<Bar>> history(size_t max_count) const;
  int32_t worker_pid() const;
  // Age of the last heartbeat; nullopt if none was ever stamped.
  std::optional<int64_t> heartbeat_age_ms() const;
  uint64_t commits() const;
  // A slot whose counter is odd: a write in progress, or one whose writer
  // died. Callers tell the two apart by whether the writer still lives.
  bool has_slot_mid_write() const;

 private:
  template <class CopyFn>
  ReadStatus read_newest(CopyFn&& copy) const;
  const SegmentMapping& m_;
};

}  // namespace stratd::ipc
