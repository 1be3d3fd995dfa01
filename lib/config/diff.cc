#include "lib/config/diff.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/time_util.h"
#include "lib/config/units.h"

namespace holdfast::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Quote(const std::string& s) { return absl::StrCat("\"", s, "\""); }

// The value of a singular field as shown in a diff line.
std::string ShowValue(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return FormatDouble(r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return FormatDouble(r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(m, f) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_STRING:
      return Quote(r->GetString(m, f));
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnum(m, f)->name();
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      if (!r->HasField(m, f)) return "(unset)";
      const Message& sub = r->GetMessage(m, f);
      const std::string& type = sub.GetDescriptor()->full_name();
      const Reflection* sr = sub.GetReflection();
      const Descriptor* sd = sub.GetDescriptor();
      if (type == "google.protobuf.Duration") {
        const auto us = DurationToMicros(static_cast<const google::protobuf::Duration&>(sub));
        if (us) return FormatDurationMicros(*us);
      } else if (type == "google.protobuf.Timestamp") {
        const auto us = TimestampToMicros(static_cast<const google::protobuf::Timestamp&>(sub));
        if (us && *us >= kMinTimeMicros && *us <= kMaxTimeMicros) return FormatTime(*us);
      }
      return absl::StrCat(sd->name(), "{", sr->GetInt64(sub, sd->field(0)), "}");
    }
  }
  return "?";
}

bool IsWellKnown(const FieldDescriptor* f) {
  return f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         f->message_type()->file()->package() == "google.protobuf";
}

// Appends "<prefix><path> <old> -> <new>" for each differing singular field
// of two messages of the same type; nested messages are walked (their
// presence changes shown as "(unset)"). Repeated fields are left to the
// caller.
void DiffMessage(const Message& a, const Message& b, const std::string& path,
                 const std::string& prefix, std::vector<std::string>* out) {
  const Descriptor* d = a.GetDescriptor();
  const Reflection* ra = a.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) continue;
    const std::string name = path.empty() ? f->name() : absl::StrCat(path, ".", f->name());
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsWellKnown(f)) {
      const bool ha = ra->HasField(a, f);
      const bool hb = b.GetReflection()->HasField(b, f);
      if (ha != hb) {
        out->push_back(absl::StrCat(prefix, name, hb ? " added" : " removed"));
        if (!ha || !hb) {
          // Show the fields of the side that exists, against defaults.
          const Message& present = hb ? b.GetReflection()->GetMessage(b, f) : ra->GetMessage(a, f);
          std::unique_ptr<Message> empty(present.New());
          if (hb) {
            DiffMessage(*empty, present, name, prefix, out);
          } else {
            DiffMessage(present, *empty, name, prefix, out);
          }
        }
        continue;
      }
      if (ha) DiffMessage(ra->GetMessage(a, f), b.GetReflection()->GetMessage(b, f), name, prefix, out);
      continue;
    }
    const std::string va = ShowValue(a, f);
    const std::string vb = ShowValue(b, f);
    if (va != vb) out->push_back(absl::StrCat(prefix, name, " ", va, " -> ", vb));
  }
}

void DiffArms(const holdfast::v1::Journey& a, const holdfast::v1::Journey& b,
              const std::string& prefix, std::vector<std::string>* out) {
  std::map<std::string, uint32_t> wa, wb;
  std::vector<std::string> order_a, order_b;
  for (const auto& arm : a.arms()) {
    wa[arm.name()] = arm.weight();
    order_a.push_back(arm.name());
  }
  for (const auto& arm : b.arms()) {
    wb[arm.name()] = arm.weight();
    order_b.push_back(arm.name());
  }
  std::map<std::string, std::string> ca, cb;  // arm -> channels, comma-joined
  for (const auto& arm : a.arms()) ca[arm.name()] = absl::StrJoin(arm.channels(), ",");
  for (const auto& arm : b.arms()) cb[arm.name()] = absl::StrJoin(arm.channels(), ",");
  for (const auto& [name, w] : wa) {
    auto it = wb.find(name);
    if (it == wb.end()) {
      out->push_back(absl::StrCat(prefix, "arm ", name, " removed"));
      continue;
    }
    if (it->second != w) {
      out->push_back(absl::StrCat(prefix, "arm ", name, " weight ", w, " -> ", it->second));
    }
    if (ca[name] != cb[name]) {
      out->push_back(absl::StrCat(prefix, "arm ", name, " channels ",
                                  ca[name].empty() ? "(none)" : ca[name], " -> ",
                                  cb[name].empty() ? "(none)" : cb[name]));
    }
  }
  for (const auto& [name, w] : wb) {
    if (!wa.count(name)) out->push_back(absl::StrCat(prefix, "arm ", name, " added (weight ", w, ")"));
  }
  std::vector<std::string> kept_a, kept_b;
  for (const auto& n : order_a) if (wb.count(n)) kept_a.push_back(n);
  for (const auto& n : order_b) if (wa.count(n)) kept_b.push_back(n);
  if (kept_a != kept_b) {
    out->push_back(absl::StrCat(prefix, "arms reordered: ", absl::StrJoin(order_a, ","), " -> ",
                                absl::StrJoin(order_b, ",")));
  }
}

void DiffCosts(const holdfast::v1::Journey& a, const holdfast::v1::Journey& b,
               const std::string& prefix, std::vector<std::string>* out) {
  std::map<std::string, double> ca, cb;
  for (const auto& c : a.channel_costs()) ca[c.channel()] = c.cost_per_send();
  for (const auto& c : b.channel_costs()) cb[c.channel()] = c.cost_per_send();
  for (const auto& [channel, cost] : ca) {
    auto it = cb.find(channel);
    if (it == cb.end()) {
      out->push_back(absl::StrCat(prefix, "channel ", channel, " cost removed"));
    } else if (it->second != cost) {
      out->push_back(absl::StrCat(prefix, "channel ", channel, " cost_per_send ",
                                  FormatDouble(cost), " -> ", FormatDouble(it->second)));
    }
  }
  for (const auto& [channel, cost] : cb) {
    if (!ca.count(channel)) {
      out->push_back(absl::StrCat(prefix, "channel ", channel, " cost_per_send ",
                                  FormatDouble(cost), " added"));
    }
  }
}

}  // namespace

std::vector<std::string> DiffConfigs(const holdfast::v1::Config& before,
                                     const holdfast::v1::Config& after) {
  std::vector<std::string> out;
  DiffMessage(before.global_holdout(), after.global_holdout(), "", "global_holdout: ", &out);
  std::map<std::string, const holdfast::v1::Journey*> a, b;
  for (const auto& j : before.journeys()) a.emplace(j.id(), &j);
  for (const auto& j : after.journeys()) b.emplace(j.id(), &j);
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      out.push_back(absl::StrCat("journey ", ia->first, " removed"));
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      out.push_back(absl::StrCat("journey ", ib->first, " added"));
      ++ib;
    } else {
      const std::string prefix = absl::StrCat("journey ", ia->first, ": ");
      DiffMessage(*ia->second, *ib->second, "", prefix, &out);
      DiffArms(*ia->second, *ib->second, prefix, &out);
      DiffCosts(*ia->second, *ib->second, prefix, &out);
      ++ia;
      ++ib;
    }
  }
  return out;
}

std::string DiffSummary(const holdfast::v1::Config& before, const holdfast::v1::Config& after) {
  std::vector<std::string> lines = DiffConfigs(before, after);
  if (lines.empty()) return "no change";
  return absl::StrJoin(lines, "\n");
}

}  // namespace holdfast::config
