#pragma once
// The /ws endpoint: takes over upgraded connections, wakes every session
// when new events reach the journal, and closes them all (1001) at
// shutdown. Sessions are spread over shards, each a loop on its own
// thread, so a burst of events is written to many clients on several cores
// at once. Shard 0 is the event hub's own loop and reads the hub's
// journal; every other shard keeps its own copy of the journal's pointers
// (the encoded events themselves are shared). accept(), full(), clients()
// and shutdown() may be called from any thread; on_events() from the hub's.
#include <atomic>
#include <memory>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "supervisor/event_journal.hpp"
#include "supervisor/ws/ws_settings.hpp"

namespace stratd::supervisor::ws {

class WsSession;

// Who is connected to a shard. Shared with its sessions, so one destroyed
// late (its loop torn down after the hub) still has somewhere to sign off.
struct WsRoster {
  std::unordered_set<WsSession*> sessions;  // the shard's thread only
  std::atomic<size_t> clients{0};           // read anywhere
};

class WsHub {
 public:
  // `threads`: shards in all, the hub's loop included (at least 1).
  WsHub(boost::asio::io_context& hub_io, const EventJournal& hub_journal, WsSettings settings, size_t threads);
  ~WsHub();

  // Before start(): the shards' journals continue after `last_seq`.
  void start_after(uint64_t last_seq);
  void start();  // starts the shards' threads
  void stop();   // stops and joins them

  bool full() const { return clients() >= settings_.max_clients || stopping_.load(); }
  // Moves the connection onto the least busy shard and starts its session.
  void accept(boost::asio::ip::tcp::socket&& socket,
              boost::beast::http::request<boost::beast::http::string_body> upgrade);
  // Hub thread: `batch` was appended to the hub's journal.
  void on_events(const std::vector<JournalEventPtr>& batch);
  void shutdown();
  size_t clients() const;

 private:
  struct Shard {
    std::unique_ptr<EventJournal> own_journal;  // shards other than 0
    std::unique_ptr<boost::asio::io_context> own_io;
    boost::asio::io_context* io = nullptr;
    const EventJournal* journal = nullptr;
    const EventJournal* source = nullptr;  // the hub's journal
    std::shared_ptr<WsRoster> roster = std::make_shared<WsRoster>();
    std::thread thread;
  };
  static void wake(WsRoster& roster);

  WsSettings settings_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace stratd::supervisor::ws
