#include "lib/config/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "lib/config/json_positions.h"

namespace holdfast::config {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::TextFormat;

// A config is a few kilobytes; refuse anything absurd before reading it.
constexpr uintmax_t kMaxFileBytes = 16 << 20;

enum class Format { kText, kJson, kUnknown };

Format FormatOf(absl::string_view file_name) {
  if (absl::EndsWith(file_name, ".textproto") || absl::EndsWith(file_name, ".txtpb") ||
      absl::EndsWith(file_name, ".pbtxt")) {
    return Format::kText;
  }
  if (absl::EndsWith(file_name, ".json")) return Format::kJson;
  return Format::kUnknown;
}

Diagnostic Error(const std::string& file, int line, int col, std::string rule,
                 std::string message) {
  return Diagnostic{Severity::kError, file, line, col, std::move(rule), std::move(message)};
}

// protobuf's collector is 0-based; ours is 1-based.
class TextErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  TextErrorCollector(const std::string& file, std::vector<Diagnostic>* out)
      : file_(file), out_(out) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    out_->push_back(Error(file_, line + 1, column + 1, "syntax", message));
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    out_->push_back(
        Diagnostic{Severity::kWarning, file_, line + 1, column + 1, "syntax", message});
  }

 private:
  const std::string& file_;
  std::vector<Diagnostic>* out_;
};

// Copies the positions in `tree` (0-based) into `map` (1-based) under proto
// paths, following the fields actually set in `message`.
void RecordTree(const Message& message, const TextFormat::ParseInfoTree* tree,
                const std::string& path, const std::string& file, SourceMap* map) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string field_path = Field(path, field->name());
    auto record = [&](int index, const std::string& p) {
      const TextFormat::ParseLocation loc = tree->GetLocation(field, index);
      if (loc.line >= 0) map->Record(p, SourceLocation{file, loc.line + 1, loc.column + 1});
    };
    if (field->is_repeated()) {
      const int n = reflection->FieldSize(message, field);
      for (int k = 0; k < n; ++k) {
        const std::string element_path = Index(field_path, k);
        record(k, element_path);
        if (k == 0) record(0, field_path);
        if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
          const TextFormat::ParseInfoTree* nested = tree->GetTreeForNested(field, k);
          if (nested != nullptr) {
            RecordTree(reflection->GetRepeatedMessage(message, field, k), nested, element_path,
                       file, map);
          }
        }
      }
    } else {
      record(-1, field_path);
      if (field->type() == FieldDescriptor::TYPE_MESSAGE && reflection->HasField(message, field)) {
        const TextFormat::ParseInfoTree* nested = tree->GetTreeForNested(field, -1);
        if (nested != nullptr) {
          RecordTree(reflection->GetMessage(message, field), nested, field_path, file, map);
        }
      }
    }
  }
}

ParsedConfig ParseText(const std::string& file, absl::string_view text) {
  ParsedConfig out;
  out.files.push_back(file);
  out.source_map.set_fallback_file(file);
  TextErrorCollector collector(file, &out.diagnostics);
  TextFormat::ParseInfoTree tree;
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &out.config)) {
    if (!HasErrors(out.diagnostics)) {
      out.diagnostics.push_back(Error(file, 0, 0, "syntax", "text format parse failed"));
    }
    out.config.Clear();
    return out;
  }
  RecordTree(out.config, &tree, "", file, &out.source_map);
  return out;
}

ParsedConfig ParseJson(const std::string& file, absl::string_view text) {
  ParsedConfig out;
  out.files.push_back(file);
  out.source_map.set_fallback_file(file);
  if (std::optional<Diagnostic> error = ScanJsonPositions(
          text, holdfast::v1::Config::descriptor(), file, &out.source_map)) {
    out.diagnostics.push_back(*std::move(error));
    return out;
  }
  // The scan accepted the syntax and the keys; what protobuf can still
  // reject is a value of the wrong type (a string for a number, a bad
  // Duration). Its message names no position, so the error sits at 1:1.
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &out.config, options);
  if (!status.ok()) {
    out.diagnostics.push_back(
        Error(file, 1, 1, "syntax", absl::StrCat("invalid JSON config: ", status.message().ToString())));
    out.config.Clear();
  }
  return out;
}

