#include "supervisor/metrics/instruments.hpp"

#include <algorithm>
#include <cmath>

namespace stratd::supervisor::metrics {

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) {
  // The first bound at or above the value (le: less than or equal); past
  // the last, the +Inf bucket. NaN lands there too.
  const size_t i = std::isnan(value) ? bounds_.size()
                                     : size_t(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  auto& b = buckets_[i];
  b.store(b.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  sum_.store(sum_.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s{bounds_, std::vector<uint64_t>(bounds_.size() + 1), sum_.load(std::memory_order_relaxed)};
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  return s;
}

}  // namespace stratd::supervisor::metrics
