#include "supervisor/sqlite_db.hpp"

#include <sqlite3.h>

namespace stratd::supervisor {

Expected<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return fail(ErrorCode::StoreError, "cannot open " + path + ": " + msg);
  }
  std::unique_ptr<SqliteDb> out(new SqliteDb(db));
  sqlite3_busy_timeout(db, 2000);
  // WAL: a crash loses at most the last transactions, never the file; NORMAL
  // sync keeps commits cheap (durable at each checkpoint).
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
    if (auto s = out->exec(pragma); !s) return Unexpected<Error>{s.error()};
  }
  return out;
}

SqliteDb::~SqliteDb() {
  for (auto* s : cached_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Unexpected<Error> SqliteDb::error(const char* what) const {
  return fail(ErrorCode::StoreError, std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status SqliteDb::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return fail(ErrorCode::StoreError, msg);
  }
  return ok();
}

Expected<sqlite3_stmt*> SqliteDb::prepare(const char* sql) {
  // Statements are few and fixed: cache by text pointer.
  for (auto* s : cached_) {
    if (sqlite3_sql(s) == std::string_view(sql)) return s;
  }
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) return error("prepare");
  cached_.push_back(s);
  return s;
}

Status SqliteDb::commit() {
  auto st = exec("COMMIT");
  if (!st) rollback();
  return st;
}

uint64_t SqliteDb::changes() const { return uint64_t(sqlite3_changes(db_)); }

SqliteDb::Use::~Use() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
}

void SqliteDb::Use::put(int i, std::string_view v) { sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT); }
void SqliteDb::Use::put(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
void SqliteDb::Use::put(int i, double v) { sqlite3_bind_double(s_, i, v); }
void SqliteDb::Use::put(int i, std::optional<double> v) {
  if (v) {
    sqlite3_bind_double(s_, i, *v);
  } else {
    sqlite3_bind_null(s_, i);
  }
}
void SqliteDb::Use::put_blob(int i, std::string_view v) {
  sqlite3_bind_blob(s_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
}
bool SqliteDb::Use::row() { return (rc_ = sqlite3_step(s_)) == SQLITE_ROW; }
bool SqliteDb::Use::done() { return (rc_ = sqlite3_step(s_)) == SQLITE_DONE; }
bool SqliteDb::Use::ended() const { return rc_ == SQLITE_DONE; }
int64_t SqliteDb::Use::integer(int col) const { return sqlite3_column_int64(s_, col); }
double SqliteDb::Use::real(int col) const { return sqlite3_column_double(s_, col); }
bool SqliteDb::Use::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
std::optional<double> SqliteDb::Use::maybe_real(int col) const {
  if (is_null(col)) return std::nullopt;
  return real(col);
}
std::string SqliteDb::Use::text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(s_, col))) : std::string();
}
std::string SqliteDb::Use::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
  return std::string(p ? p : "", size_t(sqlite3_column_bytes(s_, col)));
}

}  // namespace stratd::supervisor
