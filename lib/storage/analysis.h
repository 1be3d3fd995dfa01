// Read-side queries the report builder runs on a Store: one row per entry
// with its windowed outcomes and costs, and per-journey diagnostics (fixed
// cost, contamination, washout, orphan refunds). Semantics are specified in
// docs/storage.md ("Analysis queries").
#ifndef HOLDFAST_LIB_STORAGE_ANALYSIS_H_
#define HOLDFAST_LIB_STORAGE_ANALYSIS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/clock.h"
#include "lib/storage/records.h"

namespace holdfast {

// A journey to analyse, with the windows from its config.
struct JourneyWindow {
  std::string journey;
  // Outcomes and sends count for an entry when t0 <= at < t0 + window.
  int64_t attribution_window_us = 0;  // >= 0
  // Pre-period revenue z counts outcomes with t0 - pre_period <= at < t0.
  int64_t pre_period_us = 0;  // >= 0
};

struct AnalysisQuery {
  // Journeys to stream, each once.
  std::vector<JourneyWindow> journeys;
  // Entries with from <= t0 < to.
  UnixMicros from = 0;
  UnixMicros to = 0;
  // Attribute key whose value becomes AnalysisEntry::segment ("" if the
  // entry lacks it or segment_by is empty).
  std::string segment_by;
};

// One entry with its windowed sums: the one per-entry struct shared by every
// Store, every report AnalysisSource and the report builder (a new per-entry
// field is added here only). Refunds are stored as negative revenue, so y, m
// and z are net of refunds. A stream reuses one instance for every row: copy
// what must outlive the callback.
struct AnalysisEntry {
  std::string journey;
  // The customer id.
  std::string unit;
  EntryGroup group = EntryGroup::kTreatment;
  // Arm name for kTreatment; "" otherwise.
  std::string arm;
  // Journey rotation period index (0 without rotation).
  int64_t period = 0;
  UnixMicros t0 = 0;
  // t0 fell in the washout at the start of its period (decided at assignment
  // with the config version the entry was assigned under).
  bool in_washout = false;
  // Version of the config the entry was assigned under.
  std::string config_version;
  // Value of the query's segment attribute; "" when absent or no key asked.
  std::string segment;
  // Sum of outcome revenue (all types) in [t0, t0 + window).
  double y = 0;
  // Sum of outcome margin in [t0, t0 + window).
  double m = 0;
  // 1 if a CONVERSION or ORDER outcome is in [t0, t0 + window), else 0.
  int x = 0;
  // Sum of the costs of this journey's sends to the unit in [t0, t0 + window).
  double c = 0;
  // Number of those sends.
  int64_t sends = 0;
  // Sum of outcome revenue in [t0 - pre_period, t0).
  double z = 0;
};

// Per-journey facts beside the entry stream.
struct JourneyDiagnosticsQuery {
  std::string journey;
  // Range of the report: fixed costs are pro-rated to it, and the entries
  // examined for washout and contamination have from <= t0 < to.
  UnixMicros from = 0;
  UnixMicros to = 0;
  // The journey's rotation, to bound each entry's period:
  // period k covers [epoch + k * period_us, epoch + (k + 1) * period_us).
  // period_us == 0: no rotation, one period covering all time.
  int64_t period_us = 0;
  UnixMicros epoch_us = 0;
};

struct JourneyDiagnostics {
  // Sum over the journey's fixed costs of amount * |[start,end) ∩ [from,to)|
  // / (end - start).
  double fixed_cost = 0;
  // Entries in the range (any group).
  int64_t entries = 0;
  // Entries in the range flagged in_washout (excluded from analysis).
  int64_t washout_entries = 0;
  // Sends of this journey, within the entry's period, to units whose entry
  // in the range is HOLDOUT or GLOBAL_HOLDOUT: count, summed cost, and how
  // many distinct such entries received at least one.
  int64_t contaminated_sends = 0;
  double contaminated_cost = 0;
  int64_t contaminated_entries = 0;
};

// Program level (global holdout vs everyone else). The global holdout is
// drawn per unit, and one unit's entries into several journeys have
// overlapping windows, so summing per-entry rows across journeys would count
// the same order several times and weight units by how many journeys they
// entered. The program stream therefore has one row per unit.
struct ProgramQuery {
  // Journeys whose entries count; empty = every journey in the store.
  std::vector<std::string> journeys;
  // Units with at least one such entry with from <= t0 < to.
  UnixMicros from = 0;
  UnixMicros to = 0;
  // Windows measured from the unit's first entry in the range, t_first:
  // outcomes/sends in [t_first, t_first + window), pre-period revenue in
  // [t_first - pre_period, t_first).
  int64_t window_us = 0;      // >= 0
  int64_t pre_period_us = 0;  // >= 0
  // Attribute of the first entry reported as the segment ("" if absent).
  std::string segment_by;
};

struct ProgramUnitRow {
  std::string unit;
  // Group of the unit's first entry in the range (ties in t0: any of them).
  EntryGroup first_group = EntryGroup::kTreatment;
  UnixMicros t_first = 0;
  // Entries of the unit in the range, and how many of them say
  // GLOBAL_HOLDOUT. 0 < global_holdout_entries < entries means the unit
  // changed sides (a rotating global holdout, or a config change): the report
  // should count and flag such units.
  int64_t entries = 0;
  int64_t global_holdout_entries = 0;
  std::string segment;
  // Outcome sums in [t_first, t_first + window), any journey.
  double y = 0;
  double m = 0;
  int x = 0;
  // Costs and count of sends in any journey in [t_first, t_first + window):
  // for global holdout units these are contamination.
  double c = 0;
  int64_t sends = 0;
  // Revenue in [t_first - pre_period, t_first).
  double z = 0;
};

}  // namespace holdfast

#endif  // HOLDFAST_LIB_STORAGE_ANALYSIS_H_
