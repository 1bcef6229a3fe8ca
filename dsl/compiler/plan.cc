// The Plan's text dump (deterministic; golden tests compare it byte for byte).
#include "dsl/compiler/plan.h"

#include <charconv>


#include "dsl/fmt/fmt.h"

namespace tosguard::dsl {

const char* OpCodeName(OpCode op) {
  switch (op) {
    case OpCode::kConst: return "const";
    case OpCode::kField: return "field";
    case OpCode::kAccount: return "account";
    case OpCode::kSignal: return "signal";
    case OpCode::kAggregate: return "agg";
    case OpCode::kLet: return "let";
    case OpCode::kNot: return "not";
    case OpCode::kAnd: return "and";
    case OpCode::kOr: return "or";
    case OpCode::kNeg: return "neg";
    case OpCode::kEq: return "eq";
    case OpCode::kNe: return "ne";
    case OpCode::kLt: return "lt";
    case OpCode::kLe: return "le";
    case OpCode::kGt: return "gt";
    case OpCode::kGe: return "ge";
    case OpCode::kIn: return "in";
    case OpCode::kNotIn: return "not_in";
    case OpCode::kHas: return "has";
    case OpCode::kStartsWith: return "starts_with";
    case OpCode::kEndsWith: return "ends_with";
    case OpCode::kContains: return "contains";
    case OpCode::kMatch: return "match";
    case OpCode::kAdd: return "add";
    case OpCode::kSub: return "sub";
    case OpCode::kMul: return "mul";
    case OpCode::kDiv: return "div";
    case OpCode::kMod: return "mod";
  }
  return "?";
}

namespace {

std::string Num(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

std::string ValueText(const Value& v) {
  switch (v.type) {
    case Type::kNumber: return Num(v.number);
    case Type::kString: return QuoteString(v.str);
    case Type::kBool: return v.bool_value ? "true" : "false";
    case Type::kDuration: return FormatDuration(v.int_value);
    case Type::kTimestamp: return FormatRfc3339(v.int_value);
    case Type::kList: {
      std::string s = "[";
      if (v.item_type == Type::kNumber) {
        for (std::size_t i = 0; i < v.numbers.size(); ++i) s += (i ? ", " : "") + Num(v.numbers[i]);
      } else {
        for (std::size_t i = 0; i < v.strings.size(); ++i) s += (i ? ", " : "") + QuoteString(v.strings[i]);
      }
      return s + "]";
    }
    default: return "?";
  }
}

std::string StrList(const std::vector<std::string>& v, bool quote) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + (quote ? QuoteString(v[i]) : v[i]);
  return s + "]";
}

class Dumper {
 public:
  Dumper(const RulePlan& r, const RecordSchema& ev, const RecordSchema& acc)
      : r_(r), ev_(ev), acc_(acc) {}

  std::string Program(const dsl::Program& p) const {
    if (p.empty()) return "(none)";
    std::string s;
    for (std::size_t i = 0; i < p.code.size(); ++i) {
      const Instr& in = p.code[i];
      if (i) s += "; ";
      s += OpCodeName(in.op);
      switch (in.op) {
        case OpCode::kConst: s += " " + ValueText(r_.constants[in.arg]); break;
        case OpCode::kField:
          s += " " + (in.arg < ev_.size() ? ev_.field(in.arg).name : "#" + std::to_string(in.arg));
          break;
        case OpCode::kAccount:
          s += " " + (in.arg < acc_.size() ? acc_.field(in.arg).name : "#" + std::to_string(in.arg));
          break;
        case OpCode::kSignal: s += " " + QuoteString(r_.detectors[in.arg]); break;
        case OpCode::kAggregate: s += " a" + std::to_string(in.arg); break;
        case OpCode::kLet: s += " " + r_.lets[in.arg].name; break;
        case OpCode::kIn:
        case OpCode::kNotIn:
          s += std::string(".") + TypeName(in.type) + " " + ValueText(r_.constants[in.arg]);
          break;
        case OpCode::kMatch: s += " r" + std::to_string(in.arg); break;
        case OpCode::kNot: case OpCode::kAnd: case OpCode::kOr: break;
        default: s += std::string(".") + TypeName(in.type); break;
      }
    }
    return s;
  }

