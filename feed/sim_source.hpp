#pragma once
// The simulated market: a seeded geometric random walk per symbol, created
// on demand. One process publishes every symbol, so all runners on a symbol
// see the same prices.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/market_data.hpp"

namespace stratd::feed {

struct SimSettings {
  uint64_t seed = 42;
  double sigma_per_tick = 0.001;  // log-return standard deviation per tick
  double spread_bps = 2.0;
  double base_volume = 100.0;
};

class SimSource {
 public:
  explicit SimSource(SimSettings s) : s_(s) {}

  // Starts (or resumes) producing `symbol`.
  void activate(const std::string& symbol);
  void deactivate(const std::string& symbol);
  // One bar for every active symbol, stamped `timestamp_ms`.
  std::vector<MarketData> tick(int64_t timestamp_ms);

  // Last price and tick count per symbol, to resume after a restart.
  // stratd reads the counts too, for /metrics (supervisor/metrics/feed_ticks.hpp).
  std::string save_state() const;
  void load_state(const std::string& text);
  size_t active_count() const;

 private:
  struct Walk {
    std::mt19937_64 rng;
    double price = 0;
    uint64_t ticks = 0;
    bool active = false;
  };
  Walk& walk_for(const std::string& symbol);
  uint64_t symbol_seed(const std::string& symbol, uint64_t ticks) const;

  SimSettings s_;
  std::map<std::string, Walk> walks_;
};

}  // namespace stratd::feed
