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

constexpr char kJourneyPrefix[] = "journey:";

std::string Hex16(const std::vector<std::string>& fields) {
  std::vector<absl::string_view> views(fields.begin(), fields.end());
  const std::array<uint8_t, 32> digest = LengthPrefixedSha256(absl::MakeConstSpan(views));
  std::string hex;
  char buf[3];
  for (int i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

HoldoutSpec* FindMutableHoldout(AssignmentConfig& config, absl::string_view holdout) {
  if (holdout == GlobalHoldoutName()) return &config.global_holdout;
  if (!absl::ConsumePrefix(&holdout, kJourneyPrefix)) return nullptr;
  for (JourneySpec& j : config.journeys) {
    if (j.id == holdout) return &j.holdout;
  }
  return nullptr;
}

std::string DrawId(const HoldoutSpec& spec) {
  return Hex16({spec.seed, absl::StrCat(spec.hash_version), absl::StrCat(static_cast<int>(spec.rotation.scheme)),
                absl::StrCat(spec.rotation.period_us), absl::StrCat(spec.rotation.epoch_us)});
}

HoldoutState StateOf(std::string name, const HoldoutSpec& spec) {
  return HoldoutState{std::move(name), DrawId(spec), spec.share_ppm, spec.rotation.stride_ppm,
                      spec.share_change_period, spec.previous_share_ppm, spec.previous_stride_ppm};
}

// Share and stride in force in period k under a persisted state.
uint32_t ShareAt(const HoldoutState& s, int64_t k) { return k < s.change_period ? s.previous_share_ppm : s.share_ppm; }
uint32_t StrideAt(const HoldoutState& s, int64_t k) {
  return k < s.change_period ? s.previous_stride_ppm : s.stride_ppm;
}

}  // namespace

std::string GlobalHoldoutName() { return "global"; }
std::string JourneyHoldoutName(absl::string_view journey_id) { return absl::StrCat(kJourneyPrefix, journey_id); }

const HoldoutSpec* FindHoldout(const AssignmentConfig& config, absl::string_view holdout) {
  return FindMutableHoldout(const_cast<AssignmentConfig&>(config), holdout);
}

std::vector<HoldoutState> HoldoutStates(const AssignmentConfig& config) {
  std::vector<HoldoutState> out;
  if (config.global_holdout.rotation.scheme != RotationScheme::kNone) {
    out.push_back(StateOf(GlobalHoldoutName(), config.global_holdout));
  }
  for (const JourneySpec& j : config.journeys) {
    if (j.holdout.rotation.scheme != RotationScheme::kNone) out.push_back(StateOf(JourneyHoldoutName(j.id), j.holdout));
  }
  return out;
}

std::vector<ShareTransition> PlanShareTransitions(const std::vector<HoldoutState>& current,
                                                  const AssignmentConfig& next, UnixMicros now) {
  std::vector<ShareTransition> out;
  for (const HoldoutState& before : current) {
    const HoldoutSpec* spec = FindHoldout(next, before.holdout);
    if (spec == nullptr || spec->rotation.scheme == RotationScheme::kNone) continue;
    if (before.draw != DrawId(*spec)) continue;  // a reshuffle: nothing to keep
    const int64_t k = PeriodIndex(spec->rotation, now);
    if (PeriodStart(spec->rotation, k) == now) continue;  // exactly at a boundary
    const uint32_t share_now = ShareAt(before, k);
    const uint32_t stride_now = StrideAt(before, k);
    if (share_now == spec->share_ppm && stride_now == spec->rotation.stride_ppm) continue;
    out.push_back(ShareTransition{before.holdout, k + 1, share_now, stride_now});
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
  config->version = "cfg-" + Hex16(fields);
}

namespace {

// The field a person edits, named as the diff lines of the same summary name
// it ("journey cart_abandon: holdout_share", "global_holdout: share"), rather
// than the internal holdout key.
std::string ShareFieldName(absl::string_view holdout) {
  if (holdout == GlobalHoldoutName()) return "global_holdout: share";
  absl::ConsumePrefix(&holdout, kJourneyPrefix);
  return absl::StrCat("journey ", holdout, ": holdout_share");
}

// Parts per million as the config writes shares: 100000 -> "0.1".
std::string PpmAsShare(uint32_t ppm) { return absl::StrCat(ppm / 1e6); }

}  // namespace

std::string FormatShareTransitions(const std::vector<ShareTransition>& transitions,
                                   const AssignmentConfig& config) {
  std::string out;
  for (const ShareTransition& t : transitions) {
    const HoldoutSpec* spec = FindHoldout(config, t.holdout);
    std::string when;
    if (spec != nullptr) when = FormatTime(PeriodStart(spec->rotation, t.period));
    absl::StrAppend(&out, "pending: ", ShareFieldName(t.holdout), " stays ", PpmAsShare(t.previous_share_ppm));
    if (t.previous_stride_ppm != 0) absl::StrAppend(&out, " (rotation.stride ", PpmAsShare(t.previous_stride_ppm), ")");
    absl::StrAppend(&out, " until period ", t.period, " starts at ", when, "\n");
  }
  return out;
}

std::string FormatHoldoutStates(const std::vector<HoldoutState>& states) {
  std::string out;
  for (const HoldoutState& s : states) {
    absl::StrAppend(&out, "state: holdout=", s.holdout, " draw=", s.draw, " share_ppm=", s.share_ppm,
                    " stride_ppm=", s.stride_ppm, " change_period=", s.change_period,
                    " previous_share_ppm=", s.previous_share_ppm, " previous_stride_ppm=", s.previous_stride_ppm,
                    "\n");
  }
  return out;
}

std::vector<HoldoutState> ParseHoldoutStates(absl::string_view text) {
  std::vector<HoldoutState> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, "state: ")) continue;
    HoldoutState s;
    bool ok = true;
    int seen = 0;
    for (absl::string_view field : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(field, absl::MaxSplits('=', 1));
      ++seen;
      if (kv.first == "holdout") s.holdout = std::string(kv.second);
      else if (kv.first == "draw") s.draw = std::string(kv.second);
      else if (kv.first == "share_ppm") ok &= absl::SimpleAtoi(kv.second, &s.share_ppm);
      else if (kv.first == "stride_ppm") ok &= absl::SimpleAtoi(kv.second, &s.stride_ppm);
      else if (kv.first == "change_period") ok &= absl::SimpleAtoi(kv.second, &s.change_period);
      else if (kv.first == "previous_share_ppm") ok &= absl::SimpleAtoi(kv.second, &s.previous_share_ppm);
      else if (kv.first == "previous_stride_ppm") ok &= absl::SimpleAtoi(kv.second, &s.previous_stride_ppm);
      else --seen;
    }
    if (ok && seen == 7) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace holdfast::config
