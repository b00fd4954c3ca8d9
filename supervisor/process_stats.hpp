#pragma once
// CPU and memory of a live process, read from /proc. CPU is the share of
// one core used between two samples.
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace stratd::supervisor {

struct ProcessUsage {
  double cpu_percent = 0;
  uint64_t rss_bytes = 0;
};

class ProcessSampler {
 public:
  // Samples `pid`; the first sample of a pid reports 0% CPU.
  std::optional<ProcessUsage> sample(pid_t pid, int64_t now_mono_ns);
  void reset() { last_pid_ = 0; }

 private:
  pid_t last_pid_ = 0;
  uint64_t last_ticks_ = 0;
  int64_t last_ns_ = 0;
};

}  // namespace stratd::supervisor
