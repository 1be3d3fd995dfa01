// CopyStore: the page loop shared by every keyed table, and config history
// (unkeyed, small) matched by content.
#include "lib/storage/store_copy.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "lib/base/status_macros.h"
#include "lib/base/text.h"
#include "lib/storage/bad_record.h"

namespace holdfast {
namespace {

// The row a store's write error names, for the person who must fix it in
// the source. Stores name the first bad record of a batch by its index in
// the batch (BadRecordError: "sends[17]: send_id must be ..."), which within
// a copy's page is meaningless; the copier names the row's key and its
// position in the table instead.
template <typename Row, typename KeyText>
absl::Status NameTheRow(const absl::Status& error, absl::string_view table, const std::vector<Row>& rows,
                        int64_t rows_before, KeyText&& key_text) {
  const std::optional<size_t> index = BadRecordIndex(error);
  if (!index.has_value() || *index >= rows.size()) return error;
  absl::string_view problem = error.message();
  if (!absl::ConsumePrefix(&problem, absl::StrCat(BadRecordName(table, *index), ": "))) return error;
  return absl::Status(error.code(), absl::StrCat(table, " row ", rows_before + static_cast<int64_t>(*index) + 1,
                                                 " of the source (", key_text(rows[*index]), "): ", problem));
}

// Config loads read at most; a history this long is a runaway reload loop,
// not something to copy silently in part.
constexpr int kMaxConfigVersions = 1000000;

class Copier {
 public:
  Copier(Store& src, Store& dst, const StoreCopyOptions& options)
      : src_(src), dst_(dst), options_(options) {}

  absl::StatusOr<StoreCopySummary> Run() {
    HF_RETURN_IF_ERROR(CopyConfigVersions());
    HF_RETURN_IF_ERROR((CopyTable<CustomerRow, std::string>(
        "customers", [&](const auto& after, int n) { return src_.ScanCustomers(after, n); },
        [&](const std::vector<CustomerRow>& rows) { return dst_.RecordCustomers(rows); },
        [](const CustomerRow& r) { return r.unit; },
        [](const CustomerRow& r) { return absl::StrCat("unit '", EchoInput(r.unit), "'"); })));
    HF_RETURN_IF_ERROR((CopyTable<EntryRow, EntryKey>(
        "entries", [&](const auto& after, int n) { return src_.ScanEntries(after, n); },
        [&](const std::vector<EntryRow>& rows) -> absl::StatusOr<WriteSummary> {
          HF_ASSIGN_OR_RETURN(EntryWriteResult r, dst_.RecordEntries(rows));
          return r.summary;
        },
        [](const EntryRow& r) { return EntryKey{r.journey, r.unit, r.period}; },
        [](const EntryRow& r) {
          return absl::StrCat("journey '", EchoInput(r.journey), "', unit '", EchoInput(r.unit),
                              "', period ", r.period);
        })));
    HF_RETURN_IF_ERROR((CopyTable<SendRow, std::string>(
        "sends", [&](const auto& after, int n) { return src_.ScanSends(after, n); },
        [&](const std::vector<SendRow>& rows) { return dst_.RecordSends(rows); },
        [](const SendRow& r) { return r.send_id; },
        [](const SendRow& r) { return absl::StrCat("send_id '", EchoInput(r.send_id), "'"); })));
    HF_RETURN_IF_ERROR((CopyTable<OutcomeRow, std::string>(
        "outcomes", [&](const auto& after, int n) { return src_.ScanOutcomes(after, n); },
        [&](const std::vector<OutcomeRow>& rows) { return dst_.RecordOutcomes(rows); },
        [](const OutcomeRow& r) { return r.outcome_id; },
        [](const OutcomeRow& r) { return absl::StrCat("outcome_id '", EchoInput(r.outcome_id), "'"); })));
    HF_RETURN_IF_ERROR((CopyTable<FixedCostRow, std::string>(
        "fixed_costs", [&](const auto& after, int n) { return src_.ScanFixedCosts(after, n); },
        [&](const std::vector<FixedCostRow>& rows) { return dst_.RecordFixedCosts(rows); },
        [](const FixedCostRow& r) { return r.cost_id; },
        [](const FixedCostRow& r) { return absl::StrCat("cost_id '", EchoInput(r.cost_id), "'"); })));
    return summary_;
  }

