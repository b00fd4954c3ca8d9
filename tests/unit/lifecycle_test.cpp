// The runner lifecycle table, every (state, event) pair: the transitions
// that do something, listed here a second time in another shape, and
// everything else a no-op; plus the rules no cell may break.
#include <map>
#include <tuple>

#include <gtest/gtest.h>

#include "supervisor/runners/lifecycle.hpp"

using namespace stratd::supervisor;
using L = Lifecycle;
using E = LifecycleEvent;
using A = AfterStop;

namespace {

struct Expect {
  LifecycleState next;
  Actions actions;
};
using Key = std::tuple<L, A, E>;

constexpr Actions kAckStop = kCancelBackoff | kEmitStopped;
constexpr Actions kStart = kResetCrashes | kSpawn;

// Every transition that is not a no-op. After-stop plans only exist while
// Stopping, so other states are listed with StayStopped.
std::map<Key, Expect> expected() {
  std::map<Key, Expect> m;
  auto add = [&](L from, A then, E e, L to, A to_then, Actions a) { m[{from, then, e}] = {{to, to_then}, a}; };
  const A S = A::StayStopped;
  for (L worker : {L::Starting, L::Running}) {
    add(worker, S, E::StopAsked, L::Stopping, A::StayStopped, kSignalStop);
    add(worker, S, E::RestartAsked, L::Stopping, A::Start, kResetCrashes | kSignalStop);
    add(worker, S, E::DeleteAsked, L::Stopping, A::Delete, kSignalStop);
    add(worker, S, E::ShutdownBegan, L::Stopping, A::StayStopped, kSignalStop);
    add(worker, S, E::Hung, worker, S, kKill);
    add(worker, S, E::Exited, L::Crashed, S, kEmitCrashed | kCountCrash);
    add(worker, S, E::ExitedForGood, L::Failed, S, kEmitCrashed | kEmitFailed | kRecordFailure);
  }
  add(L::Starting, S, E::Attached, L::Running, S, kEmitStarted);
  for (A then : {A::StayStopped, A::Start, A::Delete}) {
    const A unless_delete = then == A::Delete ? A::Delete : A::Start;
    const A cancel_start = then == A::Start ? A::StayStopped : then;
    if (unless_delete != then) add(L::Stopping, then, E::StartAsked, L::Stopping, unless_delete, kNone);
    if (cancel_start != then) add(L::Stopping, then, E::StopAsked, L::Stopping, cancel_start, kNone);
    add(L::Stopping, then, E::RestartAsked, L::Stopping, unless_delete, kResetCrashes);
    if (then != A::Delete) add(L::Stopping, then, E::DeleteAsked, L::Stopping, A::Delete, kNone);
    if (cancel_start != then) add(L::Stopping, then, E::ShutdownBegan, L::Stopping, cancel_start, kNone);
    const Actions follow = then == A::Start ? kSpawn : then == A::Delete ? kDelete : kNone;
    add(L::Stopping, then, E::Exited, L::Stopped, S, kEmitStopped | follow);
    add(L::Stopping, then, E::ExitedForGood, L::Stopped, S, kEmitStopped | follow);
  }
  for (L idle : {L::Stopped, L::Crashed, L::Restarting, L::Failed}) {
    add(idle, S, E::Spawned, L::Starting, S, kNone);
    add(idle, S, E::SpawnFailed, L::Crashed, S, kCountCrash);
    add(idle, S, E::StartAsked, idle, S, kStart);
    add(idle, S, E::RestartAsked, idle, S, kStart);
    add(idle, S, E::DeleteAsked, idle, S, kDelete);
    if (idle != L::Stopped) add(idle, S, E::StopAsked, L::Stopped, S, kAckStop);
  }
  add(L::Stopped, S, E::CannotStart, L::Failed, S, kEmitFailed);
  add(L::Stopped, S, E::RestoredFailed, L::Failed, S, kNone);
  add(L::Crashed, S, E::ShutdownBegan, L::Stopped, S, kNone);
  add(L::Crashed, S, E::RetryAllowed, L::Restarting, S, kScheduleBackoff);
  add(L::Crashed, S, E::CrashLimitHit, L::Failed, S, kEmitFailed | kRecordFailure);
  add(L::Restarting, S, E::StartAsked, L::Restarting, S, kCancelBackoff | kSpawn);
  add(L::Restarting, S, E::RestartAsked, L::Restarting, S, kStart | kCancelBackoff);
  add(L::Restarting, S, E::DeleteAsked, L::Restarting, S, kCancelBackoff | kDelete);
  add(L::Restarting, S, E::ShutdownBegan, L::Stopped, S, kCancelBackoff);
  add(L::Restarting, S, E::BackoffElapsed, L::Restarting, S, kCountRestart | kSpawn | kEmitRestarted);
  return m;
}

std::vector<Key> every_pair() {
  std::vector<Key> out;
  for (size_t l = 0; l < size_t(L::kCount); ++l) {
    for (A then : {A::StayStopped, A::Start, A::Delete}) {
      if (L(l) != L::Stopping && then != A::StayStopped) continue;  // a plan exists only while stopping
      for (size_t e = 0; e < size_t(E::kCount); ++e) out.emplace_back(L(l), then, E(e));
    }
  }
  return out;
}

std::string name(const Key& k) {
  return std::string(to_string(std::get<0>(k))) + "/" + std::to_string(int(std::get<1>(k))) + " + " +
         std::string(to_string(std::get<2>(k)));
}

}  // namespace

