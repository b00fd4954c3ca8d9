#pragma once
// The audit log: every control action (add, delete, start, stop,
// restart, reload) and every refused key, with who, from where, under
// which request, and how it ended, kept in the store within [audit]
// retention. record() may be called from any thread (a key is refused on
// whichever loop its connection runs); the write happens on the loop the
// store lives on. Bounded: past kMaxPending unwritten entries (a flood of
// refused keys from many addresses) the rest are counted, not kept.
#include <atomic>
#include <cstdint>

#include <boost/asio/io_context.hpp>

#include "common/settings.hpp"
#include "supervisor/audit/audit_entry.hpp"
#include "supervisor/auth/caller.hpp"
#include "supervisor/store.hpp"

namespace stratd::supervisor::metrics {
class Exposition;
}

namespace stratd::supervisor::audit {

class AuditLog {
 public:
  static constexpr size_t kMaxPending = 4096;
  // Prune after this many writes (and at start).
  static constexpr uint64_t kPruneEvery = 256;

  AuditLog(boost::asio::io_context& store_io, Store& store, const AuditSettings& settings);
  void record(AuditEntry entry);
  // An entry for `caller` doing `action` on `target`; the time is now.
  static AuditEntry entry(const auth::Caller& caller, std::string action, std::string target, int status,
                          std::string outcome);
  uint64_t written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  // Entries lost, to /metrics: dropped (the queue was full) and not
  // written (the store refused them). Either means the log is incomplete.
  void write_metrics(metrics::Exposition& out) const;

 private:
  void write(const AuditEntry& e);
  void prune();

  boost::asio::io_context& io_;
  Store& store_;
  const AuditSettings& settings_;  // reloads live; read on the store's loop
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> written_{0}, dropped_{0}, failed_{0};
  uint64_t since_prune_ = 0;
};

}  // namespace stratd::supervisor::audit
