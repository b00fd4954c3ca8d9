#include "supervisor/runners/heartbeat.hpp"

namespace stratd::supervisor {

HeartbeatVerdict judge_heartbeat(const HeartbeatReading& r, int64_t hang_ms) {
  HeartbeatVerdict v;
  if (r.lifecycle != Lifecycle::Starting && r.lifecycle != Lifecycle::Running) return v;
  const bool attached = r.age_ms.has_value();
  Lifecycle now = r.lifecycle;
  if (now == Lifecycle::Starting && attached && *r.age_ms < hang_ms) {
    v.event = LifecycleEvent::Attached;
    now = Lifecycle::Running;
  }
  // Without a heartbeat for the hang timeout (or never attaching within
  // it), the worker is hung: kill it and let the exit path restart it.
  v.silent_for_ms = attached ? *r.age_ms : r.since_spawn_ms;
  if (v.silent_for_ms > hang_ms) {
    v.event = LifecycleEvent::Hung;
    return v;
  }
  if (now == Lifecycle::Running) {
    v.health = attached && *r.age_ms <= hang_ms / 2 ? Health::Healthy : Health::Unresponsive;
  }
  return v;
}

}  // namespace stratd::supervisor
