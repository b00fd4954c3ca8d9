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

std::optional<ProcessUsage> ProcessSampler::sample(pid_t pid, int64_t now_ns) {
  static const long ticks_per_sec = sysconf(_SC_CLK_TCK);
  static const long page = sysconf(_SC_PAGESIZE);
  char buf[1024];
  size_t len = 0;
  const std::string base = "/proc/" + std::to_string(pid);
  if (!read_small_file(base + "/stat", buf, sizeof buf, len)) return std::nullopt;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const char* p = strrchr(buf, ')');
  if (!p) return std::nullopt;
  unsigned long utime = 0, stime = 0;
  long rss_pages = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize rss
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d %*d %*u %*u %ld",
             &utime, &stime, &rss_pages) != 3)
    return std::nullopt;
  ProcessUsage u;
  u.rss_bytes = uint64_t(rss_pages) * uint64_t(page);
  const uint64_t ticks = utime + stime;
  if (last_pid_ == pid && now_ns > last_ns_) {
    const double cpu_secs = double(ticks - last_ticks_) / double(ticks_per_sec);
    u.cpu_percent = 100.0 * cpu_secs / (double(now_ns - last_ns_) / 1e9);
  }
  last_pid_ = pid;
  last_ticks_ = ticks;
  last_ns_ = now_ns;
  return u;
}

}  // namespace stratd::supervisor
