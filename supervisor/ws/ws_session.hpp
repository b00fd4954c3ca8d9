#pragma once
// One /ws client: the socket side. Owns itself (shared_from_this) and
// runs on the event hub's thread. What it has still to send, and in which
// order, is its ClientQueue (client_queue.hpp): events are never copied per
// client; a write sends the journal's own JSON buffers. One write in
// flight; control replies (acks, errors, lagged) go before events, and
// followed log lines (a bounded queue of their own, oldest shed first)
// when no event is waiting.
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "common/settings.hpp"
#include "supervisor/events/event_journal.hpp"
#include "supervisor/logs/log_follower.hpp"
#include "supervisor/ws/client_queue.hpp"
#include "supervisor/ws/ws_protocol.hpp"

namespace stratd::supervisor::ws {

struct WsRoster;

class WsSession : public std::enable_shared_from_this<WsSession>, public LogListener {
 public:
  using Clock = std::chrono::steady_clock;
  // Log lines waiting for this client at most; older ones are shed.
  static constexpr size_t kMaxLogLines = 1024;

  // `logs` (may be null: no log tails) outlives the hub's loop's work.
  WsSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<WsRoster> roster, const EventJournal& journal,
            const WsSettings& settings, LogFollower* logs);
  ~WsSession();

  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  // New events are in the journal.
  void notify() { pump(); }
  // stratd is stopping: close with 1001 once the write in flight is done.
  void close_going_away();
  void on_log_line(const std::string& runner_id, const LogLine& line) override;

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void handle(const ClientMessage& m);
  void apply_subscribe(const ClientMessage& m);
  void apply_logs(const ClientMessage& m);
  void push_control(std::string frame);

  void pump();
  void write_control();
  void write_text(std::string text);
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

  ClientQueue queue_;
  std::chrono::milliseconds batch_every_{0};
  Clock::time_point last_batch_{};
  bool batch_was_full_ = false;
  std::deque<std::string> control_;
  LogFollower* logs_;
  std::deque<std::pair<std::string, std::string>> log_lines_;  // runner, frame
  uint64_t log_lines_dropped_ = 0;

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
