// The shared-memory segment under concurrency and writer death, with real
// POSIX shared memory and, for death, a real child process.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "ipc/segment.hpp"
#include "ipc/seqlock.hpp"

using namespace stratd;
using namespace stratd::ipc;

namespace {

// Each test gets its own segment, removed afterwards.
class SegmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = "stratd-test." + std::to_string(getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    SegmentMapping::remove(name_);
  }
  void TearDown() override { SegmentMapping::remove(name_); }
  std::string name_;
};

// A payload whose every byte is derived from its generation, so a mix of
// two writes is always detectable.
std::string payload(uint64_t gen) {
  std::string s(64 + gen % 4000, char('a' + gen % 26));
  std::memcpy(s.data(), &gen, sizeof gen);
  return s;
}

bool consistent(const std::string& s, uint64_t* gen_out) {
  if (s.size() < 64) return false;
  uint64_t gen = 0;
  std::memcpy(&gen, s.data(), sizeof gen);
  if (s.size() != 64 + gen % 4000) return false;
  for (size_t i = sizeof gen; i < s.size(); ++i) {
    if (s[i] != char('a' + gen % 26)) return false;
  }
  *gen_out = gen;
  return true;
}

}  // namespace

TEST_F(SegmentTest, FreshSegmentHasNothingToRead) {
  auto m = SegmentMapping::create(name_, 16);
  ASSERT_TRUE(m) << m.error().message;
  SegmentReader r(*m);
  auto s = r.snapshot();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), ReadStatus::Empty);
  EXPECT_TRUE(r.history(10)->empty());
  EXPECT_FALSE(r.heartbeat_age_ms());
}

