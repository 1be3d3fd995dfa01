// Exact conversions from the schema's floating-point shares and protobuf
// durations/timestamps to the integers the assigner uses.
#ifndef HOLDFAST_LIB_CONFIG_UNITS_H_
#define HOLDFAST_LIB_CONFIG_UNITS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace holdfast::config {

// The share as parts per million when it lies in [0, 1] and is a whole
// number of ppm, i.e. llround(share·1e6)/1e6 == share exactly as doubles
// (0.1 and 0.000001 are, 0.1234567 is not); otherwise nullopt.
std::optional<uint32_t> ShareToPpm(double share);

// The duration in microseconds when it is valid (|seconds| ≤ 315576000000,
// |nanos| < 1e9, same sign) and a whole number of microseconds; else nullopt.
std::optional<int64_t> DurationToMicros(const google::protobuf::Duration& d);

// The timestamp in microseconds since the epoch when it is valid
// (0 ≤ nanos < 1e9, years 0001..9999) and a whole number of microseconds.
std::optional<int64_t> TimestampToMicros(const google::protobuf::Timestamp& t);

// The shortest decimal form that reads back as exactly `v` ("0.1",
// "0.1234567", "1e-07").
std::string FormatDouble(double v);

// "7d", "36h", "90s", "1.5s": the shortest exact human form of a duration.
std::string FormatDurationMicros(int64_t micros);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_UNITS_H_
