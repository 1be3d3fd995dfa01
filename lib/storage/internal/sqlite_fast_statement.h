// A prepared SQLite statement read through the C API, for the one loop
// where per-column overhead shows: the analysis stream (one row per entry,
// 26 columns). SQLite::Statement::getColumn copies a shared_ptr per call
// (two atomic operations), which was 5 % of a 1 M-entry report's CPU.
// Errors throw SQLite::Exception like SQLiteCpp, so callers keep one
// StatusFromCurrentException handler.
//
// Example:
//   FastStatement q(db.getHandle(), sql);
//   q.BindText(1, journey);              // the text must outlive the statement
//   while (q.Step()) Use(q.Text(0), q.Int64(1), q.Double(2));
//
// Thread-safety: as the connection (one thread at a time).
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_FAST_STATEMENT_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_FAST_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include <SQLiteCpp/Exception.h>

#include "absl/strings/string_view.h"

namespace holdfast::storage_internal {

class FastStatement {
 public:
  FastStatement(sqlite3* db, const std::string& sql) : db_(db) {
    const int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &st_, nullptr);
    if (rc != SQLITE_OK) throw SQLite::Exception(db, rc);
  }
  FastStatement(const FastStatement&) = delete;
  FastStatement& operator=(const FastStatement&) = delete;
  ~FastStatement() { sqlite3_finalize(st_); }

  // Binds without copying: `v` must stay alive while the statement runs.
  void BindText(int index, absl::string_view v) {
    Check(sqlite3_bind_text(st_, index, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
  }
  void BindInt64(int index, int64_t v) { Check(sqlite3_bind_int64(st_, index, v)); }
  void BindDouble(int index, double v) { Check(sqlite3_bind_double(st_, index, v)); }

  // True while a row is available.
  bool Step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SQLite::Exception(db_, rc);
  }

  // Column values of the current row; valid until the next Step.
  absl::string_view Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
    return p == nullptr ? absl::string_view()
                        : absl::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col)));
  }
  absl::string_view Blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, col));
    return p == nullptr ? absl::string_view()
                        : absl::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col)));
  }
  int64_t Int64(int col) const { return sqlite3_column_int64(st_, col); }
  double Double(int col) const { return sqlite3_column_double(st_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

 private:
  void Check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }

  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_SQLITE_FAST_STATEMENT_H_
