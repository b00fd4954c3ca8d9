// strat-feed: publishes market data on ZeroMQ, one topic per symbol.
// An XPUB socket tells it which symbols are wanted: a symbol's walk starts
// with its first subscriber and pauses when the last one leaves.
#include <sys/signalfd.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "common/validation.hpp"
#include "feed/sim_source.hpp"
#include "ipc/bus.hpp"

using namespace stratd;

namespace {

struct FeedOptions {
  std::string source = "sim";
  std::string endpoint;
  int interval_ms = 250;
  uint64_t seed = 42;
  std::string state_file;
  std::string log_level = "info";
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
    else if (name == "--state-file") o.state_file = v;
    else if (name == "--log-level") o.log_level = v;
    else good = false;
    if (!good) {
      fprintf(stderr, "strat-feed: bad option %s %s\n", argv[i], argv[i + 1]);
      return false;
    }
  }
  if (argc % 2 == 0 || o.endpoint.empty() || o.source != "sim") {
    fprintf(stderr, "usage: strat-feed --endpoint EP [--source sim] [--interval-ms N] [--seed N] [--state-file F]\n");
    return false;
  }
  return true;
}

void save_atomically(const std::string& path, const std::string& text) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
}

}  // namespace

int main(int argc, char** argv) {
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
  if (!o.state_file.empty()) {
    std::ifstream in(o.state_file);
    std::stringstream ss;
    ss << in.rdbuf();
    sim.load_state(ss.str());
  }

  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::xpub);
  pub.set(zmq::sockopt::sndhwm, 10'000);
  pub.set(zmq::sockopt::linger, 0);
  try {
    pub.bind(o.endpoint);
  } catch (const zmq::error_t& e) {
    spdlog::critical("cannot bind {}: {}", o.endpoint, e.what());
    return 1;
  }
  spdlog::info("sim feed on {} every {} ms, seed {}", o.endpoint, o.interval_ms, o.seed);

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
      save_atomically(o.state_file, sim.save_state());
      next_save = now + 1000;
    }
  }
  save_atomically(o.state_file, sim.save_state());
  spdlog::info("feed stopping");
  return 0;
}
