#include "lib/config/share_transition.h"

#include <array>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/assign/assigner.h"
#include "lib/assign/hash.h"
#include "lib/base/time_util.h"

namespace holdfast::config {
namespace {

constexpr char kGlobal[] = "global";

HoldoutSpec* FindMutableHoldout(AssignmentConfig& config, absl::string_view holdout) {
  if (holdout == kGlobal) return &config.global_holdout;
  for (JourneySpec& j : config.journeys) {
    if (j.id == holdout) return &j.holdout;
  }
  return nullptr;
}

// Same hash position and the same periods: only the share or stride moved.
bool SameDraw(const HoldoutSpec& a, const HoldoutSpec& b) {
  return a.seed == b.seed && a.hash_version == b.hash_version && a.rotation.scheme == b.rotation.scheme &&
         a.rotation.period_us == b.rotation.period_us && a.rotation.epoch_us == b.rotation.epoch_us;
}

void Plan(const std::string& name, const HoldoutSpec& current, const HoldoutSpec& next, UnixMicros now,
          std::vector<ShareTransition>* out) {
  if (next.rotation.scheme == RotationScheme::kNone || !SameDraw(current, next)) return;
  const int64_t k = PeriodIndex(next.rotation, now);
  if (PeriodStart(next.rotation, k) == now) return;  // exactly at a boundary: nothing to defer
  const uint32_t share_now = current.ShareAt(k);
  const uint32_t stride_now = current.StrideAt(k);
  if (share_now == next.share_ppm && stride_now == next.rotation.stride_ppm) return;
  out->push_back(ShareTransition{name, k + 1, share_now, stride_now});
}

}  // namespace

const HoldoutSpec* FindHoldout(const AssignmentConfig& config, absl::string_view holdout) {
  return FindMutableHoldout(const_cast<AssignmentConfig&>(config), holdout);
}

std::vector<ShareTransition> PlanShareTransitions(const AssignmentConfig& current,
                                                  const AssignmentConfig& next, UnixMicros now) {
  std::vector<ShareTransition> out;
  Plan(kGlobal, current.global_holdout, next.global_holdout, now, &out);
  for (const JourneySpec& j : next.journeys) {
    if (const JourneySpec* before = current.FindJourney(j.id)) Plan(j.id, before->holdout, j.holdout, now, &out);
  }
  return out;
}

void ApplyShareTransitions(const std::vector<ShareTransition>& transitions, AssignmentConfig* config) {
  if (transitions.empty()) return;
  std::vector<std::string> fields = {config->version};
  for (const ShareTransition& t : transitions) {
    HoldoutSpec* spec = FindMutableHoldout(*config, t.holdout);
    if (spec == nullptr) continue;
    spec->share_change_period = t.period;
    spec->previous_share_ppm = t.previous_share_ppm;
    spec->previous_stride_ppm = t.previous_stride_ppm;
    fields.insert(fields.end(), {t.holdout, absl::StrCat(t.period), absl::StrCat(t.previous_share_ppm),
                                 absl::StrCat(t.previous_stride_ppm)});
  }
  std::vector<absl::string_view> views(fields.begin(), fields.end());
  const std::array<uint8_t, 32> digest = LengthPrefixedSha256(absl::MakeConstSpan(views));
  std::string hex = "cfg-";
  char buf[3];
  for (int i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", digest[i]);
    hex += buf;
  }
  config->version = hex;
}

std::string FormatShareTransitions(const std::vector<ShareTransition>& transitions,
                                   const AssignmentConfig& config) {
  std::string out;
  for (const ShareTransition& t : transitions) {
    const HoldoutSpec* spec = FindHoldout(config, t.holdout);
    std::string when;
    if (spec != nullptr) when = FormatTime(PeriodStart(spec->rotation, t.period));
    absl::StrAppend(&out, "pending: holdout=", t.holdout, " period=", t.period,
                    " previous_share_ppm=", t.previous_share_ppm, " previous_stride_ppm=", t.previous_stride_ppm,
                    " (new share from ", when, ")\n");
  }
  return out;
}

std::vector<ShareTransition> ParseShareTransitions(absl::string_view diff_summary) {
  std::vector<ShareTransition> out;
  for (absl::string_view line : absl::StrSplit(diff_summary, '\n')) {
    if (!absl::ConsumePrefix(&line, "pending: ")) continue;
    ShareTransition t;
    bool ok = true;
    int seen = 0;
    for (absl::string_view field : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(field, absl::MaxSplits('=', 1));
      if (kv.first == "holdout") { t.holdout = std::string(kv.second); ++seen; }
      else if (kv.first == "period") { ok &= absl::SimpleAtoi(kv.second, &t.period); ++seen; }
      else if (kv.first == "previous_share_ppm") { ok &= absl::SimpleAtoi(kv.second, &t.previous_share_ppm); ++seen; }
      else if (kv.first == "previous_stride_ppm") { ok &= absl::SimpleAtoi(kv.second, &t.previous_stride_ppm); ++seen; }
    }
    if (ok && seen == 4) out.push_back(t);
  }
  return out;
}

}  // namespace holdfast::config
