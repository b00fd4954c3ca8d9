#pragma once
// One /ws client. Owns itself (shared_from_this) and runs on the loop's
// thread. It is a cursor into the shared journal plus a filter: events are
// never copied per client; a write sends the journal's own JSON buffers.
// Backpressure: one write in flight; when the client trails the journal by
// more than the queue limit, its ticks are shed (newest per runner kept)
// and it is told how many (lagged); if what may not be dropped still
// exceeds the limit, it is closed with 1008 and resumes with `since`.
#include <chrono>
#include <deque>
#include <memory>
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

  WsSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<WsRoster> roster,
            const EventJournal& journal, const WsSettings& settings);
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

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void handle(std::string_view text);
  void apply_subscribe(const ClientMessage& m);
  void push_control(std::string frame);

  void pump();
  // Moves sendable events into out_events_, at most `limit`.
  void collect(size_t limit, Clock::time_point now);
  // Compacts a backlog beyond the queue limit; false if the client was closed.
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
  const WsSettings& settings_;
  boost::asio::steady_timer timer_;
  Clock::time_point timer_at_{Clock::time_point::max()};

  EventFilter filter_;
  uint64_t cursor_ = 0;  // every journal event up to here has been considered
  std::chrono::milliseconds tick_interval_{0};
  std::chrono::milliseconds batch_every_{0};
  Clock::time_point last_batch_{};
  bool batch_was_full_ = false;
  std::unordered_map<std::string, TickSlot> ticks_;
  std::deque<JournalEventPtr> backlog_;  // left after shedding, in order
  uint64_t dropped_unreported_ = 0;
  std::deque<std::string> control_;

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
