#include "supervisor/runners/lifecycle.hpp"

namespace stratd::supervisor {
namespace {

using L = Lifecycle;
constexpr size_t kStates = size_t(L::kCount);
constexpr size_t kEvents = size_t(LifecycleEvent::kCount);

// How a cell changes what follows a stop.
enum class Then : uint8_t {
  Keep,
  StayStopped,
  Start,
  Delete,
  StartUnlessDelete,  // start again after this stop, unless it is a delete
  CancelStart,        // a start planned after this stop is off; a delete stays
};

// Internal: on leaving Stopping, do what after_stop says (spawn or delete).
constexpr Actions kFollowAfterStop = 1u << 15;
constexpr uint8_t kSame = 0xff;

struct Cell {
  uint8_t next = kSame;
  Then then = Then::Keep;
  Actions actions = kNone;
};

constexpr Cell stay{};
constexpr Cell go(L to, Actions a = kNone, Then t = Then::Keep) { return {uint8_t(to), t, a}; }
constexpr Cell act(Actions a, Then t = Then::Keep) { return {kSame, t, a}; }

// Columns, in LifecycleEvent's order:
//   StartAsked  StopAsked  RestartAsked  DeleteAsked  ShutdownBegan
//   Spawned  SpawnFailed  CannotStart  RestoredFailed
//   Attached  Hung  Exited  ExitedForGood  RetryAllowed  CrashLimitHit  BackoffElapsed
constexpr Actions kCrashed = kEmitCrashed | kCountCrash;
constexpr Actions kGivenUp = kEmitCrashed | kEmitFailed | kRecordFailure;
constexpr Actions kFailed = kEmitFailed | kRecordFailure;
constexpr Actions kStart = kResetCrashes | kSpawn;
constexpr Actions kAckStop = kCancelBackoff | kEmitStopped;

constexpr Cell kTable[kStates][kEvents] = {
    /* Starting */ {stay, go(L::Stopping, kSignalStop, Then::StayStopped),
                    go(L::Stopping, kResetCrashes | kSignalStop, Then::Start), go(L::Stopping, kSignalStop, Then::Delete),
                    go(L::Stopping, kSignalStop, Then::StayStopped),
                    stay, stay, stay, stay,
                    go(L::Running, kEmitStarted), act(kKill), go(L::Crashed, kCrashed), go(L::Failed, kGivenUp),
                    stay, stay, stay},
    /* Running */ {stay, go(L::Stopping, kSignalStop, Then::StayStopped),
                   go(L::Stopping, kResetCrashes | kSignalStop, Then::Start), go(L::Stopping, kSignalStop, Then::Delete),
                   go(L::Stopping, kSignalStop, Then::StayStopped),
                   stay, stay, stay, stay,
                   stay, act(kKill), go(L::Crashed, kCrashed), go(L::Failed, kGivenUp),
                   stay, stay, stay},
    /* Stopping */ {act(kNone, Then::StartUnlessDelete), act(kNone, Then::CancelStart),
                    act(kResetCrashes, Then::StartUnlessDelete), act(kNone, Then::Delete), act(kNone, Then::CancelStart),
                    stay, stay, stay, stay,
                    stay, stay, go(L::Stopped, kEmitStopped | kFollowAfterStop, Then::Keep),
                    go(L::Stopped, kEmitStopped | kFollowAfterStop, Then::Keep),
                    stay, stay, stay},
    /* Stopped */ {act(kStart), stay, act(kStart), act(kDelete), stay,
                   go(L::Starting), go(L::Crashed, kCountCrash), go(L::Failed, kEmitFailed), go(L::Failed),
                   stay, stay, stay, stay, stay, stay, stay},
    /* Crashed */ {act(kStart), go(L::Stopped, kAckStop), act(kStart), act(kDelete), go(L::Stopped),
                   go(L::Starting), act(kCountCrash), stay, stay,
                   stay, stay, stay, stay, go(L::Restarting, kScheduleBackoff), go(L::Failed, kFailed), stay},
    /* Restarting */ {act(kCancelBackoff | kSpawn), go(L::Stopped, kAckStop), act(kStart | kCancelBackoff),
                      act(kCancelBackoff | kDelete), go(L::Stopped, kCancelBackoff),
                      go(L::Starting), go(L::Crashed, kCountCrash), stay, stay,
                      stay, stay, stay, stay, stay, stay, act(kCountRestart | kSpawn | kEmitRestarted)},
    /* Failed */ {act(kStart), go(L::Stopped, kAckStop), act(kStart), act(kDelete), stay,
                  go(L::Starting), go(L::Crashed, kCountCrash), stay, stay,
                  stay, stay, stay, stay, stay, stay, stay},
};

AfterStop apply(Then t, AfterStop current) {
  switch (t) {
    case Then::Keep: return current;
    case Then::StayStopped: return AfterStop::StayStopped;
    case Then::Start: return AfterStop::Start;
    case Then::Delete: return AfterStop::Delete;
    case Then::StartUnlessDelete: return current == AfterStop::Delete ? current : AfterStop::Start;
    case Then::CancelStart: return current == AfterStop::Start ? AfterStop::StayStopped : current;
  }
  return current;
}

}  // namespace

std::string_view to_string(Lifecycle l) {
  switch (l) {
    case L::Starting: return "Starting";
    case L::Running: return "Running";
    case L::Stopping: return "Stopping";
    case L::Stopped: return "Stopped";
    case L::Crashed: return "Crashed";
    case L::Restarting: return "Restarting";
    case L::Failed: return "Failed";
    case L::kCount: break;
  }
  return "Unknown";
}

std::string_view to_string(LifecycleEvent e) {
  static constexpr std::string_view kNames[] = {
      "StartAsked", "StopAsked",   "RestartAsked",   "DeleteAsked",  "ShutdownBegan", "Spawned",
      "SpawnFailed", "CannotStart", "RestoredFailed", "Attached",     "Hung",          "Exited",
      "ExitedForGood", "RetryAllowed", "CrashLimitHit", "BackoffElapsed"};
  static_assert(std::size(kNames) == kEvents);
  return size_t(e) < kEvents ? kNames[size_t(e)] : "Unknown";
}

bool has_worker(Lifecycle l) { return l == L::Starting || l == L::Running || l == L::Stopping; }

Step step(LifecycleState state, LifecycleEvent event) {
  if (size_t(state.lifecycle) >= kStates || size_t(event) >= kEvents) return {state, kNone};
  const Cell& c = kTable[size_t(state.lifecycle)][size_t(event)];
  Step s;
  s.next.lifecycle = c.next == kSame ? state.lifecycle : Lifecycle(c.next);
  s.next.after_stop = apply(c.then, state.after_stop);
  s.actions = c.actions & ~kFollowAfterStop;
  if (c.actions & kFollowAfterStop) {
    if (s.next.after_stop == AfterStop::Start) s.actions |= kSpawn;
    if (s.next.after_stop == AfterStop::Delete) s.actions |= kDelete;
  }
  // after_stop means something only while a stop is under way.
  if (s.next.lifecycle != L::Stopping) s.next.after_stop = AfterStop::StayStopped;
  return s;
}

}  // namespace stratd::supervisor
