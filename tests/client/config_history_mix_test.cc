// DescribeMixedVersions: reads a shared config history (newest first) and
// names the loads after which replicas served different versions, and the
// load that made them agree again.
#include "client/config_history_mix.h"

#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "lib/base/time_util.h"

namespace holdfast::cli {
namespace {

google::protobuf::RepeatedPtrField<holdfast::v1::ConfigVersion> History(
    const std::vector<std::tuple<int64_t, std::string, std::string>>& oldest_first) {
  google::protobuf::RepeatedPtrField<holdfast::v1::ConfigVersion> out;
  for (auto it = oldest_first.rbegin(); it != oldest_first.rend(); ++it) {
    holdfast::v1::ConfigVersion* v = out.Add();
    v->mutable_loaded_at()->set_seconds(std::get<0>(*it));
    v->set_replica(std::get<1>(*it));
    v->set_version(std::get<2>(*it));
  }
  return out;
}

std::string At(int64_t seconds) { return FormatTime(seconds * 1000000); }

TEST(ConfigHistoryMixTest, RolloutShowsEachMixedLoadThenAgreement) {
  const auto h = History({{100, "r1", "cfg-a"},
                          {101, "r2", "cfg-a"},
                          {200, "r2", "cfg-b"},   // r2 first: mixed
                          {205, "r3", "cfg-a"},   // r3 joins on the old one: still mixed
                          {210, "r1", "cfg-b"},
                          {220, "r3", "cfg-b"}});  // all on cfg-b
  const std::vector<std::string> lines = DescribeMixedVersions(h);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], At(200) + "  replicas serve different versions: r1=cfg-a, r2=cfg-b\n");
  EXPECT_EQ(lines[1], At(205) + "  replicas serve different versions: r1=cfg-a, r2=cfg-b, r3=cfg-a\n");
  EXPECT_EQ(lines[2], At(210) + "  replicas serve different versions: r1=cfg-b, r2=cfg-b, r3=cfg-a\n");
  EXPECT_EQ(lines[3], At(220) + "  all replicas serve cfg-b\n");
}

TEST(ConfigHistoryMixTest, OneReplicaOrAgreeingReplicasGiveNothing) {
  EXPECT_TRUE(DescribeMixedVersions(History({{1, "r1", "a"}, {2, "r1", "b"}, {3, "r1", "a"}})).empty());
  EXPECT_TRUE(DescribeMixedVersions(History({{1, "r1", "a"}, {2, "r2", "a"}})).empty());
  EXPECT_TRUE(DescribeMixedVersions(History({})).empty());
}

TEST(ConfigHistoryMixTest, UnnamedRecordsCountAsOneReplica) {
  const std::vector<std::string> lines =
      DescribeMixedVersions(History({{1, "", "a"}, {2, "r1", "b"}}));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], At(2) + "  replicas serve different versions: (unnamed)=a, r1=b\n");
}

}  // namespace
}  // namespace holdfast::cli
