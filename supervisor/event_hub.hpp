#pragma once
// Event intake: workers' events arrive on a ZeroMQ SUB socket, read on the
// hub's own thread (never the HTTP loop). Each is checked against the
// runner it claims to come from, numbered with a global sequence, checked
// for per-runner gaps and kept in a bounded journal. Supervisor events
// (lifecycle, health) enter through publish() and are numbered the same way.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "common/event.hpp"

namespace stratd::supervisor {

struct EventHubStats {
  uint64_t received = 0;  // messages read from the bus
  uint64_t accepted = 0;  // events journaled (bus and supervisor)
  uint64_t rejected = 0;  // malformed, forged, unknown runner, replayed
  uint64_t gaps = 0;      // per-runner sequence numbers never seen
  uint64_t last_seq = 0;
  size_t journal_size = 0;
};

struct RunnerEventStats {
  uint64_t last_runner_seq = 0;
  uint64_t gaps = 0;
  uint64_t rejected = 0;
};

class EventHub {
 public:
  EventHub(zmq::context_t& ctx, std::string endpoint, size_t journal_capacity);
  ~EventHub();

  // Binds the socket (throws on failure: start-up) and starts the thread.
  void start();
  void stop();

  // Events claiming `runner_id` are accepted only while it is registered,
  // and only with its symbol. `last_seq`: the runner's last known event
  // sequence number, if known.
  void register_runner(const std::string& runner_id, const std::string& symbol,
                       std::optional<uint64_t> last_seq);
  void unregister_runner(const std::string& runner_id);

  // Journals a supervisor event; returns its global sequence number.
  uint64_t publish(Event e);

  EventHubStats stats() const;
  std::optional<RunnerEventStats> runner_stats(const std::string& runner_id) const;
  // Journaled events with seq > `after`, oldest first, at most `limit`.
  std::vector<Event> since(uint64_t after, size_t limit) const;

 private:
  struct RunnerEntry {
    std::string symbol;
    bool seq_known = false;
    RunnerEventStats stats;
  };
  void run();
  void intake(const std::string& topic, const std::string& body);
  void journal_locked(Event&& e);

  zmq::socket_t socket_;
  std::string endpoint_;
  size_t capacity_;
  std::thread thread_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;
  std::map<std::string, RunnerEntry> runners_;
  std::deque<Event> journal_;
  EventHubStats stats_;
};

}  // namespace stratd::supervisor
