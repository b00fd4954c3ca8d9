// strat-feed: publishes market data on ZeroMQ, one topic per symbol.
// An XPUB socket tells it which symbols are wanted: a symbol's walk starts
// with its first subscriber and pauses when the last one leaves.
#include <sys/signalfd.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <string>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "common/seccomp_mode.hpp"
#include "common/validation.hpp"
#include "feed/sim_source.hpp"
#include "ipc/bus.hpp"
#include "ipc/seccomp_filter.hpp"

using namespace stratd;

namespace {

struct FeedOptions {
  std::string source = "sim";
  std::string endpoint;
  int interval_ms = 250;
  uint64_t seed = 42;
  int listen_fd = -1;  // the endpoint's listening socket, bound by stratd
  int state_fd = -1;   // where the sim walk is kept across restarts, opened by stratd
  std::string log_level = "info";
  std::string seccomp = "kill";
};

bool parse_options(int argc, char** argv, FeedOptions& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i], v = argv[i + 1];
    auto num = [&](auto& out) {
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
      return ec == std::errc() && p == v.data() + v.size();
    };
    bool good = true;
    if (name == "--source") o.source = v;
    else if (name == "--endpoint") o.endpoint = v;
    else if (name == "--interval-ms") good = num(o.interval_ms) && o.interval_ms > 0;
    else if (name == "--seed") good = num(o.seed);
    else if (name == "--listen-fd") good = num(o.listen_fd) && o.listen_fd >= 0;
    else if (name == "--state-fd") good = num(o.state_fd) && o.state_fd >= 0;
    else if (name == "--log-level") o.log_level = v;
    else if (name == "--seccomp") good = (o.seccomp = v, parse_seccomp_mode(v).has_value());
    else good = false;
    if (!good) {
      fprintf(stderr, "strat-feed: bad option %s %s\n", argv[i], argv[i + 1]);
      return false;
    }
  }
  if (argc % 2 == 0 || o.endpoint.empty() || o.listen_fd < 0 || o.state_fd < 0 || o.source != "sim") {
    fprintf(stderr,
            "usage: strat-feed --endpoint EP --listen-fd N --state-fd N [--source sim] [--interval-ms N] [--seed N] "
            "[--log-level L] [--seccomp kill|log|off]\n");
    return false;
  }
  return true;
}

std::string read_state(int fd) {
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = pread(fd, buf, sizeof buf, off_t(text.size()))) > 0;) text.append(buf, size_t(n));
  return text;
}

// The state file is stratd's, opened for us: we may run as a user that
// could not replace it by a rename. So it is rewritten in place, padded
// with spaces to its previous length, so it never has to shrink: a reader
// (stratd's /metrics) or a crash sees whole JSON, at worst followed by
// blanks. One write of a few hundred bytes.
void save_in_place(int fd, std::string text, size_t& previous) {
  if (text.size() < previous) text.append(previous - text.size(), ' ');
  if (pwrite(fd, text.data(), text.size(), 0) == ssize_t(text.size())) previous = text.size();
}

}  // namespace

int main(int argc, char** argv) {
  ipc::prepare_for_seccomp_filter();
  FeedOptions o;
  if (!parse_options(argc, argv, o)) return 64;
  init_logging("feed", o.log_level);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  const int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

  feed::SimSource sim(feed::SimSettings{.seed = o.seed});
  const std::string saved = read_state(o.state_fd);
  sim.load_state(saved);
  size_t state_size = saved.size();

  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::xpub);
  pub.set(zmq::sockopt::sndhwm, 10'000);
  pub.set(zmq::sockopt::linger, 0);
  // stratd's socket, served as is: it stays bound across our restarts.
  pub.set(zmq::sockopt::use_fd, o.listen_fd);
  try {
    pub.bind(o.endpoint);
  } catch (const zmq::error_t& e) {
    spdlog::critical("cannot bind {}: {}", o.endpoint, e.what());
    return 1;
  }
  spdlog::info("sim feed on {} every {} ms, seed {}", o.endpoint, o.interval_ms, o.seed);
  // Set up: from here on only what publishing needs.
  if (auto st = ipc::install_seccomp_filter(*parse_seccomp_mode(o.seccomp)); !st) {
    spdlog::critical("{}", st.error().message);
    return 1;
  }

  msgpack::sbuffer buf;
  int64_t next_tick = mono_ms() + o.interval_ms;
  int64_t next_save = mono_ms() + 1000;
  for (;;) {
    zmq::pollitem_t items[] = {{pub.handle(), 0, ZMQ_POLLIN, 0}, {nullptr, sigfd, ZMQ_POLLIN, 0}};
    const int64_t wait = std::max<int64_t>(0, next_tick - mono_ms());
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(wait));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
    }
    if (items[1].revents & ZMQ_POLLIN) break;
    if (items[0].revents & ZMQ_POLLIN) {
      zmq::message_t msg;
      while (pub.recv(msg, zmq::recv_flags::dontwait)) {
        // [1|0] + topic: a topic's first subscriber arrived, or its last left.
        std::string_view sub(static_cast<const char*>(msg.data()), msg.size());
        if (sub.size() < 1 + ipc::kMarketDataPrefix.size()) continue;
        const bool subscribe = sub[0] == 1;
        std::string_view topic = sub.substr(1);
        if (topic.substr(0, ipc::kMarketDataPrefix.size()) != ipc::kMarketDataPrefix) continue;
        const std::string symbol(topic.substr(ipc::kMarketDataPrefix.size()));
        if (!is_valid_symbol(symbol)) continue;
        if (subscribe) {
          sim.activate(symbol);
          spdlog::info("symbol {} subscribed", symbol);
        } else {
          sim.deactivate(symbol);
          spdlog::info("symbol {} unsubscribed", symbol);
        }
      }
    }
    const int64_t now = mono_ms();
    if (now >= next_tick) {
      for (const auto& md : sim.tick(wall_ms())) {
        buf.clear();
        msgpack::pack(buf, md);
        ipc::send_message(pub, ipc::market_data_topic(md.symbol), std::string_view(buf.data(), buf.size()));
      }
      next_tick += o.interval_ms;
      // Fell far behind (suspended, overloaded): skip ahead instead of bursting.
      if (next_tick < now) next_tick = now + o.interval_ms;
    }
    if (now >= next_save) {
      save_in_place(o.state_fd, sim.save_state(), state_size);
      next_save = now + 1000;
    }
  }
  save_in_place(o.state_fd, sim.save_state(), state_size);
  spdlog::info("feed stopping");
  return 0;
}
