// RunnerRegistry: the operations clients ask for and the queries that serve
// them. Process reactions (spawn, exit, watchdog) are in runner_lifecycle.cpp.
#include "supervisor/registry.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/msgpack_codec.hpp"

namespace stratd::supervisor {

std::string_view to_string(Lifecycle l) {
  switch (l) {
    case Lifecycle::Starting: return "Starting";
    case Lifecycle::Running: return "Running";
    case Lifecycle::Stopping: return "Stopping";
    case Lifecycle::Stopped: return "Stopped";
    case Lifecycle::Crashed: return "Crashed";
    case Lifecycle::Restarting: return "Restarting";
    case Lifecycle::Failed: return "Failed";
  }
  return "Unknown";
}

RunnerRegistry::RunnerRegistry(boost::asio::io_context& io, ProcessManager& pm, EventHub& hub, Store& store,
                               const StrategyCatalog& catalog, const Config& cfg, RegistryPaths paths)
    : io_(io), pm_(pm), hub_(hub), store_(store), catalog_(catalog), cfg_(cfg), paths_(std::move(paths)),
      watchdog_timer_(io) {
  schedule_watchdog();
}

Runner* RunnerRegistry::find_mut(const std::string& id) {
  auto it = runners_.find(id);
  return it == runners_.end() ? nullptr : it->second.get();
}

const Runner* RunnerRegistry::find(const std::string& id) const {
  auto it = runners_.find(id);
  return it == runners_.end() ? nullptr : it->second.get();
}

std::vector<const Runner*> RunnerRegistry::list() const {
  std::vector<const Runner*> out;
  out.reserve(runners_.size());
  for (const auto& [_, r] : runners_) out.push_back(r.get());
  return out;
}

Expected<const Runner*> RunnerRegistry::add(const RunnerSpec& spec, const std::string& strategy_file) {
  if (shutting_down_) return fail("SHUTTING_DOWN", "stratd is shutting down");
  if (runners_.count(spec.runner_id)) {
    return fail("RUNNER_EXISTS", "Runner '" + spec.runner_id + "' already exists");
  }
  if (runners_.size() >= size_t(cfg_.runners.max_runners)) {
    return fail("RUNNER_LIMIT_REACHED",
                "at most " + std::to_string(cfg_.runners.max_runners) + " runners are allowed");
  }
  const auto& p = cfg_.runners;
  auto r = std::make_unique<Runner>(RestartPolicySettings{std::chrono::milliseconds(p.backoff_initial_ms),
                                                          std::chrono::milliseconds(p.backoff_max_ms),
                                                          p.crash_limit,
                                                          std::chrono::seconds(p.crash_window_secs)});
  r->spec = spec;
  r->strategy_file = strategy_file;
  r->created_at_ms = wall_ms();
  r->segment_name = ipc::segment_name(paths_.instance, spec.runner_id);
  // A new runner starts clean, whatever an earlier one of this id left.
  ipc::SegmentMapping::remove(r->segment_name);
  auto seg = ipc::SegmentMapping::create(r->segment_name, spec.window_size);
  if (!seg) return Unexpected<Error>{seg.error()};
  r->segment = std::make_unique<ipc::SegmentMapping>(std::move(*seg));
  r->reader = std::make_unique<ipc::SegmentReader>(*r->segment);
  r->backoff = std::make_unique<boost::asio::steady_timer>(io_);
  // Accepted means durable: no runner exists that the store does not know.
  if (auto st = store_.put_runner(StoredRunner{spec, r->created_at_ms, true}); !st) {
    ipc::SegmentMapping::remove(r->segment_name);
    return Unexpected<Error>{st.error()};
  }
  hub_.register_runner(spec.runner_id, spec.symbol, uint64_t(0));
  Runner& ref = *r;
  runners_.emplace(spec.runner_id, std::move(r));
  spdlog::info("runner {} added: {} on {}", spec.runner_id, spec.strategy_path, spec.symbol);
  spawn(ref);
  return &ref;
}

void RunnerRegistry::remove(const std::string& id, std::function<void()> done) {
  Runner* r = find_mut(id);
  if (!r) {
    done();
    return;
  }
  r->on_deleted.push_back(std::move(done));
  if (r->has_process()) {
    request_stop(*r, Runner::AfterStop::Delete);
    return;
  }
  r->backoff->cancel();
  finish_delete(id);
}

void RunnerRegistry::finish_delete(const std::string& id) {
  auto it = runners_.find(id);
  if (it == runners_.end()) return;
  std::unique_ptr<Runner> r = std::move(it->second);
  runners_.erase(it);
  r->backoff->cancel();
  hub_.unregister_runner(id);
  // The store first: killed in between, stratd must not bring back from an
  // old stored snapshot a runner whose segment is already gone.
  if (auto st = store_.delete_runner(id); !st) spdlog::error("runner {}: {}", id, st.error().message);
  r->reader.reset();
  r->segment.reset();
  ipc::SegmentMapping::remove(r->segment_name);
  // Its logs go with it, as its trades do: a runner added again under this
  // id starts afresh.
  std::error_code ec;
  std::filesystem::remove(log_path(id), ec);
  std::filesystem::remove(log_path(id) + ".1", ec);
  spdlog::info("runner {} deleted", id);
  for (auto& cb : r->on_deleted) cb();
}

Expected<const Runner*> RunnerRegistry::start(const std::string& id) {
  Runner* r = find_mut(id);
  if (!r) return fail("RUNNER_NOT_FOUND", "Runner '" + id + "' not found");
  if (shutting_down_) return fail("SHUTTING_DOWN", "stratd is shutting down");
  set_desired(*r, true);
  if (r->strategy_file.empty()) {
    // Restored while its strategy file was missing: look again.
    auto resolved = catalog_.resolve(r->spec.strategy_path);
    if (!resolved) return Unexpected<Error>{resolved.error()};
    r->strategy_file = resolved->absolute;
  }
  switch (r->lifecycle) {
    case Lifecycle::Stopped:
    case Lifecycle::Failed:
    case Lifecycle::Crashed:
      r->policy.reset();
      spawn(*r);
      break;
    case Lifecycle::Restarting:
      r->backoff->cancel();
      spawn(*r);
      break;
    case Lifecycle::Stopping:
      if (r->after_stop != Runner::AfterStop::Delete) r->after_stop = Runner::AfterStop::Start;
      break;
    case Lifecycle::Starting:
    case Lifecycle::Running: break;  // already what was asked
  }
  return r;
}

Expected<const Runner*> RunnerRegistry::stop(const std::string& id) {
  Runner* r = find_mut(id);
  if (!r) return fail("RUNNER_NOT_FOUND", "Runner '" + id + "' not found");
  set_desired(*r, false);
  if (r->has_process()) {
    if (r->lifecycle == Lifecycle::Stopping) {
      if (r->after_stop == Runner::AfterStop::Start) r->after_stop = Runner::AfterStop::StayStopped;
    } else {
      request_stop(*r, Runner::AfterStop::StayStopped);
    }
  } else if (r->lifecycle == Lifecycle::Restarting || r->lifecycle == Lifecycle::Crashed ||
             r->lifecycle == Lifecycle::Failed) {
    // Stopping a Failed runner acknowledges the failure: it is Stopped now.
    r->backoff->cancel();
    r->lifecycle = Lifecycle::Stopped;
    emit(*r, EventType::RunnerStopped, {{"reason", std::string("requested")}});
  }
  return r;
}

Expected<const Runner*> RunnerRegistry::restart(const std::string& id) {
  Runner* r = find_mut(id);
  if (!r) return fail("RUNNER_NOT_FOUND", "Runner '" + id + "' not found");
  if (shutting_down_) return fail("SHUTTING_DOWN", "stratd is shutting down");
  set_desired(*r, true);
  r->policy.reset();
  if (r->has_process()) {
    if (r->lifecycle == Lifecycle::Stopping) {
      if (r->after_stop != Runner::AfterStop::Delete) r->after_stop = Runner::AfterStop::Start;
    } else {
      request_stop(*r, Runner::AfterStop::Start);
    }
    return r;
  }
  return start(id);
}

Expected<Snapshot> RunnerRegistry::snapshot(const Runner& r) const {
  // The segment is written by an untrusted process: a bad one is counted,
  // once per commit however often it is read.
  auto corrupt = [&](const std::string& why) -> Expected<Snapshot> {
    if (const uint64_t c = r.reader->commits(); c != r.bad_commit) {
      r.bad_commit = c;
      ++r.segment_errors;
      spdlog::warn("runner {}: its segment holds no valid snapshot (commit {}): {}", r.spec.runner_id, c, why);
    }
    return fail("SNAPSHOT_UNAVAILABLE", "the runner's snapshot could not be read");
  };
  auto bytes = r.reader->snapshot();
  if (!bytes) {
    if (bytes.error().code == "SNAPSHOT_UNAVAILABLE" && r.reader->commits() == 0) {
      Snapshot fresh;  // nothing published yet: the runner's starting point
      fresh.runner_id = r.spec.runner_id;
      fresh.symbol = r.spec.symbol;
      return fresh;
    }
    if (bytes.error().code == "SNAPSHOT_CORRUPT") return corrupt(bytes.error().message);
    return fail("SNAPSHOT_UNAVAILABLE", bytes.error().message);
  }
  auto snap = msgpack_decode<Snapshot>(*bytes);
  if (!snap) return corrupt(snap.error().message);
  if (snap->runner_id != r.spec.runner_id || snap->symbol != r.spec.symbol) return corrupt("another runner's snapshot");
  return snap;
}

Expected<std::vector<Bar>> RunnerRegistry::history(const Runner& r, size_t count) const {
  auto bars = r.reader->history(count);
  if (!bars) return fail("SNAPSHOT_UNAVAILABLE", bars.error().message);
  return bars;
}

std::optional<int64_t> RunnerRegistry::heartbeat_age_ms(const Runner& r) const {
  if (!r.has_process() || r.reader->worker_pid() != r.pid) return std::nullopt;
  return r.reader->heartbeat_age_ms();
}

int64_t RunnerRegistry::uptime_secs(const Runner& r) const {
  if (r.lifecycle != Lifecycle::Running || r.running_since_ms == 0) return 0;
  return (wall_ms() - r.running_since_ms) / 1000;
}

}  // namespace stratd::supervisor
