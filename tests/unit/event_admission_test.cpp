// What a worker's message must be to become an event.
#include <gtest/gtest.h>

#include "common/msgpack_codec.hpp"
#include "supervisor/events/event_admission.hpp"

using namespace stratd;
using namespace stratd::supervisor;

namespace {
std::string body(const std::string& runner, const std::string& symbol, uint64_t seq,
                 EventType type = EventType::TickReceived, size_t fields = 1) {
  Event e;
  e.type = type;
  e.runner_id = runner;
  e.symbol = symbol;
  e.runner_seq = seq;
  for (size_t i = 0; i < fields; ++i) e.data.push_back({"f" + std::to_string(i), int64_t(i)});
  return msgpack_encode(e);
}

struct Admission : ::testing::Test {
  EventAdmission a;
  std::string key = *new_credential();
  void SetUp() override {
    a.register_runner("r1", "BTCUSDT", 10);
    a.set_credential("r1", key);
  }
  bool admitted(std::string_view topic, std::string_view cred, const std::string& b) {
    return a.admit(topic, cred, b).has_value();
  }
};
}  // namespace

TEST(Credential, IsFreshEachTime) {
  const std::string c1 = *new_credential(), c2 = *new_credential();
  EXPECT_EQ(c1.size(), 32u);
  EXPECT_NE(c1, c2);
}

TEST_F(Admission, TheRightCredentialAndNextNumberPass) {
  auto e = a.admit("ev.r1", key, body("r1", "BTCUSDT", 11));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->runner_seq, 11u);
  EXPECT_EQ(a.stats().received, 1u);
  EXPECT_EQ(a.stats().rejected, 0u);
}

TEST_F(Admission, AnythingElseIsCountedAndDropped) {
  const std::string other_key = *new_credential();
  EXPECT_FALSE(admitted("ev.r1", other_key, body("r1", "BTCUSDT", 11)));           // a guessed credential
  EXPECT_FALSE(admitted("ev.r1", "", body("r1", "BTCUSDT", 11)));                  // none
  EXPECT_FALSE(admitted("ev.ghost", key, body("ghost", "BTCUSDT", 1)));            // unknown runner
  EXPECT_FALSE(admitted("md.r1", key, body("r1", "BTCUSDT", 11)));                 // not an event topic
  EXPECT_FALSE(admitted("ev.r1", key, body("r2", "BTCUSDT", 11)));                 // claims another runner
  EXPECT_FALSE(admitted("ev.r1", key, body("r1", "ETHUSDT", 11)));                 // another symbol
  EXPECT_FALSE(admitted("ev.r1", key, body("r1", "BTCUSDT", 11, EventType::RunnerCrashed)));  // stratd's own kind
  EXPECT_FALSE(admitted("ev.r1", key, body("r1", "BTCUSDT", 10)));                 // a number already used
  EXPECT_FALSE(admitted("ev.r1", key, body("r1", "BTCUSDT", 11, EventType::TickReceived, 65)));  // too many fields
  EXPECT_FALSE(admitted("ev.r1", key, "\xc1 not msgpack"));
  EXPECT_FALSE(admitted("ev.r1", key, std::string(EventAdmission::kMaxEventBytes + 1, 'x')));
  a.count_malformed();
  EXPECT_EQ(a.stats().received, 12u);
  EXPECT_EQ(a.stats().rejected, 12u);
  EXPECT_EQ(a.runner_stats("r1")->rejected, 9u);  // those that named r1 in their topic
  // None of it moved the runner's numbering: its real next event passes.
  EXPECT_TRUE(admitted("ev.r1", key, body("r1", "BTCUSDT", 11)));
}

TEST_F(Admission, GapsAreCounted) {
  ASSERT_TRUE(admitted("ev.r1", key, body("r1", "BTCUSDT", 11)));
  ASSERT_TRUE(admitted("ev.r1", key, body("r1", "BTCUSDT", 15)));  // 12..14 never came
  EXPECT_EQ(a.runner_stats("r1")->gaps, 3u);
  EXPECT_EQ(a.stats().gaps, 3u);
  EXPECT_EQ(a.runner_stats("r1")->last_runner_seq, 15u);
}

TEST_F(Admission, ThePreviousWorkersCredentialLastsUntilTheNewOneSpeaks) {
  const std::string next = *new_credential();
  a.set_credential("r1", next);
  // What the last worker sent before it died may still be on its way.
  EXPECT_TRUE(admitted("ev.r1", key, body("r1", "BTCUSDT", 11)));
  EXPECT_TRUE(admitted("ev.r1", next, body("r1", "BTCUSDT", 12)));
  // Once the new worker has spoken, the old credential is spent.
  EXPECT_FALSE(admitted("ev.r1", key, body("r1", "BTCUSDT", 13)));
  EXPECT_TRUE(admitted("ev.r1", next, body("r1", "BTCUSDT", 13)));
}

TEST_F(Admission, AnUnregisteredRunnerIsForgotten) {
  a.unregister_runner("r1");
  EXPECT_FALSE(admitted("ev.r1", key, body("r1", "BTCUSDT", 11)));
  EXPECT_FALSE(a.runner_stats("r1"));
}
