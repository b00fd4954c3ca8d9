#pragma once
// A runner's lifecycle as one transition table, as s6-supervise has it
// (actions[state][event]) and as worker/state_machine.cpp has the
// strategy's: step() says, for where a runner stands and what just
// happened, where it goes and what must be done. It is pure; the registry
// does the actions (runner_registry.cpp) and feeds their outcomes back in as
// events, so `lifecycle` is assigned in exactly one place.
//
//   Stopped ──start──▶ (spawn) ──Spawned──▶ Starting ──Attached──▶ Running
//   Starting/Running ──stop──▶ Stopping ──Exited──▶ Stopped (then start or delete)
//   Starting/Running ──Exited──▶ Crashed ──RetryAllowed──▶ Restarting ──backoff──▶ (spawn)
//                                        └─CrashLimitHit──▶ Failed (until started again)
#include <cstdint>
#include <string_view>

namespace stratd::supervisor {

enum class Lifecycle : uint8_t { Starting, Running, Stopping, Stopped, Crashed, Restarting, Failed, kCount };
std::string_view to_string(Lifecycle l);
// Starting, Running and Stopping are the states with a worker process.
bool has_worker(Lifecycle l);

// What a runner does once the worker being stopped has exited.
enum class AfterStop : uint8_t { StayStopped, Start, Delete };

enum class LifecycleEvent : uint8_t {
  StartAsked,     // over the API, or restored as running
  StopAsked,      // over the API
  RestartAsked,   // over the API
  DeleteAsked,    // over the API
  ShutdownBegan,  // stratd is stopping
  Spawned,        // a worker process was started
  SpawnFailed,    // none could be (counts as a crash)
  CannotStart,    // found at restore unable to start: its strategy file is gone, or a
                  // previous worker of its segment will not die (never a second writer)
  RestoredFailed, // Failed when stratd last stopped: it stays so
  Attached,       // the new worker's first heartbeat
  Hung,           // no heartbeat for the hang timeout
  Exited,         // the worker ended (as asked, or by crashing)
  ExitedForGood,  // it ended saying a restart will not help (no valid strategy, error policy)
  RetryAllowed,   // the restart policy allows another try
  CrashLimitHit,  // the restart policy gives up
  BackoffElapsed,
  kCount
};
std::string_view to_string(LifecycleEvent e);

// What the registry does, in this order, after a step.
enum Action : uint16_t {
  kNone = 0,
  kResetCrashes = 1 << 0,     // forget past crashes (asked over the API)
  kCancelBackoff = 1 << 1,
  kSignalStop = 1 << 2,       // SIGTERM now, SIGKILL after the grace period
  kKill = 1 << 3,             // SIGKILL (a hung worker)
  kEmitStarted = 1 << 4,      // RunnerStarted
  kEmitStopped = 1 << 5,      // RunnerStopped
  kEmitCrashed = 1 << 6,      // RunnerCrashed
  kEmitFailed = 1 << 7,       // RunnerFailed
  kRecordFailure = 1 << 8,    // in the store: it stays Failed across restarts of stratd
  kCountCrash = 1 << 9,       // ask the restart policy: RetryAllowed or CrashLimitHit follows
  kScheduleBackoff = 1 << 10, // BackoffElapsed follows after the policy's delay
  kCountRestart = 1 << 11,    // restarts + 1
  kSpawn = 1 << 12,           // Spawned or SpawnFailed follows
  kEmitRestarted = 1 << 13,   // RunnerRestarted, if the spawn before it started a worker
  kDelete = 1 << 14,          // forget the runner, its segment and its records
};
using Actions = uint16_t;

struct LifecycleState {
  Lifecycle lifecycle = Lifecycle::Stopped;
  AfterStop after_stop = AfterStop::StayStopped;  // meaningful while Stopping
  bool operator==(const LifecycleState&) const = default;
};

struct Step {
  LifecycleState next;
  Actions actions = kNone;
};

// Where `state` goes on `event`, and what to do. An event that means
// nothing in a state (a late heartbeat, a second stop) changes nothing.
Step step(LifecycleState state, LifecycleEvent event);

}  // namespace stratd::supervisor
