#include "lib/config/limits.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "lib/base/text.h"

namespace holdfast::config {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Byte limit of a string field by its proto field name; 0 = only UTF-8.
size_t StringLimit(const FieldDescriptor& field) {
  const std::string& name = field.name();
  if (name == "description") return kMaxDescriptionBytes;
  if (name == "intended_change") return kMaxIntendedChangeBytes;
  if (name == "seed" || name == "holdout_seed" || name == "arm_seed") return kMaxSeedBytes;
  if (name == "channel") return kMaxChannelBytes;
  return 0;
}

// Count limit of a repeated message field; 0 = none.
int CountLimit(const FieldDescriptor& field) {
  const std::string& name = field.name();
  if (name == "journeys") return kMaxJourneys;
  if (name == "arms") return kMaxArmsPerJourney;
  if (name == "channel_costs") return kMaxChannelCostsPerJourney;
  return 0;
}

class LimitChecker {
 public:
  LimitChecker(const SourceMap& map, std::vector<Diagnostic>* out) : map_(map), out_(out) {}

  void Walk(const Message& m, const std::string& path) {
    const Reflection* r = m.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    r->ListFields(m, &fields);
    for (const FieldDescriptor* f : fields) {
      const std::string fpath = path.empty() ? f->name() : Field(path, f->name());
      if (f->is_repeated()) {
        const int n = r->FieldSize(m, f);
        if (const int max = CountLimit(*f); max > 0 && n > max) {
          Error(fpath, absl::StrCat(fpath, ": ", n, " entries, at most ", max));
        }
        for (int i = 0; i < n; ++i) {
          const std::string ipath = absl::StrCat(fpath, "[", i, "]");
          if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
            Walk(r->GetRepeatedMessage(m, f, i), ipath);
          } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
            std::string scratch;
            CheckString(*f, r->GetRepeatedStringReference(m, f, i, &scratch), ipath);
          }
        }
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        Walk(r->GetMessage(m, f), fpath);
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string scratch;
        CheckString(*f, r->GetStringReference(m, f, &scratch), fpath);
      }
    }
  }

 private:
  void CheckString(const FieldDescriptor& f, const std::string& value, const std::string& path) {
    if (!IsValidUtf8(value)) {
      Error(path, absl::StrCat(path, ": not valid UTF-8 (\"", EchoInput(value), "\"); config strings are UTF-8"),
            "utf8");
    }
    if (const size_t max = StringLimit(f); max > 0 && value.size() > max) {
      Error(path, absl::StrCat(path, ": ", value.size(), " bytes, at most ", max));
    }
  }

  void Error(const std::string& path, std::string message, const char* rule = "limit") {
    SourceLocation at = map_.Locate(path);
    out_->push_back(Diagnostic{Severity::kError, std::move(at.file), at.line, at.col, rule, std::move(message)});
  }

  const SourceMap& map_;
  std::vector<Diagnostic>* out_;
};

}  // namespace

void CheckLimits(const holdfast::v1::Config& config, const SourceMap& source_map, std::vector<Diagnostic>* out) {
  LimitChecker(source_map, out).Walk(config, "");
}

}  // namespace holdfast::config
