#pragma once
// Which state directory a shared-memory segment belongs to. A segment's
// name, stratd.<instance>.<runner>, carries only the instance id, a hash of
// the state directory's path; beside the segments, /dev/shm/stratd.<instance>
// records that path (0600). The running stratd holds a lock on its record,
// so a record that can be locked has no stratd behind it. The record lives
// and dies with the segments (tmpfs: a reboot clears both), and a path read
// from it counts only if it hashes to the record's own instance id.
//
// `stratd --cleanup` reads every record: an instance whose state directory
// no longer exists, and whose record no stratd holds, has its segments and
// its record removed. A state directory that exists is never touched here
// (its stratd removes its own stale segments at start).
#include <cstdio>
#include <string>

#include "common/result.hpp"

namespace stratd::supervisor {

// The id naming a state directory's segments: stable for its canonical
// path, short enough for shared-memory names (12 hex digits).
std::string instance_id(const std::string& state_dir);

class InstanceRecord {
 public:
  // Writes the record and locks it for as long as this object lives.
  // Errors: SegmentError when the record cannot be written, or another
  // process holds it (an instance id shared with another state directory).
  static Expected<InstanceRecord> claim(const std::string& instance, const std::string& state_dir);
  InstanceRecord(InstanceRecord&& o) noexcept;
  InstanceRecord& operator=(InstanceRecord&&) = delete;
  ~InstanceRecord();

 private:
  explicit InstanceRecord(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// What --cleanup found and did.
struct CleanupReport {
  int removed_segments = 0;
  int removed_instances = 0;
  int kept_instances = 0;
};

// Removes the segments (and records) of every instance on the host whose
// state directory is gone and which no stratd holds; says what it did, and
// what it left and why, on `out`.
CleanupReport cleanup_stale_instances(FILE* out);

}  // namespace stratd::supervisor
