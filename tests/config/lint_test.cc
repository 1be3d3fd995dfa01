// The lint front end: output formats, exit codes, --strict, --against, and
// the example config (examples/holdfast.textproto) linting clean.
#include "lib/config/lint.h"

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace holdfast::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr UnixMicros kNow = 1795428000LL * 1000000;  // 2026-11-23T10:00:00Z

// Tests run from the source root (hf_cc_test sets WORKING_DIRECTORY).
constexpr char kExample[] = "examples/holdfast.textproto";

class Files {
 public:
  Files() {
    dir_ = fs::temp_directory_path() / ("hf_lint_test_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Files() { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
    return (dir_ / name).string();
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
};

LintOptions Options(LintFormat format, bool strict = false) {
  LintOptions o;
  o.format = format;
  o.strict = strict;
  o.now = kNow;
  o.impact.sample_size = 20000;
  return o;
}

TEST(LintTest, ExampleConfigIsCleanEvenWhenStrict) {
  const LintResult r = LintPaths({kExample}, Options(LintFormat::kText, /*strict=*/true));
  EXPECT_EQ(r.output, "0 errors, 0 warnings\n");
  EXPECT_EQ(r.exit_code, 0);
  absl::StatusOr<LoadedConfig> loaded = LoadConfig(kExample);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->compiled->journeys.size(), 3u);
  EXPECT_EQ(loaded->compiled->journeys[0].id, "cart_abandon");
  EXPECT_EQ(loaded->compiled->journeys[0].holdout.rotation.scheme, RotationScheme::kSliding);
  EXPECT_EQ(loaded->compiled->journeys[1].id, "renewal");
  EXPECT_EQ(loaded->compiled->journeys[2].id, "winback");
  EXPECT_EQ(loaded->compiled->global_holdout.share_ppm, 20000u);
}

constexpr char kBad[] =
    "journeys {\n  id: \"a\"\n  holdout_share: 1.5\n}\n"
    "journeys {\n  id: \"b\"\n  holdout_share: 0.1\n"
    "  rotation { scheme: RESALT period { seconds: 86400 } }\n}\n";

TEST(LintTest, TextFormat) {
  Files files;
  const std::string path = files.Write("bad.textproto", kBad);
  const LintResult r = LintPaths({path}, Options(LintFormat::kText));
  EXPECT_EQ(r.output, path + ":3:3: error: journey a: holdout_share 1.5 is outside (0, 1) "
                             "[share-range]\n" +
                          path + ":8:29: warning: journey b: rotation.period 1d is shorter than "
                                 "attribution_window 7d; outcomes of late entries fall into the "
                                 "next period, after the unit may have changed group "
                                 "[rotation-shorter-than-window]\n"
                                 "1 error, 1 warning\n");
  EXPECT_EQ(r.exit_code, 1);
}

TEST(LintTest, JsonFormat) {
  Files files;
  const std::string path = files.Write("bad.textproto", kBad);
  const LintResult r = LintPaths({path}, Options(LintFormat::kJson));
  EXPECT_EQ(r.output,
            "[\n  {\"severity\": \"error\", \"file\": \"" + path +
                "\", \"line\": 3, \"col\": 3, \"rule\": \"share-range\", \"message\": \"journey a: "
                "holdout_share 1.5 is outside (0, 1)\"},\n"
                "  {\"severity\": \"warning\", \"file\": \"" +
                path +
                "\", \"line\": 8, \"col\": 29, \"rule\": \"rotation-shorter-than-window\", "
                "\"message\": \"journey b: rotation.period 1d is shorter than attribution_window "
                "7d; outcomes of late entries fall into the next period, after the unit may have "
                "changed group\"}\n]\n");
  const LintResult clean = LintPaths({kExample}, Options(LintFormat::kJson));
  EXPECT_EQ(clean.output, "[]\n");
}

TEST(LintTest, GithubFormat) {
  Files files;
  const std::string path = files.Write("bad.textproto", kBad);
  const LintResult r = LintPaths({path}, Options(LintFormat::kGithub));
  EXPECT_EQ(r.output,
            "::error file=" + path +
                ",line=3,col=3::journey a: holdout_share 1.5 is outside (0, 1) [share-range]\n"
                "::warning file=" +
                path +
                ",line=8,col=29::journey b: rotation.period 1d is shorter than attribution_window "
                "7d; outcomes of late entries fall into the next period, after the unit may have "
                "changed group [rotation-shorter-than-window]\n");
}

TEST(LintTest, GithubEscapesPropertiesAndData) {
  const std::string out = RenderDiagnostics(
      {Diagnostic{Severity::kWarning, "a,b:c.textproto", 1, 2, "r", "50% done\nnext"}},
      LintFormat::kGithub);
  EXPECT_EQ(out, "::warning file=a%2Cb%3Ac.textproto,line=1,col=2::50%25 done%0Anext [r]\n");
}

TEST(LintTest, WarningsFailOnlyWhenStrict) {
  Files files;
  const std::string path = files.Write(
      "warn.textproto",
      "journeys { id: \"b\" holdout_share: 0.1 rotation { scheme: RESALT period { seconds: 86400 } } }\n");
  EXPECT_EQ(LintPaths({path}, Options(LintFormat::kText)).exit_code, 0);
  EXPECT_EQ(LintPaths({path}, Options(LintFormat::kText, /*strict=*/true)).exit_code, 1);
}

TEST(LintTest, SeveralPathsAreLintedSeparately) {
  Files files;
  const std::string a = files.Write("a.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\n");
  const std::string b = files.Write("b.textproto", "journeys { id: \"a\" holdout_share: 0.2 }\n");
  // Same id in two separately linted configs is fine.
  EXPECT_EQ(LintPaths({a, b}, Options(LintFormat::kText)).exit_code, 0);
}

TEST(LintTest, AgainstReportsDiffImpactAndReshuffles) {
  Files files;
  const std::string old_path =
      files.Write("old.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\n");
  const std::string new_path = files.Write(
      "new.textproto", "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  holdout_seed: \"s2\"\n}\n");
  LintOptions o = Options(LintFormat::kText);
  o.against_path = old_path;
  const LintResult r = LintPaths({new_path}, o);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr(new_path + ": note: journey a: holdout_seed \"a:holdout\" -> "
                                             "\"s2\" [diff]\n"));
  EXPECT_THAT(r.output, HasSubstr(new_path + ":1:1: note: journey a: 20000 sampled units; now "
                                             "(2026-11-23T10:00:00Z): "));
  EXPECT_THAT(r.output,
              ::testing::ContainsRegex(
                  new_path + ":4:3: error: journey a: holdout_seed \"a:holdout\" -> \"s2\" "
                             "reshuffles units mid-experiment: 1[78]\\.[0-9]{2}% of units move "
                             "\\(now: group 1[78]\\.[0-9]{2}%, left holdout [89][0-9]\\.[0-9]{2}%, "
                             "entered holdout [0-9.]+%, arm 0\\.00%\\); set a new intended_change "
                             "to confirm \\[reshuffle-seed\\]"));
}

