#include "lib/config/stored_config.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "lib/base/status_macros.h"
#include "lib/config/compile.h"
#include "lib/config/share_transition.h"

namespace holdfast::config {

std::string CanonicalConfigText(const holdfast::v1::Config& effective) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(effective, &out);
  return out;
}

absl::StatusOr<std::shared_ptr<const AssignmentConfig>> CompileStoredConfig(
    absl::string_view version, absl::string_view content, absl::string_view diff_summary) {
  holdfast::v1::Config effective;
  google::protobuf::TextFormat::Parser parser;
  if (!parser.ParseFromString(std::string(content), &effective)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stored config of version ", version, " does not parse"));
  }
  // No ApplyDefaults: the content is already the effective config, and
  // re-applying today's defaults could change an old version's meaning.
  HF_ASSIGN_OR_RETURN(AssignmentConfig compiled, Compile(effective));
  std::vector<ShareTransition> transitions;
  for (const HoldoutState& s : ParseHoldoutStates(diff_summary)) {
    if (s.change_period == HoldoutSpec::kNoShareChange) continue;
    transitions.push_back({s.holdout, s.change_period, s.previous_share_ppm, s.previous_stride_ppm});
  }
  ApplyShareTransitions(transitions, &compiled);
  if (compiled.version != version) {
    return absl::DataLossError(absl::StrCat("stored config of version ", version,
                                            " compiles to version ", compiled.version));
  }
  return std::make_shared<const AssignmentConfig>(std::move(compiled));
}

}  // namespace holdfast::config
