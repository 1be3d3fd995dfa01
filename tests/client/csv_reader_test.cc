#include "client/csv_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace holdfast::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct Record {
  int64_t line;
  std::vector<std::string> fields;  // empty with `error` set for a malformed record
  std::string error;
};

// Reads everything, with a tiny buffer by default so refills land inside
// quotes, CRLF pairs and the BOM.
std::vector<Record> ReadAll(const std::string& text, size_t buffer = 3) {
  std::istringstream in(text);
  CsvReader reader(&in, buffer);
  std::vector<Record> out;
  std::vector<std::string> fields;
  for (int guard = 0; guard < 1000; ++guard) {
    absl::StatusOr<bool> more = reader.Next(&fields);
    if (!more.ok()) {
      out.push_back({reader.record_line(), {}, std::string(more.status().message())});
      continue;
    }
    if (!*more) break;
    out.push_back({reader.record_line(), fields, ""});
  }
  return out;
}

TEST(CsvReaderTest, PlainRecordsAndLineNumbers) {
  for (size_t buffer : {1, 3, 1 << 20}) {
    std::vector<Record> r = ReadAll("a,b,c\n1,2,3\n,,\n", buffer);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_THAT(r[0].fields, ElementsAre("a", "b", "c"));
    EXPECT_THAT(r[1].fields, ElementsAre("1", "2", "3"));
    EXPECT_THAT(r[2].fields, ElementsAre("", "", ""));
    EXPECT_EQ(r[0].line, 1);
    EXPECT_EQ(r[2].line, 3);
  }
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndNewlines) {
  std::vector<Record> r = ReadAll("id,note\n1,\"a, \"\"quoted\"\"\nline\"\n2,\"\"\n3,x\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_THAT(r[1].fields, ElementsAre("1", "a, \"quoted\"\nline"));
  EXPECT_EQ(r[1].line, 2);
  EXPECT_THAT(r[2].fields, ElementsAre("2", ""));
  // The embedded newline is counted: record 3 starts on line 4.
  EXPECT_EQ(r[2].line, 4);
  EXPECT_EQ(r[3].line, 5);
}

TEST(CsvReaderTest, CrlfEndsRecordsButLoneCrIsData) {
  std::vector<Record> r = ReadAll("a,b\r\n1,x\ry\r\n\"q\r\n\",2\r\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_THAT(r[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT(r[1].fields, ElementsAre("1", "x\ry"));
  EXPECT_THAT(r[2].fields, ElementsAre("q\r\n", "2"));
}

TEST(CsvReaderTest, NoFinalNewlineBlankLinesAndBom) {
  std::vector<Record> r = ReadAll("\xEF\xBB\xBFh1,h2\n\n\r\n1,2\n\n3,4");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_THAT(r[0].fields, ElementsAre("h1", "h2"));
  EXPECT_THAT(r[1].fields, ElementsAre("1", "2"));
  EXPECT_EQ(r[1].line, 4);
  EXPECT_THAT(r[2].fields, ElementsAre("3", "4"));
  EXPECT_EQ(r[2].line, 6);
  EXPECT_TRUE(ReadAll("").empty());
  EXPECT_TRUE(ReadAll("\n\n").empty());
}

TEST(CsvReaderTest, MalformedRecordIsReportedAndReadingResumes) {
  std::vector<Record> r = ReadAll("a,b\nx\"y,1\n\"ok\"z,2\n3,4\n");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[1].line, 2);
  EXPECT_THAT(r[1].error, HasSubstr("quote inside an unquoted field"));
  EXPECT_EQ(r[2].line, 3);
  EXPECT_THAT(r[2].error, HasSubstr("text after a closing quote"));
  EXPECT_THAT(r[3].fields, ElementsAre("3", "4"));
  EXPECT_EQ(r[3].line, 4);
}

TEST(CsvReaderTest, UnclosedQuoteAtEndOfFile) {
  std::vector<Record> r = ReadAll("a,b\n1,\"never closed\n2,3\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].line, 2);
  EXPECT_THAT(r[1].error, HasSubstr("not closed before end of file"));
}

TEST(CsvReaderTest, OverlongRecordIsAnErrorAndMemoryStaysBounded) {
  const std::string text = "a,b\n1,\"" + std::string(5000, 'x') + "\nstill open\n" + std::string(5000, 'y') +
                           "\n" + std::string(50, 'z') + ",2\n";
  std::istringstream in(text);
  CsvReader reader(&in, 64, /*max_record_bytes=*/1000);
  std::vector<std::string> fields;
  ASSERT_TRUE(*reader.Next(&fields));
  absl::StatusOr<bool> r = reader.Next(&fields);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("record longer than 1000 bytes"));
  EXPECT_EQ(reader.record_line(), 2);
  // Reading resumes after the line where the limit was hit.
  absl::StatusOr<bool> next = reader.Next(&fields);
  ASSERT_TRUE(next.ok() && *next);
  EXPECT_THAT(fields, ElementsAre("still open"));
}

TEST(CsvReaderTest, ShortRowsAreReturnedAsIs) {
  // Field-count checks belong to the caller, which knows the header.
  std::vector<Record> r = ReadAll("a,b,c\n1\n1,2,3,4\n");
  EXPECT_THAT(r[1].fields, ElementsAre("1"));
  EXPECT_THAT(r[2].fields, ElementsAre("1", "2", "3", "4"));
}

TEST(CsvReaderTest, CountsBytesRead) {
  const std::string text = "a,b\n1,2\n";
  std::istringstream in(text);
  CsvReader reader(&in, 2);
  std::vector<std::string> fields;
  while (*reader.Next(&fields)) {
  }
  EXPECT_EQ(reader.bytes_read(), static_cast<int64_t>(text.size()));
}

TEST(CsvReaderTest, UnicodeBytesPassThrough) {
  std::vector<Record> r = ReadAll("unit\nJosé\n\"顧客,7\"\n");
  EXPECT_THAT(r[1].fields, ElementsAre("José"));
  EXPECT_THAT(r[2].fields, ElementsAre("顧客,7"));
}

}  // namespace
}  // namespace holdfast::cli
