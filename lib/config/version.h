// The config version: a content hash of the effective config.
//
//   version = "cfg-" + first 16 hex digits of SHA-256(bytes)
//
// where bytes is the deterministic protobuf binary serialization of
// ApplyDefaults(raw) (defaults.h). Because defaults are written out and
// journeys and channel costs are sorted, comments, whitespace, field order,
// journey order, the split into files and the file format (text or JSON) do
// not change the version; writing a default explicitly does not either. Any
// change of a value does, including `description`, `planning` and
// `intended_change` (they are part of what was reviewed and deployed); such
// changes move no unit, which the impact check (impact.h) shows as 0 %.
#ifndef HOLDFAST_LIB_CONFIG_VERSION_H_
#define HOLDFAST_LIB_CONFIG_VERSION_H_

#include <string>

#include "holdfast/v1/config.pb.h"

namespace holdfast::config {

// Version of an effective config (the output of ApplyDefaults).
std::string ConfigVersion(const holdfast::v1::Config& effective);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_VERSION_H_
