#pragma once
// The event journal: the last events in global sequence order, at most N
// of them and at most B bytes of their JSON (a worker sending large events
// cannot make it hold gigabytes), each
// already encoded as the JSON clients receive. Every WebSocket client and
// the REST /api/events read it; a client is only a cursor into it, so a
// slow client costs no copies and its backlog is bounded by the journal.
// Lives on the event hub's thread: no locks; stats() may be read anywhere.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "common/event.hpp"
#include "common/position_event.hpp"

namespace stratd::supervisor {

struct JournalEvent {
  uint64_t seq = 0;
  EventType type = EventType::TickReceived;
  std::string runner_id;
  std::string symbol;
  int64_t publish_ns = 0;
  std::string json;  // the client wire form, encoded once, shared by all
  // PositionOpened and PositionClosed: the position, typed, for the store.
  std::shared_ptr<const PositionRecord> position;
};
using JournalEventPtr = std::shared_ptr<const JournalEvent>;

// Ticks may be coalesced or shed for a slow client; nothing else may.
inline bool is_coalescable(EventType t) { return t == EventType::TickReceived; }

struct JournalStats {
  uint64_t first_seq = 1;
  uint64_t last_seq = 0;
  uint64_t size = 0;
  uint64_t bytes = 0;
  uint64_t capacity = 0;
  uint64_t max_bytes = 0;
};

class EventJournal {
 public:
  EventJournal(size_t capacity, uint64_t max_bytes)
      : capacity_(capacity ? capacity : 1), max_bytes_(max_bytes ? max_bytes : 1) {}

  // Numbering starts after `last_seq` (a restarted stratd continues).
  // Only while empty.
  void start_after(uint64_t last_seq);
  // Appends the next event (its seq follows the last one's).
  void append(JournalEventPtr e);

  // The oldest retained seq, or last_seq()+1 when empty.
  uint64_t first_seq() const { return events_.empty() ? last_seq_ + 1 : events_.front()->seq; }
  uint64_t last_seq() const { return last_seq_; }
  size_t size() const { return events_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t max_bytes() const { return max_bytes_; }
  // Within an eighth of either limit: the oldest events go next.
  bool nearly_full() const { return events_.size() >= capacity_ - capacity_ / 8 || bytes_ >= max_bytes_ - max_bytes_ / 8; }
  uint64_t bytes() const { return bytes_; }
  // Whether every event after `seq` is still here.
  bool covers_after(uint64_t seq) const { return seq + 1 >= first_seq(); }
  // The event with this seq, or null if it is not (or no longer) here.
  const JournalEventPtr* find(uint64_t seq) const;
  // A consistent-enough view for other threads (health endpoints).
  JournalStats stats() const;

 private:
  size_t capacity_;
  uint64_t max_bytes_;
  std::deque<JournalEventPtr> events_;
  uint64_t last_seq_ = 0;
  uint64_t bytes_ = 0;
  std::atomic<uint64_t> pub_first_{1}, pub_last_{0}, pub_size_{0}, pub_bytes_{0};
};

}  // namespace stratd::supervisor
