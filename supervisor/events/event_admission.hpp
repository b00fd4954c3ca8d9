#pragma once
// Which worker messages become events. A worker is untrusted: a message
// must come with the credential its runner's worker was spawned with (the
// current one, or the one before while the last worker's messages drain),
// claim that runner and its symbol, be a worker's kind of event, and carry
// the runner's next sequence number; anything else is counted and dropped.
// Not thread-safe: the event hub serializes calls.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/event.hpp"
#include "common/result.hpp"

namespace stratd::supervisor {

struct AdmissionStats {
  uint64_t received = 0;  // messages read from the bus
  uint64_t rejected = 0;  // malformed, forged, unknown runner, replayed
  uint64_t gaps = 0;      // per-runner sequence numbers never seen
};

struct RunnerEventStats {
  uint64_t last_runner_seq = 0;
  uint64_t gaps = 0;
  uint64_t rejected = 0;
};

class EventAdmission {
 public:
  static constexpr size_t kMaxEventBytes = 64 * 1024;
  static constexpr size_t kMaxFields = 64;

  // Events claiming `runner_id` are accepted only while it is registered,
  // and only with its symbol. `last_seq`: its last known event number.
  void register_runner(const std::string& runner_id, const std::string& symbol, std::optional<uint64_t> last_seq);
  void unregister_runner(const std::string& runner_id);
  // A new worker was spawned with `credential`; the previous one's stays
  // valid until a message carries the new one.
  void set_credential(const std::string& runner_id, const std::string& credential);

  // A message that could not even be split into frames.
  void count_malformed();
  // The event, if the message is acceptable.
  std::optional<Event> admit(std::string_view topic, std::string_view credential, std::string_view body);

  const AdmissionStats& stats() const { return stats_; }
  std::optional<RunnerEventStats> runner_stats(const std::string& runner_id) const;
  // Every registered runner's, in id order.
  std::vector<std::pair<std::string, RunnerEventStats>> all_runner_stats() const;

 private:
  struct Entry {
    std::string symbol;
    bool seq_known = false;
    std::string credential;
    std::string previous_credential;
    RunnerEventStats stats;
  };
  std::map<std::string, Entry, std::less<>> runners_;
  AdmissionStats stats_;
};

// A fresh random credential (hex), for one worker.
Expected<std::string> new_credential();

}  // namespace stratd::supervisor
