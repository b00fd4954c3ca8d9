#pragma once
// Global event numbers continue across restarts of stratd, so a client
// resumes with the last seq it saw. Ticks are not stored, so the store's
// events alone cannot say which numbers were handed out: numbers are
// reserved in blocks, recorded in the store before any is used, the next
// block half a block ahead. After a crash numbering resumes above the
// reservation (a gap, never a number used twice).
#include <algorithm>
#include <cstdint>
#include <optional>

namespace stratd::supervisor {

class SequenceReservation {
 public:
  static constexpr uint64_t kBlock = 1'000'000;

  // From what the store holds: the newest stored event's seq and the last
  // reservation recorded. Returns the first reservation to record.
  uint64_t resume(uint64_t last_stored_seq, uint64_t stored_reservation) {
    last_ = std::max(last_stored_seq, stored_reservation);
    reserved_ = last_ + kBlock;
    return reserved_;
  }
  // Numbering continues after this.
  uint64_t last() const { return last_; }
  // Numbers up to `seq` have been handed out: the next reservation to
  // record, if one is due.
  std::optional<uint64_t> advance(uint64_t seq) {
    if (seq + kBlock / 2 <= reserved_) return std::nullopt;
    reserved_ = std::max(reserved_, seq) + kBlock;
    return reserved_;
  }

 private:
  uint64_t last_ = 0;
  uint64_t reserved_ = 0;
};

}  // namespace stratd::supervisor
