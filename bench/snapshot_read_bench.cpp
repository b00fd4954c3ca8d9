// How long stratd takes to get a runner's snapshot.
//
//   SharedMemory/*  what stratd does: copy the newest commit out of the
//                   runner's segment under the seqlock, then decode it.
//   AskWorker       the seed plan's design ("send command to runner, receive
//                   snapshot"), modelled as a ZeroMQ REQ/REP round trip over
//                   ipc:// to another process that answers with the same bytes.
//
// Run: build/bin/bench_snapshot_read
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <benchmark/benchmark.h>
#include <zmq.hpp>

#include "common/msgpack_codec.hpp"
#include "common/snapshot.hpp"
#include "ipc/segment.hpp"

using namespace stratd;

namespace {

constexpr uint32_t kWindow = 200;

// A snapshot like a busy runner's: an open position, a dozen context values.
Snapshot realistic_snapshot(uint64_t n) {
  Snapshot s;
  s.runner_id = "btc_ema";
  s.symbol = "BTCUSDT";
  s.state = StrategyState::InPosition;
  s.position = Position{1, Side::Long, 50000.0 + double(n % 7), 0.1, 1766280000000, 49000.0, 52000.0, 5.0};
  for (int i = 0; i < 4; ++i) s.context.numbers["ema_" + std::to_string(10 * (i + 1))] = 50000.0 + i;
  for (int i = 0; i < 3; ++i) s.context.integers["count_" + std::to_string(i)] = int64_t(n) + i;
  s.context.strings["signal"] = "bullish";
  s.context.strings["regime"] = "trend";
  s.context.booleans["strong_trend"] = true;
  s.context.booleans["breakeven"] = false;
  s.stats.ticks_processed = n;
  s.stats.record_tick(850'000);
  s.event_seq = n * 2;
  s.last_price = 50100.0;
  return s;
}

struct Fixture {
  std::string name = "stratd-bench." + std::to_string(getpid());
  std::optional<ipc::SegmentWriter> writer;
  std::optional<ipc::SegmentMapping> read_map;
  BarRing bars{kWindow};

  Fixture() {
    ipc::SegmentMapping::remove(name);
    auto m = ipc::SegmentMapping::create(name, kWindow);
    if (!m) throw std::runtime_error(m.error().message);
    writer.emplace(std::move(*m));
    writer->attach(getpid());
    for (uint32_t i = 0; i < kWindow; ++i) commit(i);
    auto r = ipc::SegmentMapping::open(name, false);  // stratd maps read-only
    read_map.emplace(std::move(*r));
  }
  ~Fixture() { ipc::SegmentMapping::remove(name); }
  void commit(uint64_t n) {
    bars.push(Bar{int64_t(n), 1, 2, 0.5, 1.5, 10, 1.4, 1.6});
    writer->commit(msgpack_encode(realistic_snapshot(n)), bars);
  }
};

void SharedMemory_CopyAndDecode(benchmark::State& state) {
  Fixture f;
  ipc::SegmentReader reader(*f.read_map);
  for (auto _ : state) {
    auto bytes = reader.snapshot();
    auto snap = msgpack_decode<Snapshot>(*bytes);
    benchmark::DoNotOptimize(snap);
  }
  state.counters["snapshot_bytes"] = double(reader.snapshot()->size());
}
BENCHMARK(SharedMemory_CopyAndDecode);

void SharedMemory_CopyOnly(benchmark::State& state) {
  Fixture f;
  ipc::SegmentReader reader(*f.read_map);
  for (auto _ : state) {
    auto bytes = reader.snapshot();
    benchmark::DoNotOptimize(bytes);
  }
}
BENCHMARK(SharedMemory_CopyOnly);

// The reader against a worker committing as fast as it can: readers never
// wait for the writer, they only retry a copy that was overwritten.
void SharedMemory_CopyAndDecodeUnderWrites(benchmark::State& state) {
  Fixture f;
  ipc::SegmentReader reader(*f.read_map);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> commits{0};
  std::thread writer([&] {
    for (uint64_t n = kWindow; !stop; ++n) {
      f.commit(n);
      ++commits;
    }
  });
  uint64_t failed = 0;
  for (auto _ : state) {
    auto bytes = reader.snapshot();
    if (!bytes) {
      ++failed;
      continue;
    }
    auto snap = msgpack_decode<Snapshot>(*bytes);
    benchmark::DoNotOptimize(snap);
  }
  stop = true;
  writer.join();
  state.counters["writer_commits"] = double(commits);
  state.counters["failed_reads"] = double(failed);
}
BENCHMARK(SharedMemory_CopyAndDecodeUnderWrites)->UseRealTime();

void SharedMemory_History200(benchmark::State& state) {
  Fixture f;
  ipc::SegmentReader reader(*f.read_map);
  for (auto _ : state) {
    auto bars = reader.history(kWindow);
    benchmark::DoNotOptimize(bars);
  }
}
BENCHMARK(SharedMemory_History200);

// The comparison: another process holds the snapshot and answers requests.
void AskWorker_ZmqRoundTripAndDecode(benchmark::State& state) {
  const std::string endpoint = "ipc:///tmp/stratd-bench-" + std::to_string(getpid()) + ".ipc";
  const std::string reply = msgpack_encode(realistic_snapshot(1000));
  const pid_t child = fork();
  if (child == 0) {
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
  zmq::context_t ctx(1);
  zmq::socket_t req(ctx, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect(endpoint);
  for (auto _ : state) {
    req.send(zmq::str_buffer("snapshot"), zmq::send_flags::none);
    zmq::message_t msg;
    (void)req.recv(msg);
    auto snap = msgpack_decode<Snapshot>(std::string_view(static_cast<const char*>(msg.data()), msg.size()));
    benchmark::DoNotOptimize(snap);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  unlink(endpoint.substr(6).c_str());
}
BENCHMARK(AskWorker_ZmqRoundTripAndDecode)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
