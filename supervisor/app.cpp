#include "supervisor/app.hpp"

#include <sys/resource.h>

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <zmq.hpp>

#include "common/clock.hpp"
#include "ipc/bus.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/events/event_pipeline.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/listener.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/install_layout.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/runner_registry.hpp"
#include "supervisor/shutdown_sequence.hpp"
#include "supervisor/state_dir.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"

namespace stratd::supervisor {
namespace {

// SIGTERM during start-up waits until the handler is in place, and then
// stops everything that was started: held pending, not fatal. Threads
// started meanwhile keep them blocked, so they reach the main thread.
class TerminationHold {
 public:
  TerminationHold() {
    sigset_t termination;
    sigemptyset(&termination);
    sigaddset(&termination, SIGTERM);
    sigaddset(&termination, SIGINT);
    pthread_sigmask(SIG_BLOCK, &termination, &previous_);
  }
  ~TerminationHold() { release(); }
  void release() {
    if (std::exchange(held_, false)) pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t previous_;
  bool held_ = true;
};

// Every client connection is a descriptor: allow as many as the hard limit.
void raise_descriptor_limit() {
  if (rlimit nofile{}; getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
}

int failed(const Error& e) {
  spdlog::critical("{}", e.message);
  return 1;
}

}  // namespace

int run_stratd(const Config& cfg) {
  std::signal(SIGPIPE, SIG_IGN);
  TerminationHold hold;
  raise_descriptor_limit();
  auto state = StateDir::open(cfg.paths);
  if (!state) return failed(state.error());
  auto opened = Store::open(state->file("stratd.db"));
  if (!opened) return failed(opened.error());
  Store& store = **opened;
  if (auto stored = store.runners()) {
    std::set<std::string> known;
    for (const auto& r : *stored) known.insert(r.spec.runner_id);
    state->remove_stale_segments(known);
  }
  const std::string bin = program_dir();
  const std::string md_ep = ipc::market_data_endpoint(state->run_dir());
  const std::string ev_ep = ipc::events_endpoint(state->run_dir());

  boost::asio::io_context io(1);  // run by this thread alone (others only post to it)
  zmq::context_t zctx(1);
  EventHub hub(zctx, ev_ep);
  ProcessManager pm(io, cfg.log.max_file_bytes);
  FeedSupervisor feed(io, pm,
                      feed_spawn_spec(cfg.feed, cfg.log.level,
                                      {bin + "/strat-feed", md_ep, state->file("feed-sim.json"),
                                       state->log_dir() + "/feed.log"}),
                      cfg.runners);
  StrategyCatalog catalog(cfg.paths.strategies_dir);
  RunnerRegistry registry(io, pm, hub, store, catalog, cfg,
                          WorkerPaths{bin + "/strat-worker", state->log_dir(), state->instance(), md_ep, ev_ep});
  EventPipeline events(hub, store, io, [&registry](const std::string& id) { registry.persist(id); }, cfg);
  if (auto st = events.start(); !st) return failed(st.error());
  feed.start();

  http::ApiContext api{io, registry, hub, events.journal(), events.websocket(), catalog, store, feed, cfg,
                       wall_ms(), state->instance()};
  http::Router router;
  http::add_engine_routes(router, api);
  http::add_runner_routes(router, api);
  http::add_event_routes(router, api);
  auto listener = std::make_shared<http::Listener>(io, router, cfg.server, &events.websocket());
  if (auto st = listener->listen(cfg.server.host, cfg.server.port); !st) {
    feed.stop(std::chrono::milliseconds(0), [] {});
    pm.kill_all_now();
    events.stop();
    return failed(st.error());
  }

  ShutdownSequence shutdown(io, *listener, events.websocket(), registry, feed, pm,
                            std::chrono::milliseconds(cfg.runners.stop_grace_ms));
  // Clients are served once every runner is back.
  registry.restore([&] {
    if (shutdown.begun()) return;
    listener->start();
    const std::string url = "http://" + cfg.server.host + ":" + std::to_string(listener->port());
    state->publish_url(url);
    spdlog::info("stratd listening on {} (state {}, strategies {})", url, cfg.paths.state_dir, cfg.paths.strategies_dir);
    sd_notify(0, "READY=1");
  });
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  hold.release();
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping runners", sig);
    sd_notify(0, "STOPPING=1");
    shutdown.begin();
  });

  io.run();
  pm.kill_all_now();
  events.stop();
  // The hub's last events were handed to this loop for the store: run them.
  io.restart();
  io.poll();
  state->clear_url();
  spdlog::info("stratd stopped");
  return 0;
}

}  // namespace stratd::supervisor
