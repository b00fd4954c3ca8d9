#pragma once
// A fixed-capacity window of the most recent bars, indexed oldest-first.
// It also counts every bar ever appended, which is how the shared-memory
// segment knows which entries a slot is missing.
#include <cstdint>
#include <vector>

#include "common/market_data.hpp"

namespace stratd {

class BarRing {
 public:
  explicit BarRing(size_t capacity) : buf_(capacity ? capacity : 1) {}

  void push(const Bar& b) {
    buf_[total_ % buf_.size()] = b;
    ++total_;
    if (size_ < buf_.size()) ++size_;
  }
  size_t capacity() const { return buf_.size(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint64_t total() const { return total_; }
  // i = 0 is the oldest bar in the window, size()-1 the newest.
  const Bar& operator[](size_t i) const { return buf_[(total_ - size() + i) % buf_.size()]; }
  const Bar& back() const { return (*this)[size() - 1]; }
  // By absolute index among all bars ever appended (within the window).
  const Bar& at_absolute(uint64_t n) const { return buf_[n % buf_.size()]; }

  // Rebuilds the window from bars (oldest first) and the total count.
  void restore(const std::vector<Bar>& bars, uint64_t total) {
    size_ = 0;
    total_ = total >= bars.size() ? total - bars.size() : 0;
    for (const auto& b : bars) push(b);
  }

 private:
  std::vector<Bar> buf_;
  uint64_t total_ = 0;
  size_t size_ = 0;  // valid bars in the window; after a restore it may trail total_
};

}  // namespace stratd
