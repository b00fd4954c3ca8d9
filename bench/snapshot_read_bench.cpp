// How long stratd takes to get a runner's snapshot, and what the seed plan's
// design would take instead. One binary, so every comparison is measured in
// the same run on the same machine.
//
//   Seqlock_RawCopy               the seqlock-protected memcpy alone, into a
//                                 reused buffer (no allocation, no decode).
//   SharedMemory_Copy             SegmentReader::snapshot(): slot selection,
//                                 seqlock, copy into a fresh std::string.
//   SharedMemory_CopyAndDecode    what RunnerRegistry::snapshot() does per
//                                 call: the copy, msgpack_decode<Snapshot>,
//                                 and the runner_id/symbol check.
//   SharedMemory_CopyDecodeRenderJson
//                                 what a snapshot request costs stratd when
//                                 its per-runner JSON cache misses (a new
//                                 commit): the above plus to_json().dump().
//   SharedMemory_CopyAndDecodeUnderWrites
//                                 the same read while a forked writer
//                                 process commits to the segment: at a
//                                 worker's fastest pace (writer:1, 1 kHz),
//                                 continuously, encoding each snapshot
//                                 (writer:2), or non-stop with snapshots
//                                 encoded up front (writer:3, a stress
//                                 test): readers never wait for the writer.
//   SharedMemory_ReadLatency      every single read timed, with no writer
//                                 (0) or writer 1, 2, 3 as above: p50/p99/
//                                 p99.9/max in ns, as counters.
//   SharedMemory_History200       the 200-bar window (GET .../history).
//   AskWorker_ZmqRoundTripAndDecode
//                                 the seed plan's "send command to runner →
//                                 receive snapshot": a ZeroMQ REQ/REP round
//                                 trip over ipc:// to a forked process that
//                                 answers with the same msgpack bytes, then
//                                 the same decode.
//
// The argument of the snapshot benchmarks picks the snapshot: 0 = a typical
// runner in a position (11 context values, no closed trades yet), 1 = a
// runner that has traded long enough to carry Snapshot::kRecentTrades (32)
// closed trades, the largest a snapshot normally gets.
//
// Run: build/bin/bench_snapshot_read --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <zmq.hpp>

#include "common/json_codec.hpp"
#include "common/msgpack_codec.hpp"
#include "common/snapshot.hpp"
#include "ipc/segment.hpp"
#include "ipc/seqlock.hpp"

using namespace stratd;

