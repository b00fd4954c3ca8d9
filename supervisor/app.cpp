#include "supervisor/app.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <set>
#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <zmq.hpp>

#include "common/clock.hpp"
#include "ipc/bus.hpp"
#include "ipc/segment.hpp"
#include "supervisor/event_hub.hpp"
#include "supervisor/event_journal.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/listener.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/registry.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"
#include "supervisor/ws/ws_hub.hpp"

namespace stratd::supervisor {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxUnixSocketPath = 100;  // sun_path is 108 bytes with its NUL

std::string instance_id(const std::string& state_dir) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : state_dir) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(h & 0xffffffffffffull));
  return buf;
}

// ipc:// paths must fit a sockaddr_un; a deep state dir falls back to /tmp.
std::string pick_run_dir(const std::string& state_dir, const std::string& instance) {
  std::string dir = state_dir + "/run";
  if (dir.size() + 12 > kMaxUnixSocketPath) dir = "/tmp/stratd-" + instance;
  fs::create_directories(dir);
  return dir;
}

// Segments of this state dir's runners that the store no longer knows
// (deleted while stratd was not running cleanly): nothing refers to them.
void remove_stale_segments(const std::string& instance, const std::set<std::string>& keep) {
  const std::string prefix = "stratd." + instance + ".";
  DIR* d = opendir("/dev/shm");
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = readdir(d)) {
    const std::string_view name = e->d_name;
    if (name.substr(0, prefix.size()) == prefix && !keep.count(std::string(name.substr(prefix.size())))) {
      stale.emplace_back(name);
    }
  }
  closedir(d);
  for (const auto& name : stale) {
    spdlog::info("removing stale segment {}", name);
    ipc::SegmentMapping::remove(name);
  }
}

std::string program_dir() {
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path().string();
}

}  // namespace

