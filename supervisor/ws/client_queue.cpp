#include "supervisor/ws/client_queue.hpp"

#include <algorithm>

namespace stratd::supervisor::ws {

void ClientQueue::start(Clock::time_point hold_until) {
  // Without a subscription a client gets everything from now on, once it
  // has had a moment to say what it wants instead.
  cursor_ = live_from_ = counted_ = stream_from_ = journal_.last_seq();
  hold_until_ = hold_until;
}

std::optional<ClientQueue::Clock::time_point> ClientQueue::held_until(Clock::time_point now) {
  if (hold_until_ && now < *hold_until_) return hold_until_;
  hold_until_.reset();
  return std::nullopt;
}

std::optional<Error> ClientQueue::check_since(std::optional<uint64_t> since) const {
  if (!since) return std::nullopt;
  const uint64_t last = journal_.last_seq();
  if (*since > last) {
    return Error{ErrorCode::SinceAhead, "no event " + std::to_string(*since) + " yet; the last is " + std::to_string(last)};
  }
  if (!journal_.covers_after(*since)) {
    return Error{ErrorCode::SinceTooOld, "events after " + std::to_string(*since) +
                                             " are gone; the journal starts at " + std::to_string(journal_.first_seq())};
  }
  if (*since < cursor_ && mixed_history_) {
    return Error{ErrorCode::SinceAfterChange,
                 "this connection received events under another subscription; replaying from " +
                     std::to_string(*since) + " here could repeat some: resume on a new connection"};
  }
  return std::nullopt;
}

void ClientQueue::subscribe(const Selection& selection, std::optional<uint64_t> since,
                            std::chrono::milliseconds tick_interval) {
  const uint64_t last = journal_.last_seq();
  // What was delivered so far, all under the current filter: a replay
  // skips it. A backlog left by shedding was not delivered yet.
  std::optional<Delivered> delivered;
  if (since && *since < cursor_ && delivered_any_) {
    delivered = Delivered{stream_from_, backlog_.empty() ? cursor_ : backlog_.front()->seq - 1, filter_};
  }
  tick_interval_ = tick_interval;
  change_filter([&](EventFilter& f) { f.subscribe(selection); });
  if (since) {
    // Replay from `since`: everything after it not delivered yet, the
    // backlog's events included, in order.
    skip_ = std::move(delivered);
    backlog_.clear();
    ticks_.clear();
    cursor_ = counted_ = stream_from_ = *since;
    // What the client asked to replay does not count against its queue.
    live_from_ = last;
    pending_live_ = backlog_live_ = 0;
  }
}

bool ClientQueue::unsubscribe(const Selection& selection) {
  bool fits = true;
  change_filter([&](EventFilter& f) { fits = f.unsubscribe(selection); });
  return fits;
}

template <class Change>
void ClientQueue::change_filter(Change&& change) {
  // From here on the connection's history holds more than one selection.
  if (delivered_any_) mixed_history_ = true;
  stream_from_ = cursor_;
  change(filter_);
  // Whatever is waiting is sent only if still selected.
  std::erase_if(backlog_, [&](const JournalEventPtr& e) { return !filter_.matches(*e); });
  for (auto& [runner, slot] : ticks_) {
    if (slot.pending && !filter_.matches(*slot.pending)) slot.pending.reset();
  }
  backlog_live_ = count_live_backlog();
  counted_ = cursor_;
  pending_live_ = 0;
}

size_t ClientQueue::count_live_backlog() const {
  return size_t(std::count_if(backlog_.begin(), backlog_.end(),
                              [&](const JournalEventPtr& e) { return e->seq > live_from_; }));
}

bool ClientQueue::delivered_before(const JournalEvent& e) const {
  return skip_ && e.seq > skip_->from && e.seq <= skip_->through && skip_->filter.matches(e);
}

bool ClientQueue::wanted(const JournalEvent& e) const { return filter_.matches(e) && !delivered_before(e); }

std::optional<std::string> ClientQueue::relieve_pressure() {
  if (!journal_.covers_after(cursor_)) return "fell behind the journal; reconnect with since set to the last seq received";
  const uint64_t last = journal_.last_seq();
  // About to lose unread events to the journal's own limits.
  const bool at_risk = cursor_ < last && journal_.nearly_full() &&
                       cursor_ + 1 - journal_.first_seq() < journal_.size() / 8;
  // Before its first message a client has chosen nothing: nothing of it is
  // shed or counted against it yet, unless waiting longer would lose events
  // to the journal; then the hold ends and it gets what it has by default.
  if (hold_until_) {
    if (!at_risk) return std::nullopt;
    hold_until_.reset();
  }
  // Fast path: even counting every event, the queue is within its limit.
  if (!at_risk && last - cursor_ + backlog_.size() <= limit_) return std::nullopt;
  for (uint64_t s = std::max({counted_, cursor_, live_from_}) + 1; s <= last; ++s) {
    const JournalEventPtr* e = journal_.find(s);
    if (e && wanted(**e)) ++pending_live_;
  }
  counted_ = last;
  if (!at_risk && backlog_live_ + pending_live_ <= limit_) return std::nullopt;
  return shed();
}

void ClientQueue::collect(size_t limit, Clock::time_point now, std::vector<JournalEventPtr>& out,
                          std::optional<Clock::time_point>& wake_at) {
  out.clear();
  // A tick is sent if its runner's interval has passed; otherwise it waits
  // as that runner's pending tick, replaced by any newer one.
  auto take = [&](const JournalEventPtr& e) {
    if (tick_interval_.count() > 0 && is_coalescable(e->type)) {
      TickSlot& slot = ticks_[e->runner_id];
      if (now - slot.last_sent < tick_interval_) {
        slot.pending = e;
        const auto due = slot.last_sent + tick_interval_;
        if (!wake_at || due < *wake_at) wake_at = due;
        return;
      }
      slot.last_sent = now;
      slot.pending.reset();
    }
    out.push_back(e);
  };
  while (out.size() < limit && !backlog_.empty()) {
    JournalEventPtr e = std::move(backlog_.front());
    backlog_.pop_front();
    if (e->seq > live_from_ && backlog_live_ > 0) --backlog_live_;
    take(e);
  }
  const uint64_t last = journal_.last_seq();
  while (out.size() < limit && cursor_ < last) {
    const JournalEventPtr* e = journal_.find(++cursor_);
    if (skip_ && cursor_ > skip_->through) skip_.reset();  // the replay is past what was delivered
    if (!e || !wanted(**e)) continue;
    if (cursor_ <= counted_ && cursor_ > live_from_ && pending_live_ > 0) --pending_live_;
    take(*e);
  }
  if (tick_interval_.count() > 0) {
    for (auto& [runner, slot] : ticks_) {
      if (out.size() >= limit) break;
      if (slot.pending && now - slot.last_sent >= tick_interval_) {
        out.push_back(std::move(slot.pending));
        slot.pending.reset();
        slot.last_sent = now;
      }
    }
  }
  if (!out.empty()) delivered_any_ = true;
}

std::optional<std::string> ClientQueue::shed() {
  std::vector<JournalEventPtr> keep;
  std::unordered_map<std::string, JournalEventPtr> newest_tick;
  auto consider = [&](const JournalEventPtr& e) {
    if (is_coalescable(e->type)) {
      auto& slot = newest_tick[e->runner_id];
      if (slot) ++dropped_unreported_;
      slot = e;
      return;
    }
    keep.push_back(e);
  };
  for (const auto& e : backlog_) consider(e);
  const uint64_t last = journal_.last_seq();
  for (uint64_t s = cursor_ + 1; s <= last; ++s) {
    const JournalEventPtr* e = journal_.find(s);
    if (e && wanted(**e)) consider(*e);
  }
  for (auto& [runner, e] : newest_tick) keep.push_back(std::move(e));
  // The kept ticks take their place in seq order among the rest.
  std::sort(keep.begin(), keep.end(), [](const JournalEventPtr& a, const JournalEventPtr& b) { return a->seq < b->seq; });
  cursor_ = counted_ = last;
  pending_live_ = 0;
  if (skip_ && cursor_ > skip_->through) skip_.reset();
  backlog_.assign(std::make_move_iterator(keep.begin()), std::make_move_iterator(keep.end()));
  backlog_live_ = count_live_backlog();
  if (backlog_live_ > limit_) {
    return "too far behind; reconnect with since (" + std::to_string(backlog_live_) + " events waiting)";
  }
  return std::nullopt;
}

}  // namespace stratd::supervisor::ws
