#include "supervisor/process_stats.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace stratd::supervisor {
namespace {

bool read_small_file(const std::string& path, char* buf, size_t cap, size_t& len) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::read(fd, buf, cap - 1);
  ::close(fd);
  if (n <= 0) return false;
  len = size_t(n);
  buf[len] = '\0';
  return true;
}

}  // namespace

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  static const long ticks_per_sec = sysconf(_SC_CLK_TCK);
  static const long page = sysconf(_SC_PAGESIZE);
  char buf[1024];
  size_t len = 0;
  if (!read_small_file("/proc/" + std::to_string(pid) + "/stat", buf, sizeof buf, len)) return std::nullopt;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const char* p = strrchr(buf, ')');
  if (!p) return std::nullopt;
  unsigned long utime = 0, stime = 0, vsize = 0;
  unsigned long long starttime = 0;
  long rss_pages = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize rss
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %llu %lu %ld",
             &utime, &stime, &starttime, &vsize, &rss_pages) != 5)
    return std::nullopt;
  ProcStat s;
  s.cpu_seconds = double(utime + stime) / double(ticks_per_sec);
  s.start_after_boot = double(starttime) / double(ticks_per_sec);
  s.virtual_bytes = vsize;
  s.rss_bytes = uint64_t(rss_pages) * uint64_t(page);
  return s;
}

std::optional<ProcessUsage> ProcessSampler::sample(pid_t pid, int64_t now_ns) {
  const auto stat = read_proc_stat(pid);
  if (!stat) return std::nullopt;
  ProcessUsage u;
  u.rss_bytes = stat->rss_bytes;
  u.cpu_seconds = stat->cpu_seconds;
  if (last_pid_ == pid && now_ns > last_ns_) {
    u.cpu_percent = 100.0 * (stat->cpu_seconds - last_cpu_seconds_) / (double(now_ns - last_ns_) / 1e9);
  }
  last_pid_ = pid;
  last_cpu_seconds_ = stat->cpu_seconds;
  last_ns_ = now_ns;
  return u;
}

}  // namespace stratd::supervisor
