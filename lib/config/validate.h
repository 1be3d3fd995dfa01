// Semantic checks of a parsed config: every lint rule that needs only one
// config (rules comparing two configs are in impact.h). Rule ids, messages
// and examples are listed in docs/config.md.
#ifndef HOLDFAST_LIB_CONFIG_VALIDATE_H_
#define HOLDFAST_LIB_CONFIG_VALIDATE_H_

#include <cstddef>
#include <vector>

#include "holdfast/v1/config.pb.h"
#include "lib/assign/assignment_config.h"
#include "lib/config/diagnostic.h"
#include "lib/config/source_map.h"

namespace holdfast::config {

// Checks `raw` (as written, before defaults) and returns errors and
// warnings positioned through `source_map`, in config order. A config with
// no error compiles (compile.h) without failure.
std::vector<Diagnostic> Validate(const holdfast::v1::Config& raw, const SourceMap& source_map);

// Journey ids: [a-z0-9_.-]{1,64}. Arm names: [A-Za-z0-9_.-]{1,64}.
bool IsValidJourneyId(absl::string_view id);
bool IsValidArmName(absl::string_view name);
// Send channel names (Arm.channels): 1-64 bytes, no whitespace or control
// characters (any other UTF-8 byte is allowed, as for sends).
bool IsValidChannelName(absl::string_view name);

// Lifecycle stages (Journey.stage): [a-z0-9_-]{1,32}; the standard ones are
// kStandardStages (lib/assign/assignment_config.h), any other valid label is
// a custom stage.
inline constexpr size_t kMaxStageBytes = 32;
bool IsValidStage(absl::string_view stage);
// The standard stage within edit distance 2 of a custom `stage` (a likely
// typo), or nullptr (also for a standard stage itself).
const char* NearStandardStage(absl::string_view stage);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_VALIDATE_H_
