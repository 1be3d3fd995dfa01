#include "lib/storage/internal/attribute_codec.h"

#include <cstddef>

#include "absl/strings/str_cat.h"

namespace holdfast::storage_internal {
namespace {

// Reads "<n>:" then n bytes from *in into *out. False on malformed input.
bool ReadField(absl::string_view* in, absl::string_view* out) {
  size_t n = 0;
  size_t i = 0;
  while (i < in->size() && (*in)[i] >= '0' && (*in)[i] <= '9') {
    if (i >= 9) return false;  // fields are far shorter than 10^9 bytes
    n = n * 10 + static_cast<size_t>((*in)[i] - '0');
    ++i;
  }
  if (i == 0 || i >= in->size() || (*in)[i] != ':') return false;
  in->remove_prefix(i + 1);
  if (in->size() < n) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeAttributes(const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::string out;
  for (const auto& [k, v] : attributes) {
    absl::StrAppend(&out, k.size(), ":", k, v.size(), ":", v);
  }
  return out;
}

std::optional<absl::string_view> FindAttribute(absl::string_view encoded, absl::string_view key) {
  while (!encoded.empty()) {
    absl::string_view k, v;
    if (!ReadField(&encoded, &k) || !ReadField(&encoded, &v)) return std::nullopt;
    if (k == key) return v;
  }
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> DecodeAttributes(
    absl::string_view encoded) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!encoded.empty()) {
    absl::string_view k, v;
    if (!ReadField(&encoded, &k) || !ReadField(&encoded, &v)) return std::nullopt;
    out.emplace_back(std::string(k), std::string(v));
  }
  return out;
}

}  // namespace holdfast::storage_internal