 private:
  // After a committed page: progress, then the test stop.
  absl::Status PageDone() {
    ++summary_.batches;
    if (options_.on_batch) options_.on_batch(summary_);
    if (options_.stop_after_batches > 0 && summary_.batches >= options_.stop_after_batches) {
      return absl::AbortedError(
          absl::StrCat("copy stopped after ", summary_.batches, " batches (stop_after_batches)"));
    }
    return absl::OkStatus();
  }

  template <typename Row, typename Key, typename Scan, typename Write, typename KeyOf, typename KeyText>
  absl::Status CopyTable(const char* table, Scan&& scan, Write&& write, KeyOf&& key_of,
                         KeyText&& key_text) {
    summary_.tables.push_back({table});
    std::optional<Key> after;
    for (;;) {
      HF_ASSIGN_OR_RETURN(std::vector<Row> rows, scan(after, options_.batch_rows));
      if (rows.empty()) return absl::OkStatus();
      after = key_of(rows.back());
      absl::StatusOr<WriteSummary> written = write(rows);
      if (!written.ok()) {
        return NameTheRow(written.status(), table, rows, summary_.tables.back().read, key_text);
      }
      const WriteSummary& w = *written;
      TableCopyCounts& c = summary_.tables.back();
      c.read += static_cast<int64_t>(rows.size());
      c.inserted += w.inserted;
      c.already_present += w.duplicates;
      HF_RETURN_IF_ERROR(PageDone());
      if (rows.size() < static_cast<size_t>(options_.batch_rows)) return absl::OkStatus();
    }
  }

  using LoadKey = std::tuple<std::string, UnixMicros, std::string, std::string, std::string, std::string>;
  static LoadKey KeyOf(const ConfigVersionRow& r) {
    return {r.version, r.loaded_at, r.source_path, r.replica, r.diff_summary, r.content};
  }

  absl::Status CopyConfigVersions() {
    summary_.tables.push_back({"config_versions"});
    HF_ASSIGN_OR_RETURN(std::vector<ConfigVersionRow> src_rows,
                        src_.ListConfigVersions(kMaxConfigVersions));
    if (src_rows.size() >= static_cast<size_t>(kMaxConfigVersions)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the source's config history holds ", kMaxConfigVersions, " or more loads; not copied"));
    }
    HF_ASSIGN_OR_RETURN(std::vector<ConfigVersionRow> dst_rows,
                        dst_.ListConfigVersions(kMaxConfigVersions));
    std::map<LoadKey, int64_t> present;
    for (const ConfigVersionRow& r : dst_rows) ++present[KeyOf(r)];
    // Newest first from ListConfigVersions; appended oldest first so the
    // destination's history has the source's order.
    std::reverse(src_rows.begin(), src_rows.end());
    TableCopyCounts& c = summary_.tables.back();
    for (const ConfigVersionRow& r : src_rows) {
      ++c.read;
      auto it = present.find(KeyOf(r));
      if (it != present.end() && it->second > 0) {
        --it->second;
        ++c.already_present;
        continue;
      }
      HF_RETURN_IF_ERROR(dst_.AppendConfigVersion(r));
      ++c.inserted;
    }
    if (!src_rows.empty()) HF_RETURN_IF_ERROR(PageDone());
    return absl::OkStatus();
  }

  Store& src_;
  Store& dst_;
  const StoreCopyOptions& options_;
  StoreCopySummary summary_;
};

}  // namespace

absl::StatusOr<StoreCopySummary> CopyStore(Store& src, Store& dst, const StoreCopyOptions& options) {
  if (options.batch_rows < 1 || options.batch_rows > 100000) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch_rows: must be in [1, 100000], got ", options.batch_rows));
  }
  if (options.stop_after_batches < 0) {
    return absl::InvalidArgumentError("stop_after_batches: must be >= 0");
  }
  if (&src == &dst) return absl::InvalidArgumentError("source and destination are the same store");
  return Copier(src, dst, options).Run();
}

}  // namespace holdfast
