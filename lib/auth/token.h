// Bearer tokens: how they are made and what the server stores of them.
//
// The server never stores a token, only its SHA-256 digest (lower-case hex in
// the --auth_tokens file), so a leaked token file grants nothing.
//
//   absl::StatusOr<std::string> token = GenerateToken();   // "hf_" + 64 hex
//   TokenDigest d = DigestToken(*token);
//   std::string line = absl::StrCat("assign ", DigestHex(d), " journey-engine");
#ifndef HOLDFAST_LIB_AUTH_TOKEN_H_
#define HOLDFAST_LIB_AUTH_TOKEN_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace holdfast::auth {

using TokenDigest = std::array<uint8_t, 32>;

// Longest token accepted from a caller, in bytes. Generated tokens are 67.
inline constexpr size_t kMaxTokenBytes = 512;

// SHA-256 of the token's bytes.
TokenDigest DigestToken(absl::string_view token);
// 64 lower-case hex digits.
std::string DigestHex(const TokenDigest& digest);
// Parses 64 hex digits (either case); nullopt otherwise.
std::optional<TokenDigest> ParseDigestHex(absl::string_view hex);
// True when both digests are equal, in time independent of where they differ.
bool DigestsEqual(const TokenDigest& a, const TokenDigest& b);

// A fresh token: "hf_" followed by 32 bytes from OpenSSL's CSPRNG
// (RAND_bytes) in hex. INTERNAL if the CSPRNG fails (never a weak token).
[[nodiscard]] absl::StatusOr<std::string> GenerateToken();

}  // namespace holdfast::auth

#endif  // HOLDFAST_LIB_AUTH_TOKEN_H_