TEST(LifecycleTable, EveryPairDoesWhatTheListSaysAndNothingElse) {
  const auto list = expected();
  size_t checked = 0;
  for (const Key& k : every_pair()) {
    SCOPED_TRACE(name(k));
    const auto [from, then, event] = k;
    const Step s = step({from, then}, event);
    auto it = list.find(k);
    const Expect want = it != list.end() ? it->second : Expect{{from, then}, kNone};
    EXPECT_EQ(int(s.next.lifecycle), int(want.next.lifecycle)) << to_string(s.next.lifecycle);
    EXPECT_EQ(int(s.next.after_stop), int(want.next.after_stop));
    EXPECT_EQ(s.actions, want.actions);
    ++checked;
  }
  EXPECT_EQ(checked, (size_t(L::kCount) + 2) * size_t(E::kCount));
}

// Whatever the table says, these hold: they are what keeps one writer per
// segment and every worker accounted for.
TEST(LifecycleTable, NoCellBreaksTheRules) {
  for (const Key& k : every_pair()) {
    SCOPED_TRACE(name(k));
    const auto [from, then, event] = k;
    const Step s = step({from, then}, event);
    const bool had = has_worker(from), has = has_worker(s.next.lifecycle);
    // Only a spawn brings a worker, only an exit takes it away.
    if (event == E::Spawned && !had) {
      EXPECT_TRUE(has);
    } else if ((event == E::Exited || event == E::ExitedForGood) && had) {
      EXPECT_FALSE(has);
    } else {
      EXPECT_EQ(had, has);
    }
    // Never a second worker; signals only to one that exists.
    if (s.actions & kSpawn) {
      EXPECT_FALSE(has);
    }
    if (s.actions & (kSignalStop | kKill)) {
      EXPECT_TRUE(had && has);
    }
    // A runner is forgotten only once its worker is gone.
    if (s.actions & kDelete) {
      EXPECT_FALSE(has);
    }
    if (s.actions & kEmitStopped) {
      EXPECT_EQ(s.next.lifecycle, L::Stopped);
    }
    if (s.actions & kEmitStarted) {
      EXPECT_EQ(s.next.lifecycle, L::Running);
    }
    if (s.actions & (kEmitFailed | kRecordFailure)) {
      EXPECT_EQ(s.next.lifecycle, L::Failed);
    }
    if (s.actions & kScheduleBackoff) {
      EXPECT_EQ(s.next.lifecycle, L::Restarting);
    }
    if (s.next.lifecycle != L::Stopping) {
      EXPECT_EQ(s.next.after_stop, A::StayStopped);
    }
    // Events about a worker mean nothing without one.
    if (!had && (event == E::Exited || event == E::ExitedForGood || event == E::Hung || event == E::Attached)) {
      EXPECT_EQ(s.next, (LifecycleState{from, then}));
      EXPECT_EQ(s.actions, kNone);
    }
  }
}

TEST(LifecycleTable, NamesEveryStateAndEvent) {
  for (size_t l = 0; l < size_t(L::kCount); ++l) EXPECT_NE(to_string(L(l)), "Unknown");
  for (size_t e = 0; e < size_t(E::kCount); ++e) EXPECT_NE(to_string(E(e)), "Unknown");
}
