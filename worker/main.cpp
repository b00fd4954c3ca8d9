// strat-worker: runs one runner's strategy. Market data in over ZeroMQ SUB,
// snapshot out through shared memory, events out over ZeroMQ XPUB.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <zmq.hpp>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "common/msgpack_codec.hpp"
#include "ipc/bus.hpp"
#include "ipc/seccomp_filter.hpp"
#include "ipc/segment.hpp"
#include "common/strategy_source.hpp"
#include "ipc/worker_command.hpp"
#include "worker/event_publisher.hpp"
#if defined(STRATD_HOSTILE_SYSCALL)
#include "worker/hostile_syscall.hpp"
#endif
#include "worker/strategy_runner.hpp"

using namespace stratd;
using namespace stratd::worker;
using ipc::WorkerCommand;

namespace {

constexpr int kPollMs = 100;  // also bounds the heartbeat interval while idle

// SIGTERM and SIGINT arrive as readable data on a file descriptor the poll
// loop watches, so a tick in progress always finishes first.
int block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

// The credential stratd handed over on a pipe; read once, then closed.
std::string read_credential(int fd) {
  if (fd < 0) return {};
  char buf[256];
  ssize_t n;
  do {
    n = read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  close(fd);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

int run(const WorkerCommand& o) {
  // Neither other processes of this user nor a core file get at our memory
  // (and the credential in it).
  prctl(PR_SET_DUMPABLE, 0);
  const std::string credential = read_credential(int(o.credential_fd));
  if (credential.empty()) spdlog::warn("no credential from stratd: it will not accept our events");
  const int sigfd = block_termination_signals();
  // Inherited from stratd: we may run as a user that cannot open it.
  auto mapping = ipc::SegmentMapping::open_fd(int(o.segment_fd), true);
  close(int(o.segment_fd));  // the mapping stays
  if (!mapping) {
    spdlog::error("segment: {}", mapping.error().message);
    return 1;
  }
  ipc::SegmentWriter segment(std::move(*mapping));
  const uint32_t window = segment.mapping().window_capacity();

  LuaStrategy strategy(o.lua, [](std::string_view level, std::string_view msg) {
    spdlog::log(spdlog::level::from_str(std::string(level)),
                "[strategy] {}", msg);
  });
#if defined(STRATD_HOSTILE_SYSCALL)
  expose_raw_syscall(strategy.lua_state());
#endif
  Snapshot initial;
  initial.runner_id = o.runner_id;
  initial.symbol = o.symbol;
  StrategyRunner runner(initial, window, strategy, PaperBroker(o.broker));

  if (auto committed = segment.restore()) {
    auto snap = msgpack_decode<Snapshot>(committed->snapshot);
    if (snap && snap->runner_id == o.runner_id && snap->symbol == o.symbol) {
      runner.restore(std::move(*snap), committed->bars, committed->bars_total);
      spdlog::info("resumed: state {}, {} ticks, position {}, event seq {}",
                   to_string(runner.snapshot().state), runner.snapshot().stats.ticks_processed,
                   runner.snapshot().position ? "open" : "none", runner.snapshot().event_seq);
    } else {
      spdlog::warn("segment holds no usable snapshot ({}); starting fresh",
                   snap ? "different runner" : snap.error().message);
    }
  }
  runner.count_worker_start();
  segment.attach(int32_t(getpid()));

  zmq::context_t ctx(1);
  EventPublisher events(ctx, o.events_endpoint, o.runner_id, credential);
  // The strategy's thread runs below stratd's priority, so a busy strategy
  // yields the CPU to the API and the event hub. ZeroMQ's I/O threads, made
  // with the context's first socket just above (threads inherit the nice
  // value of their creator), keep stratd's, so our events still leave at once.
  if (o.nice > 0) setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), getpriority(PRIO_PROCESS, 0) + int(o.nice));
  if (!events.wait_for_subscriber(2000, [&] { segment.heartbeat(); }))
    spdlog::warn("no event subscriber yet; continuing");

  const std::string file_name = o.strategy_path.substr(o.strategy_path.rfind('/') + 1);
  auto source = read_strategy_fd(int(o.strategy_fd), file_name);
  close(int(o.strategy_fd));
  // Set up: from here on the strategy's code runs, so only what running
  // needs stays possible.
  if (auto st = ipc::install_seccomp_filter(*parse_seccomp_mode(o.seccomp)); !st) {
    spdlog::critical("{}", st.error().message);
    return 1;
  }
  LuaCallResult loaded;
  if (!source) {
    loaded = {LuaFailure::Runtime, source.error().message};
  } else {
    strategy.set_context(runner.snapshot().context);
    loaded = strategy.load(*source, file_name);
  }
  if (!loaded.ok()) {
    spdlog::error("strategy failed to load: {}", loaded.message);
    Event e = runner.strategy_error("load", "", loaded.message);
    segment.commit(msgpack_encode(runner.snapshot()), runner.bars());
    events.publish(e);
    segment.detach();
    return ipc::kExitStrategyInvalid;
  }
  segment.commit(msgpack_encode(runner.snapshot()), runner.bars());

  zmq::socket_t md(ctx, zmq::socket_type::sub);
  const std::string topic = ipc::market_data_topic(o.symbol);
  md.set(zmq::sockopt::subscribe, topic);
  md.connect(o.md_endpoint);
  spdlog::info("running {} on {} (pid {})", o.runner_id, o.symbol, getpid());

  msgpack::sbuffer snapshot_buf;
  uint64_t rejected = 0;
  uint64_t consecutive_errors = 0;  // ticks in a row that raised a StrategyError
  bool stopping = false;
  while (!stopping) {
    zmq::pollitem_t items[] = {{md.handle(), 0, ZMQ_POLLIN, 0},
                               {events.socket().handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, sigfd, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 3, std::chrono::milliseconds(kPollMs));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    if (items[2].revents & ZMQ_POLLIN) {
      signalfd_siginfo info;
      while (read(sigfd, &info, sizeof info) == sizeof info) stopping = true;
    }
    if (items[1].revents & ZMQ_POLLIN) events.drain_subscriptions();
    // One message at a time, each a whole tick; the loop re-polls between.
    for (int budget = 64; budget > 0 && (items[0].revents & ZMQ_POLLIN); --budget) {
      bool malformed = false;
      auto msg = ipc::recv_message(md, &malformed);
      if (!msg) {
        if (malformed) continue;
        break;
      }
      // Subscriptions match prefixes: md.BTC would also deliver md.BTCUSDT.
      if (msg->topic != topic) continue;
      auto tick = msgpack_decode<MarketData>(msg->body);
      if (!tick || tick->symbol != o.symbol || !is_sane(*tick)) {
        if (rejected++ % 1000 == 0) spdlog::warn("dropped malformed market data ({} so far)", rejected);
        continue;
      }
      const uint64_t errors_before = runner.snapshot().stats.errors;
      auto produced = runner.on_tick(*tick);
      consecutive_errors = runner.snapshot().stats.errors > errors_before ? consecutive_errors + 1 : 0;
      // Snapshot first, then events: a worker killed in between leaves a
      // gap stratd can see, never a sequence number used twice.
      msgpack_encode_into(snapshot_buf, runner.snapshot());
      if (!segment.commit(std::string_view(snapshot_buf.data(), snapshot_buf.size()), runner.bars()))
        spdlog::error("snapshot of {} bytes does not fit its slot", snapshot_buf.size());
      for (auto& e : produced) events.publish(e);
      segment.heartbeat();
      if (o.max_consecutive_errors && consecutive_errors >= o.max_consecutive_errors) {
        // The error policy says stop: a runner that only errs is stopped, not left spinning.
        spdlog::error("{} strategy errors in a row; stopping as configured", consecutive_errors);
        segment.detach();
        return ipc::kExitTooManyErrors;
      }
    }
    segment.heartbeat();
  }
  segment.commit(msgpack_encode(runner.snapshot()), runner.bars());
  segment.detach();
  spdlog::info("stopping after {} ticks", runner.snapshot().stats.ticks_processed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ipc::prepare_for_seccomp_filter();
  auto opts = ipc::parse_worker_command(std::vector<std::string_view>(argv + 1, argv + argc));
  if (!opts) {
    fprintf(stderr, "strat-worker: %s\n", opts.error().message.c_str());
    return ipc::kExitUsage;
  }
  init_logging("worker:" + opts->runner_id, opts->log_level);
  try {
    return run(*opts);
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}
