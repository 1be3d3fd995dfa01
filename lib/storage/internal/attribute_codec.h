// Encoding of EntryRow::attributes in the entries.attributes BLOB column:
// for each pair in order, "<key bytes>:<key><value bytes>:<value>" with byte
// counts in decimal ASCII, e.g. {("segment","vip")} -> "7:segment3:vip".
// Length-prefixed so any bytes (':' or NUL included) round-trip.
#ifndef HOLDFAST_LIB_STORAGE_INTERNAL_ATTRIBUTE_CODEC_H_
#define HOLDFAST_LIB_STORAGE_INTERNAL_ATTRIBUTE_CODEC_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace holdfast::storage_internal {

std::string EncodeAttributes(const std::vector<std::pair<std::string, std::string>>& attributes);

// Returns the value of the first pair whose key is `key`, or nullopt when
// there is none or `encoded` is malformed.
std::optional<absl::string_view> FindAttribute(absl::string_view encoded, absl::string_view key);

// Decodes all pairs; nullopt when malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> DecodeAttributes(
    absl::string_view encoded);

}  // namespace holdfast::storage_internal

#endif  // HOLDFAST_LIB_STORAGE_INTERNAL_ATTRIBUTE_CODEC_H_
