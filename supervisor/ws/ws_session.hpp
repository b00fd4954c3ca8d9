#pragma once
// One /ws client. Owns itself (shared_from_this) and runs on its shard's
// thread. It is a cursor into the shared journal plus a filter: events are
// never copied per client; a write sends the journal's own JSON buffers.
//
// Order: events go out in seq order (ticks held back by tick_interval_ms
// excepted). A new connection waits `hold` for a first message before it
// streams everything, so a client that resumes with `since` straight away
// gets an ordered stream with nothing twice. A later `since` skips what the
// connection delivered under its one subscription so far; after a change
// of subscription, what was delivered under which is not kept, and such a
// `since` is refused rather than answered with repeats.
//
// Backpressure: one write in flight. The queue is what this client still
// has to receive of what it selected, counted from when it subscribed (a
// replay it asked for with `since` runs at its own pace and is not
// counted). Past the queue limit, or when the journal is about to drop
// events the client has not read, its ticks are shed (newest per runner
// kept) and it is told how many (lagged); if what may not be dropped
// still exceeds the limit, it is closed with 1008 and resumes with `since`.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "supervisor/event_journal.hpp"
#include "supervisor/ws/event_filter.hpp"
#include "supervisor/ws/ws_protocol.hpp"
#include "supervisor/ws/ws_settings.hpp"

namespace stratd::supervisor::ws {

struct WsRoster;

class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  using Clock = std::chrono::steady_clock;

  // `journal` is the shard's copy; `source` the hub's own, which may be a
  // few events ahead of it (read only through its thread-safe stats()).
  WsSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<WsRoster> roster,
            const EventJournal& journal, const EventJournal& source, const WsSettings& settings);
  ~WsSession();

  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  // New events are in the journal.
  void notify() { pump(); }
  // stratd is stopping: close with 1001 once the write in flight is done.
  void close_going_away();

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

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void handle(const ClientMessage& m);
  void apply_subscribe(const ClientMessage& m);
  void change_filter(const std::function<void(EventFilter&)>& change);
  void push_control(std::string frame);

  void pump();
  // Whether this client still wants `e`: selected, and not delivered before.
  bool wanted(const JournalEvent& e) const;
  bool delivered_before(const JournalEvent& e) const;
  // Counts what arrived, sheds ticks or closes the client; false if closed.
  bool relieve_pressure();
  // Moves sendable events into out_events_, at most `limit`.
  void collect(size_t limit, Clock::time_point now);
  // Keeps only what may not be dropped and the newest tick of each runner;
  // false if the client was closed.
  bool shed();
  void write_control();
  void write_events(bool as_batch);
  void on_write(boost::beast::error_code ec, size_t bytes);
  void close_with(boost::beast::websocket::close_code code, std::string reason);
  void arm_timer(Clock::time_point at);

  // A plain socket underneath: the websocket layer keeps its own timeouts.
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer read_buf_;
  std::shared_ptr<WsRoster> roster_;
  const EventJournal& journal_;
  const EventJournal& source_;
  const WsSettings& settings_;
  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_{Clock::time_point::max()};

  EventFilter filter_;
  uint64_t cursor_ = 0;     // every journal event up to here has been considered
  uint64_t live_from_ = 0;  // events after this one count against the queue limit
  uint64_t counted_ = 0;    // events up to here are counted in pending_live_
  size_t pending_live_ = 0; // wanted events in (cursor_, counted_] after live_from_
  size_t backlog_live_ = 0; // events in backlog_ after live_from_
  std::deque<JournalEventPtr> backlog_;  // kept by shedding, in seq order
  uint64_t stream_from_ = 0;              // where the current subscription's stream began
  bool delivered_any_ = false;           // an event has been written to this client
  bool mixed_history_ = false;           // ...and the subscription changed since
  std::optional<Delivered> skip_;        // a replay in progress skips these
  std::chrono::milliseconds tick_interval_{0};
  std::chrono::milliseconds batch_every_{0};
  Clock::time_point last_batch_{};
  bool batch_was_full_ = false;
  std::unordered_map<std::string, TickSlot> ticks_;
  uint64_t dropped_unreported_ = 0;
  std::deque<std::string> control_;
  // Until the first message or this moment, nothing is streamed.
  std::optional<Clock::time_point> hold_until_;
  // A subscribe whose `since` this shard's journal has not reached yet.
  std::optional<ClientMessage> deferred_;

  bool accepted_ = false;
  bool writing_ = false;
  bool closing_ = false;
  boost::beast::websocket::close_reason pending_close_;
  bool close_after_write_ = false;
  // The write in flight and what keeps its buffers alive.
  std::string out_text_;
  std::vector<JournalEventPtr> out_events_;
  std::vector<boost::asio::const_buffer> out_bufs_;
};

}  // namespace stratd::supervisor::ws
