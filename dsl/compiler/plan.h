// The compiled Plan: what the engine executes for each rule, with no syntax tree left.
//
// Programs are flat vectors of enum-tagged instructions for a small stack machine with
// three-valued logic. Every value on the stack may be *unknown* (an absent field, a
// missing signal, an aggregate over no data). Semantics, by opcode:
//   kConst k        push constants[k]
//   kField s        push event field at slot s (unknown when absent)
//   kAccount s      push the event's account attribute at slot s (unknown when absent)
//   kSignal d       push the score of detectors[d] for the event (unknown when none)
//   kAggregate a    push the result of aggregates[a] over the window (window programs)
//   kLet l          push the value of lets[l] (window programs; lets are evaluated in order)
//   kNot, kAnd, kOr Kleene logic: false and unknown = false, true or unknown = true,
//                   otherwise unknown propagates
//   kNeg and binary arithmetic/comparison/string ops: pop operands (right on top),
//                   push the result; unknown when any operand is unknown; `type` is
//                   the operand type (number, string, duration, timestamp, bool)
//   kIn k / kNotIn k  membership in the constant list constants[k]
//   kHas            set (below) has string (top)
//   kMatch r        RE2 partial match of regexes[r] against the string on top (Regex)
// An event counts when `where` yields true and `unless` does not. A level holds when its
// program yields true; unknown makes the decision *insufficient evidence*.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "dsl/checker/bound.h"
#include "dsl/checker/checker.h"
#include "dsl/compiler/regex.h"

namespace tosguard::dsl {

enum class OpCode : std::uint8_t {
  kConst, kField, kAccount, kSignal, kAggregate, kLet,
  kNot, kAnd, kOr, kNeg,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn, kNotIn, kHas, kStartsWith, kEndsWith, kContains, kMatch,
  kAdd, kSub, kMul, kDiv, kMod,
};
const char* OpCodeName(OpCode op);

struct Instr {
  OpCode op = OpCode::kConst;
  Type type = Type::kError;  // operand type for typed operators, result type for loads
  std::uint32_t arg = 0;
  // Set by LinkProgram. On the first instruction of the right operand of a kAnd or kOr:
  // that operator's index. When the left operand alone decides (known false for `and`,
  // known true for `or`), the machine may jump past the operator without running the
  // right operand; the result is the same. 0: none.
  std::uint32_t skip = 0;
  // On a binary operator: the index of its left operand's last instruction (its right
  // operand's is the instruction before the operator's own).
  std::uint32_t left = 0;
};

struct Program {
  std::vector<Instr> code;
  bool empty() const { return code.empty(); }
};

// Sets every instruction's `skip` and `left` from the program's postfix structure (after
// the code is final: a rewrite of the code must link it again).
void LinkProgram(Program* p);

struct AggregateSpec {
  AggKind kind = AggKind::kCount;
  std::string text;      // canonical source text, for explanations
  Program predicate;     // empty: every event that passed the filter
  Program value;         // empty for count, share, rate, active_days, max_gap
  Type value_type = Type::kError;
  Type result_type = Type::kNumber;
  double quantile = 0;         // kPercentile
  DurationUs per = 0;          // kRate
};

struct LetPlan {
  std::string name;
  Program program;
  Type type = Type::kError;
};

struct LevelPlan {
  LevelKind level = LevelKind::kViolation;
  Program condition;
};

struct EvidencePlan {
  std::uint32_t sample = 10;
  Program order_by;  // empty: by event time
  bool descending = false;
  std::vector<Program> show;
  std::vector<std::string> show_text;
};

struct RulePlan {
  // Metadata.
  std::string id, title, owner;
  RuleSeverity severity = RuleSeverity::kMedium;
  RuleStatus status = RuleStatus::kExperimental;
  std::vector<std::string> tags, references;
  std::optional<CheckedClause> clause;
  std::string source_file;    // path of the file that declares the rule
  std::string source_sha256;  // of that file
  std::string source_text;    // the rule's own text, as written

  // Where and when.
  Scope scope = Scope::kAccount;
  DurationUs window = 0;
  std::uint32_t min_active_days = 0;
  std::optional<std::string> require_policy;
  std::vector<std::string> require_versions;

  // Programs. An event counts when `where` is true (or empty) and `unless` is not
  // true (false, unknown or empty): an unknown exemption does not exempt.
  Program where;
  Program unless;
  std::vector<AggregateSpec> aggregates;
  std::vector<LetPlan> lets;
  std::vector<LevelPlan> levels;  // violation first
  EvidencePlan evidence;

  // Prepared operands.
  std::vector<Value> constants;
  std::vector<std::string> regex_patterns;
  std::vector<std::unique_ptr<Regex>> regexes;  // compiled once, same order
  std::vector<std::string> detectors;

  // What ingest must read for this rule (sorted slots).
  std::vector<std::uint32_t> event_slots;
  std::vector<std::uint32_t> account_slots;

  RulePlan();
  ~RulePlan();
  RulePlan(RulePlan&&) noexcept;
  RulePlan& operator=(RulePlan&&) noexcept;
};

struct Plan {
  std::vector<CheckedPolicy> policies;
  std::vector<RulePlan> rules;
  // Union over the rules, sorted.
  std::vector<std::uint32_t> event_slots;
  std::vector<std::uint32_t> account_slots;
  std::vector<std::string> detectors;
};

// A deterministic, line-oriented text dump for golden tests and `tosguard explain`.
// Field slots are printed with their names from the given schemas (canonical when
// nullptr).
std::string DumpPlan(const Plan& plan, const RecordSchema* events = nullptr,
                     const RecordSchema* accounts = nullptr);

}  // namespace tosguard::dsl
