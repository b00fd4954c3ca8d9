#pragma once
// What one /ws client has still to receive, and what it has had: a cursor
// into the shared journal plus a filter, the events kept back by shedding,
// ticks held by the client's tick interval, and the replay skip of a
// `since`. Pure: no socket, no timer, no clock of its own (the session
// passes the time in), so every rule below has a unit test.
//
// Order: events go out in seq order (ticks held back by tick_interval_ms
// excepted). A new client is held (nothing streamed, nothing counted) until
// its first message or the hold's end, so a resume with `since` straight
// away is exact. A later `since` skips what the client received under its
// one subscription so far; after a change of subscription what it received
// under which is not kept, and such a `since` is refused.
//
// Backpressure: the queue is what this client selected and still has to
// receive, counted from when it subscribed (a replay it asked for with
// `since` runs at its own pace and is not counted). Past the limit, or when
// the journal is about to drop events it has not read, its ticks are shed
// (the newest per runner kept) and counted for a `lagged` message; if what
// may not be dropped still exceeds the limit, the client must be closed.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "supervisor/events/event_filter.hpp"
#include "supervisor/events/event_journal.hpp"

namespace stratd::supervisor::ws {

class ClientQueue {
 public:
  using Clock = std::chrono::steady_clock;

  ClientQueue(const EventJournal& journal, size_t queue_limit) : journal_(journal), limit_(queue_limit) {}

  // From now on, after a hold until `hold_until` (or the first message).
  void start(Clock::time_point hold_until);
  // The client has spoken: it chose what it wants, no need to wait for it.
  void end_hold() { hold_until_.reset(); }
  // Until when nothing may stream yet, if still held.
  std::optional<Clock::time_point> held_until(Clock::time_point now);

  // Why a subscribe with this `since` is refused, if it is: SinceAhead,
  // SinceTooOld, SinceAfterChange.
  std::optional<Error> check_since(std::optional<uint64_t> since) const;
  // Applies a subscribe that check_since allowed.
  void subscribe(const Selection& selection, std::optional<uint64_t> since, std::chrono::milliseconds tick_interval);
  // False, and the selection unchanged, if it would exclude too much
  // (EventFilter); either way it counts as a change of subscription.
  bool unsubscribe(const Selection& selection);
  const EventFilter& filter() const { return filter_; }

  // Counts what arrived and sheds if needed; the reason the client must be
  // closed, if it must.
  std::optional<std::string> relieve_pressure();
  // Moves at most `limit` sendable events into `out`, in order. `wake_at`
  // is set to when a tick held by the interval may go, if one is held.
  void collect(size_t limit, Clock::time_point now, std::vector<JournalEventPtr>& out,
               std::optional<Clock::time_point>& wake_at);
  // Whether anything is waiting to be collected.
  bool has_waiting() const { return !backlog_.empty() || journal_.last_seq() > cursor_; }
  // Ticks shed since the last call: what the next `lagged` message says.
  uint64_t take_dropped() { return std::exchange(dropped_unreported_, 0); }

  // For tests and the session's ack.
  uint64_t cursor() const { return cursor_; }
  size_t backlog_size() const { return backlog_.size(); }

 private:
  struct TickSlot {
    Clock::time_point last_sent{};
    JournalEventPtr pending;  // newest tick not sent yet (latest wins)
  };
  // What a replay must not send again: the events in (from, through] that
  // the filter selected were delivered before it.
  struct Delivered {
    uint64_t from;
    uint64_t through;
    EventFilter filter;
  };

  // Whether this client still wants `e`: selected, and not delivered before.
  bool wanted(const JournalEvent& e) const;
  bool delivered_before(const JournalEvent& e) const;
  template <class Change>
  void change_filter(Change&& change);
  // Keeps only what may not be dropped and the newest tick of each runner;
  // the close reason if even that is too much.
  std::optional<std::string> shed();
  size_t count_live_backlog() const;

  const EventJournal& journal_;
  size_t limit_;
  EventFilter filter_;
  uint64_t cursor_ = 0;      // every journal event up to here has been considered
  uint64_t live_from_ = 0;   // events after this one count against the limit
  uint64_t counted_ = 0;     // events up to here are counted in pending_live_
  size_t pending_live_ = 0;  // wanted events in (cursor_, counted_] after live_from_
  size_t backlog_live_ = 0;  // events in backlog_ after live_from_
  std::deque<JournalEventPtr> backlog_;  // kept by shedding, in seq order
  uint64_t stream_from_ = 0;             // where the current subscription's stream began
  bool delivered_any_ = false;           // an event has been collected for this client
  bool mixed_history_ = false;           // ...and the subscription changed since
  std::optional<Delivered> skip_;        // a replay in progress skips these
  std::chrono::milliseconds tick_interval_{0};
  std::unordered_map<std::string, TickSlot> ticks_;
  uint64_t dropped_unreported_ = 0;
  std::optional<Clock::time_point> hold_until_;
};

}  // namespace stratd::supervisor::ws
