#include "supervisor/audit/audit_log.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "supervisor/metrics/exposition.hpp"

namespace stratd::supervisor::audit {

AuditLog::AuditLog(boost::asio::io_context& store_io, Store& store, const AuditSettings& settings)
    : io_(store_io), store_(store), settings_(settings) {
  prune();
}

AuditEntry AuditLog::entry(const auth::Caller& caller, std::string action, std::string target, int status,
                           std::string outcome) {
  AuditEntry e;
  e.time_ms = wall_ms();
  e.key = caller.key;
  e.role = caller.role ? std::string(auth::to_string(*caller.role)) : "";
  e.address = caller.address;
  e.request_id = caller.request_id;
  e.action = std::move(action);
  e.target = std::move(target);
  e.status = status;
  e.outcome = std::move(outcome);
  return e;
}

void AuditLog::record(AuditEntry entry) {
  if (pending_.fetch_add(1, std::memory_order_relaxed) >= kMaxPending) {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  boost::asio::post(io_, [this, e = std::move(entry)] {
    pending_.fetch_sub(1, std::memory_order_relaxed);
    write(e);
  });
}

void AuditLog::write(const AuditEntry& e) {
  RequestLogScope scope(e.request_id);  // the line names the request, as the entry does
  spdlog::info("audit: {} {} by {} ({}) from {}: {} {}", e.action, e.target, e.key.empty() ? "-" : e.key,
               e.role.empty() ? "-" : e.role, e.address, e.status, e.outcome);
  if (auto st = store_.append_audit(e); !st) {
    failed_.fetch_add(1, std::memory_order_relaxed);
    spdlog::error("audit log: {}", st.error().message);
    return;
  }
  written_.fetch_add(1, std::memory_order_relaxed);
  if (++since_prune_ >= kPruneEvery) prune();
}

void AuditLog::prune() {
  since_prune_ = 0;
  const int64_t cutoff = wall_ms() - settings_.retention_days * 86'400'000;
  if (auto st = store_.prune_audit(cutoff, settings_.max_entries); !st) {
    spdlog::error("audit log: {}", st.error().message);
  }
}

void AuditLog::write_metrics(metrics::Exposition& out) const {
  out.family("stratd_audit_entries_dropped", metrics::Type::Counter,
             "Audit entries not kept because too many were waiting to be written.");
  out.sample({}, dropped());
  out.family("stratd_audit_write_failures", metrics::Type::Counter,
             "Audit entries the store failed to write (stratd's log says why).");
  out.sample({}, failed());
}

}  // namespace stratd::supervisor::audit
