// The entries.attributes encoding round-trips any bytes and finds keys.
#include "lib/storage/internal/attribute_codec.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace holdfast::storage_internal {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(AttributeCodecTest, EncodesToDocumentedForm) {
  EXPECT_EQ(EncodeAttributes({{"segment", "vip"}}), "7:segment3:vip");
  EXPECT_EQ(EncodeAttributes({}), "");
  EXPECT_EQ(EncodeAttributes({{"k", ""}}), "1:k0:");
}

TEST(AttributeCodecTest, RoundTripsAwkwardBytes) {
  Pairs pairs = {{"a:b", "1:2"}, {std::string("nul\0key", 7), "caf\xc3\xa9"}, {"k", ""},
                 {"12", "34"}};
  std::string enc = EncodeAttributes(pairs);
  auto decoded = DecodeAttributes(enc);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, pairs);
  EXPECT_EQ(FindAttribute(enc, "a:b").value(), "1:2");
  EXPECT_EQ(FindAttribute(enc, "k").value(), "");
  EXPECT_EQ(FindAttribute(enc, "12").value(), "34");
  EXPECT_FALSE(FindAttribute(enc, "missing").has_value());
}

TEST(AttributeCodecTest, FirstValueWinsForRepeatedKey) {
  std::string enc = EncodeAttributes({{"k", "first"}, {"k", "second"}});
  EXPECT_EQ(FindAttribute(enc, "k").value(), "first");
}

TEST(AttributeCodecTest, MalformedInputIsRejected) {
  for (const char* bad : {"3:ab", "x:abc", "3abc", "1:a", "1:a5:bc", "9999999999:a"}) {
    EXPECT_FALSE(DecodeAttributes(bad).has_value()) << bad;
    EXPECT_FALSE(FindAttribute(bad, "zz").has_value()) << bad;
  }
}

}  // namespace
}  // namespace holdfast::storage_internal
