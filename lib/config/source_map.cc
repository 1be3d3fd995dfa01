#include "lib/config/source_map.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace holdfast::config {

void SourceMap::Record(std::string path, SourceLocation location) {
  locations_.emplace(std::move(path), std::move(location));
}

SourceLocation SourceMap::Locate(absl::string_view path) const {
  std::string key(path);
  while (!key.empty()) {
    auto it = locations_.find(key);
    if (it != locations_.end()) return it->second;
    // Drop the last component: "a.b[3]" -> "a.b", "a.b" -> "a".
    const size_t cut = key.find_last_of(".[");
    if (cut == std::string::npos) break;
    key.resize(cut);
  }
  return SourceLocation{fallback_file_, 0, 0};
}

void SourceMap::MergeFrom(const SourceMap& other, int journey_offset) {
  static constexpr absl::string_view kPrefix = "journeys[";
  for (const auto& [path, location] : other.locations_) {
    if (journey_offset != 0 && absl::StartsWith(path, kPrefix)) {
      const size_t close = path.find(']');
      int index = 0;
      if (close != std::string::npos &&
          absl::SimpleAtoi(absl::string_view(path).substr(kPrefix.size(), close - kPrefix.size()),
                           &index)) {
        Record(absl::StrCat(JourneyPath(index + journey_offset), path.substr(close + 1)), location);
        continue;
      }
    }
    Record(path, location);
  }
  if (fallback_file_.empty()) fallback_file_ = other.fallback_file_;
}

std::string JourneyPath(int index) { return absl::StrCat("journeys[", index, "]"); }

std::string Field(absl::string_view parent, absl::string_view name) {
  if (parent.empty()) return std::string(name);
  return absl::StrCat(parent, ".", name);
}

std::string Index(absl::string_view path, int index) { return absl::StrCat(path, "[", index, "]"); }

}  // namespace holdfast::config
