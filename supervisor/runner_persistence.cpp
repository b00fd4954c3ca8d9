// RunnerRegistry: what survives stratd. Desired states and snapshots go to
// the store; at start-up every stored runner comes back, from its segment if
// that survived (stratd was killed) or from the store (the machine rebooted).
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/msgpack_codec.hpp"
#include "common/validation.hpp"
#include "supervisor/previous_writer.hpp"
#include "supervisor/registry.hpp"

namespace stratd::supervisor {
void RunnerRegistry::set_desired(const Runner& r, bool running) {
  if (auto st = store_.set_desired(r.spec.runner_id, running); !st) {
    spdlog::error("runner {}: cannot record desired state: {}", r.spec.runner_id, st.error().message);
  }
}

void RunnerRegistry::persist(const std::string& id) {
  if (Runner* r = find_mut(id)) persist(*r);
}

void RunnerRegistry::persist(Runner& r) {
  if (!r.reader) return;
  const uint64_t commits = r.reader->commits();
  if (commits == 0 || commits == r.persisted_commits) return;
  auto bytes = r.reader->snapshot();
  if (!bytes) return;
  auto snap = msgpack_decode<Snapshot>(*bytes);
  if (!snap || snap->runner_id != r.spec.runner_id || snap->symbol != r.spec.symbol) return;
  if (auto st = store_.save_snapshot(r.spec.runner_id, *bytes, *snap); !st) {
    spdlog::error("runner {}: cannot save its snapshot: {}", r.spec.runner_id, st.error().message);
    return;
  }
  r.persisted_commits = commits;
}

void RunnerRegistry::restore() {
  auto stored = store_.runners();
  if (!stored) {
    spdlog::critical("cannot read runners from the store: {}", stored.error().message);
    return;
  }
  const auto& p = cfg_.runners;
  for (const StoredRunner& sr : *stored) {
    const RunnerSpec& spec = sr.spec;
    if (!is_valid_runner_id(spec.runner_id) || !is_valid_symbol(spec.symbol) || spec.window_size == 0 ||
        spec.window_size > uint32_t(p.max_window_size)) {
      spdlog::error("store holds an invalid runner '{}'; skipped", spec.runner_id.substr(0, 64));
      continue;
    }
    auto r = std::make_unique<Runner>(RestartPolicySettings{std::chrono::milliseconds(p.backoff_initial_ms),
                                                            std::chrono::milliseconds(p.backoff_max_ms),
                                                            p.crash_limit, std::chrono::seconds(p.crash_window_secs)});
    r->spec = spec;
    r->created_at_ms = sr.created_at_ms;
    r->segment_name = ipc::segment_name(paths_.instance, spec.runner_id);
    r->backoff = std::make_unique<boost::asio::steady_timer>(io_);

    // The segment outlives stratd, but not a reboot.
    bool from_segment = false;
    bool writer_gone = true;
    if (auto existing = ipc::SegmentMapping::open(r->segment_name, true);
        existing && existing->window_capacity() == spec.window_size) {
      writer_gone = end_previous_writer(existing->header().worker_pid.load(), r->segment_name);
      r->segment = std::make_unique<ipc::SegmentMapping>(std::move(*existing));
      from_segment = r->segment->header().commits.load() > 0;
    } else {
      ipc::SegmentMapping::remove(r->segment_name);
      auto seg = ipc::SegmentMapping::create(r->segment_name, spec.window_size);
      if (!seg) {
        spdlog::error("runner {}: {}", spec.runner_id, seg.error().message);
        continue;
      }
      r->segment = std::make_unique<ipc::SegmentMapping>(std::move(*seg));
    }
    if (!from_segment) {
      if (auto bytes = store_.snapshot(spec.runner_id)) ipc::SegmentWriter::seed(*r->segment, *bytes);
    }
    r->reader = std::make_unique<ipc::SegmentReader>(*r->segment);
    r->persisted_commits = from_segment ? 0 : r->reader->commits();

    // Event numbering continues where the runner left it.
    std::optional<uint64_t> last_seq;
    if (auto snap = snapshot(*r)) last_seq = snap->event_seq;
    hub_.register_runner(spec.runner_id, spec.symbol, last_seq);

    auto resolved = catalog_.resolve(spec.strategy_path);
    Runner& ref = *r;
    runners_.emplace(spec.runner_id, std::move(r));
    spdlog::info("runner {} restored from {} ({})", spec.runner_id, from_segment ? "its segment" : "the store",
                 sr.failed_reason ? "failed" : sr.desired_running ? "starting" : "stopped");
    if (!writer_gone) {
      // A second writer on its segment is the one thing never to risk.
      ref.lifecycle = Lifecycle::Failed;
      ref.last_exit_reason = "its previous worker could not be stopped; start it again once that process is gone";
      emit(ref, EventType::RunnerFailed, {{"reason", ref.last_exit_reason}});
      continue;
    }
    if (sr.failed_reason) {
      // Failed before stratd stopped: it stays so until started over the API.
      ref.lifecycle = Lifecycle::Failed;
      ref.last_exit_reason = *sr.failed_reason;
      if (resolved) ref.strategy_file = resolved->absolute;
      continue;
    }
    if (!resolved && !sr.desired_running) {
      // Stopped it was and stopped it stays; start looks for the file again.
      ref.last_exit_reason = resolved.error().message;
      continue;
    }
    if (!resolved) {
      ref.lifecycle = Lifecycle::Failed;
      ref.last_exit_reason = resolved.error().message;
      emit(ref, EventType::RunnerFailed, {{"reason", ref.last_exit_reason}});
      continue;
    }
    ref.strategy_file = resolved->absolute;
    if (sr.desired_running) spawn(ref);
  }
}

}  // namespace stratd::supervisor
