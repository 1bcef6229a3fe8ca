// Operators of the rule language over runtime values, and their canonical rendering.
#include "engine/eval/value.h"

#include <algorithm>
#include <cmath>

#include "base/json_writer.h"
#include "base/time.h"

namespace tosguard::engine {

using dsl::OpCode;

BoundConstants BindConstants(const dsl::RulePlan& plan, const Dictionaries& dict) {
  BoundConstants c;
  c.plan = &plan;
  c.dict = &dict;
  c.values.resize(plan.constants.size());
  c.lists.resize(plan.constants.size());
  for (std::size_t k = 0; k < plan.constants.size(); ++k) {
    const dsl::Value& v = plan.constants[k];
    Val& out = c.values[k];
    out.type = v.type;
    out.known = true;
    switch (v.type) {
      case Type::kNumber: out.num = v.number; break;
      case Type::kBool: out.i = v.bool_value ? 1 : 0; break;
      case Type::kDuration:
      case Type::kTimestamp: out.i = v.int_value; break;
      case Type::kString: {
        out.s = v.str;
        const SymbolId sym = dict.strings.Find(v.str);
        out.i = sym == Dictionary::kNone ? Val::kNoSym : static_cast<std::int64_t>(sym);
        break;
      }
      case Type::kList: {
        ListSet& l = c.lists[k];
        l.strings = v.strings;
        std::sort(l.strings.begin(), l.strings.end());
        for (const std::string& s : v.strings) {
          const SymbolId sym = dict.strings.Find(s);
          if (sym != Dictionary::kNone) l.syms.push_back(sym);
        }
        std::sort(l.syms.begin(), l.syms.end());
        l.numbers = v.numbers;
        std::sort(l.numbers.begin(), l.numbers.end());
        break;
      }
      default: out.known = false; break;
    }
  }
  return c;
}

Val ColumnValue(const RecordTable& table, std::size_t slot, std::size_t row,
                const Dictionaries& dict) {
  const Column& col = table.column(slot);
  Val v;
  switch (col.type) {
    case FieldType::kBool: v.type = Type::kBool; break;
    case FieldType::kInt:
    case FieldType::kNumber: v.type = Type::kNumber; break;
    case FieldType::kString:
    case FieldType::kText: v.type = Type::kString; break;
    case FieldType::kTimestamp: v.type = Type::kTimestamp; break;
    case FieldType::kStringSet: v.type = Type::kSet; break;
  }
  if (!table.Has(slot, row)) return v;
  v.known = true;
  switch (col.type) {
    case FieldType::kBool: v.i = col.u32[row]; break;
    case FieldType::kTimestamp: v.i = col.ints[row]; break;
    case FieldType::kInt: v.num = static_cast<double>(col.ints[row]); break;
    case FieldType::kNumber: v.num = col.nums[row]; break;
    case FieldType::kString:
      if (col.as_text) {  // no symbol: compared by its bytes, as text is
        v.i = Val::kNoSym;
        v.s = dict.texts.Get(static_cast<std::uint64_t>(col.ints[row]));
        break;
      }
      v.i = col.u32[row];
      v.s = dict.strings.Name(col.u32[row]);
      break;
    case FieldType::kText:
      v.i = Val::kNoSym;
      v.s = dict.texts.Get(static_cast<std::uint64_t>(col.ints[row]));
      break;
    case FieldType::kStringSet: v.i = col.u32[row]; break;
  }
  return v;
}

bool IsUnary(OpCode op) {
  return op == OpCode::kNot || op == OpCode::kNeg || op == OpCode::kIn || op == OpCode::kNotIn ||
         op == OpCode::kMatch;
}

namespace {

bool StrEq(const Val& a, const Val& b) {
  if (a.i != Val::kNoSym && b.i != Val::kNoSym) return a.i == b.i;
  return a.s == b.s;
}

// -1, 0, 1; both known and of comparable types.
int Compare(const Val& a, const Val& b) {
  switch (a.type) {
    case Type::kNumber: return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
    case Type::kString: {
      if (StrEq(a, b)) return 0;
      return a.s < b.s ? -1 : 1;
    }
    default: return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  }
}

bool InList(const Val& v, const ListSet& l) {
  if (v.type == Type::kNumber) return std::binary_search(l.numbers.begin(), l.numbers.end(), v.num);
  if (v.i != Val::kNoSym) return std::binary_search(l.syms.begin(), l.syms.end(), v.i);
  return std::binary_search(l.strings.begin(), l.strings.end(), v.s);
}

std::int64_t RoundDuration(double d) {
  if (!std::isfinite(d) || std::fabs(d) > 9.0e18) return 0;
  return std::llround(d);
}

Val Arith(OpCode op, const Val& a, const Val& b) {
  const bool an = a.type == Type::kNumber, bn = b.type == Type::kNumber;
  if (an && bn) {
    double r = 0;
    switch (op) {
      case OpCode::kAdd: r = a.num + b.num; break;
      case OpCode::kSub: r = a.num - b.num; break;
      case OpCode::kMul: r = a.num * b.num; break;
      case OpCode::kDiv:
        if (b.num == 0) return Val::Unknown(Type::kNumber);
        r = a.num / b.num;
        break;
      case OpCode::kMod:
        if (b.num == 0) return Val::Unknown(Type::kNumber);
        r = std::fmod(a.num, b.num);
        break;
      default: break;
    }
    if (!std::isfinite(r)) return Val::Unknown(Type::kNumber);
    return Val::Number(r);
  }
  // Durations and timestamps (µs).
  switch (op) {
    case OpCode::kAdd:
      if (a.type == Type::kTimestamp || b.type == Type::kTimestamp) {
        return Val::Int(Type::kTimestamp, a.i + b.i);
      }
      return Val::Int(Type::kDuration, a.i + b.i);
    case OpCode::kSub:
      if (a.type == Type::kTimestamp && b.type == Type::kTimestamp) {
        return Val::Int(Type::kDuration, a.i - b.i);
      }
      return Val::Int(a.type, a.i - b.i);
    case OpCode::kMul:
      if (a.type == Type::kDuration && bn)
        return Val::Int(Type::kDuration, RoundDuration(static_cast<double>(a.i) * b.num));
      if (an && b.type == Type::kDuration)
        return Val::Int(Type::kDuration, RoundDuration(a.num * static_cast<double>(b.i)));
      return Val::Unknown(Type::kDuration);
    case OpCode::kDiv:
      if (a.type == Type::kDuration && bn) {
        if (b.num == 0) return Val::Unknown(Type::kDuration);
        return Val::Int(Type::kDuration, RoundDuration(static_cast<double>(a.i) / b.num));
      }
      if (a.type == Type::kDuration && b.type == Type::kDuration) {
        if (b.i == 0) return Val::Unknown(Type::kNumber);
        return Val::Number(static_cast<double>(a.i) / static_cast<double>(b.i));
      }
      return Val::Unknown(Type::kNumber);
    default: return Val::Unknown(a.type);
  }
}

Type ArithType(OpCode op, const Val& a, const Val& b) {
  if (a.type == Type::kNumber && b.type == Type::kNumber) return Type::kNumber;
  if (op == OpCode::kDiv && a.type == Type::kDuration && b.type == Type::kDuration)
    return Type::kNumber;
  if (op == OpCode::kSub && a.type == Type::kTimestamp && b.type == Type::kTimestamp)
    return Type::kDuration;
  if (a.type == Type::kTimestamp || b.type == Type::kTimestamp) return Type::kTimestamp;
  return Type::kDuration;
}

}  // namespace

Val ApplyOp(const dsl::Instr& in, const Val& a, const Val& b, const BoundConstants& c) {
  switch (in.op) {
    case OpCode::kNot:
      if (!a.known) return Val::Unknown(Type::kBool);
      return Val::Bool(a.i == 0);
    case OpCode::kAnd:
      if ((a.known && a.i == 0) || (b.known && b.i == 0)) return Val::Bool(false);
      if (a.known && b.known) return Val::Bool(true);
      return Val::Unknown(Type::kBool);
    case OpCode::kOr:
      if ((a.known && a.i != 0) || (b.known && b.i != 0)) return Val::Bool(true);
      if (a.known && b.known) return Val::Bool(false);
      return Val::Unknown(Type::kBool);
    case OpCode::kNeg:
      if (!a.known) return Val::Unknown(a.type);
      if (a.type == Type::kNumber) return Val::Number(-a.num);
      return Val::Int(a.type, -a.i);
    case OpCode::kHas: {
      // An absent set is empty: `has` is false, not unknown.
      if (!b.known) return Val::Unknown(Type::kBool);
      if (!a.known) return Val::Bool(false);
      if (b.i == Val::kNoSym) return Val::Bool(false);
      const auto& members = c.dict->sets.Members(static_cast<std::uint32_t>(a.i));
      return Val::Bool(
          std::binary_search(members.begin(), members.end(), static_cast<SymbolId>(b.i)));
    }
    case OpCode::kIn:
    case OpCode::kNotIn: {
      if (!a.known) return Val::Unknown(Type::kBool);
      const bool in_list = InList(a, c.lists[in.arg]);
      return Val::Bool(in.op == OpCode::kIn ? in_list : !in_list);
    }
    case OpCode::kMatch: {
      if (!a.known) return Val::Unknown(Type::kBool);
      const dsl::Regex* re = c.plan->regexes[in.arg].get();
      if (re == nullptr || !re->ok()) return Val::Unknown(Type::kBool);
      return Val::Bool(re->PartialMatch(a.s));
    }
    default: break;
  }
  const bool arith = in.op == OpCode::kAdd || in.op == OpCode::kSub || in.op == OpCode::kMul ||
                     in.op == OpCode::kDiv || in.op == OpCode::kMod;
  if (!a.known || !b.known) return Val::Unknown(arith ? ArithType(in.op, a, b) : Type::kBool);
  switch (in.op) {
    case OpCode::kEq:
    case OpCode::kNe: {
      bool eq = false;
      if (a.type == Type::kString)
        eq = StrEq(a, b);
      else if (a.type == Type::kNumber)
        eq = a.num == b.num;
      else
        eq = a.i == b.i;
      return Val::Bool(in.op == OpCode::kEq ? eq : !eq);
    }
    case OpCode::kLt: return Val::Bool(Compare(a, b) < 0);
    case OpCode::kLe: return Val::Bool(Compare(a, b) <= 0);
    case OpCode::kGt: return Val::Bool(Compare(a, b) > 0);
    case OpCode::kGe: return Val::Bool(Compare(a, b) >= 0);
    case OpCode::kStartsWith: return Val::Bool(a.s.substr(0, b.s.size()) == b.s);
    case OpCode::kEndsWith:
      return Val::Bool(a.s.size() >= b.s.size() && a.s.substr(a.s.size() - b.s.size()) == b.s);
    case OpCode::kContains: return Val::Bool(a.s.find(b.s) != std::string_view::npos);
    default: return Arith(in.op, a, b);
  }
}

namespace {

std::string NumText(double d) {
  if (d == 0) d = 0;  // no "-0"
  return ShortestNumber(d);
}

}  // namespace

EvalValueOut Render(const Val& v, const Dictionaries& dict) {
  EvalValueOut out;
  out.type = v.type == Type::kError ? "unknown" : dsl::TypeName(v.type);
  out.known = v.known;
  if (!v.known) {
    out.text = "unknown";
    return out;
  }
  switch (v.type) {
    case Type::kNumber:
      out.number = v.num;
      out.text = NumText(v.num);
      break;
    case Type::kBool:
      out.text = v.i ? "true" : "false";
      out.number = static_cast<double>(v.i);
      break;
    case Type::kDuration:
      out.number = static_cast<double>(v.i);
      out.text = v.i != 0 && v.i % kMicrosPerSecond == 0
                     ? FormatDuration(v.i)
                     : NumText(static_cast<double>(v.i) / 1e6) + "s";
      break;
    case Type::kTimestamp:
      out.number = static_cast<double>(v.i);
      out.text = FormatRfc3339(v.i);
      break;
    case Type::kString: out.text = std::string(v.s); break;
    case Type::kSet: {
      std::vector<std::string> names;
      for (SymbolId m : dict.sets.Members(static_cast<std::uint32_t>(v.i))) {
        names.emplace_back(dict.strings.Name(m));
      }
      std::sort(names.begin(), names.end());
      out.text = "[";
      for (std::size_t k = 0; k < names.size(); ++k) out.text += (k ? ", " : "") + names[k];
      out.text += "]";
      break;
    }
    default: out.text = "?"; break;
  }
  return out;
}

const char* OpText(OpCode op) {
  switch (op) {
    case OpCode::kNot: return "not";
    case OpCode::kAnd: return "and";
    case OpCode::kOr: return "or";
    case OpCode::kNeg: return "-";
    case OpCode::kEq: return "==";
    case OpCode::kNe: return "!=";
    case OpCode::kLt: return "<";
    case OpCode::kLe: return "<=";
    case OpCode::kGt: return ">";
    case OpCode::kGe: return ">=";
    case OpCode::kIn: return "in";
    case OpCode::kNotIn: return "not in";
    case OpCode::kHas: return "has";
    case OpCode::kStartsWith: return "starts_with";
    case OpCode::kEndsWith: return "ends_with";
    case OpCode::kContains: return "contains";
    case OpCode::kMatch: return "matches";
    case OpCode::kAdd: return "+";
    case OpCode::kSub: return "-";
    case OpCode::kMul: return "*";
    case OpCode::kDiv: return "/";
    case OpCode::kMod: return "%";
    default: return dsl::OpCodeName(op);
  }
}

}  // namespace tosguard::engine
