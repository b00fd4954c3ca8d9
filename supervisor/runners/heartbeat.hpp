#pragma once
// What a worker's heartbeat says, judged by the watchdog every 100 ms: a
// starting worker that stamps its first heartbeat has attached (Starting
// becomes Running); one silent for the hang timeout, or never attaching
// within it, is hung. Pure, so each case has a unit test.
#include <cstdint>
#include <optional>

#include "supervisor/runners/health.hpp"
#include "supervisor/runners/lifecycle.hpp"

namespace stratd::supervisor {

struct HeartbeatReading {
  Lifecycle lifecycle;
  // The age of the current worker's own heartbeat; nullopt until it has
  // attached (the segment may still show its predecessor's).
  std::optional<int64_t> age_ms;
  int64_t since_spawn_ms;  // how long ago the current worker was started
};

struct HeartbeatVerdict {
  std::optional<LifecycleEvent> event;  // Attached or Hung
  std::optional<Health> health;         // while Running: what it is now
  int64_t silent_for_ms = 0;
};

HeartbeatVerdict judge_heartbeat(const HeartbeatReading& r, int64_t hang_timeout_ms);

}  // namespace stratd::supervisor
