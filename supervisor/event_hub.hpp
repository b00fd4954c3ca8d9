#pragma once
// Event intake, on the hub's own thread (never the HTTP loop): workers'
// events arrive on a ZeroMQ SUB socket and are checked against the runner
// they claim to come from (an untrusted worker may send anything);
// supervisor events (lifecycle, health) are queued by publish() from any
// thread. Each accepted event gets the next global sequence number and is
// encoded to its client JSON once; batches of them are handed, in order, to
// a sink that runs on the Asio loop (the journal and the WebSocket fan-out).
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <zmq.hpp>

#include "common/event.hpp"
#include "supervisor/event_journal.hpp"

namespace stratd::supervisor {

struct EventHubStats {
  uint64_t received = 0;  // messages read from the bus
  uint64_t accepted = 0;  // events numbered (bus and supervisor)
  uint64_t rejected = 0;  // malformed, forged, unknown runner, replayed
  uint64_t gaps = 0;      // per-runner sequence numbers never seen
  uint64_t last_seq = 0;
};

struct RunnerEventStats {
  uint64_t last_runner_seq = 0;
  uint64_t gaps = 0;
  uint64_t rejected = 0;
};

class EventHub {
 public:
  using Sink = std::function<void(std::vector<JournalEventPtr>)>;

  EventHub(zmq::context_t& ctx, std::string endpoint, boost::asio::io_context& io);
  ~EventHub();

  // Binds the socket (throws on failure: start-up) and starts the thread.
  // `sink` receives every event, in sequence order, on `io`'s thread.
  void start(Sink sink);
  void stop();

  // Events claiming `runner_id` are accepted only while it is registered,
  // and only with its symbol. `last_seq`: its last known event number.
  void register_runner(const std::string& runner_id, const std::string& symbol,
                       std::optional<uint64_t> last_seq);
  void unregister_runner(const std::string& runner_id);

  // Queues a supervisor event; it is numbered and delivered like the rest.
  void publish(Event e);

  EventHubStats stats() const;
  std::optional<RunnerEventStats> runner_stats(const std::string& runner_id) const;

 private:
  struct RunnerEntry {
    std::string symbol;
    bool seq_known = false;
    RunnerEventStats stats;
  };
  void run();
  // Checks a worker's message; the decoded event if it is acceptable.
  std::optional<Event> admit(const std::string& topic, const std::string& body);
  JournalEventPtr number_and_encode(Event&& e);

  zmq::socket_t socket_;
  std::string endpoint_;
  boost::asio::io_context& io_;
  Sink sink_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  int wake_fd_ = -1;  // eventfd: supervisor events are waiting

  mutable std::mutex mu_;
  std::map<std::string, RunnerEntry> runners_;
  std::vector<Event> outbox_;  // supervisor events not yet numbered
  EventHubStats stats_;
};

}  // namespace stratd::supervisor
