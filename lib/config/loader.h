// Reads config files into the protobuf schema (holdfast/v1/config.proto)
// and remembers where each field was written.
//
// Formats, chosen by extension: text format (.textproto, .txtpb, .pbtxt) and
// protobuf's JSON mapping (.json). A directory is read as the files with
// those extensions directly inside it, sorted by name (no recursion, other
// files ignored); their `journeys` are concatenated in that order and at most
// one of them may set `global_holdout`.
//
// This layer only parses: syntax errors, unknown fields, unreadable files.
// Semantic checks are in validate.h.
#ifndef HOLDFAST_LIB_CONFIG_LOADER_H_
#define HOLDFAST_LIB_CONFIG_LOADER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "holdfast/v1/config.pb.h"
#include "lib/config/diagnostic.h"
#include "lib/config/source_map.h"

namespace holdfast::config {

struct ParsedConfig {
  // The merged config exactly as written (no defaults applied).
  holdfast::v1::Config config;
  // Where each field of `config` was written.
  SourceMap source_map;
  // Files read, in merge order.
  std::vector<std::string> files;
  // Read and parse errors (rules "io", "syntax", "global-holdout-multiple").
  // When non-empty, `config` holds only the files that parsed.
  std::vector<Diagnostic> diagnostics;
};

// Reads a file or a directory of files (see above). Never fails: problems
// are reported in `diagnostics`.
ParsedConfig ParseConfigPath(absl::string_view path);

// Parses `text` as the content of `file_name`, whose extension selects the
// format. For tests and for configs that arrive over an API.
ParsedConfig ParseConfigText(absl::string_view file_name, absl::string_view text);

// True for the extensions listed above.
bool IsConfigFileName(absl::string_view file_name);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_LOADER_H_
