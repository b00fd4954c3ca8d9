#pragma once
// The /ws endpoint: takes over upgraded connections onto the event hub's
// loop, where the journal lives, wakes every session when new events reach
// the journal, and closes them all (1001) at shutdown. One loop serves
// every client: measured against two (docs/performance.md), a second
// thread with its own copy of the journal was not clearly better.
// accept(), full(), clients() and shutdown() may be called from any
// thread; on_events() from the hub's.
#include <atomic>
#include <memory>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "common/settings.hpp"
#include "supervisor/events/event_journal.hpp"
#include "supervisor/logs/log_follower.hpp"
#include "supervisor/ws/ws_metrics.hpp"

namespace stratd::supervisor::ws {

class WsSession;

// Who is connected. Shared with the sessions, so one destroyed late (the
// hub's loop torn down after the WsHub) still has somewhere to sign off.
struct WsRoster {
  std::unordered_set<WsSession*> sessions;  // the hub's thread only
  std::atomic<size_t> clients{0};           // read anywhere
  WsMetrics metrics;                        // written on the hub's thread, read anywhere
};

class WsHub {
 public:
  // `logs`: where sessions follow runners' logs (null: not offered).
  WsHub(boost::asio::io_context& hub_io, const EventJournal& journal, const WsSettings& settings,
        LogFollower* logs = nullptr);

  bool full() const { return clients() >= settings_.max_clients || stopping_.load(); }
  // Moves the connection onto the hub's loop and starts its session.
  void accept(boost::asio::ip::tcp::socket&& socket,
              boost::beast::http::request<boost::beast::http::string_body> upgrade);
  // Hub thread: new events are in the journal.
  void on_events();
  void shutdown();
  size_t clients() const { return roster_->clients.load(); }
  const WsMetrics& metrics() const { return roster_->metrics; }

 private:
  boost::asio::io_context& io_;
  const EventJournal& journal_;
  const WsSettings& settings_;
  LogFollower* logs_;
  std::shared_ptr<WsRoster> roster_ = std::make_shared<WsRoster>();
  std::atomic<bool> stopping_{false};
};

}  // namespace stratd::supervisor::ws
