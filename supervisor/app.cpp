#include "supervisor/app.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "ipc/bus.hpp"
#include "supervisor/audit/audit_log.hpp"
#include "supervisor/auth/access_gate.hpp"
#include "supervisor/auth/access_policy.hpp"
#include "supervisor/bus_sockets.hpp"
#include "supervisor/http/api_error.hpp"
#include "supervisor/events/event_hub.hpp"
#include "supervisor/events/event_pipeline.hpp"
#include "supervisor/feed_supervisor.hpp"
#include "supervisor/http/cors_policy.hpp"
#include "supervisor/http/listener.hpp"
#include "supervisor/http/routes.hpp"
#include "supervisor/http/tls_context.hpp"
#include "supervisor/install_layout.hpp"
#include "supervisor/logs/log_follower.hpp"
#include "supervisor/private_paths.hpp"
#include "supervisor/process_manager.hpp"
#include "supervisor/runners/runner_registry.hpp"
#include "supervisor/service_notifier.hpp"
#include "supervisor/shutdown_sequence.hpp"
#include "supervisor/state_dir.hpp"
#include "supervisor/store.hpp"
#include "supervisor/strategy_catalog.hpp"
#include "supervisor/worker_identity.hpp"

namespace stratd::supervisor {
namespace {

// SIGTERM (and SIGHUP) during start-up waits until the handler is in place, and then
// stops everything that was started: held pending, not fatal. Threads
// started meanwhile keep them blocked, so they reach the main thread.
class TerminationHold {
 public:
  TerminationHold() {
    sigset_t termination;
    sigemptyset(&termination);
    sigaddset(&termination, SIGTERM);
    sigaddset(&termination, SIGINT);
    sigaddset(&termination, SIGHUP);
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

// STATUS=: what `systemctl status` shows under the unit's name.
std::string service_status(const RunnerRegistry& registry, const ws::WsHub& websocket) {
  std::map<std::string, size_t> by_lifecycle;
  for (const Runner* r : registry.list()) ++by_lifecycle[std::string(to_string(r->lifecycle()))];
  std::string out = std::to_string(registry.size()) + (registry.size() == 1 ? " runner" : " runners");
  const char* sep = ": ";
  for (const auto& [name, n] : by_lifecycle) {
    out += sep + std::to_string(n) + " " + name;
    sep = ", ";
  }
  const size_t clients = websocket.clients();
  out += "; " + std::to_string(clients) + (clients == 1 ? " WebSocket client" : " WebSocket clients");
  return out;
}

// Listening beyond loopback without keys hands stratd (and the code it
// runs) to anyone who reaches the port: refused unless asked for.
Status check_exposure(const Config& cfg) {
  if (!cfg.auth.keys.empty() || http::is_loopback_host(cfg.server.host)) return ok();
  if (!cfg.server.insecure) {
    return fail(ErrorCode::ConfigInvalid,
                "refusing to listen on " + cfg.server.host +
                    " without API keys: anyone who reaches it could run code. Add [[auth.keys]] (stratd keygen), "
                    "listen on 127.0.0.1, or pass --insecure");
  }
  spdlog::critical("INSECURE: listening on {} without API keys (--insecure): anyone who reaches this port can "
                   "add, stop and delete runners, and run strategies",
                   cfg.server.host);
  return ok();
}

Expected<ReloadOutcome> reload(Config& cfg, Config& requested, const ConfigReloader& load) {
  auto fresh = load();
  if (!fresh) {
    spdlog::error("reload refused, nothing changed: {}", fresh.error().message);
    return fail(ErrorCode::ConfigRefused, "the configuration does not load; nothing changed: " + fresh.error().message);
  }
  // Removing the last key of a stratd listening beyond loopback would open
  // it to anyone: refused as the same start would be.
  Config would_be = cfg;
  would_be.auth.keys = fresh->config.auth.keys;
  if (auto exposed = check_exposure(would_be); !exposed) {
    spdlog::error("reload refused, nothing changed: {}", exposed.error().message);
    return fail(ErrorCode::ConfigRefused, "nothing changed: " + exposed.error().message);
  }
  for (const auto& notice : fresh->notices) spdlog::warn("{}", notice);
  const ReloadOutcome outcome = apply_reload(requested, fresh->config);
  copy_live_settings(cfg, requested);
  set_log_level(cfg.log.level);
  auto joined = [](const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
  };
  if (outcome.applied.empty() && outcome.need_restart.empty()) spdlog::info("reload: nothing changed");
  if (!outcome.applied.empty()) spdlog::info("reload: now in effect: {}", joined(outcome.applied));
  if (!outcome.need_restart.empty()) {
    spdlog::warn("reload: changed, but only a restart of stratd applies: {}", joined(outcome.need_restart));
  }
  return outcome;
}

// SIGHUP: the certificate and key are read again, whether or not their
// paths changed (a renewed certificate keeps its name). New connections
// get the new context; open ones keep theirs; a bad pair changes nothing.
void reload_tls(http::Listener& listener, const TlsSettings& tls) {
  if (listener.tls() != tls.enabled()) {
    spdlog::warn("reload: turning TLS {} takes a restart of stratd", tls.enabled() ? "on" : "off");
    return;
  }
  if (!tls.enabled()) return;
  auto context = http::make_tls_context(tls);
  if (!context) {
    spdlog::error("reload: keeping the previous certificate: {}", context.error().message);
    return;
  }
  listener.use_tls(std::move(*context));
  spdlog::info("reload: TLS certificate {} loaded for new connections", tls.cert);
}

}  // namespace

int run_stratd(Config& cfg, Config requested, ConfigReloader load) {
  std::signal(SIGPIPE, SIG_IGN);
  if (auto st = check_exposure(cfg); !st) return failed(st.error());
  TerminationHold hold;
  raise_descriptor_limit();
  // Before anything is started: a root stratd never runs a child as root.
  auto run_as = worker_identity(cfg.runners.worker_user);
  if (!run_as) return failed(run_as.error());
  if (*run_as) spdlog::info("workers and the feed run as {} (uid {})", (*run_as)->name, (*run_as)->uid);
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

  BusSockets bus(*run_as);
  if (auto st = bus.listen_market_data(ipc::market_data_socket(state->run_dir())); !st) return failed(st.error());
  // The feed's state, opened for it: it may not be able to open our files.
  const std::string feed_state = state->file("feed-sim.json");
  const int feed_state_fd = open_private(feed_state, O_RDWR);
  if (feed_state_fd < 0) return failed(Error{ErrorCode::InternalError, "cannot open " + feed_state + ": " + strerror(errno)});
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } feed_state_closer{feed_state_fd};

