// Small status-propagation macros. Debian's abseil 20220623 ships none, so we
// keep the two we need here.
//
//   HF_RETURN_IF_ERROR(DoThing());
//   HF_ASSIGN_OR_RETURN(auto value, ComputeValue());
#ifndef HOLDFAST_LIB_BASE_STATUS_MACROS_H_
#define HOLDFAST_LIB_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HF_STATUS_CONCAT_INNER_(a, b) a##b
#define HF_STATUS_CONCAT_(a, b) HF_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define HF_RETURN_IF_ERROR(expr)                        \
  do {                                                  \
    ::absl::Status hf_status_ = (expr);                 \
    if (!hf_status_.ok()) return hf_status_;            \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise moves the value into `lhs` (which may be a declaration).
#define HF_ASSIGN_OR_RETURN(lhs, rexpr) \
  HF_ASSIGN_OR_RETURN_IMPL_(HF_STATUS_CONCAT_(hf_statusor_, __LINE__), lhs, rexpr)

#define HF_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                              \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // HOLDFAST_LIB_BASE_STATUS_MACROS_H_
