#include "supervisor/runners/build_runner.hpp"

#include "ipc/segment.hpp"

namespace stratd::supervisor {
namespace {

// The segment, and which of its commits the store already has.
struct OpenedSegment {
  RunnerSegment segment;
  uint64_t persisted_commits;
};

Expected<OpenedSegment> open_segment(const RunnerSpec& spec, RunnerSegment::Origin origin, const RunnerDeps& deps) {
  std::optional<std::string> stored;
  if (origin != RunnerSegment::Origin::Fresh) stored = deps.store.snapshot(spec.runner_id);
  auto seg = RunnerSegment::open(ipc::segment_name(deps.instance, spec.runner_id), spec.window_size, origin, stored);
  if (!seg) return Unexpected<Error>{seg.error()};
  // What a previous worker committed may be newer than the store's copy;
  // what was seeded from the store is the store's.
  const uint64_t persisted = seg->resumed() ? 0 : seg->commits();
  return OpenedSegment{std::move(*seg), persisted};
}

}  // namespace

Expected<std::unique_ptr<Runner>> build_runner(const RunnerSpec& spec, int64_t created_at_ms,
                                               RunnerSegment::Origin origin, const RunnerDeps& deps) {
  auto opened = open_segment(spec, origin, deps);
  if (!opened) return Unexpected<Error>{opened.error()};
  auto r = std::make_unique<Runner>(spec, created_at_ms, std::move(opened->segment), deps.policy, deps.io);
  r->persisted_commits = opened->persisted_commits;
  return r;
}

Status rebuild_segment(Runner& r, const RunnerDeps& deps) {
  const uint64_t errors = r.segment.errors();
  r.segment.remove();
  auto opened = open_segment(r.spec, RunnerSegment::Origin::Rebuild, deps);
  if (!opened) return Unexpected<Error>{opened.error()};
  r.segment = std::move(opened->segment);
  r.segment.carry_errors(errors);
  r.persisted_commits = opened->persisted_commits;
  return ok();
}

}  // namespace stratd::supervisor
