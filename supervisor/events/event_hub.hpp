#pragma once
// The event hub: a thread of its own, with its own Asio loop, off the HTTP
// loop. Worker events arrive on a ZeroMQ SUB socket (watched through
// ZMQ_FD in the loop) and are admitted only if they prove to come from the
// runner they claim (event_admission.hpp): an untrusted worker may send
// anything. Supervisor events (lifecycle,
// health) are queued by publish() from any thread. Each accepted event gets
// the next global sequence number and is encoded to its client JSON once
// (a position event also gets its typed PositionRecord); batches go, in
// order, to a sink on this same thread: the event pipeline, whose journal
// and WebSocket clients live here too, so an event reaches a client without
// crossing threads again, and no client load can slow the HTTP API.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <zmq.hpp>

#include "common/event.hpp"
#include "supervisor/events/event_admission.hpp"
#include "supervisor/events/event_journal.hpp"

namespace stratd::supervisor {

struct EventHubStats {
  uint64_t received = 0;  // messages read from the bus
  uint64_t accepted = 0;  // events numbered (bus and supervisor)
  uint64_t rejected = 0;  // malformed, forged, unknown runner, replayed
  uint64_t gaps = 0;      // per-runner sequence numbers never seen
  uint64_t last_seq = 0;
  // Connections to the bus that ended: a worker exiting, or ZeroMQ cutting
  // off a peer that broke the protocol (a message over the size limit).
  uint64_t disconnects = 0;
};

class EventHub {
 public:
  using Sink = std::function<void(std::vector<JournalEventPtr>&)>;

  EventHub(zmq::context_t& ctx, std::string endpoint);
  ~EventHub();

  // The hub's own loop; what is attached to it runs on the hub's thread.
  boost::asio::io_context& io() { return io_; }

  // Numbering continues after `last` (before start()).
  void number_after(uint64_t last);

  // Binds the socket (throws on failure: start-up) and starts the thread.
  // `sink` receives every event, in sequence order, on the hub's thread.
  void start(Sink sink);
  // Delivers what is already queued, stops the loop, joins the thread.
  void stop();

  // Events claiming `runner_id` are accepted only while it is registered,
  // and only with its symbol. `last_seq`: its last known event number.
  void register_runner(const std::string& runner_id, const std::string& symbol,
                       std::optional<uint64_t> last_seq);
  void unregister_runner(const std::string& runner_id);
  // The credential the runner's next worker is spawned with.
  void set_credential(const std::string& runner_id, const std::string& credential);

  // Queues a supervisor event (any thread); it is numbered and delivered
  // like the rest.
  void publish(Event e);

  EventHubStats stats() const;
  std::optional<RunnerEventStats> runner_stats(const std::string& runner_id) const;
  // Every registered runner's, in id order, under one lock (a scrape).
  std::vector<std::pair<std::string, RunnerEventStats>> all_runner_stats() const;

 private:
  // Watches a ZeroMQ socket's ZMQ_FD, calling `drain` on every wake-up.
  void watch_zmq(boost::asio::posix::stream_descriptor& fd, void (EventHub::*drain)());
  void drain_bus();
  void drain_monitor();
  void watch_outbox();
  void drain_outbox();
  void deliver();
  JournalEventPtr number_and_encode(Event&& e);

  zmq::socket_t socket_;
  std::string endpoint_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::posix::stream_descriptor bus_fd_;  // ZMQ_FD: not ours to close
  zmq::socket_t monitor_;                         // the bus socket's connection events
  boost::asio::posix::stream_descriptor monitor_fd_;
  boost::asio::posix::stream_descriptor wake_fd_; // eventfd: supervisor events waiting
  uint64_t wake_buf_ = 0;
  Sink sink_;
  std::thread thread_;
  bool started_ = false;
  std::vector<JournalEventPtr> batch_;

  mutable std::mutex mu_;
  EventAdmission admission_;
  std::vector<Event> outbox_;  // supervisor events not yet numbered
  EventHubStats stats_;
};

}  // namespace stratd::supervisor
