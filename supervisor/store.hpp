#pragma once
// What must survive a reboot, in SQLite (<state_dir>/stratd.db, WAL): runner
// configurations with their desired state, each runner's last snapshot
// (position, context, statistics, sequence numbers), every position opened
// and closed, the non-tick event journal within a retention limit, and the
// audit log of control actions.
// Used from the supervisor's main loop only. Every write is timed, by the
// kind of record it writes (for /metrics).
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/position_event.hpp"
#include "common/result.hpp"
#include "common/snapshot.hpp"
#include "supervisor/audit/audit_entry.hpp"
#include "supervisor/events/event_journal.hpp"
#include "supervisor/metrics/instruments.hpp"
#include "supervisor/runners/runner_spec.hpp"
#include "supervisor/sqlite_db.hpp"

namespace stratd::supervisor {

struct StoredRunner {
  RunnerSpec spec;
  int64_t created_at_ms = 0;
  bool desired_running = true;
  // Set while it is Failed (crash loop, error policy, a strategy that does
  // not load): it stays down across restarts of stratd until started again.
  std::optional<std::string> failed_reason{};
};

using StoredPosition = PositionRecord;

// What a write records: a runner's configuration or state (add, desired,
// failed, delete), a snapshot with its positions, events, the sequence
// reservation.
enum class StoreWrite : uint8_t { Runner, Snapshot, Events, Sequence, Audit, kCount };
std::string_view to_string(StoreWrite w);

class Store {
 public:
  static Expected<std::unique_ptr<Store>> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Status put_runner(const StoredRunner& r);
  // Also clears a failure: asking again is how a Failed runner comes back.
  Status set_desired(const std::string& runner_id, bool running);
  Status set_failed(const std::string& runner_id, const std::string& reason);
  // Forgets the runner, its state and its positions.
  Status delete_runner(const std::string& runner_id);
  Expected<std::vector<StoredRunner>> runners();

  // Records a snapshot: the state a runner resumes from after a reboot, and
  // its open position and recent trades (idempotent, by position id).
  Status save_snapshot(const std::string& runner_id, std::string_view bytes, const Snapshot& snap);
  std::optional<std::string> snapshot(const std::string& runner_id);

  // Positions, newest first; `closed_only` for the trade history.
  Expected<std::vector<StoredPosition>> positions(const std::string& runner_id, bool closed_only, size_t limit);

  // Appends events and trims to the newest `retention`; a position event
  // also records the position it describes (its typed record, taken from
  // the worker's fields on intake), in the same transaction.
  Status append_events(const std::vector<JournalEventPtr>& events, uint64_t retention);
  uint64_t last_event_seq();
  uint64_t event_count();
  // Sequence numbers up to this one may have been handed out (ticks are
  // not stored, so the events table alone cannot say); numbering resumes
  // above it after a restart.
  uint64_t seq_reserved();
  Status set_seq_reserved(uint64_t upto);

  // The audit log (supervisor/audit/): appended, read a page at a time,
  // pruned by age and to the newest `keep` entries.
  Status append_audit(const audit::AuditEntry& e);
  Status prune_audit(int64_t older_than_ms, uint64_t keep);
  Expected<std::vector<audit::AuditEntry>> audit_entries(std::optional<uint64_t> after_id, int64_t since_ms,
                                                         size_t limit);

  // How long writes of this kind took, in seconds (read on any thread).
  const metrics::Histogram& write_latency(StoreWrite w) const { return write_latency_[size_t(w)]; }

 private:
  explicit Store(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Status upsert_open(const std::string& runner_id, const Position& p);
  Status upsert_closed(const std::string& runner_id, const Trade& t);
  Status record_position(const std::string& runner_id, const PositionRecord& p);

  std::unique_ptr<SqliteDb> db_;
  uint64_t event_rows_ = 0;  // rows in `events`, counted once at open
  std::array<metrics::Histogram, size_t(StoreWrite::kCount)> write_latency_;
};

}  // namespace stratd::supervisor