int run_stratd(const Config& cfg) {
  std::signal(SIGPIPE, SIG_IGN);
  // SIGTERM during start-up waits until the handler below is in place, and
  // then stops everything that was started: held pending, not fatal. The
  // threads started meanwhile keep them blocked, so they reach this one.
  sigset_t termination, previous;
  sigemptyset(&termination);
  sigaddset(&termination, SIGTERM);
  sigaddset(&termination, SIGINT);
  pthread_sigmask(SIG_BLOCK, &termination, &previous);
  // Every client connection is a descriptor: allow as many as the hard limit.
  if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
  const std::string lock_path = cfg.state_dir + "/stratd.lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    spdlog::critical("another stratd is using state dir {}", cfg.state_dir);
    return 1;
  }
  const std::string instance = instance_id(cfg.state_dir);
  const std::string run_dir = pick_run_dir(cfg.state_dir, instance);
  const std::string log_dir = cfg.state_dir + "/logs";
  fs::create_directories(log_dir);
  const std::string url_file = cfg.state_dir + "/http.url";
  fs::remove(url_file);
  auto opened = Store::open(cfg.state_dir + "/stratd.db");
  if (!opened) {
    spdlog::critical("{}", opened.error().message);
    return 1;
  }
  Store& store = **opened;
  {
    std::set<std::string> known;
    if (auto stored = store.runners()) {
      for (const auto& r : *stored) known.insert(r.spec.runner_id);
    }
    remove_stale_segments(instance, known);
  }

  const std::string bin = program_dir();
  const std::string md_ep = ipc::market_data_endpoint(run_dir);
  const std::string ev_ep = ipc::events_endpoint(run_dir);

  boost::asio::io_context io(1);  // run by this thread alone (others only post to it)
  zmq::context_t zctx(1);
  EventHub hub(zctx, ev_ep);
  // The journal and the WebSocket clients live on the hub's thread.
  EventJournal journal(cfg.events.journal_capacity, cfg.events.journal_max_bytes);
  ws::WsSettings wss;
  wss.queue_limit = cfg.websocket.queue_limit;
  wss.idle_timeout = std::chrono::milliseconds(cfg.websocket.idle_timeout_ms);
  wss.initial_hold = std::chrono::milliseconds(cfg.websocket.initial_hold_ms);
  wss.max_clients = cfg.websocket.max_clients;
  wss.send_buffer_bytes = cfg.websocket.send_buffer_bytes;
  ws::WsHub ws_hub(hub.io(), journal, wss, cfg.websocket.threads);
  // Sequence numbers continue across restarts: clients resume with them.
  constexpr uint64_t kSeqBlock = 1'000'000;
  const uint64_t last_seq = std::max(store.last_event_seq(), store.seq_reserved());
  if (auto st = store.set_seq_reserved(last_seq + kSeqBlock); !st) {
    spdlog::critical("{}", st.error().message);
    return 1;
  }
  journal.start_after(last_seq);
  ws_hub.start_after(last_seq);
  ws_hub.start();
  // Set below, once the registry exists; events are only delivered after
  // the loop starts.
  RunnerRegistry* registry_ptr = nullptr;
  hub.resume_numbering(last_seq, last_seq + kSeqBlock, [&](uint64_t upto) {
    boost::asio::post(io, [&store, upto] {
      if (auto st = store.set_seq_reserved(upto); !st) spdlog::error("{}", st.error().message);
    });
  });
  try {
    hub.start([&](std::vector<JournalEventPtr>& batch) {
      // In slices of at most a sixteenth of the journal (by count and bytes):
      // sessions see each slice before the next can push their unread
      // events out, so a lagging one sheds in time instead of losing them.
      const size_t max_events = std::max<size_t>(1, journal.capacity() / 16);
      const uint64_t max_bytes = journal.max_bytes() / 16;
      std::vector<JournalEventPtr> slice;
      uint64_t slice_bytes = 0;
      for (size_t i = 0; i < batch.size(); ++i) {
        journal.append(batch[i]);
        slice.push_back(batch[i]);
        slice_bytes += batch[i]->json.size();
        if (i + 1 == batch.size() || slice.size() >= max_events || slice_bytes >= max_bytes) {
          ws_hub.on_events(slice);
          slice.clear();
          slice_bytes = 0;
        }
      }
      // Everything but ticks is kept in the store; a position event also
      // makes the runner's snapshot durable at once.
      std::vector<JournalEventPtr> durable;
      std::set<std::string> positions;
      for (const auto& e : batch) {
        if (is_coalescable(e->type)) continue;
        durable.push_back(e);
        if (e->type == EventType::PositionOpened || e->type == EventType::PositionClosed ||
            e->type == EventType::PositionUpdated) {
          positions.insert(e->runner_id);
        }
      }
      if (durable.empty()) return;
      boost::asio::post(io, [&, durable = std::move(durable), positions = std::move(positions)] {
        if (auto st = store.append_events(durable, cfg.events.store_retention); !st) {
          spdlog::error("storing events: {}", st.error().message);
        }
        for (const auto& id : positions) registry_ptr->persist(id);
      });
    });
  } catch (const zmq::error_t& e) {
    spdlog::critical("cannot bind the event socket {}: {}", ev_ep, e.what());
    return 1;
  }

  ProcessManager pm(io, cfg.log_max_file_bytes);
  const auto& rp = cfg.runners;
  const RestartPolicySettings policy{std::chrono::milliseconds(rp.backoff_initial_ms),
                                     std::chrono::milliseconds(rp.backoff_max_ms), rp.crash_limit,
                                     std::chrono::seconds(rp.crash_window_secs)};
  SpawnSpec feed_spec{bin + "/strat-feed",
                      {"--source", cfg.feed.source, "--endpoint", md_ep, "--interval-ms",
                       std::to_string(cfg.feed.sim_interval_ms), "--seed", std::to_string(cfg.feed.sim_seed),
                       "--state-file", cfg.state_dir + "/feed-sim.json", "--log-level", cfg.log_level},
                      log_dir + "/feed.log"};
  FeedSupervisor feed(io, pm, feed_spec, policy);
  feed.start();

  StrategyCatalog catalog(cfg.strategies_dir);
  RunnerRegistry registry(io, pm, hub, store, catalog, cfg,
                          RegistryPaths{bin + "/strat-worker", log_dir, instance, md_ep, ev_ep});
  registry_ptr = &registry;
  registry.restore();
  http::ApiContext api{io, registry, hub, journal, ws_hub, catalog, store, feed, cfg, wall_ms(), instance};
  http::Router router;
  http::add_engine_routes(router, api);
  http::add_runner_routes(router, api);
  http::add_event_routes(router, api);

  http::HttpSettings hs;
  hs.body_limit = cfg.server.body_limit_bytes;
  hs.timeout = std::chrono::milliseconds(cfg.server.request_timeout_ms);
  hs.cors_origins = cfg.server.cors_origins;
  hs.websocket = &ws_hub;
  auto listener = std::make_shared<http::Listener>(io, router, hs);
  if (auto st = listener->listen(cfg.server.host, cfg.server.port); !st) {
    spdlog::critical("{}", st.error().message);
    feed.stop(std::chrono::milliseconds(0), [] {});
    pm.kill_all_now();
    hub.stop();
    return 1;
  }
  listener->start();
  const std::string url = "http://" + cfg.server.host + ":" + std::to_string(listener->port());
  {
    std::ofstream(url_file + ".tmp") << url << "\n";
    fs::rename(url_file + ".tmp", url_file);
  }
  spdlog::info("stratd listening on {} (state {}, strategies {})", url, cfg.state_dir, cfg.strategies_dir);
  sd_notify(0, "READY=1");

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  boost::asio::steady_timer deadline(io);
  boost::asio::steady_timer drain(io);
  std::chrono::steady_clock::time_point drain_until;
  std::function<void()> drain_ws = [&] {
    if (ws_hub.clients() == 0 || std::chrono::steady_clock::now() >= drain_until) {
      deadline.cancel();
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(10));
    drain.async_wait([&](const boost::system::error_code& e) {
      if (!e) drain_ws();
    });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping runners", sig);
    sd_notify(0, "STOPPING=1");
    listener->stop();
    ws_hub.shutdown();  // every client gets a close frame (1001)
    // Whatever happens, the process ends: past every grace period, kill.
    deadline.expires_after(std::chrono::milliseconds(rp.stop_grace_ms + 3000));
    deadline.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      spdlog::error("shutdown overran; killing what is left");
      pm.kill_all_now();
      io.stop();
    });
    registry.shutdown([&] {
      feed.stop(std::chrono::milliseconds(rp.stop_grace_ms), [&] {
        // Give WebSocket close handshakes a moment to finish.
        drain_until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        drain_ws();
      });
    });
  });

  io.run();
  pm.kill_all_now();
  hub.stop();
  ws_hub.stop();
  // The hub's last events were handed to this loop for the store: run them.
  io.restart();
  io.poll();
  fs::remove(url_file);
  spdlog::info("stratd stopped");
  ::close(lock_fd);
  return 0;
}

}  // namespace stratd::supervisor
