#include "supervisor/runners/runner_segment.hpp"

#include <spdlog/spdlog.h>

#include "common/msgpack_codec.hpp"

namespace stratd::supervisor {

RunnerSegment::RunnerSegment(std::string name, std::unique_ptr<ipc::SegmentMapping> m, bool resumed)
    : name_(std::move(name)), mapping_(std::move(m)), reader_(std::make_unique<ipc::SegmentReader>(*mapping_)),
      resumed_(resumed) {}

Expected<RunnerSegment> RunnerSegment::open(const std::string& name, uint32_t window, Origin origin,
                                            const std::optional<std::string>& stored_snapshot) {
  if (origin == Origin::Resume) {
    // The segment outlives stratd, but not a reboot.
    if (auto existing = ipc::SegmentMapping::open(name, true); existing && existing->window_capacity() == window) {
      auto m = std::make_unique<ipc::SegmentMapping>(std::move(*existing));
      const bool resumed = m->header().commits.load() > 0;
      if (!resumed && stored_snapshot) ipc::SegmentWriter::seed(*m, *stored_snapshot);
      return RunnerSegment(name, std::move(m), resumed);
    }
  }
  // A new runner starts clean, whatever an earlier one of this id left;
  // a rebuilt one from what the store kept.
  ipc::SegmentMapping::remove(name);
  auto created = ipc::SegmentMapping::create(name, window);
  if (!created) return Unexpected<Error>{created.error()};
  auto m = std::make_unique<ipc::SegmentMapping>(std::move(*created));
  if (origin != Origin::Fresh && stored_snapshot) ipc::SegmentWriter::seed(*m, *stored_snapshot);
  return RunnerSegment(name, std::move(m), false);
}

Expected<Snapshot> RunnerSegment::corrupt(const std::string& runner_id, const std::string& why) const {
  // Counted once per commit however often it is read.
  if (const uint64_t c = reader_->commits(); c != bad_commit_) {
    bad_commit_ = c;
    ++errors_;
    spdlog::warn("runner {}: its segment holds no valid snapshot (commit {}): {}", runner_id, c, why);
  }
  return fail(ErrorCode::SnapshotUnavailable, "the runner's snapshot could not be read");
}

Expected<Snapshot> RunnerSegment::snapshot(const std::string& runner_id, const std::string& symbol) const {
  if (!reader_) return fail(ErrorCode::SnapshotUnavailable, "the runner's segment is gone");
  auto bytes = reader_->snapshot();
  if (!bytes) {
    switch (bytes.error()) {
      case ipc::ReadStatus::Empty:
        if (reader_->commits() == 0) {
          Snapshot fresh;  // nothing published yet: the runner's starting point
          fresh.runner_id = runner_id;
          fresh.symbol = symbol;
          return fresh;
        }
        return fail(ErrorCode::SnapshotUnavailable, "the worker has not published a snapshot yet");
      case ipc::ReadStatus::Corrupt: return corrupt(runner_id, "the snapshot segment is corrupt");
      case ipc::ReadStatus::Busy:
      case ipc::ReadStatus::Ok: break;
    }
    return fail(ErrorCode::SnapshotUnavailable, "the snapshot is being rewritten; retry");
  }
  auto snap = msgpack_decode<Snapshot>(*bytes);
  if (!snap) return corrupt(runner_id, snap.error().message);
  if (snap->runner_id != runner_id || snap->symbol != symbol) return corrupt(runner_id, "another runner's snapshot");
  return snap;
}

std::optional<SnapshotFigures> RunnerSegment::figures(const std::string& runner_id, const std::string& symbol) const {
  if (!reader_) return std::nullopt;
  auto bytes = reader_->snapshot();
  if (!bytes) {
    if (bytes.error() != ipc::ReadStatus::Empty || reader_->commits() > 0) return std::nullopt;
    SnapshotFigures fresh;  // nothing published yet: the runner's starting point
    fresh.runner_id = runner_id;
    fresh.symbol = symbol;
    return fresh;
  }
  auto figures = msgpack_decode<SnapshotFigures>(*bytes);
  if (!figures || figures->runner_id != runner_id || figures->symbol != symbol) return std::nullopt;
  return std::move(*figures);
}

std::optional<RunnerSegment::Committed> RunnerSegment::committed(const std::string& runner_id,
                                                                 const std::string& symbol) const {
  if (!reader_) return std::nullopt;
  auto bytes = reader_->snapshot();
  if (!bytes) return std::nullopt;
  auto snap = msgpack_decode<Snapshot>(*bytes);
  if (!snap || snap->runner_id != runner_id || snap->symbol != symbol) return std::nullopt;
  return Committed{std::move(*bytes), std::move(*snap)};
}

Expected<std::vector<Bar>> RunnerSegment::history(size_t count) const {
  if (!reader_) return fail(ErrorCode::SnapshotUnavailable, "the runner's segment is gone");
  auto bars = reader_->history(count);
  if (!bars) {
    return fail(ErrorCode::SnapshotUnavailable, bars.error() == ipc::ReadStatus::Busy
                                                    ? "the history is being rewritten; retry"
                                                    : "the runner's segment is corrupt");
  }
  return std::move(*bars);
}

std::optional<int64_t> RunnerSegment::heartbeat_age_ms(pid_t pid) const {
  if (pid <= 0 || !reader_ || reader_->worker_pid() != pid) return std::nullopt;
  return reader_->heartbeat_age_ms();
}

void RunnerSegment::remove() {
  reader_.reset();
  mapping_.reset();
  ipc::SegmentMapping::remove(name_);
}

}  // namespace stratd::supervisor
