// Conversion of report results (plain structs) to the holdfast.v1 report
// messages. The only place lib/report touches protobuf; no gRPC.
#ifndef HOLDFAST_LIB_REPORT_REPORT_PROTO_H_
#define HOLDFAST_LIB_REPORT_REPORT_PROTO_H_

#include "holdfast/v1/report.pb.h"
#include "lib/base/clock.h"
#include "lib/report/lift_report.h"
#include "lib/report/program_report.h"

namespace holdfast::report {

struct LiftProtoContext {
  UnixMicros generated_at = 0;
  // Requested range (unbounded sides stay unset in the proto).
  TimeRange range;
  // Fill CUPED / always-valid fields.
  bool cuped = false;
  bool sequential = false;
};

holdfast::v1::LiftReport ToProto(const LiftReportResult& result, const LiftProtoContext& ctx);
holdfast::v1::ProgramReport ToProto(const ProgramReportResult& result, UnixMicros generated_at,
                                    const TimeRange& range);

// Estimate -> proto; an undefined estimate becomes all zeros with defined = false.
holdfast::v1::Estimate ToProto(const stats::Estimate& e);
google::protobuf::Timestamp ToTimestamp(UnixMicros t);
UnixMicros FromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace holdfast::report

#endif  // HOLDFAST_LIB_REPORT_REPORT_PROTO_H_
