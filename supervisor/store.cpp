#include "supervisor/store.hpp"

#include "common/clock.hpp"

namespace stratd::supervisor {
namespace {

using Use = SqliteDb::Use;
constexpr int kSchemaVersion = 2;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runners (
  runner_id     TEXT PRIMARY KEY,
  symbol        TEXT NOT NULL,
  strategy_path TEXT NOT NULL,
  window_size   INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  desired       TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),
  failed_reason TEXT
);
CREATE TABLE IF NOT EXISTS runner_state (
  runner_id     TEXT PRIMARY KEY REFERENCES runners ON DELETE CASCADE,
  snapshot      BLOB NOT NULL,
  event_seq     INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS positions (
  runner_id     TEXT NOT NULL REFERENCES runners ON DELETE CASCADE,
  position_id   INTEGER NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('open', 'closed')),
  side          TEXT NOT NULL,
  quantity      REAL NOT NULL,
  entry_price   REAL NOT NULL,
  entry_time_ms INTEGER NOT NULL,
  stop_loss     REAL,
  take_profit   REAL,
  exit_price    REAL,
  exit_time_ms  INTEGER,
  reason        TEXT,
  gross_pnl     REAL,
  fees          REAL,
  realized_pnl  REAL,
  PRIMARY KEY (runner_id, position_id)
);
CREATE TABLE IF NOT EXISTS events (
  seq       INTEGER PRIMARY KEY,
  type      TEXT NOT NULL,
  runner_id TEXT NOT NULL,
  json      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms    INTEGER NOT NULL,
  key_name   TEXT NOT NULL,
  role       TEXT NOT NULL,
  address    TEXT NOT NULL,
  request_id TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT NOT NULL,
  status     INTEGER NOT NULL,
  outcome    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_time ON audit (time_ms);
)sql";

#define PREPARE(var, sql)                          \
  auto var##_stmt = db_->prepare(sql);             \
  if (!var##_stmt) return Unexpected<Error>{var##_stmt.error()}; \
  Use var(*var##_stmt)

}  // namespace

std::string_view to_string(StoreWrite w) {
  switch (w) {
    case StoreWrite::Runner: return "runner";
    case StoreWrite::Snapshot: return "snapshot";
    case StoreWrite::Events: return "events";
    case StoreWrite::Sequence: return "sequence";
    case StoreWrite::Audit: return "audit";
    case StoreWrite::kCount: break;
  }
  return "runner";
}

Expected<std::unique_ptr<Store>> Store::open(const std::string& path) {
  auto db = SqliteDb::open(path);
  if (!db) return Unexpected<Error>{db.error()};
  std::unique_ptr<Store> store(new Store(std::move(*db)));
  SqliteDb& d = *store->db_;
  if (auto s = d.exec(kSchema); !s) return Unexpected<Error>{s.error()};
  {
    auto version = d.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
    if (!version) return Unexpected<Error>{version.error()};
    Use u(*version);
    if (u.row() && std::stoi(u.text(0)) > kSchemaVersion) {
      return fail(ErrorCode::StoreError, path + " was written by a newer stratd");
    }
  }
  // Version 1 had no failed_reason.
  bool has_failed_reason = false;
  if (auto cols = d.prepare("SELECT name FROM pragma_table_info('runners')")) {
    Use u(*cols);
    while (u.row()) has_failed_reason |= u.text(0) == "failed_reason";
  }
  if (!has_failed_reason) {
    if (auto s = d.exec("ALTER TABLE runners ADD COLUMN failed_reason TEXT"); !s) return Unexpected<Error>{s.error()};
  }
  if (auto s = d.exec("INSERT INTO meta VALUES ('schema_version', '2') ON CONFLICT(key) DO UPDATE SET value = '2'"); !s) {
    return Unexpected<Error>{s.error()};
  }
  store->event_rows_ = store->event_count();
  return store;
}

Store::~Store() = default;

Status Store::put_runner(const StoredRunner& r) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Runner)]);
  PREPARE(u, "INSERT INTO runners (runner_id, symbol, strategy_path, window_size, created_at_ms, desired) "
             "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(runner_id) DO UPDATE SET symbol = ?2, strategy_path = ?3, "
             "window_size = ?4, created_at_ms = ?5, desired = ?6, failed_reason = NULL");
  u.put(1, r.spec.runner_id);
  u.put(2, r.spec.symbol);
  u.put(3, r.spec.strategy_path);
  u.put(4, int64_t(r.spec.window_size));
  u.put(5, r.created_at_ms);
  u.put(6, std::string_view(r.desired_running ? "running" : "stopped"));
  if (!u.done()) return db_->error("put runner");
  return ok();
}

Status Store::set_desired(const std::string& runner_id, bool running) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Runner)]);
  PREPARE(u, "UPDATE runners SET desired = ?2, failed_reason = NULL WHERE runner_id = ?1");
  u.put(1, runner_id);
  u.put(2, std::string_view(running ? "running" : "stopped"));
  if (!u.done()) return db_->error("set desired state");
  return ok();
}