ParsedConfig ParseFile(const std::string& file) {
  ParsedConfig out;
  out.files.push_back(file);
  out.source_map.set_fallback_file(file);
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) {
    out.diagnostics.push_back(Error(file, 0, 0, "io", absl::StrCat("cannot read: ", ec.message())));
    return out;
  }
  if (size > kMaxFileBytes) {
    out.diagnostics.push_back(Error(file, 0, 0, "io",
                                    absl::StrCat("file is ", size, " bytes, at most ",
                                                 kMaxFileBytes, " allowed")));
    return out;
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    out.diagnostics.push_back(Error(file, 0, 0, "io", "cannot read"));
    return out;
  }
  return ParseConfigText(file, buffer.str());
}

// Appends `part` to `merged`, shifting journey indexes in the source map.
void Merge(ParsedConfig part, ParsedConfig& merged, std::string& global_file) {
  const int offset = merged.config.journeys_size();
  merged.source_map.MergeFrom(part.source_map, offset);
  for (std::string& f : part.files) merged.files.push_back(std::move(f));
  for (Diagnostic& d : part.diagnostics) merged.diagnostics.push_back(std::move(d));
  if (part.config.has_global_holdout()) {
    if (global_file.empty()) {
      global_file = merged.files.back();
      *merged.config.mutable_global_holdout() = part.config.global_holdout();
    } else {
      const SourceLocation at = part.source_map.Locate("global_holdout");
      merged.diagnostics.push_back(
          Error(at.file, at.line, at.col, "global-holdout-multiple",
                absl::StrCat("global_holdout is already set in ", global_file,
                             "; at most one file of a directory may set it")));
    }
  }
  for (holdfast::v1::Journey& j : *part.config.mutable_journeys()) {
    *merged.config.add_journeys() = std::move(j);
  }
}

}  // namespace

bool IsConfigFileName(absl::string_view file_name) {
  return FormatOf(file_name) != Format::kUnknown;
}

ParsedConfig ParseConfigText(absl::string_view file_name, absl::string_view text) {
  const std::string file(file_name);
  switch (FormatOf(file_name)) {
    case Format::kText:
      return ParseText(file, text);
    case Format::kJson:
      return ParseJson(file, text);
    case Format::kUnknown:
      break;
  }
  ParsedConfig out;
  out.files.push_back(file);
  out.source_map.set_fallback_file(file);
  out.diagnostics.push_back(
      Error(file, 0, 0, "io", "unsupported extension (use .textproto, .txtpb, .pbtxt or .json)"));
  return out;
}

ParsedConfig ParseConfigPath(absl::string_view path) {
  std::string root(path);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    if (!fs::exists(root, ec)) {
      ParsedConfig out;
      out.source_map.set_fallback_file(root);
      out.diagnostics.push_back(Error(root, 0, 0, "io", "no such file or directory"));
      return out;
    }
    return ParseFile(root);
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (IsConfigFileName(name) && !entry.is_directory()) names.push_back(name);
  }
  ParsedConfig merged;
  merged.source_map.set_fallback_file(root);
  if (ec) {
    merged.diagnostics.push_back(Error(root, 0, 0, "io", absl::StrCat("cannot list: ", ec.message())));
    return merged;
  }
  if (names.empty()) {
    merged.diagnostics.push_back(
        Error(root, 0, 0, "io", "directory holds no .textproto, .txtpb, .pbtxt or .json file"));
    return merged;
  }
  std::sort(names.begin(), names.end());
  std::string global_file;
  for (const std::string& name : names) {
    Merge(ParseFile(absl::StrCat(root, "/", name)), merged, global_file);
  }
  return merged;
}

}  // namespace holdfast::config