TEST_F(SegmentTest, OnlyItsOwnerMayReadIt) {
  ASSERT_TRUE(SegmentMapping::create(name_, 16));
  struct stat st {};
  ASSERT_EQ(::stat(("/dev/shm/" + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SegmentTest, ConcurrentWriterNeverYieldsATornRead) {
  auto wm = SegmentMapping::create(name_, 64);
  ASSERT_TRUE(wm);
  auto rm = SegmentMapping::open(name_, false);  // read-only, as stratd maps it
  ASSERT_TRUE(rm);
  SegmentWriter writer(std::move(*wm));
  writer.attach(getpid());
  SegmentReader reader(*rm);

  constexpr uint64_t kWrites = 100'000;
  constexpr uint64_t kBatch = 1000;
  std::atomic<bool> done{false};
  std::atomic<uint64_t> reads_seen{0};
  std::thread w([&] {
    BarRing bars(64);
    for (uint64_t gen = 1; gen <= kWrites; ++gen) {
      bars.push(Bar{int64_t(gen), double(gen), double(gen), double(gen), double(gen), 1, double(gen), double(gen)});
      ASSERT_TRUE(writer.commit(payload(gen), bars));
      // Let the reader in between batches, so the two really interleave
      // however the scheduler runs them (bounded: a stuck reader fails).
      if (gen % kBatch == 0) {
        const uint64_t before = reads_seen.load();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (reads_seen.load() == before && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      }
    }
    done = true;
  });

  uint64_t reads = 0, torn = 0, last_gen = 0, regressions = 0, distinct = 0;
  while (!done) {
    auto s = reader.snapshot();
    if (s) {
      uint64_t gen = 0;
      if (!consistent(*s, &gen)) {
        ++torn;
      } else {
        if (gen < last_gen) ++regressions;
        if (gen != last_gen) ++distinct;
        last_gen = gen;
      }
      ++reads;
      reads_seen.store(reads);
    }
    auto h = reader.history(64);
    if (h && !h->empty()) {
      // Bars of one commit are consecutive, ending at that commit's bar.
      for (size_t i = 1; i < h->size(); ++i) {
        if ((*h)[i].timestamp_ms != (*h)[i - 1].timestamp_ms + 1 || (*h)[i].close != double((*h)[i].timestamp_ms)) {
          ++torn;
          break;
        }
      }
    }
  }
  w.join();
  EXPECT_EQ(torn, 0u);
  EXPECT_EQ(regressions, 0u);
  EXPECT_GT(reads, 100u);
  EXPECT_GT(distinct, 10u);
  uint64_t gen = 0;
  auto final_read = reader.snapshot();
  ASSERT_TRUE(final_read);
  ASSERT_TRUE(consistent(*final_read, &gen));
  EXPECT_EQ(gen, kWrites);
  EXPECT_EQ(reader.history(64)->back().timestamp_ms, int64_t(kWrites));
}

// The writer completes a slot before it counts it in the header: a reader
// between the two must take the counted commit, or its next read (of the
// header's slot) would go backwards. A slot further ahead than the writer
// can ever be is garbage.
TEST_F(SegmentTest, ACommitNotYetCountedIsNotReadAndOneBeyondIsCorrupt) {
  auto wm = SegmentMapping::create(name_, 8);
  ASSERT_TRUE(wm);
  auto rm = SegmentMapping::open(name_, false);
  ASSERT_TRUE(rm);
  SegmentWriter writer(std::move(*wm));
  writer.attach(getpid());
  BarRing bars(8);
  ASSERT_TRUE(writer.commit(payload(1), bars));
  ASSERT_TRUE(writer.commit(payload(2), bars));
  SegmentReader reader(*rm);
  // Commit 3 written whole into the other slot, the header not yet told.
  const SegmentMapping& m = writer.mapping();
  const uint32_t other = 1 - m.header().latest_slot.load();
  SlotHeader& slot = m.slot(other);
  const uint64_t odd = begin_write(slot.seq);
  const std::string third = payload(3);
  std::memcpy(m.snapshot_area(other), third.data(), third.size());
  slot.snapshot_len = uint32_t(third.size());
  slot.generation = 3;
  end_write(slot.seq, odd);
  uint64_t gen = 0;
  for (int i = 0; i < 3; ++i) {
    auto s = reader.snapshot();
    ASSERT_TRUE(s);
    ASSERT_TRUE(consistent(*s, &gen));
    EXPECT_EQ(gen, 2u);
  }
  // Counted: now it is the newest.
  m.header().latest_slot.store(other);
  m.header().commits.store(3);
  ASSERT_TRUE(consistent(*reader.snapshot(), &gen));
  EXPECT_EQ(gen, 3u);
  // A generation no writer could have reached yet.
  slot.generation = 9;
  EXPECT_EQ(reader.snapshot().error(), ReadStatus::Corrupt);
}

TEST_F(SegmentTest, WriterKilledMidWriteIsDetectedAndTheLastCommitSurvives) {
  auto m = SegmentMapping::create(name_, 8);
  ASSERT_TRUE(m);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto cm = SegmentMapping::open(name_, true);
    if (!cm) _exit(2);
    SegmentWriter w(std::move(*cm));
    w.attach(getpid());
    BarRing bars(8);
    bars.push(Bar{1, 1, 1, 1, 1, 1, 1, 1});
    w.commit(payload(7), bars);
    // Begin the next write and die in the middle of it.
    const uint32_t next = 1 - w.mapping().header().latest_slot.load();
    begin_write(w.mapping().slot(next).seq);
    std::memset(w.mapping().snapshot_area(next), 'X', 100);
    raise(SIGKILL);
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  SegmentReader reader(*m);
  EXPECT_TRUE(reader.has_slot_mid_write());
  EXPECT_EQ(reader.worker_pid(), child);
  EXPECT_EQ(kill(child, 0), -1);  // the writer is gone: a dead writer, not a slow one
  auto s = reader.snapshot();
  ASSERT_TRUE(s) << int(s.error());
  uint64_t gen = 0;
  ASSERT_TRUE(consistent(*s, &gen));
  EXPECT_EQ(gen, 7u);

  // A new writer resumes from the surviving commit and repairs the slot.
  auto wm = SegmentMapping::open(name_, true);
  ASSERT_TRUE(wm);
  SegmentWriter w2(std::move(*wm));
  auto restored = w2.restore();
  ASSERT_TRUE(restored);
  ASSERT_TRUE(consistent(restored->snapshot, &gen));
  EXPECT_EQ(gen, 7u);
  ASSERT_EQ(restored->bars.size(), 1u);
  w2.attach(getpid());
  BarRing bars(8);
  bars.restore(restored->bars, restored->bars_total);
  bars.push(Bar{2, 2, 2, 2, 2, 2, 2, 2});
  ASSERT_TRUE(w2.commit(payload(8), bars));
  ASSERT_TRUE(w2.commit(payload(9), bars));
  EXPECT_FALSE(reader.has_slot_mid_write());
  ASSERT_TRUE(consistent(*reader.snapshot(), &gen));
  EXPECT_EQ(gen, 9u);
  auto h = reader.history(8);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].timestamp_ms, 1);
  EXPECT_EQ((*h)[1].timestamp_ms, 2);
}

TEST_F(SegmentTest, ScribbledLengthsAreRefusedNotFollowed) {
  auto m = SegmentMapping::create(name_, 8);
  ASSERT_TRUE(m);
  SegmentWriter w(std::move(*m));
  w.attach(getpid());
  BarRing bars(8);
  w.commit(payload(1), bars);
  w.commit(payload(2), bars);
  auto rm = SegmentMapping::open(name_, false);
  SegmentReader reader(*rm);
  // A hostile worker owns these bytes; the reader must not trust them.
  for (uint32_t i = 0; i < kSlotCount; ++i) w.mapping().slot(i).snapshot_len = 0xFFFFFFF0u;
  auto s = reader.snapshot();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), ReadStatus::Corrupt);
  w.mapping().slot(0).bars_total = ~0ull;
  w.mapping().header().latest_slot.store(12345);
  auto h = reader.history(1000);  // bounded by the reader's own window size
  if (h) {
    EXPECT_LE(h->size(), 8u);
  }
}

TEST_F(SegmentTest, OpenRejectsAForeignLayout) {
  auto m = SegmentMapping::create(name_, 8);
  ASSERT_TRUE(m);
  m->header().magic.store(42);
  auto again = SegmentMapping::open(name_, false);
  EXPECT_FALSE(again);
}

TEST(Seqlock, ReaderGivesUpOnAWriteThatNeverEnds) {
  std::atomic<uint64_t> seq{0};
  begin_write(seq);
  int copies = 0;
  EXPECT_EQ(read_consistent(seq, [&] { ++copies; }, 8), ReadOutcome::WriteInProgress);
  EXPECT_EQ(copies, 0);
  // A later writer picks the odd counter up where the dead one left it.
  const uint64_t odd = begin_write(seq);
  EXPECT_EQ(odd, 1u);
  end_write(seq, odd);
  EXPECT_EQ(read_consistent(seq, [&] { ++copies; }, 8), ReadOutcome::Ok);
}
