#include "cli/log_overlap.hpp"

namespace stratd::cli {

bool LogOverlap::repeat(const LogLine& live) {
  if (done_) return false;
  if (!next_) {
    if (live.timestamp_ms) {
      for (size_t i = 0; i < page_.size(); ++i) {
        if (page_[i] == live) {
          next_ = i + 1;
          return true;
        }
      }
    }
    done_ = true;
    return false;
  }
  if (*next_ < page_.size() && page_[*next_] == live) {
    ++*next_;
    return true;
  }
  done_ = true;
  return false;
}

}  // namespace stratd::cli
