// Statements a report can cancel while PostgreSQL runs them: an aggregate
// or probe returns nothing until it has read what it reads, so the entry
// stream's row-by-row polls have no place there.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_CANCEL_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_CANCEL_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "lib/storage/analysis.h"
#include "lib/storage/internal/postgres_read_session.h"

namespace holdfast::storage_internal {

// While a statement runs on `conn`, asks PostgreSQL to cancel it once
// `cancelled` says so, polled every 50 ms (an aggregate statement returns
// nothing until it has read every entry, so the entry stream's row-by-row
// polls have no place here). The request is repeated every 50 ms until the
// statement is over: one sent before the statement reached the server finds
// an idle backend and does nothing. The statement then fails ("canceling
// statement due to user request"), which the caller reports as CANCELLED.
// pqxx's cancel_query reads the connection's cancel key while the owning
// thread waits in the statement; nothing writes it meanwhile.
class CancelWatcher {
 public:
  CancelWatcher(pqxx::connection& conn, const CancelCheck& cancelled) {
    if (!cancelled) return;
    thread_ = std::thread([this, &conn, &cancelled] {
      std::unique_lock<std::mutex> lock(mu_);
      while (!done_) {
        if (fired_ || cancelled()) {
          fired_ = true;
          try {
            conn.cancel_query();
          } catch (...) {
            // A failed request changes nothing: the next one may succeed.
          }
        }
        cv_.wait_for(lock, std::chrono::milliseconds(50));
      }
    });
  }
  ~CancelWatcher() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  bool fired() {
    std::lock_guard<std::mutex> lock(mu_);
    return fired_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;
};

// Runs one statement (`sql` with text `params`) under a CancelWatcher;
// sets *cancelled (and returns an empty result) when the watcher cancelled
// it. Throws libpqxx exceptions otherwise. Every statement of a report that
// may read a journey's entries runs through here, so a cancelled report
// frees its connection within ~50 ms whatever statement it was in.
pqxx::result ExecCancellable(ReadTxn& txn, pqxx::connection& conn, const CancelCheck& check,
                             const std::string& sql, const std::vector<std::string>& params,
                             bool* cancelled);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_POSTGRES_CANCEL_H_