TEST(LintTest, AgainstCosmeticChangeIsClean) {
  Files files;
  const std::string old_path = files.Write("old.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\n");
  LintOptions o = Options(LintFormat::kText, /*strict=*/true);
  o.against_path = old_path;
  // Comments, layout and field order: nothing to report at all.
  const std::string reformatted =
      files.Write("new.textproto", "# comment\njourneys {\n  holdout_share: 0.1\n  id: \"a\"\n}\n");
  LintResult r = LintPaths({reformatted}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "0 errors, 0 warnings\n");
  // A new description: a new version, and the impact check shows 0 % moved.
  const std::string described = files.Write(
      "described.textproto",
      "journeys {\n  id: \"a\"\n  holdout_share: 0.1\n  description: \"reminder\"\n}\n");
  r = LintPaths({described}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, described + ": note: journey a: description \"\" -> \"reminder\" [diff]\n" +
                          described +
                          ":1:1: note: journey a: 20000 sampled units; now (2026-11-23T10:00:00Z): "
                          "0.00% moved (group 0.00%, left holdout 0.00%, entered holdout 0.00%, "
                          "arm 0.00%) [impact]\n0 errors, 0 warnings\n");
}

TEST(LintTest, AgainstAcknowledgedReshuffleIsANote) {
  Files files;
  const std::string old_path = files.Write("old.textproto", "journeys { id: \"a\" holdout_share: 0.1 }\n");
  const std::string new_path = files.Write(
      "new.textproto",
      "journeys { id: \"a\" holdout_share: 0.1 holdout_seed: \"s2\" intended_change: \"fresh start\" }\n");
  LintOptions o = Options(LintFormat::kText, /*strict=*/true);
  o.against_path = old_path;
  const LintResult r = LintPaths({new_path}, o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("acknowledged by intended_change \"fresh start\" [reshuffle-seed]"));
}

TEST(LintTest, AgainstAnInvalidOldConfig) {
  Files files;
  const std::string old_path = files.Write("old.textproto", "journeys { id: \"a\" }\n");
  LintOptions o = Options(LintFormat::kText);
  o.against_path = old_path;
  const LintResult r = LintPaths({kExample}, o);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, old_path +
                          ":1:1: error: --against config has errors, impact not checked: journey "
                          "a: holdout_share 0 is outside (0, 1) [share-range] [against-invalid]\n"
                          "1 error, 0 warnings\n");
}

TEST(LintTest, ParseLintFormat) {
  EXPECT_EQ(*ParseLintFormat("github"), LintFormat::kGithub);
  EXPECT_FALSE(ParseLintFormat("xml").ok());
}

}  // namespace
}  // namespace holdfast::config
