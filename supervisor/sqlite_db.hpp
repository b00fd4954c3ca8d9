#pragma once
// A SQLite connection as the store uses it: opened in WAL mode, statements
// prepared once and cached, bound and read through small typed helpers,
// and transactions that end (a COMMIT that fails is rolled back, or every
// later BEGIN fails too). Errors are StoreError with SQLite's message.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace stratd::supervisor {

class SqliteDb {
 public:
  static Expected<std::unique_ptr<SqliteDb>> open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Status exec(const char* sql);
  // The statement for `sql`, prepared on first use and cached (the
  // statements are few and fixed).
  Expected<sqlite3_stmt*> prepare(const char* sql);
  // StoreError naming `what` and SQLite's last message.
  Unexpected<Error> error(const char* what) const;
  Status begin() { return exec("BEGIN"); }
  Status commit();
  void rollback() { (void)exec("ROLLBACK"); }
  // Rows changed by the last statement.
  uint64_t changes() const;

  // A statement in use: reset and unbound when it goes.
  class Use {
   public:
    explicit Use(sqlite3_stmt* s) : s_(s) {}
    ~Use();
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    // Named put, not bind: with a std::string argument, ADL would pick std::bind.
    void put(int i, std::string_view v);
    void put(int i, int64_t v);
    void put(int i, double v);
    void put(int i, std::optional<double> v);
    void put_blob(int i, std::string_view v);
    bool row();   // steps; true while there is a row
    bool done();  // steps; true if the statement completed
    // After row() said no more: whether that was the end, not an error.
    bool ended() const;
    int64_t integer(int col) const;
    double real(int col) const;
    std::optional<double> maybe_real(int col) const;
    bool is_null(int col) const;
    std::string text(int col) const;
    std::string blob(int col) const;

   private:
    sqlite3_stmt* s_;
    int rc_ = 0;
  };

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::vector<sqlite3_stmt*> cached_;  // finalized on close
};

}  // namespace stratd::supervisor
