// What a /ws client is sent, and when: order, the initial hold, shedding
// under pressure, `since` replays and their refusals, tick coalescing.
// The queue is pure, so time is passed in and no socket is involved.
#include <gtest/gtest.h>

#include "supervisor/ws/client_queue.hpp"

using namespace stratd;
using namespace stratd::supervisor;
using namespace stratd::supervisor::ws;
using namespace std::chrono_literals;
using Clock = ClientQueue::Clock;

namespace {

struct Fixture {
  EventJournal journal{1000, 64 << 20};
  uint64_t seq = 0;
  const Clock::time_point t0 = Clock::now();

  void add(EventType type, const std::string& runner = "r1", const std::string& symbol = "BTCUSDT") {
    auto e = std::make_shared<JournalEvent>();
    e->seq = ++seq;
    e->type = type;
    e->runner_id = runner;
    e->symbol = symbol;
    e->json = "{}";
    journal.append(e);
  }
  void ticks(int n, const std::string& runner = "r1") {
    for (int i = 0; i < n; ++i) add(EventType::TickReceived, runner);
  }
  // Everything the queue hands out now, by seq.
  std::vector<uint64_t> drain(ClientQueue& q, Clock::time_point at) {
    std::vector<uint64_t> out;
    std::vector<JournalEventPtr> batch;
    for (;;) {
      std::optional<Clock::time_point> wake;
      q.collect(64, at, batch, wake);
      if (batch.empty()) return out;
      for (const auto& e : batch) out.push_back(e->seq);
    }
  }
};

std::vector<uint64_t> range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t s = from; s <= to; ++s) v.push_back(s);
  return v;
}

}  // namespace

TEST(ClientQueue, StreamsWhatComesAfterItStartedInOrderOnceTheHoldEnds) {
  Fixture f;
  f.ticks(3);
  ClientQueue q(f.journal, 100);
  q.start(f.t0 + 250ms);
  f.ticks(5);
  EXPECT_TRUE(q.held_until(f.t0 + 100ms).has_value());
  EXPECT_FALSE(q.relieve_pressure());
  EXPECT_FALSE(q.held_until(f.t0 + 300ms).has_value());
  EXPECT_EQ(f.drain(q, f.t0 + 300ms), range(4, 8));
  EXPECT_FALSE(q.has_waiting());
}

TEST(ClientQueue, TheFirstMessageEndsTheHold) {
  Fixture f;
  ClientQueue q(f.journal, 100);
  q.start(f.t0 + 10s);
  q.end_hold();
  EXPECT_FALSE(q.held_until(f.t0).has_value());
}

TEST(ClientQueue, PastTheLimitTicksAreShedTheNewestPerRunnerKeptAndTheRestNever) {
  Fixture f;
  ClientQueue q(f.journal, 16);
  q.start(f.t0);
  q.end_hold();
  f.ticks(20, "r1");                     // 1..20
  f.add(EventType::PositionOpened, "r1");  // 21
  f.ticks(20, "r2");                     // 22..41
  f.add(EventType::StateTransition, "r2"); // 42
  EXPECT_FALSE(q.relieve_pressure());
  EXPECT_EQ(q.take_dropped(), 38u);  // 40 ticks, 2 kept
  EXPECT_EQ(q.take_dropped(), 0u);
  EXPECT_EQ(f.drain(q, f.t0), (std::vector<uint64_t>{20, 21, 41, 42}));
}

TEST(ClientQueue, WhatMayNotBeDroppedClosesTheClientOnceOverTheLimit) {
  Fixture f;
  ClientQueue q(f.journal, 16);
  q.start(f.t0);
  q.end_hold();
  for (int i = 0; i < 17; ++i) f.add(EventType::PositionOpened);
  const auto reason = q.relieve_pressure();
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("since"), std::string::npos);
}

TEST(ClientQueue, OnlyWhatTheClientSelectedCounts) {
  Fixture f;
  ClientQueue q(f.journal, 16);
  q.start(f.t0);
  q.end_hold();
  q.subscribe(Selection{std::vector<std::string>{"r2"}, std::nullopt, std::nullopt}, std::nullopt, 0ms);
  for (int i = 0; i < 100; ++i) f.add(EventType::PositionOpened, "r1");
  f.add(EventType::PositionOpened, "r2");
  EXPECT_FALSE(q.relieve_pressure());
  EXPECT_EQ(q.take_dropped(), 0u);
  EXPECT_EQ(f.drain(q, f.t0), (std::vector<uint64_t>{101}));
}

TEST(ClientQueue, HeldNothingIsShedUnlessTheJournalWouldLoseIt) {
  Fixture f;
  ClientQueue q(f.journal, 16);
  q.start(f.t0 + 10s);
  f.ticks(100);
  EXPECT_FALSE(q.relieve_pressure());
  EXPECT_EQ(q.take_dropped(), 0u);
  EXPECT_TRUE(q.held_until(f.t0).has_value());
  // The journal (1000) nearly full with what it has not read: the hold ends
  // and its ticks are shed.
  f.ticks(850);
  EXPECT_FALSE(q.relieve_pressure());
  EXPECT_FALSE(q.held_until(f.t0).has_value());
  EXPECT_GT(q.take_dropped(), 0u);
}

