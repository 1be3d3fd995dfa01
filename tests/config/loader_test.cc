// Loading text format, JSON and directories; parse errors with 1-based
// positions; positions of semantic errors in JSON and in merged directories.
#include "lib/config/loader.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lib/config/config.h"
#include "tests/config/test_util.h"

namespace holdfast::config {
namespace {

namespace fs = std::filesystem;
using ::holdfast::config::testing::Findings;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kText[] = R"pb(
# Two journeys, one global holdout.
global_holdout { share: 0.02 }
journeys {
  id: "winback"
  holdout_share: 0.15
  rotation { scheme: RESALT period { seconds: 2419200 } }
  attribution_window { seconds: 1209600 }
}
journeys { id: "renewal" holdout_share: 0.05 }
)pb";

constexpr char kJson[] = R"json({
  "globalHoldout": {"share": 0.02},
  "journeys": [
    {"id": "winback", "holdoutShare": 0.15,
     "rotation": {"scheme": "RESALT", "period": "2419200s"},
     "attribution_window": "1209600s"},
    {"id": "renewal", "holdout_share": 0.05}
  ]
})json";

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("hf_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream(p) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(LoaderTest, TextAndJsonGiveTheSameConfigAndVersion) {
  absl::StatusOr<LoadedConfig> text = LoadConfigText("c.textproto", kText);
  absl::StatusOr<LoadedConfig> json = LoadConfigText("c.json", kJson);
  ASSERT_TRUE(text.ok()) << text.status();
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(text->version(), json->version());
  ASSERT_EQ(text->compiled->journeys.size(), 2u);
  EXPECT_EQ(text->compiled->journeys[0].id, "renewal");  // sorted by id
  EXPECT_EQ(text->compiled->journeys[1].id, "winback");
  EXPECT_EQ(text->compiled->journeys[1].holdout.share_ppm, 150000u);
  EXPECT_EQ(text->compiled->global_holdout.share_ppm, 20000u);
}

TEST(LoaderTest, AllTextExtensionsAreAccepted) {
  for (const char* name : {"c.textproto", "c.txtpb", "c.pbtxt"}) {
    EXPECT_TRUE(LoadConfigText(name, kText).ok()) << name;
  }
  EXPECT_THAT(Findings(kText, "c.yaml"),
              ElementsAre("c.yaml: error: unsupported extension (use .textproto, .txtpb, .pbtxt "
                          "or .json) [io]"));
}

TEST(LoaderTest, TextParseErrorIsOneBased) {
  EXPECT_THAT(Findings("journeys {\n  id: \"a\"\n  holdout_share: 0.1,,\n}\n"),
              ElementsAre("c.textproto:3:22: error: Expected identifier, got: , [syntax]"));
  EXPECT_THAT(Findings("journeys {\n  id: \"a\"\n"),
              ElementsAre("c.textproto:3:1: error: Expected identifier, got:  [syntax]"));
}

TEST(LoaderTest, JsonSyntaxErrorHasPosition) {
  EXPECT_THAT(Findings("{\n  \"journeys\": [\n    {\"id\": \"a\",, }\n  ]\n}\n", "c.json"),
              ElementsAre("c.json:3:16: error: expected a string key, found ',' [syntax]"));
  EXPECT_THAT(Findings("{\"journeys\": [{\"id\": \"a\"}]", "c.json"),
              ElementsAre("c.json:1:27: error: expected ',' or '}', found end of input [syntax]"));
  EXPECT_THAT(Findings("{\"journeys\": [{\"id\": \"caf\xc3\xa9\", \"description\": tru}]}", "c.json"),
              ElementsAre("c.json:1:45: error: expected a value, found 't' [syntax]"));
}

TEST(LoaderTest, JsonUnknownFieldPointsAtTheKey) {
  EXPECT_THAT(Findings("{\n  \"journeys\": [\n    {\"id\": \"a\", \"holdoutShar\": 0.1}\n  ]\n}\n",
                       "c.json"),
              ElementsAre("c.json:3:17: error: unknown field \"holdoutShar\" in "
                          "holdfast.v1.Journey [syntax]"));
}