Status Store::set_failed(const std::string& runner_id, const std::string& reason) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Runner)]);
  PREPARE(u, "UPDATE runners SET failed_reason = ?2 WHERE runner_id = ?1");
  u.put(1, runner_id);
  u.put(2, reason);
  if (!u.done()) return db_->error("record failure");
  return ok();
}

Status Store::delete_runner(const std::string& runner_id) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Runner)]);
  PREPARE(u, "DELETE FROM runners WHERE runner_id = ?1");
  u.put(1, runner_id);
  if (!u.done()) return db_->error("delete runner");
  return ok();
}

Expected<std::vector<StoredRunner>> Store::runners() {
  PREPARE(u, "SELECT runner_id, symbol, strategy_path, window_size, created_at_ms, desired, failed_reason FROM runners "
             "ORDER BY runner_id");
  std::vector<StoredRunner> out;
  while (u.row()) {
    StoredRunner r;
    r.spec.runner_id = u.text(0);
    r.spec.symbol = u.text(1);
    r.spec.strategy_path = u.text(2);
    r.spec.window_size = uint32_t(u.integer(3));
    r.created_at_ms = u.integer(4);
    r.desired_running = u.text(5) == "running";
    if (!u.is_null(6)) r.failed_reason = u.text(6);
    out.push_back(std::move(r));
  }
  if (!u.ended()) return db_->error("list runners");
  return out;
}

Status Store::upsert_open(const std::string& runner_id, const Position& p) {
  PREPARE(u, "INSERT INTO positions (runner_id, position_id, status, side, quantity, entry_price, entry_time_ms, "
             "stop_loss, take_profit) SELECT ?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7, ?8 "
             "WHERE EXISTS (SELECT 1 FROM runners WHERE runner_id = ?1) "  // a late event of a deleted runner
             "ON CONFLICT(runner_id, position_id) DO UPDATE SET stop_loss = ?7, take_profit = ?8 WHERE status = 'open'");
  u.put(1, runner_id);
  u.put(2, int64_t(p.id));
  u.put(3, to_string(p.side));
  u.put(4, p.quantity);
  u.put(5, p.entry_price);
  u.put(6, p.entry_time_ms);
  u.put(7, p.stop_loss);
  u.put(8, p.take_profit);
  if (!u.done()) return db_->error("record open position");
  return ok();
}

// Closing is idempotent: a trade seen again (from the snapshot and from its
// event, or after a restart) changes nothing once recorded.
Status Store::upsert_closed(const std::string& runner_id, const Trade& t) {
  PREPARE(u, "INSERT INTO positions (runner_id, position_id, status, side, quantity, entry_price, entry_time_ms, "
             "exit_price, exit_time_ms, reason, gross_pnl, fees, realized_pnl) "
             "SELECT ?1, ?2, 'closed', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12 "
             "WHERE EXISTS (SELECT 1 FROM runners WHERE runner_id = ?1) "
             "ON CONFLICT(runner_id, position_id) DO UPDATE SET status = 'closed', exit_price = ?7, exit_time_ms = ?8, "
             "reason = ?9, gross_pnl = ?10, fees = ?11, realized_pnl = ?12 WHERE status = 'open'");
  u.put(1, runner_id);
  u.put(2, int64_t(t.id));
  u.put(3, to_string(t.side));
  u.put(4, t.quantity);
  u.put(5, t.entry_price);
  u.put(6, t.entry_time_ms);
  u.put(7, t.exit_price);
  u.put(8, t.exit_time_ms);
  u.put(9, t.reason);
  u.put(10, t.gross_pnl);
  u.put(11, t.fees);
  u.put(12, t.realized_pnl);
  if (!u.done()) return db_->error("record trade");
  return ok();
}

Status Store::record_position(const std::string& runner_id, const PositionRecord& p) {
  if (!p.open) return upsert_closed(runner_id, p.trade);
  Position open;
  open.id = p.trade.id;
  open.side = p.trade.side;
  open.entry_price = p.trade.entry_price;
  open.quantity = p.trade.quantity;
  open.entry_time_ms = p.trade.entry_time_ms;
  open.stop_loss = p.stop_loss;
  open.take_profit = p.take_profit;
  return upsert_open(runner_id, open);
}

Status Store::save_snapshot(const std::string& runner_id, std::string_view bytes, const Snapshot& snap) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Snapshot)]);
  if (auto s = db_->begin(); !s) return s;
  auto rollback = [&](Status s) {
    db_->rollback();
    return s;
  };
  {
    auto state = db_->prepare(
        "INSERT INTO runner_state (runner_id, snapshot, event_seq, updated_at_ms) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(runner_id) DO UPDATE SET snapshot = ?2, event_seq = ?3, updated_at_ms = ?4");
    if (!state) return rollback(Unexpected<Error>{state.error()});
    Use u(*state);
    u.put(1, runner_id);
    u.put_blob(2, bytes);
    u.put(3, int64_t(snap.event_seq));
    u.put(4, wall_ms());
    if (!u.done()) return rollback(db_->error("save snapshot"));
  }
  if (snap.position) {
    if (auto st = upsert_open(runner_id, *snap.position); !st) return rollback(st);
  }
  for (const Trade& t : snap.recent_trades.list()) {
    if (auto st = upsert_closed(runner_id, t); !st) return rollback(st);
  }
  return db_->commit();
}

