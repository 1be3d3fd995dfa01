#include "lib/config/impact.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/assign/assigner.h"
#include "lib/base/time_util.h"
#include "lib/config/units.h"

namespace holdfast::config {
namespace {

std::shared_ptr<const AssignmentConfig> Borrow(const AssignmentConfig& c) {
  return std::shared_ptr<const AssignmentConfig>(&c, [](const AssignmentConfig*) {});
}

std::vector<std::string> SampleUnits(int n) {
  std::vector<std::string> units;
  units.reserve(n);
  for (int i = 0; i < n; ++i) units.push_back(absl::StrCat("impact-", i));
  return units;
}

const char* SchemeName(RotationScheme s) {
  switch (s) {
    case RotationScheme::kNone:
      return "none";
    case RotationScheme::kSliding:
      return "SLIDING";
    case RotationScheme::kResalt:
      return "RESALT";
  }
  return "?";
}

std::string DescribeRotation(const RotationSpec& r) {
  if (r.scheme == RotationScheme::kNone) return "none";
  return absl::StrCat(SchemeName(r.scheme), " every ", FormatDurationMicros(r.period_us),
                      " from ", IsRepresentableTime(r.epoch_us) ? FormatTime(r.epoch_us)
                                                               : absl::StrCat(r.epoch_us, "us"));
}

bool SameRotationFrame(const RotationSpec& a, const RotationSpec& b) {
  return a.scheme == b.scheme &&
         (a.scheme == RotationScheme::kNone ||
          (a.period_us == b.period_us && a.epoch_us == b.epoch_us));
}

// Whether `now` falls strictly inside a period of `r` (always, without
// rotation): changes that only take effect cleanly at a boundary are
// reshuffles then.
bool MidPeriod(const RotationSpec& r, UnixMicros now) {
  if (r.scheme == RotationScheme::kNone) return true;
  return PeriodStart(r, PeriodIndex(r, now)) != now;
}

std::string Share(uint32_t ppm) { return FormatDouble(ppm / 1e6); }

// Reshuffles of one holdout (journey or global). `prefix` names share and
// seed fields: journeys use holdout_share/holdout_seed, the global holdout
// share/seed.
void ClassifyHoldout(const HoldoutSpec& o, const HoldoutSpec& n, bool is_global, UnixMicros now,
                     std::vector<Reshuffle>* out) {
  const std::string seed_field = is_global ? "seed" : "holdout_seed";
  const std::string share_field = is_global ? "share" : "holdout_share";
  const bool both_active = o.share_ppm > 0 && n.share_ppm > 0;
  if (both_active && o.seed != n.seed) {
    out->push_back({"reshuffle-seed", seed_field,
                    absl::StrCat(seed_field, " \"", o.seed, "\" -> \"", n.seed, "\"")});
  }
  if (both_active && o.hash_version != n.hash_version) {
    out->push_back({"reshuffle-hash-version", "hash_version",
                    absl::StrCat("hash_version ", o.hash_version, " -> ", n.hash_version)});
  }
  if (both_active && !SameRotationFrame(o.rotation, n.rotation)) {
    out->push_back({"reshuffle-rotation", "rotation",
                    absl::StrCat("rotation ", DescribeRotation(o.rotation), " -> ",
                                 DescribeRotation(n.rotation))});
  } else if (both_active && o.rotation.scheme == RotationScheme::kSliding &&
             o.rotation.stride_ppm != n.rotation.stride_ppm) {
    out->push_back({"reshuffle-stride", "rotation.stride",
                    absl::StrCat("rotation.stride ", Share(o.rotation.stride_ppm), " -> ",
                                 Share(n.rotation.stride_ppm))});
  }
  if (n.share_ppm > o.share_ppm && MidPeriod(n.rotation, now)) {
    out->push_back({"reshuffle-share-raised", share_field,
                    absl::StrCat(share_field, " raised mid-period ", Share(o.share_ppm), " -> ",
                                 Share(n.share_ppm))});
  }
}

bool SameHoldout(const HoldoutSpec& a, const HoldoutSpec& b) {
  const RotationSpec& x = a.rotation;
  const RotationSpec& y = b.rotation;
  return a.share_ppm == b.share_ppm && a.seed == b.seed && a.hash_version == b.hash_version &&
         x.scheme == y.scheme && x.period_us == y.period_us && x.epoch_us == y.epoch_us &&
         x.washout_us == y.washout_us && x.stride_ppm == y.stride_ppm;
}

// Everything AssignValidated reads: equal specs give equal decisions for
// every unit, so there is nothing to sample.
bool SameAssignment(const JourneySpec& a, const JourneySpec& b) {
  if (!SameHoldout(a.holdout, b.holdout) || a.arm_seed != b.arm_seed ||
      a.arms.size() != b.arms.size()) {
    return false;
  }
  for (size_t i = 0; i < a.arms.size(); ++i) {
    if (a.arms[i].name != b.arms[i].name || a.arms[i].weight != b.arms[i].weight) return false;
  }
  return true;
}

std::vector<uint32_t> Weights(const JourneySpec& j) {
  std::vector<uint32_t> w;
  for (const ArmSpec& a : j.arms) w.push_back(a.weight);
  return w;
}

// Times to compare at: now, then the next period start of each rotation.
std::vector<std::pair<UnixMicros, std::string>> Instants(
    UnixMicros now, const std::vector<std::pair<const RotationSpec*, std::string>>& rotations) {
  std::vector<std::pair<UnixMicros, std::string>> out = {{now, "now"}};
  for (const auto& [r, whose] : rotations) {
    if (r->scheme == RotationScheme::kNone || r->period_us <= 0) continue;
    const UnixMicros next = PeriodStart(*r, PeriodIndex(*r, now) + 1);
    if (!IsRepresentableTime(next)) continue;
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const auto& p) { return p.first == next; });
    if (!seen) out.emplace_back(next, absl::StrCat("next period start of the ", whose));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// The rotations whose next boundary is worth a look: one when OLD and NEW
// rotate alike, else both, labelled "journey rotation", "old global
// rotation", ...
std::vector<std::pair<const RotationSpec*, std::string>> RotationsOf(const HoldoutSpec& o,
                                                                     const HoldoutSpec& n,
                                                                     const std::string& whose) {
  if (o.share_ppm == 0 && n.share_ppm == 0) return {};
  if (SameRotationFrame(o.rotation, n.rotation)) return {{&n.rotation, whose + " rotation"}};
  return {{&o.rotation, "old " + whose + " rotation"}, {&n.rotation, "new " + whose + " rotation"}};
}

const holdfast::v1::Journey* FindEffective(const holdfast::v1::Config& c, const std::string& id) {
  for (const auto& j : c.journeys()) {
    if (j.id() == id) return &j;
  }
  return nullptr;
}

std::string Acknowledgement(const std::string& old_text, const std::string& new_text) {
  return (!new_text.empty() && new_text != old_text) ? new_text : std::string();
}

}  // namespace

std::string FormatFraction(double f) { return absl::StrFormat("%.2f%%", f * 100); }

ImpactReport CheckImpact(const AssignmentConfig& old_compiled,
                         const holdfast::v1::Config& old_effective,
                         const AssignmentConfig& new_compiled,
                         const holdfast::v1::Config& new_effective, UnixMicros now,
                         const ImpactOptions& options) {
  ImpactReport report;
  report.sample_size = std::max(1, options.sample_size);
  report.now = now;
  const std::vector<std::string> units = SampleUnits(report.sample_size);
  const double n = report.sample_size;
  const HoldoutSpec& og = old_compiled.global_holdout;
  const HoldoutSpec& ng = new_compiled.global_holdout;

  // Global holdout: membership only.
  if (og.share_ppm > 0 || ng.share_ppm > 0) {
    SubjectImpact s;
    s.subject = "global_holdout";
    s.is_global = true;
    ClassifyHoldout(og, ng, /*is_global=*/true, now, &s.reshuffles);
    if (!s.reshuffles.empty()) {
      s.acknowledged_by = Acknowledgement(old_effective.global_holdout().intended_change(),
                                          new_effective.global_holdout().intended_change());
    }
    for (const auto& [at, label] : Instants(now, RotationsOf(og, ng, "global"))) {
      Movement m{at, label};
      double in_old = 0, out_old = 0, left = 0, entered = 0;
      const int64_t ko = PeriodIndex(og.rotation, at);
      const int64_t kn = PeriodIndex(ng.rotation, at);
      for (const std::string& u : units) {
        const bool a = og.share_ppm > 0 && InHoldout(og, u, ko);
        const bool b = ng.share_ppm > 0 && InHoldout(ng, u, kn);
        (a ? in_old : out_old) += 1;
        if (a && !b) ++left;
        if (!a && b) ++entered;
      }
      m.moved = m.changed_group = (left + entered) / n;
      m.left_holdout = in_old > 0 ? left / in_old : 0;
      m.entered_holdout = out_old > 0 ? entered / out_old : 0;
      s.movements.push_back(std::move(m));
    }
    report.subjects.push_back(std::move(s));
  }

  const bool same_global = SameHoldout(og, ng);
  const Assigner old_assigner(Borrow(old_compiled));
  const Assigner new_assigner(Borrow(new_compiled));
  for (const JourneySpec& nj : new_compiled.journeys) {
    const JourneySpec* oj = old_compiled.FindJourney(nj.id);
    if (oj == nullptr) continue;
    SubjectImpact s;
    s.subject = nj.id;
    ClassifyHoldout(oj->holdout, nj.holdout, /*is_global=*/false, now, &s.reshuffles);
    if (oj->arm_seed != nj.arm_seed && (oj->arms.size() > 1 || nj.arms.size() > 1)) {
      s.reshuffles.push_back({"reshuffle-seed", "arm_seed",
                              absl::StrCat("arm_seed \"", oj->arm_seed, "\" -> \"", nj.arm_seed, "\"")});
    }
    if (Weights(*oj) != Weights(nj) && MidPeriod(nj.holdout.rotation, now)) {
      std::string before, after;
      for (const ArmSpec& a : oj->arms) absl::StrAppend(&before, before.empty() ? "" : ",", a.name, ":", a.weight);
      for (const ArmSpec& a : nj.arms) absl::StrAppend(&after, after.empty() ? "" : ",", a.name, ":", a.weight);
      s.reshuffles.push_back(
          {"reshuffle-arm-weights", "arms", absl::StrCat("arm weights changed mid-period ", before, " -> ", after)});
    }
    if (!s.reshuffles.empty()) {
      const holdfast::v1::Journey* oe = FindEffective(old_effective, nj.id);
      const holdfast::v1::Journey* ne = FindEffective(new_effective, nj.id);
      s.acknowledged_by = Acknowledgement(oe != nullptr ? oe->intended_change() : "",
                                          ne != nullptr ? ne->intended_change() : "");
    }
    std::vector<std::pair<const RotationSpec*, std::string>> rotations =
        RotationsOf(oj->holdout, nj.holdout, "journey");
    for (auto& r : RotationsOf(og, ng, "global")) rotations.push_back(std::move(r));
    for (const auto& [at, label] : Instants(now, rotations)) {
      Movement m{at, label};
      if (same_global && SameAssignment(*oj, nj)) {
        s.movements.push_back(std::move(m));  // exactly 0 everywhere
        continue;
      }
      double moved = 0, group = 0, held_old = 0, treated_old = 0, left = 0, entered = 0;
      double both_treated = 0, arm = 0;
      for (const std::string& u : units) {
        const Decision a = old_assigner.AssignValidated(*oj, u, at);
        const Decision b = new_assigner.AssignValidated(nj, u, at);
        const bool same_group = a.group == b.group;
        bool same_arm = true;
        if (a.group == AssignedGroup::kTreatment && b.group == AssignedGroup::kTreatment) {
          ++both_treated;
          same_arm = oj->arms[a.arm_index].name == nj.arms[b.arm_index].name;
          if (!same_arm) ++arm;
        }
        if (!same_group) ++group;
        if (!same_group || !same_arm) ++moved;
        if (a.group == AssignedGroup::kHoldout) {
          ++held_old;
          if (b.group != AssignedGroup::kHoldout) ++left;
        } else if (a.group == AssignedGroup::kTreatment) {
          ++treated_old;
          if (b.group == AssignedGroup::kHoldout) ++entered;
        }
      }
      m.moved = moved / n;
      m.changed_group = group / n;
      m.left_holdout = held_old > 0 ? left / held_old : 0;
      m.entered_holdout = treated_old > 0 ? entered / treated_old : 0;
      m.changed_arm = both_treated > 0 ? arm / both_treated : 0;
      s.movements.push_back(std::move(m));
    }
    report.subjects.push_back(std::move(s));
  }
  return report;
}

std::string DescribeImpact(const SubjectImpact& s, int sample_size) {
  std::string out = s.is_global ? "global_holdout" : absl::StrCat("journey ", s.subject);
  absl::StrAppend(&out, ": ", sample_size, " sampled units");
  for (const Movement& m : s.movements) {
    absl::StrAppend(&out, "; ", m.label,
                    IsRepresentableTime(m.at) ? absl::StrCat(" (", FormatTime(m.at), ")") : "",
                    ": ", FormatFraction(m.moved), " moved");
    if (s.is_global) {
      absl::StrAppend(&out, " (left global holdout ", FormatFraction(m.left_holdout),
                      ", entered ", FormatFraction(m.entered_holdout), ")");
    } else {
      absl::StrAppend(&out, " (group ", FormatFraction(m.changed_group), ", left holdout ",
                      FormatFraction(m.left_holdout), ", entered holdout ",
                      FormatFraction(m.entered_holdout), ", arm ", FormatFraction(m.changed_arm),
                      ")");
    }
  }
  return out;
}

}  // namespace holdfast::config
