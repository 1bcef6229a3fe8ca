// The checked ("bound") form of a rule: names resolved to slots, types and phases known.
//
// The checker produces it from dsl/ast.h; the compiler flattens it into a Plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"

namespace tosguard::dsl {

// Types of the language. Integers and reals are both `number`.
enum class Type : std::uint8_t {
  kError,  // an expression that failed to check (no further errors are reported about it)
  kNumber, kString, kBool, kDuration, kTimestamp,
  kList,   // a constant list of strings or numbers
  kSet,    // a set of strings (tags, contract flags)
  kRegex,
};
const char* TypeName(Type t);

// When a value is known: at check time, per event, or per window (from aggregates).
enum class Phase : std::uint8_t { kConst, kEvent, kWindow };

// A constant value.
struct Value {
  Type type = Type::kError;
  double number = 0;
  std::int64_t int_value = 0;  // durations and timestamps, microseconds
  bool bool_value = false;
  std::string str;
  Type item_type = Type::kError;  // for lists: kString or kNumber
  std::vector<std::string> strings;
  std::vector<double> numbers;
};

enum class BoundKind : std::uint8_t {
  kConst,      // value
  kField,      // event field, index = slot
  kAccount,    // account attribute, index = slot
  kSignal,     // score of a detector for this event, index = detector (rule-local)
  kAggregate,  // index = aggregate (rule-local)
  kLet,        // a window-level let, index = let (rule-local)
  kUnary,      // op, args[0]
  kBinary,     // op, args[0..1]; for kMatches, index = regex (rule-local)
};

struct Bound {
  BoundKind kind = BoundKind::kConst;
  Type type = Type::kError;
  Phase phase = Phase::kConst;
  Loc loc;
  Op op = Op::kAnd;
  Value value;
  std::uint32_t index = 0;
  std::string name;  // field, attribute, detector, let or aggregate text (for dumps)
  std::vector<Bound> args;
};

enum class AggKind : std::uint8_t {
  kCount,       // events matching `predicate` (all when absent)
  kSum, kMin, kMax, kAvg,  // of `value`
  kShare,       // fraction of events matching `predicate`, in [0, 1]
  kDistinct,    // distinct non-absent values of `value`
  kPercentile,  // `param` quantile in (0, 1) of `value`
  kRate,        // events matching `predicate` per `per_us`, averaged over the window
  kActiveDays,  // UTC days with at least one event
  kMaxGap,      // longest time between consecutive events (a duration)
};
const char* AggKindName(AggKind k);

struct BoundAggregate {
  AggKind kind = AggKind::kCount;
  Loc loc;
  std::string text;  // canonical source text, e.g. share(signal("x") >= 0.8)
  std::optional<Bound> predicate;
  std::optional<Bound> value;
  double param = 0;            // percentile
  std::int64_t per_us = 0;     // rate
  Type result = Type::kNumber;
};

}  // namespace tosguard::dsl