TEST(ClientQueue, FallingOutOfTheJournalCloses) {
  Fixture f;
  ClientQueue q(f.journal, 2000);
  q.start(f.t0);
  q.end_hold();
  f.ticks(1500);  // the journal keeps 1000: the first 500 unread are gone
  EXPECT_TRUE(q.relieve_pressure().has_value());
}

TEST(ClientQueue, SinceReplaysAtTheClientsPaceWithoutCountingAgainstTheLimit) {
  Fixture f;
  for (int i = 0; i < 50; ++i) f.add(EventType::PositionOpened);
  ClientQueue q(f.journal, 16);
  q.start(f.t0);
  q.end_hold();
  EXPECT_FALSE(q.check_since(uint64_t(10)));
  q.subscribe({}, uint64_t(10), 0ms);
  EXPECT_FALSE(q.relieve_pressure());  // 40 to replay, limit 16: not counted
  EXPECT_EQ(f.drain(q, f.t0), range(11, 50));
}

TEST(ClientQueue, ALaterSinceSkipsWhatWasDelivered) {
  Fixture f;
  ClientQueue q(f.journal, 100);
  q.start(f.t0);
  q.end_hold();
  f.ticks(10);
  EXPECT_EQ(f.drain(q, f.t0), range(1, 10));
  f.ticks(5);
  // Resuming from 5 sends what it has not had (11..15), none of 6..10 again.
  ASSERT_FALSE(q.check_since(uint64_t(5)));
  q.subscribe({}, uint64_t(5), 0ms);
  EXPECT_EQ(f.drain(q, f.t0), range(11, 15));
}

TEST(ClientQueue, ASinceAfterASubscriptionChangeIsRefused) {
  Fixture f;
  ClientQueue q(f.journal, 100);
  q.start(f.t0);
  q.end_hold();
  f.ticks(3);
  EXPECT_EQ(f.drain(q, f.t0), range(1, 3));
  q.subscribe(Selection{std::vector<std::string>{"r1"}, std::nullopt, std::nullopt}, std::nullopt, 0ms);
  const auto refused = q.check_since(uint64_t(1));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::SinceAfterChange);
}

TEST(ClientQueue, SinceAheadOrTooOldIsRefused) {
  Fixture f;
  f.ticks(1200);  // the journal keeps 201..1200
  ClientQueue q(f.journal, 100);
  q.start(f.t0);
  EXPECT_EQ(q.check_since(uint64_t(1201))->code, ErrorCode::SinceAhead);
  EXPECT_EQ(q.check_since(uint64_t(100))->code, ErrorCode::SinceTooOld);
  EXPECT_FALSE(q.check_since(uint64_t(200)));
  EXPECT_FALSE(q.check_since(std::nullopt));
}

TEST(ClientQueue, ATickIntervalSendsTheNewestTickPerRunnerAtMostThatOften) {
  Fixture f;
  ClientQueue q(f.journal, 100);
  q.start(f.t0);
  q.end_hold();
  q.subscribe({}, std::nullopt, 100ms);
  f.ticks(1, "r1");
  f.ticks(1, "r2");
  f.add(EventType::PositionOpened, "r1");
  f.ticks(3, "r1");  // 4, 5, 6: held, the newest wins
  std::vector<JournalEventPtr> out;
  std::optional<Clock::time_point> wake;
  q.collect(64, f.t0, out, wake);
  std::vector<uint64_t> sent;
  for (const auto& e : out) sent.push_back(e->seq);
  EXPECT_EQ(sent, (std::vector<uint64_t>{1, 2, 3}));
  ASSERT_TRUE(wake);
  EXPECT_EQ(*wake, f.t0 + 100ms);
  EXPECT_TRUE(f.drain(q, f.t0 + 50ms).empty());
  EXPECT_EQ(f.drain(q, f.t0 + 100ms), (std::vector<uint64_t>{6}));
}

TEST(ClientQueue, ChangingTheSubscriptionDropsWhatIsNoLongerSelected) {
  Fixture f;
  ClientQueue q(f.journal, 16);
  q.start(f.t0);
  q.end_hold();
  f.ticks(30, "r1");
  f.add(EventType::PositionOpened, "r1");
  f.add(EventType::PositionOpened, "r2");
  EXPECT_FALSE(q.relieve_pressure());  // sheds: backlog r1's newest tick and the two positions
  EXPECT_EQ(q.backlog_size(), 3u);
  ASSERT_TRUE(q.unsubscribe(Selection{std::vector<std::string>{"r1"}, std::nullopt, std::nullopt}));
  EXPECT_EQ(f.drain(q, f.t0), (std::vector<uint64_t>{32}));
}
