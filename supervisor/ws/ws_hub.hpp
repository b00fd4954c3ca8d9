#pragma once
// The /ws endpoint: takes over upgraded connections onto the event hub's
// loop, where the journal lives, wakes every session when new events reach
// the journal, and closes them all (1001) at shutdown. One loop serves
// every client: measured against two (docs/performance.md), a second
// thread with its own copy of the journal was not clearly better.
// accept() of a plain socket, full(), clients() and shutdown() may be
// called from any thread; on_events() and accept() of a TLS stream (which
// already runs on the hub's loop) from the hub's.
#include <atomic>
#include <memory>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "common/settings.hpp"
#include "supervisor/auth/revocation.hpp"
#include "supervisor/events/event_journal.hpp"
#include "supervisor/http/connection_limits.hpp"
#include "supervisor/http/rejections.hpp"
#include "supervisor/http/tls_types.hpp"
#include "supervisor/logs/log_follower.hpp"
#include "supervisor/ws/ws_metrics.hpp"

namespace stratd::supervisor::ws {

class WsClient;

// Who is connected. Shared with the sessions, so one destroyed late (the
// hub's loop torn down after the WsHub) still has somewhere to sign off.
struct WsRoster {
  std::unordered_set<WsClient*> sessions;  // the hub's thread only
  std::atomic<size_t> clients{0};           // read anywhere
  WsMetrics metrics;                        // written on the hub's thread, read anywhere
};

class WsHub {
 public:
  using Upgrade = boost::beast::http::request<boost::beast::http::string_body>;
  // `logs`: where sessions follow runners' logs (null: not offered);
  // `rejections`: where refused messages are counted (null: not counted).
  WsHub(boost::asio::io_context& hub_io, const EventJournal& journal, const WsSettings& settings,
        LogFollower* logs = nullptr, http::Rejections* rejections = nullptr);

  bool full() const { return clients() >= settings_.max_clients || stopping_.load(); }
  boost::asio::io_context& io() { return io_; }
  // Moves the connection onto the hub's loop and starts its session;
  // `key`: the name of the key it was admitted with ("" for none).
  void accept(boost::asio::ip::tcp::socket&& socket, Upgrade upgrade, http::ConnectionSlot slot, std::string key);
  // Hub thread: starts the session of a TLS connection, in place.
  void accept(http::TlsStream&& stream, Upgrade upgrade, http::ConnectionSlot slot, std::string key);
  // Any thread: the keys changed; clients whose access went with them are
  // closed (1008).
  void revoke(auth::Revocation revocation);
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
  http::Rejections* rejections_;
  std::shared_ptr<WsRoster> roster_ = std::make_shared<WsRoster>();
  std::atomic<bool> stopping_{false};
};

}  // namespace stratd::supervisor::ws
