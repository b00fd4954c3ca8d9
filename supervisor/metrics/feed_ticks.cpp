#include "supervisor/metrics/feed_ticks.hpp"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/validation.hpp"

namespace stratd::supervisor::metrics {

const FeedTicks::Counts& FeedTicks::read() {
  struct stat st{};
  if (::stat(path_.c_str(), &st) != 0) return counts_;
  const int64_t mtime_ns = int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (mtime_ns == seen_mtime_ns_ && int64_t(st.st_size) == seen_size_) return counts_;
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  const auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (!j.is_object()) return counts_;
  Counts fresh;
  for (const auto& [symbol, v] : j.items()) {
    // Symbols become label values: only valid ones.
    if (!is_valid_symbol(symbol) || !v.is_object()) continue;
    const auto t = v.find("ticks");
    if (t != v.end() && t->is_number_unsigned()) fresh.emplace_back(symbol, t->get<uint64_t>());
  }
  counts_ = std::move(fresh);
  seen_mtime_ns_ = mtime_ns;
  seen_size_ = int64_t(st.st_size);
  return counts_;
}

}  // namespace stratd::supervisor::metrics