namespace {

constexpr uint32_t kWindow = 200;

// A snapshot like a busy runner's: an open position, 11 context values and,
// for kind 1, the Snapshot::kRecentTrades closed trades a long-running runner carries.
Snapshot realistic_snapshot(uint64_t n, int kind) {
  Snapshot s;
  s.runner_id = "btc_ema";
  s.symbol = "BTCUSDT";
  s.state = StrategyState::InPosition;
  s.position = Position{n + 1, Side::Long, 50000.0 + double(n % 7), 0.1, 1766280000000, 49000.0, 52000.0, 5.0};
  for (int i = 0; i < 4; ++i) s.context.numbers["ema_" + std::to_string(10 * (i + 1))] = 50000.0 + i;
  for (int i = 0; i < 3; ++i) s.context.integers["count_" + std::to_string(i)] = int64_t(n) + i;
  s.context.strings["signal"] = "bullish";
  s.context.strings["regime"] = "trend";
  s.context.booleans["strong_trend"] = true;
  s.context.booleans["breakeven"] = false;
  s.stats.record_tick(850'000);
  s.stats.ticks_processed = n;
  s.stats.actions_executed = n / 10;
  s.event_seq = n * 2;
  s.updated_ms = 1766280000000 + int64_t(n) * 250;
  s.last_tick_ms = s.updated_ms;
  s.last_price = 50100.0;
  s.worker_starts = 1;
  if (kind == 1) {
    for (uint64_t t = 0; t < Snapshot::kRecentTrades; ++t) {
      s.recent_trades.push(Trade{t + 1, t % 2 ? Side::Short : Side::Long, 50000.0 + double(t), 50050.0 + double(t),
                                 0.1, 1766280000000 + int64_t(t) * 60000, 1766280030000 + int64_t(t) * 60000,
                                 "exit: ema cross down", 5.0, 10.0, -5.0},
                           Snapshot::kRecentTrades);
    }
  }
  return s;
}

// Snapshot n is internally consistent: a torn read that slipped through the
// seqlock would break one of these relations.
bool consistent(const Snapshot& s) {
  const uint64_t n = s.stats.ticks_processed;
  return s.runner_id == "btc_ema" && s.symbol == "BTCUSDT" && s.event_seq == 2 * n && s.position &&
         s.position->id == n + 1 && s.context.integers.size() == 3 && s.context.integers.at("count_2") == int64_t(n) + 2;
}

Bar bar_for(uint64_t n) { return Bar{int64_t(n), 1, 2, 0.5, 1.5, 10, 1.4, 1.6}; }

// A runner's segment as stratd sees it: created, committed to by a writer
// (a full window and a snapshot), mapped read-only by the reader.
struct Fixture {
  std::string name = "stratd-bench." + std::to_string(getpid());
  int kind;
  std::optional<ipc::SegmentWriter> writer;
  std::optional<ipc::SegmentMapping> read_map;
  BarRing bars{kWindow};
  uint64_t next = 0;

  explicit Fixture(int kind_) : kind(kind_) {
    ipc::SegmentMapping::remove(name);
    auto m = ipc::SegmentMapping::create(name, kWindow);
    if (!m) throw std::runtime_error(m.error().message);
    writer.emplace(std::move(*m));
    writer->attach(getpid());
    for (uint32_t i = 0; i < kWindow; ++i) commit();
    auto r = ipc::SegmentMapping::open(name, false);  // stratd maps read-only
    if (!r) throw std::runtime_error(r.error().message);
    read_map.emplace(std::move(*r));
  }
  ~Fixture() { ipc::SegmentMapping::remove(name); }
  void commit() {
    bars.push(bar_for(next));
    writer->commit(msgpack_encode(realistic_snapshot(next, kind)), bars);
    ++next;
  }
};

// A forked process that attaches to the segment as a worker would and
// commits to it until killed.
//   Paced (1):      like a worker on the fastest sim feed (a tick every
//                   1 ms): encodes a fresh snapshot, commits, sleeps until
//                   the next millisecond.
//   Continuous (2): encodes a fresh snapshot and commits, back to back, no
//                   sleep: faster than any worker can go, since a worker
//                   also runs its strategy between two commits.
//   NonStop (3):    commits pre-encoded snapshots (64 distinct ones) back
//                   to back, so that the writer spends all its time inside
//                   the seqlock's critical section: a stress test of the
//                   seqlock, not a workload stratd can meet.
enum class WriterMode : int64_t { None = 0, Paced = 1, Continuous = 2, NonStop = 3 };

class WriterProcess {
 public:
  WriterProcess(const std::string& name, int kind, uint64_t first, WriterMode mode) {
    std::vector<std::string> encoded;
    for (uint64_t k = 0; k < 64; ++k) encoded.push_back(msgpack_encode(realistic_snapshot(first + k, kind)));
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      prctl(PR_SET_TIMERSLACK, 1UL);
      auto m = ipc::SegmentMapping::open(name, true);
      if (!m) _exit(2);
      ipc::SegmentWriter w(std::move(*m));
      w.attach(getpid());
      BarRing bars(kWindow);
      timespec next;
      clock_gettime(CLOCK_MONOTONIC, &next);
      for (uint64_t n = 0;; ++n) {
        bars.push(bar_for(first + n));
        if (mode == WriterMode::NonStop) {
          w.commit(encoded[n % encoded.size()], bars);
          continue;
        }
        w.commit(msgpack_encode(realistic_snapshot(first + n, kind)), bars);
        if (mode == WriterMode::Continuous) continue;
        next.tv_nsec += 1'000'000;
        if (next.tv_nsec >= 1'000'000'000) next.tv_nsec -= 1'000'000'000, ++next.tv_sec;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
      }
    }
  }
  ~WriterProcess() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_ = -1;
};

// Waits until the writer process is committing (a few commits seen).
void wait_for_commits(const ipc::SegmentReader& reader) {
  const uint64_t before = reader.commits();
  for (int i = 0; reader.commits() < before + 5; ++i) {
    if (i > 50'000) throw std::runtime_error("the writer process does not commit");
    usleep(100);
  }
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void snapshot_args(benchmark::internal::Benchmark* b) {
  b->ArgName("recent_trades_full")->Arg(0)->Arg(1);
}

// --------------------------------------------------------- shared memory

void Seqlock_RawCopy(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  const auto& m = *f.read_map;
  std::vector<char> buf(ipc::kSnapshotCapacity);
  uint32_t len = 0;
  for (auto _ : state) {
    const uint32_t i = m.header().latest_slot.load(std::memory_order_acquire) % ipc::kSlotCount;
    const auto& slot = m.slot(i);
    auto outcome = ipc::read_consistent(slot.seq, [&] {
      len = std::min(slot.snapshot_len, ipc::kSnapshotCapacity);
      std::memcpy(buf.data(), m.snapshot_area(i), len);
    });
    benchmark::DoNotOptimize(outcome);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
  state.counters["snapshot_bytes"] = double(len);
}
BENCHMARK(Seqlock_RawCopy)->Apply(snapshot_args);

void SharedMemory_Copy(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  ipc::SegmentReader reader(*f.read_map);
  for (auto _ : state) {
    auto bytes = reader.snapshot();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["snapshot_bytes"] = double(reader.snapshot()->size());
}
BENCHMARK(SharedMemory_Copy)->Apply(snapshot_args);

// RunnerRegistry::snapshot(), minus the registry lookup.
Expected<Snapshot> read_snapshot(const ipc::SegmentReader& reader) {
  auto bytes = reader.snapshot();
  if (!bytes) return fail(ErrorCode::SnapshotUnavailable, "the runner's snapshot could not be read");
  auto snap = msgpack_decode<Snapshot>(*bytes);
  if (!snap || snap->runner_id != "btc_ema" || snap->symbol != "BTCUSDT")
    return fail(ErrorCode::SnapshotUnavailable, "the runner's snapshot could not be read");
  return snap;
}

void SharedMemory_CopyAndDecode(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  ipc::SegmentReader reader(*f.read_map);
  for (auto _ : state) {
    auto snap = read_snapshot(reader);
    benchmark::DoNotOptimize(snap);
  }
  state.counters["snapshot_bytes"] = double(reader.snapshot()->size());
}
BENCHMARK(SharedMemory_CopyAndDecode)->Apply(snapshot_args);

// supervisor/http/runner_json.cpp snapshot_json() on a cache miss.
void SharedMemory_CopyDecodeRenderJson(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  ipc::SegmentReader reader(*f.read_map);
  size_t json_bytes = 0;
  for (auto _ : state) {
    auto snap = read_snapshot(reader);
    std::string json = to_json(*snap, 42).dump();
    json_bytes = json.size();
    benchmark::DoNotOptimize(json);
  }
  state.counters["json_bytes"] = double(json_bytes);
}
BENCHMARK(SharedMemory_CopyDecodeRenderJson)->Apply(snapshot_args);

// Readers against a worker process committing (writer:1 paced at 1 kHz,
// writer:2 continuously, writer:3 the non-stop stress): they never wait for
// it, they only retry a copy that was overwritten under them, and give up
// (SNAPSHOT_BUSY, counted as failed_reads) after 64 torn attempts. Every
// snapshot read is checked for consistency: a torn read that got through
// would count as inconsistent_reads.
void SharedMemory_CopyAndDecodeUnderWrites(benchmark::State& state) {
  Fixture f(int(state.range(0)));
  ipc::SegmentReader reader(*f.read_map);
  WriterProcess writer(f.name, f.kind, f.next, WriterMode(state.range(1)));
  wait_for_commits(reader);
  uint64_t failed = 0, inconsistent = 0, distinct = 0, last_n = ~0ull;
  const uint64_t commits0 = reader.commits();
  const int64_t t0 = now_ns();
  for (auto _ : state) {
    auto snap = read_snapshot(reader);
    if (!snap) {
      ++failed;
      continue;
    }
    if (!consistent(*snap)) ++inconsistent;
    if (snap->stats.ticks_processed != last_n) ++distinct, last_n = snap->stats.ticks_processed;
    benchmark::DoNotOptimize(snap);
  }
  const double secs = double(now_ns() - t0) / 1e9;
  state.counters["writer_commits_per_s"] = double(reader.commits() - commits0) / secs;
  state.counters["failed_reads"] = double(failed);
  state.counters["failed_pct"] = 100.0 * double(failed) / double(state.iterations());
  state.counters["inconsistent_reads"] = double(inconsistent);
  state.counters["new_commit_seen_pct"] = 100.0 * double(distinct) / double(state.iterations());
}
BENCHMARK(SharedMemory_CopyAndDecodeUnderWrites)
    ->ArgNames({"recent_trades_full", "writer"})
    ->ArgsProduct({{0, 1}, {1, 2, 3}})
    ->UseRealTime();

// Every read timed on its own (two clock reads, ~20-40 ns, included), to
// show the tail, not only the mean: writer 0 = quiet segment, 1 = paced,
// 2 = continuous, 3 = non-stop writer process (see WriterMode).
void SharedMemory_ReadLatency(benchmark::State& state) {
  Fixture f(0);
  ipc::SegmentReader reader(*f.read_map);
  std::optional<WriterProcess> writer;
  if (state.range(0) != 0) {
    writer.emplace(f.name, f.kind, f.next, WriterMode(state.range(0)));
    wait_for_commits(reader);
  }
  std::vector<int64_t> samples;
  samples.reserve(4'000'000);
  uint64_t failed = 0;
  for (auto _ : state) {
    const int64_t t0 = now_ns();
    auto snap = read_snapshot(reader);
    const int64_t t1 = now_ns();
    if (!snap) ++failed;
    benchmark::DoNotOptimize(snap);
    if (samples.size() < samples.capacity()) samples.push_back(t1 - t0);
  }
  std::sort(samples.begin(), samples.end());
  auto pct = [&](double p) { return double(samples[std::min(samples.size() - 1, size_t(p / 100.0 * double(samples.size())))]); };
  state.counters["p50_ns"] = pct(50);
  state.counters["p99_ns"] = pct(99);
  state.counters["p999_ns"] = pct(99.9);
  state.counters["max_ns"] = double(samples.back());
  state.counters["failed_pct"] = 100.0 * double(failed) / double(state.iterations());
}
BENCHMARK(SharedMemory_ReadLatency)->ArgName("writer")->DenseRange(0, 3)->UseRealTime();

void SharedMemory_History200(benchmark::State& state) {
  Fixture f(0);
  ipc::SegmentReader reader(*f.read_map);
  for (auto _ : state) {
    auto bars = reader.history(kWindow);
    benchmark::DoNotOptimize(bars);
  }
}
BENCHMARK(SharedMemory_History200);

// ----------------------------------------------------- the seed's design

// Another process holds the snapshot and answers requests for it.
void AskWorker_ZmqRoundTripAndDecode(benchmark::State& state) {
  const std::string path = "/tmp/stratd-bench-" + std::to_string(getpid()) + ".ipc";
  const std::string endpoint = "ipc://" + path;
  const std::string reply = msgpack_encode(realistic_snapshot(1000, int(state.range(0))));
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    zmq::context_t ctx(1);
    zmq::socket_t rep(ctx, zmq::socket_type::rep);
    rep.bind(endpoint);
    for (;;) {
      zmq::message_t req;
      if (!rep.recv(req)) break;
      rep.send(zmq::buffer(reply), zmq::send_flags::none);
    }
    _exit(0);
  }
  {
    zmq::context_t ctx(1);
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.connect(endpoint);
    uint64_t failed = 0;
    for (auto _ : state) {
      req.send(zmq::str_buffer("snapshot"), zmq::send_flags::none);
      zmq::message_t msg;
      (void)req.recv(msg);
      auto snap = msgpack_decode<Snapshot>(std::string_view(static_cast<const char*>(msg.data()), msg.size()));
      if (!snap) ++failed;
      benchmark::DoNotOptimize(snap);
    }
    state.counters["snapshot_bytes"] = double(reply.size());
    state.counters["failed_reads"] = double(failed);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  unlink(path.c_str());
}
BENCHMARK(AskWorker_ZmqRoundTripAndDecode)->Apply(snapshot_args)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
