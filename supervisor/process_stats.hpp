#pragma once
// CPU and memory of a live process, read from /proc. CPU is the share of
// one core used between two samples, and the total so far.
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace stratd::supervisor {

// The fields of /proc/<pid>/stat that stratd uses, in their units.
struct ProcStat {
  double cpu_seconds = 0;       // user and system time since the process started
  double start_after_boot = 0;  // seconds after the machine booted that it started
  uint64_t virtual_bytes = 0;
  uint64_t rss_bytes = 0;
};
std::optional<ProcStat> read_proc_stat(pid_t pid);

struct ProcessUsage {
  double cpu_percent = 0;
  double cpu_seconds = 0;  // user and system time since the process started
  uint64_t rss_bytes = 0;
};

class ProcessSampler {
 public:
  // Samples `pid`; the first sample of a pid reports 0% CPU.
  std::optional<ProcessUsage> sample(pid_t pid, int64_t now_mono_ns);
  void reset() { last_pid_ = 0; }

 private:
  pid_t last_pid_ = 0;
  double last_cpu_seconds_ = 0;
  int64_t last_ns_ = 0;
};

}  // namespace stratd::supervisor
