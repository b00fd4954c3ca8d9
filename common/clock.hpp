#pragma once
// Time helpers. Wall-clock for timestamps shown to users; monotonic for ages
// and durations (shared by all processes on a host, so a heartbeat stamped by
// a worker can be aged by the supervisor).
#include <chrono>
#include <cstdint>
#include <ctime>

namespace stratd {

inline int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline int64_t wall_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

inline int64_t wall_secs() { return wall_ms() / 1000; }

inline int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t mono_ms() { return mono_ns() / 1'000'000; }

}  // namespace stratd
