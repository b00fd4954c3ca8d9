#include "supervisor/events/event_journal.hpp"

namespace stratd::supervisor {

void EventJournal::start_after(uint64_t last_seq) {
  if (!events_.empty()) return;
  last_seq_ = last_seq;
  pub_first_.store(last_seq + 1, std::memory_order_relaxed);
  pub_last_.store(last_seq, std::memory_order_relaxed);
}

void EventJournal::append(JournalEventPtr e) {
  last_seq_ = e->seq;
  bytes_ += e->json.size();
  events_.push_back(std::move(e));
  // The newest event always stays, however large.
  while (events_.size() > capacity_ || (bytes_ > max_bytes_ && events_.size() > 1)) {
    bytes_ -= events_.front()->json.size();
    events_.pop_front();
  }
  pub_first_.store(first_seq(), std::memory_order_relaxed);
  pub_last_.store(last_seq_, std::memory_order_relaxed);
  pub_size_.store(events_.size(), std::memory_order_relaxed);
  pub_bytes_.store(bytes_, std::memory_order_relaxed);
}

JournalStats EventJournal::stats() const {
  return {pub_first_.load(std::memory_order_relaxed), pub_last_.load(std::memory_order_relaxed),
          pub_size_.load(std::memory_order_relaxed), pub_bytes_.load(std::memory_order_relaxed), capacity_,
          max_bytes_};
}

const JournalEventPtr* EventJournal::find(uint64_t seq) const {
  if (events_.empty() || seq < events_.front()->seq || seq > last_seq_) return nullptr;
  // Sequence numbers are consecutive: the position is arithmetic.
  return &events_[size_t(seq - events_.front()->seq)];
}

}  // namespace stratd::supervisor
