#pragma once
// Counters and histograms cheap enough for the hot path. Each instrument
// has one writing thread (the loop that owns what it counts) and may be
// read from any thread: a write is a plain load and store of a relaxed
// atomic, no lock and no read-modify-write instruction, and a reader on
// another thread (a scrape) sees a value that is at most a moment old.
// Two threads must never write one instrument.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace stratd::supervisor::metrics {

class Counter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Upper bounds for latencies of a server that answers in well under a
// millisecond, up to requests that took seconds: 100 µs to 10 s.
inline constexpr std::array<double, 16> kLatencyBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                        0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,     10};

// What a histogram held at one moment: cumulative counts per bound (the
// last one, for +Inf, is the count), and the sum of what was observed.
struct HistogramSnapshot {
  std::span<const double> bounds;
  std::vector<uint64_t> cumulative;  // bounds.size() + 1 entries
  double sum = 0;
  uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
};

class Histogram {
 public:
  Histogram() : Histogram(kLatencyBuckets) {}
  // `bounds`: increasing, and alive as long as the histogram.
  explicit Histogram(std::span<const double> bounds);
  void observe(double value);
  // Counts are taken bucket by bucket: against a concurrent writer, the
  // count is exactly the buckets' total, the sum may miss the latest value.
  HistogramSnapshot snapshot() const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bound (not cumulative), then +Inf
  std::atomic<double> sum_{0};
};

// Observes the seconds from its construction to its end.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() { h_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()); }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram& h_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace stratd::supervisor::metrics
