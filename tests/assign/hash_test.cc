// Hash version 1 against the independent Python reference (gen_vectors.py ->
// hash_vectors.tsv), plus the integer scaling at its edges.
#include "lib/assign/hash.h"

#include <array>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "lib/assign/assignment_config.h"
#include "tests/assign/vector_file.h"

namespace holdfast {
namespace {

using ::holdfast::testing::FromHex;
using ::holdfast::testing::ReadVectorFile;
using ::holdfast::testing::TestDataPath;

std::string DigestHex(const std::array<uint8_t, 32>& d) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

TEST(HashTest, VectorsMatchPythonReference) {
  const testing::VectorFile file = ReadVectorFile(TestDataPath("hash_vectors.tsv"));
  ASSERT_GE(file.cells.size(), 20u) << "hash_vectors.tsv missing or truncated";
  for (const testing::VectorRow& row : file.Rows()) {
    SCOPED_TRACE(row["name"]);
    std::vector<std::string> bytes;
    for (absl::string_view hex : absl::StrSplit(row["fields_hex"], ',')) {
      bytes.push_back(FromHex(hex));
    }
    const std::vector<absl::string_view> fields(bytes.begin(), bytes.end());
    uint64_t want_h = 0;
    uint64_t want_bucket = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row["h_u64"], &want_h));
    ASSERT_TRUE(absl::SimpleAtoi(row["bucket_ppm"], &want_bucket));
    EXPECT_EQ(DigestHex(LengthPrefixedSha256(fields)), row["sha256_hex"]);
    const uint64_t h = HashV1(fields);
    EXPECT_EQ(h, want_h);
    EXPECT_EQ(ScaleToRange(h, kShareScale), want_bucket);
  }
}

TEST(HashTest, InitializerListAndSpanFormsAgree) {
  const std::string unit = "Jos\xC3\xA9";
  const std::vector<absl::string_view> fields = {"holdout:cart_abandon", unit};
  EXPECT_EQ(HashV1({"holdout:cart_abandon", unit}), HashV1(fields));
  EXPECT_EQ(LengthPrefixedSha256({"holdout:cart_abandon", unit}), LengthPrefixedSha256(fields));
}

TEST(HashTest, LengthPrefixSeparatesFieldBoundaries) {
  // Plain concatenation would hash both as "abc".
  EXPECT_NE(HashV1({"ab", "c"}), HashV1({"a", "bc"}));
  EXPECT_NE(HashV1({"abc", ""}), HashV1({"", "abc"}));
  EXPECT_NE(HashV1({"abc"}), HashV1({"abc", ""}));
}

TEST(HashTest, NoUnicodeNormalization) {
  // "José" precomposed (U+00E9) and decomposed (e + U+0301) are different
  // byte strings and therefore different units.
  EXPECT_NE(HashV1({"s", "Jos\xC3\xA9"}), HashV1({"s", "Jose\xCC\x81"}));
}

TEST(HashTest, ScaleToRangeIsExactAtEdges) {
  constexpr uint64_t kMax = ~uint64_t{0};
  EXPECT_EQ(ScaleToRange(0, kShareScale), 0u);
  EXPECT_EQ(ScaleToRange(kMax, kShareScale), kShareScale - 1);
  // The first h in bucket b is ceil(b * 2^64 / 10^6). For b = 1:
  // 2^64 / 10^6 = 18446744073709.551616, so the boundary is ...710.
  EXPECT_EQ(ScaleToRange(18446744073709ULL, kShareScale), 0u);
  EXPECT_EQ(ScaleToRange(18446744073710ULL, kShareScale), 1u);
  // b = 500000 starts exactly at 2^63 (10^6 / 2 divides evenly).
  EXPECT_EQ(ScaleToRange((uint64_t{1} << 63) - 1, kShareScale), 499999u);
  EXPECT_EQ(ScaleToRange(uint64_t{1} << 63, kShareScale), 500000u);
  // Degenerate and wide ranges.
  EXPECT_EQ(ScaleToRange(kMax, 1), 0u);
  EXPECT_EQ(ScaleToRange(kMax, 0xFFFFFFFFu), 0xFFFFFFFEu);
  EXPECT_EQ(ScaleToRange(uint64_t{1} << 32, uint64_t{1} << 32), 1u);
}

TEST(HashTest, SameAnswerOnEveryThread) {
  // Each thread keeps its own digest context; results must not depend on it.
  constexpr int kN = 5000;
  std::vector<uint64_t> want(kN);
  for (int i = 0; i < kN; ++i) want[i] = HashV1({"seed", std::to_string(i)});
  std::vector<std::vector<uint64_t>> got(2, std::vector<uint64_t>(kN));
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&got, t] {
      for (int i = kN - 1; i >= 0; --i) got[t][i] = HashV1({"seed", std::to_string(i)});
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(got[0], want);
  EXPECT_EQ(got[1], want);
}

// InHoldout and the arm split implement version 1 only. When a version 2 is
// added here, they must dispatch on HoldoutSpec::hash_version first.
TEST(HashTest, OnlyVersionOneIsSupported) {
  EXPECT_TRUE(IsSupportedHashVersion(1));
  EXPECT_EQ(kLatestHashVersion, 1u);
  EXPECT_FALSE(IsSupportedHashVersion(0));
  EXPECT_FALSE(IsSupportedHashVersion(2));
}

}  // namespace
}  // namespace holdfast
