#include "supervisor/metrics/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "supervisor/process_stats.hpp"

namespace stratd::supervisor::metrics {
namespace {

// When the machine booted, in seconds since the epoch (/proc/stat's btime).
std::optional<double> boot_time() {
  FILE* f = fopen("/proc/stat", "re");
  if (!f) return std::nullopt;
  char line[256];
  std::optional<double> out;
  unsigned long long btime = 0;
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "btime %llu", &btime) == 1) {
      out = double(btime);
      break;
    }
  }
  fclose(f);
  return out;
}

std::optional<size_t> open_fds() {
  // Linux 6.2 and later give the count as the directory's size, without
  // listing it (a listing costs about a microsecond per descriptor).
  struct stat st{};
  if (stat("/proc/self/fd", &st) == 0 && st.st_size > 0) return size_t(st.st_size);
  DIR* d = opendir("/proc/self/fd");
  if (!d) return std::nullopt;
  size_t n = 0;
  while (const dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n > 0 ? n - 1 : 0;  // the directory being read is one of them
}

}  // namespace

void write_process_metrics(Exposition& out) {
  const auto stat = read_proc_stat(getpid());
  // A process' start and the boot do not move: read once.
  static const std::optional<double> started = [&]() -> std::optional<double> {
    const auto boot = boot_time();
    if (!boot || !stat) return std::nullopt;
    return *boot + stat->start_after_boot;
  }();
  if (stat) {
    out.family("process_cpu_seconds", Type::Counter, "Total user and system CPU time spent in seconds.", "seconds");
    out.sample({}, stat->cpu_seconds);
    out.family("process_resident_memory_bytes", Type::Gauge, "Resident memory size in bytes.", "bytes");
    out.sample({}, stat->rss_bytes);
    out.family("process_virtual_memory_bytes", Type::Gauge, "Virtual memory size in bytes.", "bytes");
    out.sample({}, stat->virtual_bytes);
  }
  if (const auto fds = open_fds()) {
    out.family("process_open_fds", Type::Gauge, "Number of open file descriptors.");
    out.sample({}, *fds);
  }
  if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    out.family("process_max_fds", Type::Gauge, "Maximum number of open file descriptors.");
    out.sample({}, uint64_t(nofile.rlim_cur));
  }
  if (started) {
    out.family("process_start_time_seconds", Type::Gauge, "Start time of the process since unix epoch in seconds.",
               "seconds");
    out.sample({}, *started);
  }
}

}  // namespace stratd::supervisor::metrics
