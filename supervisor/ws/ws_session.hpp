#pragma once
// One /ws client: the socket side. Owns itself (shared_from_this) and
// runs on the event hub's thread. What it has still to send, and in which
// order, is its ClientQueue (client_queue.hpp): events are never copied per
// client; a write sends the journal's own JSON buffers. One write in
// flight; control replies (acks, errors, lagged) go before events, and
// followed log lines (a bounded queue of their own, oldest shed first)
// when no event is waiting. What a client sends is bounded too: a token
// bucket of messages (RATE_LIMITED beyond it, 1008 for a client that keeps
// on) and a cap on the logs it follows.
// A template on the stream under the WebSocket: a plain socket, or a TLS
// stream that was accepted on the hub's loop and stays there (an SSL
// engine cannot move between loops); instantiated for both in the .cpp.
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
#include "supervisor/http/connection_limits.hpp"
#include "supervisor/http/rejections.hpp"
#include "supervisor/http/tls_types.hpp"
#include "supervisor/logs/log_follower.hpp"
#include "supervisor/ws/client_queue.hpp"
#include "supervisor/ws/ws_protocol.hpp"

namespace stratd::supervisor::ws {

struct WsRoster;

// What the hub knows of a session, whatever its stream.
class WsClient {
 public:
  virtual ~WsClient() = default;
  // New events are in the journal.
  virtual void notify() = 0;
  // stratd is stopping: close with 1001 once the write in flight is done.
  virtual void close_going_away() = 0;
  // The name of the key it was admitted with ("" for none).
  virtual const std::string& key() const = 0;
  // That key was revoked: close with 1008.
  virtual void close_revoked() = 0;
};

// What every session of the hub shares.
struct WsSessionContext {
  std::shared_ptr<WsRoster> roster;
  const EventJournal& journal;
  const WsSettings& settings;
  LogFollower* logs;  // may be null: no log tails; outlives the hub's loop's work
  http::Rejections* rejections;  // may be null: not counted
};

template <class NextLayer>
class WsSession : public std::enable_shared_from_this<WsSession<NextLayer>>, public WsClient, public LogListener {
 public:
  using Clock = std::chrono::steady_clock;
  // Log lines waiting for this client at most; older ones are shed.
  static constexpr size_t kMaxLogLines = 1024;

  // `key`: the name of the key the upgrade was admitted with ("" for none).
  WsSession(NextLayer&& stream, const WsSessionContext& context, http::ConnectionSlot slot, std::string key);
  ~WsSession();

  void start(boost::beast::http::request<boost::beast::http::string_body> upgrade);
  void notify() override { pump(); }
  void close_going_away() override;
  const std::string& key() const override { return key_; }
  void close_revoked() override;
  void on_log_line(const std::string& runner_id, const LogLine& line) override;

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  // Takes a token from the client's bucket; false (and the client told,
  // or closed) when there is none.
  bool admit_message();
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

  // The websocket layer keeps its own timeouts (a TLS stream's TCP one
  // never expires).
  boost::beast::websocket::stream<NextLayer> ws_;
  boost::beast::flat_buffer read_buf_;
  std::shared_ptr<WsRoster> roster_;
  const EventJournal& journal_;
  const WsSettings& settings_;
  http::Rejections* rejections_;
  http::ConnectionSlot slot_;  // given back when the session ends
  std::string key_;
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
  std::vector<std::string> followed_logs_;  // at most max_log_follows

  // The message bucket: tokens refill at client_messages_per_sec up to
  // client_messages_burst; a message without one is refused, and as many
  // refused in a row as the burst close the client.
  double tokens_;
  Clock::time_point tokens_at_;
  uint64_t refused_in_a_row_ = 0;

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

// Both are instantiated once, in ws_session.cpp.
extern template class WsSession<boost::asio::ip::tcp::socket>;
extern template class WsSession<http::TlsStream>;

}  // namespace stratd::supervisor::ws