  boost::asio::io_context io(1);  // run by this thread alone (others only post to it)
  zmq::context_t zctx(1);
  EventHub hub(zctx, ev_ep);
  ProcessManager pm(io, cfg.log.max_file_bytes);
  FeedSupervisor feed(io, pm,
                      feed_spawn_spec(cfg, {bin + "/strat-feed", md_ep, bus.market_data_listener(), feed_state_fd,
                                            state->log_dir() + "/feed.log", *run_as}),
                      cfg.runners);
  StrategyCatalog catalog(cfg.paths.strategies_dir);
  RunnerRegistry registry(io, pm, hub, store, catalog, cfg,
                          WorkerPaths{bin + "/strat-worker", state->log_dir(), state->instance(), &bus, *run_as});
  LogFollower logs(hub.io(), state->log_dir(), [&hub](const std::string& id) { return hub.runner_stats(id).has_value(); });
  http::Rejections rejections;
  EventPipeline events(hub, store, io, [&registry](const std::string& id) { registry.persist(id); }, cfg, &logs,
                       &rejections);
  if (auto st = events.start(); !st) return failed(st.error());
  if (auto st = bus.expose_events(ipc::events_socket(state->run_dir())); !st) return failed(st.error());
  feed.start();

  http::ApiContext api{io, registry, hub, events.journal(), events.websocket(), catalog, store, feed, cfg,
                       wall_ms(), state->instance(), rejections};
  audit::AuditLog audit(io, store, cfg.audit);
  auto connections = std::make_shared<http::ConnectionLimits>();
  api.connections = connections.get();
  api.audit = &audit;
  auth::AccessPolicy access(cfg.auth);
  auth::AccessGate gate(cfg, rejections, &audit);
  http::Router router(&access, &rejections, &audit);
  http::add_api_routes(router, api, state->file("feed-sim.json"));
  auto listener =
      std::make_shared<http::Listener>(io, router, cfg.server, &events.websocket(), rejections, gate, connections);
  Status listening = ok();
  if (cfg.tls.enabled()) {
    if (auto context = http::make_tls_context(cfg.tls)) {
      listener->use_tls(std::move(*context));
    } else {
      listening = Unexpected<Error>{context.error()};
    }
  }
  if (listening) listening = listener->listen(cfg.server.host, cfg.server.port);
  if (!listening) {
    feed.stop(std::chrono::milliseconds(0), [] {});
    pm.kill_all_now();
    events.stop();
    return failed(listening.error());
  }

  ShutdownSequence shutdown(io, *listener, events.websocket(), registry, feed, pm,
                            std::chrono::milliseconds(cfg.runners.stop_grace_ms));
  ServiceNotifier notifier(io, hub.io(), [&] { return service_status(registry, events.websocket()); });
  notifier.starting();
  notifier.start();
  // SIGHUP and POST /api/engine/reload alike.
  api.reload = [&]() -> Expected<ReloadOutcome> {
    notifier.reloading();
    const auto keys_before = cfg.auth.keys;
    auto outcome = reload(cfg, requested, load);
    reload_tls(*listener, cfg.tls);
    access.reconfigure(cfg.auth);
    gate.reconfigure(cfg);
    events.websocket().revoke(auth::revoked_by(keys_before, cfg.auth.keys));
    notifier.ready();
    return outcome;
  };
  // Clients are served once every runner is back.
  registry.restore([&] {
    if (shutdown.begun()) return;
    listener->start();
    const std::string url =
        (listener->tls() ? "https://" : "http://") + cfg.server.host + ":" + std::to_string(listener->port());
    state->publish_url(url);
    spdlog::info("stratd listening on {} (state {}, strategies {})", url, cfg.paths.state_dir, cfg.paths.strategies_dir);
    notifier.ready();
  });
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  boost::asio::signal_set hangups(io, SIGHUP);
  hold.release();
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: stopping runners", sig);
    hangups.cancel();
    notifier.stopping();
    shutdown.begin();
  });
  std::function<void(const boost::system::error_code&, int)> on_hangup = [&](const boost::system::error_code& ec, int) {
    if (ec || shutdown.begun()) return;
    spdlog::info("SIGHUP: reloading the configuration");
    auto outcome = api.reload();
    auth::Caller by_signal;
    by_signal.address = "signal";
    audit.record(audit::AuditLog::entry(by_signal, "config.reload", "SIGHUP", 0,
                                        outcome ? "ok" : std::string(http::wire_name(outcome.error().code))));
    hangups.async_wait(on_hangup);
  };
  hangups.async_wait(on_hangup);

  io.run();
  notifier.stop();
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