 private:
  const RulePlan& r_;
  const RecordSchema& ev_;
  const RecordSchema& acc_;
};

}  // namespace

void LinkProgram(Program* p) {
  std::vector<std::uint32_t> starts;  // per value on the stack: its first instruction
  auto malformed = [&] {
    // Not a program the compiler makes (it cannot run as meant): no jumps, and a binary
    // operator's left operand taken as the instruction before it.
    for (std::size_t i = 0; i < p->code.size(); ++i) {
      p->code[i].skip = 0;
      p->code[i].left = i > 0 ? static_cast<std::uint32_t>(i - 1) : 0;
    }
  };
  for (Instr& in : p->code) in.skip = in.left = 0;
  for (std::size_t i = 0; i < p->code.size(); ++i) {
    Instr& in = p->code[i];
    switch (in.op) {
      case OpCode::kConst: case OpCode::kField: case OpCode::kAccount: case OpCode::kSignal:
      case OpCode::kAggregate: case OpCode::kLet:
        starts.push_back(static_cast<std::uint32_t>(i));
        break;
      case OpCode::kNot: case OpCode::kNeg: case OpCode::kIn: case OpCode::kNotIn:
      case OpCode::kMatch:
        if (starts.empty()) return malformed();
        break;
      default: {
        if (starts.size() < 2) return malformed();
        const std::uint32_t right = starts.back();
        starts.pop_back();
        in.left = right - 1;
        if (in.op == OpCode::kAnd || in.op == OpCode::kOr) p->code[right].skip = static_cast<std::uint32_t>(i);
      }
    }
  }
  if (starts.size() > 1) malformed();
}

std::string DumpPlan(const Plan& plan, const RecordSchema* events, const RecordSchema* accounts) {
  const RecordSchema& ev = events ? *events : CanonicalSchema(RecordKind::kEvent);
  const RecordSchema& acc = accounts ? *accounts : CanonicalSchema(RecordKind::kAccount);
  std::string out;
  for (const auto& p : plan.policies) {
    out += "policy " + p.id + " " + QuoteString(p.title) + "\n";
    for (const auto& v : p.versions) out += "  version " + QuoteString(v.name) + " effective " + FormatDate(v.effective) + "\n";
  }
  for (const auto& r : plan.rules) {
    Dumper d(r, ev, acc);
    out += "rule " + r.id + "\n";
    if (!r.title.empty()) out += "  title " + QuoteString(r.title) + "\n";
    out += std::string("  severity ") + SeverityText(r.severity) + "\n";
    out += std::string("  status ") + StatusText(r.status) + "\n";
    if (!r.tags.empty()) out += "  tags " + StrList(r.tags, false) + "\n";
    if (!r.owner.empty()) out += "  owner " + QuoteString(r.owner) + "\n";
    if (!r.references.empty()) out += "  references " + StrList(r.references, true) + "\n";
    if (r.clause) {
      const auto& c = *r.clause;
      out += "  clause " + c.policy + " " + QuoteString(c.section) + " since " + QuoteString(c.since);
      if (c.until) out += " until " + QuoteString(*c.until);
      out += " versions " + StrList(c.versions, true) + "\n";
      if (!c.text.empty()) out += "  text " + QuoteString(c.text) + "\n";
    }
    out += std::string("  scope ") + ScopeText(r.scope) + "\n";
    out += "  window " + FormatDuration(r.window) + " min_active_days " + std::to_string(r.min_active_days) + "\n";
    if (r.require_policy) {
      out += "  require accepted(" + *r.require_policy + ") versions " + StrList(r.require_versions, true) + "\n";
    }
    std::vector<std::string> names;
    for (auto s : r.event_slots) names.push_back(s < ev.size() ? ev.field(s).name : std::to_string(s));
    out += "  reads events " + StrList(names, false) + "\n";
    names.clear();
    for (auto s : r.account_slots) names.push_back(s < acc.size() ? acc.field(s).name : std::to_string(s));
    out += "  reads accounts " + StrList(names, false) + "\n";
    out += "  detectors " + StrList(r.detectors, true) + "\n";
    for (std::size_t i = 0; i < r.regex_patterns.size(); ++i) {
      out += "  r" + std::to_string(i) + " = /" + r.regex_patterns[i] + "/" +
             (r.regexes[i] && r.regexes[i]->ok() ? "" : " (invalid)") + "\n";
    }
    out += "  where: " + d.Program(r.where) + "\n";
    out += "  unless: " + d.Program(r.unless) + "\n";
    for (std::size_t i = 0; i < r.aggregates.size(); ++i) {
      const auto& a = r.aggregates[i];
      out += "  a" + std::to_string(i) + " = " + AggKindName(a.kind) + " -> " + TypeName(a.result_type);
      if (a.kind == AggKind::kPercentile) out += " q=" + Num(a.quantile);
      if (a.kind == AggKind::kRate) out += " per=" + FormatDuration(a.per);
      out += "  # " + a.text + "\n";
      if (!a.predicate.empty()) out += "    predicate: " + d.Program(a.predicate) + "\n";
      if (!a.value.empty()) out += "    value: " + d.Program(a.value) + "\n";
    }
    for (const auto& l : r.lets) {
      out += "  let " + l.name + " : " + TypeName(l.type) + " = " + d.Program(l.program) + "\n";
    }
    for (const auto& l : r.levels) {
      out += std::string("  level ") + LevelText(l.level) + ": " + d.Program(l.condition) + "\n";
    }
    out += "  evidence sample " + std::to_string(r.evidence.sample) + " by " +
           (r.evidence.order_by.empty() ? std::string("ts") : d.Program(r.evidence.order_by)) +
           (r.evidence.descending ? " desc" : " asc") + "\n";
    for (std::size_t i = 0; i < r.evidence.show.size(); ++i) {
      out += "    show " + r.evidence.show_text[i] + ": " + d.Program(r.evidence.show[i]) + "\n";
    }
  }
  return out;
}

}  // namespace tosguard::dsl
