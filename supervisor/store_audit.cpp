// The store's audit table (supervisor/audit/): appended, read a page at a
// time, pruned by age and size.
#include "supervisor/store.hpp"

namespace stratd::supervisor {
namespace {
using Use = SqliteDb::Use;
}  // namespace

Status Store::append_audit(const audit::AuditEntry& e) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Audit)]);
  auto st = db_->prepare("INSERT INTO audit (time_ms, key_name, role, address, request_id, action, target, status, outcome) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!st) return Unexpected<Error>{st.error()};
  Use u(*st);
  u.put(1, e.time_ms);
  u.put(2, e.key);
  u.put(3, e.role);
  u.put(4, e.address);
  u.put(5, e.request_id);
  u.put(6, e.action);
  u.put(7, e.target);
  u.put(8, int64_t(e.status));
  u.put(9, e.outcome);
  if (!u.done()) return db_->error("append to the audit log");
  return ok();
}

Status Store::prune_audit(int64_t older_than_ms, uint64_t keep) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Audit)]);
  {
    auto st = db_->prepare("DELETE FROM audit WHERE time_ms < ?1");
    if (!st) return Unexpected<Error>{st.error()};
    Use u(*st);
    u.put(1, older_than_ms);
    if (!u.done()) return db_->error("prune the audit log by age");
  }
  auto st = db_->prepare("DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?1");
  if (!st) return Unexpected<Error>{st.error()};
  Use u(*st);
  u.put(1, int64_t(keep));
  if (!u.done()) return db_->error("prune the audit log by size");
  return ok();
}

Expected<std::vector<audit::AuditEntry>> Store::audit_entries(std::optional<uint64_t> after_id, int64_t since_ms,
                                                              size_t limit) {
  // Oldest first. Without `after_id`, the newest `limit` (a view of what
  // happened lately); with it, the next page after that entry.
  auto st = db_->prepare("SELECT * FROM (SELECT id, time_ms, key_name, role, address, request_id, action, target, status, "
                         "outcome FROM audit WHERE id > ?1 AND time_ms >= ?2 ORDER BY id * ?3 DESC LIMIT ?4) ORDER BY id");
  if (!st) return Unexpected<Error>{st.error()};
  Use u(*st);
  u.put(1, int64_t(after_id.value_or(0)));
  u.put(2, since_ms);
  u.put(3, int64_t(after_id ? -1 : 1));
  u.put(4, int64_t(limit));
  std::vector<audit::AuditEntry> out;
  while (u.row()) {
    audit::AuditEntry e;
    e.id = uint64_t(u.integer(0));
    e.time_ms = u.integer(1);
    e.key = u.text(2);
    e.role = u.text(3);
    e.address = u.text(4);
    e.request_id = u.text(5);
    e.action = u.text(6);
    e.target = u.text(7);
    e.status = int(u.integer(8));
    e.outcome = u.text(9);
    out.push_back(std::move(e));
  }
  if (!u.ended()) return db_->error("read the audit log");
  return out;
}

}  // namespace stratd::supervisor
