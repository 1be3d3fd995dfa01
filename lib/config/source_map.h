// Where each field of a loaded config was written, so that semantic
// diagnostics can point at `file:line:col` like parse errors do.
//
// Fields are named by a path built from proto field names and repeated
// indexes *in the merged config*: "global_holdout.share",
// "journeys[3].rotation.period", "journeys[0].arms[1].weight".
#ifndef HOLDFAST_LIB_CONFIG_SOURCE_MAP_H_
#define HOLDFAST_LIB_CONFIG_SOURCE_MAP_H_

#include <map>
#include <string>

#include "absl/strings/string_view.h"

namespace holdfast::config {

struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based; 0 = unknown
  int col = 0;   // 1-based; 0 = unknown
};

class SourceMap {
 public:
  // Records the position of `path` (first record wins).
  void Record(std::string path, SourceLocation location);

  // Position of `path`; when it was not recorded (a field left at its
  // default), the position of the nearest recorded ancestor, e.g.
  // "journeys[2].rotation" then "journeys[2]"; else `fallback_file` with no
  // line.
  SourceLocation Locate(absl::string_view path) const;

  // Copies every entry of `other`, rewriting a leading "journeys[i]" to
  // "journeys[i + journey_offset]" (used when merging a directory).
  void MergeFrom(const SourceMap& other, int journey_offset);

  void set_fallback_file(std::string file) { fallback_file_ = std::move(file); }
  const std::string& fallback_file() const { return fallback_file_; }
  size_t size() const { return locations_.size(); }

 private:
  std::map<std::string, SourceLocation, std::less<>> locations_;
  std::string fallback_file_;
};

// Path helpers: JourneyPath(2) == "journeys[2]", Field("a", "b") == "a.b",
// Index("arms", 1) == "arms[1]".
std::string JourneyPath(int index);
std::string Field(absl::string_view parent, absl::string_view name);
std::string Index(absl::string_view path, int index);

}  // namespace holdfast::config

#endif  // HOLDFAST_LIB_CONFIG_SOURCE_MAP_H_
