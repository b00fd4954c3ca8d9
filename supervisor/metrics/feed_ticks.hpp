#pragma once
// The ticks the feed has published, per symbol, as the feed itself counts
// them: the sim source records each symbol's count with its price in its
// state file every second (feed/sim_source.hpp, save_state: {"SYMBOL":
// {"price": p, "ticks": n}}), and continues it across its own restarts.
// stratd only reads the file, when it changed since the last read, so a
// scrape sees the count as of the feed's last save (at most a second old).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace stratd::supervisor::metrics {

class FeedTicks {
 public:
  using Counts = std::vector<std::pair<std::string, uint64_t>>;  // by symbol, in order

  explicit FeedTicks(std::string state_file) : path_(std::move(state_file)) {}
  // The counts as of the file's last write; none while there is no file
  // (a feed that has not saved yet). A file that does not parse (half
  // written by hand) leaves the counts as they were.
  const Counts& read();

 private:
  std::string path_;
  int64_t seen_mtime_ns_ = -1;
  int64_t seen_size_ = -1;
  Counts counts_;
};

}  // namespace stratd::supervisor::metrics
