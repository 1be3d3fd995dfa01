// ReloadConfig(path) through the ConfigManager: other files are neither
// loaded nor described, and the serving config stays.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "server/config_manager_impl.h"
#include "tests/testing/process_util.h"

namespace holdfast::server {
namespace {
namespace fs = std::filesystem;

TEST(ReloadConfinementTest, OnlyTheConfigDirectoryCanBeLoaded) {
  testing::TempDir tmp;
  const std::string root = fs::canonical(tmp.path()).string();
  fs::create_directories(root + "/conf");
  fs::create_directories(root + "/other");
  std::ofstream(root + "/conf/main.textproto") << "journeys { id: \"winback\" holdout_share: 0.1 }\n";
  std::ofstream(root + "/conf/next.textproto") << "journeys { id: \"winback\" holdout_share: 0.1 }\n"
                                                  "journeys { id: \"renewal\" holdout_share: 0.2 }\n";
  // A JSON file outside whose keys would show in a parse error.
  std::ofstream(root + "/other/app.json") << "{\"database_password\": \"hunter2\", \"journeys\": 3}\n";
  fs::create_symlink(root + "/other/app.json", root + "/conf/app.json");

  FakeClock clock(1767225600LL * 1000000);
  auto initial = LoadServingConfig(root + "/conf/main.textproto", clock.NowMicros());
  ASSERT_TRUE(initial.ok()) << initial.status();
  ConfigHolder holder(*initial);
  ConfigManagerImpl manager(&holder, &clock);
  ASSERT_TRUE(manager.RecordInitial().ok());
  const std::string before = holder.Get()->version();

  for (const std::string& path : {root + "/other/app.json", std::string("../other/app.json"),
                                  std::string("app.json"), std::string("/etc/passwd"),
                                  std::string("/etc/no-such-file")}) {
    auto r = manager.Reload(path);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << path;
    for (const char* leaked : {"hunter2", "database_password", "root:", "app.json", "passwd"}) {
      EXPECT_FALSE(absl::StrContains(r.status().message(), leaked)) << path << ": " << r.status();
    }
    EXPECT_EQ(holder.Get()->version(), before);
  }

  // A file inside the directory loads; the confinement stays that of the
  // configured path afterwards.
  auto next = manager.Reload("next.textproto");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(next->changed());
  EXPECT_EQ(next->serving().source_path(), root + "/conf/next.textproto");
  EXPECT_FALSE(manager.Reload(root + "/other/app.json").ok());
  auto again = manager.Reload("");  // the current source
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->changed());
}

}  // namespace
}  // namespace holdfast::server
