#include "supervisor/event_journal.hpp"

namespace stratd::supervisor {

void EventJournal::append(JournalEventPtr e) {
  last_seq_ = e->seq;
  bytes_ += e->json.size();
  events_.push_back(std::move(e));
  while (events_.size() > capacity_) {
    bytes_ -= events_.front()->json.size();
    events_.pop_front();
  }
}

const JournalEventPtr* EventJournal::find(uint64_t seq) const {
  if (events_.empty() || seq < events_.front()->seq || seq > last_seq_) return nullptr;
  // Sequence numbers are consecutive: the position is arithmetic.
  return &events_[size_t(seq - events_.front()->seq)];
}

}  // namespace stratd::supervisor
