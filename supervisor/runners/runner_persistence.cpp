#include "supervisor/runners/runner_persistence.hpp"

#include <spdlog/spdlog.h>

#include "common/validation.hpp"

namespace stratd::supervisor {

void save_new_snapshot(Runner& r, Store& store) {
  const uint64_t commits = r.segment.commits();
  if (commits == 0 || commits == r.persisted_commits) return;
  auto committed = r.segment.committed(r.spec.runner_id, r.spec.symbol);
  if (!committed) return;
  if (auto st = store.save_snapshot(r.spec.runner_id, committed->bytes, committed->snapshot); !st) {
    spdlog::error("runner {}: cannot save its snapshot: {}", r.spec.runner_id, st.error().message);
    return;
  }
  r.persisted_commits = commits;
}

std::vector<RestoredRunner> restore_runners(const std::vector<StoredRunner>& stored, const StrategyCatalog& catalog,
                                            const RunnerSettings& settings, const RunnerDeps& deps) {
  std::vector<RestoredRunner> out;
  for (const StoredRunner& sr : stored) {
    const RunnerSpec& spec = sr.spec;
    if (!is_valid_runner_id(spec.runner_id) || !is_valid_symbol(spec.symbol) || spec.window_size == 0 ||
        spec.window_size > uint32_t(settings.max_window_size)) {
      spdlog::error("store holds an invalid runner '{}'; skipped", spec.runner_id.substr(0, 64));
      continue;
    }
    auto built = build_runner(spec, sr.created_at_ms, RunnerSegment::Origin::Resume, deps);
    if (!built) {
      spdlog::error("runner {}: {}", spec.runner_id, built.error().message);
      continue;
    }
    RestoredRunner rr{std::move(*built), RestoredRunner::Next::StayStopped, {}};
    Runner& r = *rr.runner;
    auto resolved = catalog.resolve(spec.strategy_path);
    if (resolved) r.strategy_file = resolved->absolute;
    if (sr.failed_reason) {
      // Failed before stratd stopped: it stays so until started over the API.
      rr.next = RestoredRunner::Next::StayFailed;
      rr.reason = *sr.failed_reason;
    } else if (!resolved) {
      // Stopped it was and stopped it stays (start looks for the file
      // again); one that should run cannot.
      rr.next = sr.desired_running ? RestoredRunner::Next::CannotStart : RestoredRunner::Next::StayStopped;
      rr.reason = resolved.error().message;
    } else {
      rr.next = sr.desired_running ? RestoredRunner::Next::Start : RestoredRunner::Next::StayStopped;
    }
    spdlog::info("runner {} restored from {} ({})", spec.runner_id, r.segment.resumed() ? "its segment" : "the store",
                 sr.failed_reason ? "failed" : sr.desired_running ? "starting" : "stopped");
    out.push_back(std::move(rr));
  }
  return out;
}

}  // namespace stratd::supervisor
