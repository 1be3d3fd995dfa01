// The canonical config text kept in the config history, and its way back to
// a compiled config. A report analyses each entry with the config version it
// was assigned under (DESIGN.md, "Config-faithful"), so the store keeps every
// version's full config, not only its hash.
//
//   content = CanonicalConfigText(loaded.effective);        // on every load
//   ...
//   absl::StatusOr<std::shared_ptr<const AssignmentConfig>> c =
//       CompileStoredConfig(row.version, row.content, row.diff_summary);
//
// The content is the effective config (defaults written out) in protobuf
// text format. Compiling it gives the content version; a version with share
// transitions pending (share_transition.h) is that plus the transitions,
// which the history row's "state:" lines carry. CompileStoredConfig rebuilds
// both and checks that the result has exactly the stored version, so a
// catalog never hands out a config under a version it does not have.
//
// Thread-safety: pure functions.
#ifndef HOLDFAST_LIB_CONFIG_STORED_CONFIG_H_
#define HOLDFAST_LIB_CONFIG_STORED_CONFIG_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "holdfast/v1/config.pb.h"
#include "lib/assign/assignment_config.h"

namespace holdfast::config {

// The effective config as protobuf text format (deterministic: fields in
// number order, journeys as ApplyDefaults sorted them).
std::string CanonicalConfigText(const holdfast::v1::Config& effective);

// Compiles stored `content` (CanonicalConfigText output) and applies the
// pending share transitions named by the "state:" lines of `diff_summary`.
// INVALID_ARGUMENT when the content does not parse or compile;
// DATA_LOSS when the result's version is not `version` (content or states
// do not belong to that version).
[[nodiscard]] absl::StatusOr<std::shared_ptr<const AssignmentConfig>> CompileStoredConfig(
    absl::string_view version, absl::string_view content, absl::string_view diff_summary);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_STORED_CONFIG_H_
