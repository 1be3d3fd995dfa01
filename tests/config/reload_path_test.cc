// ReloadConfig's path confinement: only the configured path or a path inside
// its directory, after symlinks and `..`; outside paths get one answer
// whether they exist or not.
#include "lib/config/reload_path.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "tests/testing/process_util.h"

namespace holdfast::config {
namespace {
namespace fs = std::filesystem;

class ReloadPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::canonical(tmp_.path()).string();
    fs::create_directories(root_ + "/conf/sub");
    fs::create_directories(root_ + "/secret");
    std::ofstream(root_ + "/conf/main.textproto") << "journeys { id: \"a\" }\n";
    std::ofstream(root_ + "/conf/next.textproto") << "journeys { id: \"b\" }\n";
    std::ofstream(root_ + "/conf/sub/x.textproto") << "journeys { id: \"c\" }\n";
    std::ofstream(root_ + "/secret/keys.json") << "{\"api_key\": \"s3cr3t\"}\n";
    fs::create_symlink(root_ + "/secret/keys.json", root_ + "/conf/link.json");
    fs::create_symlink(root_ + "/secret", root_ + "/conf/secretdir");
  }

  testing::TempDir tmp_;
  std::string root_;
};

TEST_F(ReloadPathTest, InsideTheConfigDirectoryResolves) {
  const std::string configured = root_ + "/conf/main.textproto";
  struct Ok {
    std::string requested, resolved;
  };
  const Ok cases[] = {
      {configured, configured},
      {"next.textproto", root_ + "/conf/next.textproto"},
      {root_ + "/conf/sub/../next.textproto", root_ + "/conf/next.textproto"},
      {"sub/x.textproto", root_ + "/conf/sub/x.textproto"},
      {root_ + "/conf", root_ + "/conf"},
  };
  for (const Ok& c : cases) {
    absl::StatusOr<std::string> p = ResolveReloadPath(configured, c.requested);
    ASSERT_TRUE(p.ok()) << c.requested << ": " << p.status();
    EXPECT_EQ(*p, c.resolved) << c.requested;
  }
  // A configured directory confines to itself.
  absl::StatusOr<std::string> p = ResolveReloadPath(root_ + "/conf", "sub");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, root_ + "/conf/sub");
}

TEST_F(ReloadPathTest, OutsidePathsAreRefusedAlikeWhetherOrNotTheyExist) {
  const std::string configured = root_ + "/conf/main.textproto";
  const std::string outside[] = {
      root_ + "/secret/keys.json",          // exists
      root_ + "/secret/missing.json",       // does not
      "/etc/passwd",                        // exists
      "/etc/holdfast-does-not-exist",       // does not
      "../secret/keys.json",                // `..` out of the directory
      root_ + "/conf/sub/../../secret/keys.json",
      "link.json",                          // symlink inside pointing out
      "secretdir/keys.json",                // through a symlinked directory
      "secretdir/missing.json",
      root_ + "/conffake/x",                // a sibling sharing the prefix
  };
  std::string first_message;
  for (const std::string& r : outside) {
    absl::StatusOr<std::string> p = ResolveReloadPath(configured, r);
    ASSERT_FALSE(p.ok()) << r << " resolved to " << *p;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << r;
    EXPECT_TRUE(absl::StartsWith(p.status().message(), "path: must be the configured config path")) << p.status();
    EXPECT_FALSE(absl::StrContains(p.status().message(), "s3cr3t"));
    if (first_message.empty()) first_message = std::string(p.status().message());
    EXPECT_EQ(p.status().message(), first_message) << "the answer must not depend on " << r;
  }
}

TEST_F(ReloadPathTest, MissingFileInsideIsNotFound) {
  absl::StatusOr<std::string> p = ResolveReloadPath(root_ + "/conf/main.textproto", "nope.textproto");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kNotFound) << p.status();
}

}  // namespace
}  // namespace holdfast::config
