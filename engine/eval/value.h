// Runtime values of the rule language and the operators of compiled programs, with
// three-valued (Kleene) logic: every value may be unknown.
#pragma once

#include <cstdint>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dsl/compiler/plan.h"
#include "engine/eval/finding.h"
#include "engine/ingest/table.h"

namespace tosguard::engine {

using dsl::Type;

// A value during evaluation. Strings point into the dataset's dictionary or the
// plan's constants, both alive for the whole evaluation.
struct Val {
  Type type = Type::kError;
  bool known = false;
  double num = 0;        // kNumber
  std::int64_t i = 0;    // kDuration, kTimestamp (µs); kBool (0/1); kString: SymbolId or
                         // kNoSym; kSet: SetDictionary id
  std::string_view s;    // kString bytes

  static constexpr std::int64_t kNoSym = -1;
  static Val Unknown(Type t) { Val v; v.type = t; return v; }
  static Val Number(double d) { Val v; v.type = Type::kNumber; v.known = true; v.num = d; return v; }
  static Val Bool(bool b) { Val v; v.type = Type::kBool; v.known = true; v.i = b ? 1 : 0; return v; }
  static Val Int(Type t, std::int64_t x) { Val v; v.type = t; v.known = true; v.i = x; return v; }
  bool IsTrue() const { return known && type == Type::kBool && i != 0; }
};
// Values are made in place over old ones (placement new, no destructor run).
static_assert(std::is_trivially_copyable_v<Val> && std::is_trivially_destructible_v<Val>);

// A constant list prepared for membership tests.
struct ListSet {
  std::vector<std::int64_t> syms;      // interned members, sorted
  std::vector<std::string> strings;    // every member, sorted (for values not interned)
  std::vector<double> numbers;         // sorted
};

// A rule's constants resolved against the dataset (strings to symbols, lists to sets).
struct BoundConstants {
  std::vector<Val> values;
  std::vector<ListSet> lists;  // by constant index; empty for non-lists
  const dsl::RulePlan* plan = nullptr;
  const Dictionaries* dict = nullptr;
};

BoundConstants BindConstants(const dsl::RulePlan& plan, const Dictionaries& dict);

// The value of a column cell as the language sees it.
Val ColumnValue(const RecordTable& table, std::size_t slot, std::size_t row, const Dictionaries& dict);

// Applies a unary or binary operator (not loads). `a` is the left operand (or the only
// one), `b` the right.
Val ApplyOp(const dsl::Instr& in, const Val& a, const Val& b, const BoundConstants& c);
bool IsUnary(dsl::OpCode op);

// Runs a program; `load` resolves kField, kAccount, kSignal, kAggregate and kLet:
//   Val load(const dsl::Instr&).
// Each instruction's value is made in its own slot of `stack` (slot k for instruction
// k, operands found through LinkProgram's links), so no value is copied from one slot
// to another: copying a Val just written field by field reads it back whole, which
// stalls on the stores that made it.
template <class Load>
Val RunProgram(const dsl::Program& p, const BoundConstants& c, std::vector<Val>& stack, Load&& load) {
  // The last instruction's value is made in `out`, which is the caller's (returned
  // without a copy), so the caller does not read back a slot either.
  Val out;
  const std::size_t n = p.code.size();
  if (n == 0) return out;
  if (stack.size() < n) stack.resize(n);
  Val* const r = stack.data();
  const dsl::Instr* const code = p.code.data();
  for (std::size_t k = 0; k < n; ++k) {
    const dsl::Instr& in = code[k];
    if (in.skip != 0 && r[k - 1].known) {
      // The first instruction of an and/or's right operand; its left one ends at k - 1.
      const bool is_and = code[in.skip].op == dsl::OpCode::kAnd;
      if ((r[k - 1].i == 0) == is_and) {  // false and _, true or _
        ::new (in.skip + 1 < n ? &r[in.skip] : &out) Val(Val::Bool(!is_and));
        k = in.skip;
        continue;
      }
    }
    Val* const slot = k + 1 < n ? &r[k] : &out;
    switch (in.op) {
      case dsl::OpCode::kConst: ::new (slot) Val(c.values[in.arg]); break;
      case dsl::OpCode::kField:
      case dsl::OpCode::kAccount:
      case dsl::OpCode::kSignal:
      case dsl::OpCode::kAggregate:
      case dsl::OpCode::kLet: ::new (slot) Val(load(in)); break;
      case dsl::OpCode::kNot:
      case dsl::OpCode::kNeg:
      case dsl::OpCode::kIn:
      case dsl::OpCode::kNotIn:
      case dsl::OpCode::kMatch: ::new (slot) Val(ApplyOp(in, r[k - 1], Val{}, c)); break;
      default: ::new (slot) Val(ApplyOp(in, r[in.left], r[k - 1], c));
    }
  }
  return out;
}

// The canonical rendering of a value.
EvalValueOut Render(const Val& v, const Dictionaries& dict);

// Source-like text of an operator: ">=", "and", "starts_with".
const char* OpText(dsl::OpCode op);

}  // namespace tosguard::engine