TEST(LoaderTest, JsonTypeErrorIsReportedByProtobuf) {
  const std::vector<std::string> found =
      Findings("{\"journeys\": [{\"id\": \"a\", \"holdoutShare\": \"lots\"}]}", "c.json");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr("c.json:1:1: error: invalid JSON config: "));
  EXPECT_THAT(found[0], HasSubstr("[syntax]"));
}

TEST(LoaderTest, JsonSemanticErrorPointsAtTheField) {
  EXPECT_THAT(Findings("{\n  \"journeys\": [\n    {\"id\": \"a\",\n     \"holdoutShare\": 1.5}\n"
                       "  ]\n}\n",
                       "c.json"),
              ElementsAre("c.json:4:6: error: journey a: holdout_share 1.5 is outside (0, 1) "
                          "[share-range]"));
}

TEST(LoaderTest, DirectoryIsMergedInNameOrder) {
  TempDir dir;
  dir.Write("10-global.textproto", "global_holdout { share: 0.02 }\n");
  dir.Write("20-winback.json",
            R"({"journeys": [{"id": "winback", "holdoutShare": 0.15,
                "rotation": {"scheme": "RESALT", "period": "2419200s"},
                "attributionWindow": "1209600s"}]})");
  dir.Write("30-renewal.pbtxt", "journeys { id: \"renewal\" holdout_share: 0.05 }\n");
  dir.Write("README.md", "not a config");
  absl::StatusOr<LoadedConfig> loaded = LoadConfig(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->files.size(), 3u);
  EXPECT_EQ(loaded->files[0], dir.path() + "/10-global.textproto");
  absl::StatusOr<LoadedConfig> single = LoadConfigText("c.textproto", kText);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(loaded->version(), single->version());
}

TEST(LoaderTest, DirectoryErrorsNameTheFileAndLine) {
  TempDir dir;
  dir.Write("a.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\n");
  dir.Write("b.textproto", "# second file\njourneys {\n  id: \"b\"\n  holdout_share: 1.1\n}\n");
  absl::StatusOr<LoadedConfig> loaded = LoadConfig(dir.path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            dir.path() + "/b.textproto:4:3: error: journey b: holdout_share 1.1 is outside (0, 1) "
                         "[share-range]");
}

TEST(LoaderTest, DuplicateJourneyAcrossFiles) {
  TempDir dir;
  dir.Write("a.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\n");
  dir.Write("b.textproto", "\n\njourneys { id: \"a\" holdout_share: 0.2 }\n");
  const ConfigCheck check = CheckConfigPath(dir.path());
  ASSERT_EQ(check.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(check.diagnostics[0]),
            dir.path() + "/b.textproto:3:12: error: duplicate journey id \"a\" (first defined at " +
                dir.path() + "/a.textproto:1:1) [duplicate-journey]");
}

TEST(LoaderTest, AtMostOneFileSetsTheGlobalHoldout) {
  TempDir dir;
  dir.Write("a.textproto", "global_holdout { share: 0.02 }\n");
  dir.Write("b.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\nglobal_holdout { share: 0.03 }\n");
  const ConfigCheck check = CheckConfigPath(dir.path() + "/");
  ASSERT_EQ(check.diagnostics.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(check.diagnostics[0]),
            dir.path() + "/b.textproto:2:1: error: global_holdout is already set in " + dir.path() +
                "/a.textproto; at most one file of a directory may set it "
                "[global-holdout-multiple]");
}

TEST(LoaderTest, MissingPathAndEmptyDirectory) {
  EXPECT_THAT(Findings("", "c.textproto"),
              IsEmpty());  // an empty config is valid: no journeys
  TempDir dir;
  EXPECT_EQ(LoadConfig(dir.path() + "/nope.textproto").status().message(),
            dir.path() + "/nope.textproto: error: no such file or directory [io]");
  EXPECT_EQ(LoadConfig(dir.path()).status().message(),
            dir.path() +
                ": error: directory holds no .textproto, .txtpb, .pbtxt or .json file [io]");
}

}  // namespace
}  // namespace holdfast::config
