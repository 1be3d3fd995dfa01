// The size limits of a config, in one place: the linter (`holdfast lint`)
// and the server's load/reload both run Validate, which applies these, so a
// config that lints clean is never refused by the server for its size, and
// the server never stores or serves a string it could not hand back
// (invalid UTF-8 in a proto3 string breaks every client that reads it).
//
// The bounds keep a config's history record (its holdout states, one line
// per journey, kept by the store) and ListJourneys answer bounded.
#ifndef HOLDFAST_LIB_CONFIG_LIMITS_H_
#define HOLDFAST_LIB_CONFIG_LIMITS_H_

#include <cstddef>
#include <vector>

#include "holdfast/v1/config.pb.h"
#include "lib/config/diagnostic.h"
#include "lib/config/source_map.h"

namespace holdfast::config {

// Journeys in one config (all files of a directory together).
inline constexpr int kMaxJourneys = 1000;
// Arms of one journey.
inline constexpr int kMaxArmsPerJourney = 100;
// Channel cost entries of one journey.
inline constexpr int kMaxChannelCostsPerJourney = 64;
// Free text: journey description.
inline constexpr size_t kMaxDescriptionBytes = 4096;
// Free text: intended_change notes.
inline constexpr size_t kMaxIntendedChangeBytes = 1024;
// Seeds (holdout_seed, arm_seed, the global seed).
inline constexpr size_t kMaxSeedBytes = 256;
// A channel name; the same bound applies to the channel of a recorded send.
inline constexpr size_t kMaxChannelBytes = 64;

// Appends an error (rule "utf8") for every string field of `config` that is
// not valid UTF-8, and one (rule "limit") for every count or length above
// the limits above, each at the field's file:line:col.
void CheckLimits(const holdfast::v1::Config& config, const SourceMap& source_map,
                 std::vector<Diagnostic>* out);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_LIMITS_H_