std::optional<std::string> Store::snapshot(const std::string& runner_id) {
  auto st = db_->prepare("SELECT snapshot FROM runner_state WHERE runner_id = ?1");
  if (!st) return std::nullopt;
  Use u(*st);
  u.put(1, runner_id);
  if (!u.row()) return std::nullopt;
  return u.blob(0);
}

Expected<std::vector<StoredPosition>> Store::positions(const std::string& runner_id, bool closed_only, size_t limit) {
  PREPARE(u, "SELECT position_id, status, side, quantity, entry_price, entry_time_ms, stop_loss, take_profit, "
             "exit_price, exit_time_ms, reason, gross_pnl, fees, realized_pnl FROM positions WHERE runner_id = ?1 "
             "AND (?2 = 0 OR status = 'closed') ORDER BY position_id DESC LIMIT ?3");
  u.put(1, runner_id);
  u.put(2, int64_t(closed_only));
  u.put(3, int64_t(limit));
  std::vector<StoredPosition> out;
  while (u.row()) {
    StoredPosition p;
    p.trade.id = uint64_t(u.integer(0));
    p.open = u.text(1) == "open";
    p.trade.side = u.text(2) == "Short" ? Side::Short : Side::Long;
    p.trade.quantity = u.real(3);
    p.trade.entry_price = u.real(4);
    p.trade.entry_time_ms = u.integer(5);
    p.stop_loss = u.maybe_real(6);
    p.take_profit = u.maybe_real(7);
    p.trade.exit_price = u.real(8);
    p.trade.exit_time_ms = u.integer(9);
    p.trade.reason = u.text(10);
    p.trade.gross_pnl = u.real(11);
    p.trade.fees = u.real(12);
    p.trade.realized_pnl = u.real(13);
    out.push_back(std::move(p));
  }
  if (!u.ended()) return db_->error("list positions");
  return out;
}

Status Store::append_events(const std::vector<JournalEventPtr>& events, uint64_t retention) {
  if (events.empty()) return ok();
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Events)]);
  if (auto s = db_->begin(); !s) return s;
  auto st = db_->prepare("INSERT OR IGNORE INTO events (seq, type, runner_id, json) VALUES (?1, ?2, ?3, ?4)");
  if (!st) {
    db_->rollback();
    return Unexpected<Error>{st.error()};
  }
  uint64_t rows = event_rows_;  // taken over only once committed
  for (const auto& e : events) {
    {
      Use u(*st);
      u.put(1, int64_t(e->seq));
      u.put(2, to_string(e->type));
      u.put(3, e->runner_id);
      u.put(4, e->json);
      if (!u.done()) {
        auto s = db_->error("append event");
        db_->rollback();
        return s;
      }
    }
    rows += db_->changes();
    // What a position event says is recorded with it: a burst of trades
    // is in the store even if the snapshot's recent trades moved on.
    if (e->position) {
      if (auto recorded = record_position(e->runner_id, *e->position); !recorded) {
        db_->rollback();
        return recorded;
      }
    }
  }
  // Trim once at least 1000 are over: the newest `retention` stay. The
  // oldest surplus is found from the old end, so only it is walked (from
  // the new end, skipping 100,000 rows took 15 ms, on the HTTP thread).
  if (rows >= retention + 1000) {
    if (auto trim = db_->prepare("DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq LIMIT 1 OFFSET ?1)")) {
      Use u(*trim);
      u.put(1, int64_t(rows - retention - 1));
      if (u.done()) rows -= db_->changes();
    }
  }
  auto committed = db_->commit();
  if (committed) event_rows_ = rows;
  return committed;
}

uint64_t Store::last_event_seq() {
  auto st = db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
  if (!st) return 0;
  Use u(*st);
  return u.row() ? uint64_t(u.integer(0)) : 0;
}

uint64_t Store::event_count() {
  auto st = db_->prepare("SELECT COUNT(*) FROM events");
  if (!st) return 0;
  Use u(*st);
  return u.row() ? uint64_t(u.integer(0)) : 0;
}

uint64_t Store::seq_reserved() {
  auto st = db_->prepare("SELECT value FROM meta WHERE key = 'seq_reserved'");
  if (!st) return 0;
  Use u(*st);
  return u.row() ? std::stoull(u.text(0)) : 0;
}

Status Store::set_seq_reserved(uint64_t upto) {
  metrics::ScopedTimer timed(write_latency_[size_t(StoreWrite::Sequence)]);
  PREPARE(u, "INSERT INTO meta (key, value) VALUES ('seq_reserved', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1");
  u.put(1, std::to_string(upto));
  if (!u.done()) return db_->error("reserve sequence numbers");
  return ok();
}

}  // namespace stratd::supervisor
