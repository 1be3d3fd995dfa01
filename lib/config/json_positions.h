// A small JSON scanner that runs before protobuf's JSON parser for two
// reasons: protobuf 3.21 reports JSON errors without a position, and
// semantic diagnostics need the position of each field. It checks the
// syntax (RFC 8259), records where every key of a known message field was
// written, and rejects keys that name no field, all with 1-based line:col.
#ifndef HOLDFAST_LIB_CONFIG_JSON_POSITIONS_H_
#define HOLDFAST_LIB_CONFIG_JSON_POSITIONS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "lib/config/diagnostic.h"
#include "lib/config/source_map.h"

namespace holdfast::config {

// Scans `text` (the content of `file`) as a JSON value of message type
// `descriptor`. Keys may be proto field names or JSON (lowerCamelCase) names.
// Records each field's position in `map` under its proto path (see
// source_map.h). Values of well-known types (Duration, Timestamp) are not
// descended into. Returns the first syntax error or unknown field as a
// Diagnostic (rule "syntax"), or nullopt when the text is well-formed.
std::optional<Diagnostic> ScanJsonPositions(absl::string_view text,
                                            const google::protobuf::Descriptor* descriptor,
                                            const std::string& file, SourceMap* map);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_JSON_POSITIONS_H_
