#include "lib/storage/internal/postgres_cancel.h"

namespace holdfast::storage_internal {

pqxx::result ExecCancellable(ReadTxn& txn, pqxx::connection& conn, const CancelCheck& check,
                             const std::string& sql, const std::vector<std::string>& params,
                             bool* cancelled) {
  CancelWatcher watcher(conn, check);
  try {
    return txn.exec_params(sql, pqxx::prepare::make_dynamic_params(params.begin(), params.end()));
  } catch (...) {
    if (!watcher.fired()) throw;
    *cancelled = true;
    return pqxx::result();
  }
}

}  // namespace holdfast::storage_internal
