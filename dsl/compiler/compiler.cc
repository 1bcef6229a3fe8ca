// The compiler: flattens checked rules into postfix programs over resolved slots.
#include "dsl/compiler/compiler.h"

#include <algorithm>
#include <map>
#include <set>

namespace tosguard::dsl {
namespace {

OpCode BinaryOpCode(Op op) {
  switch (op) {
    case Op::kOr: return OpCode::kOr;
    case Op::kAnd: return OpCode::kAnd;
    case Op::kEq: return OpCode::kEq;
    case Op::kNe: return OpCode::kNe;
    case Op::kLt: return OpCode::kLt;
    case Op::kLe: return OpCode::kLe;
    case Op::kGt: return OpCode::kGt;
    case Op::kGe: return OpCode::kGe;
    case Op::kIn: return OpCode::kIn;
    case Op::kNotIn: return OpCode::kNotIn;
    case Op::kHas: return OpCode::kHas;
    case Op::kStartsWith: return OpCode::kStartsWith;
    case Op::kEndsWith: return OpCode::kEndsWith;
    case Op::kContains: return OpCode::kContains;
    case Op::kMatches: return OpCode::kMatch;
    case Op::kAdd: return OpCode::kAdd;
    case Op::kSub: return OpCode::kSub;
    case Op::kMul: return OpCode::kMul;
    case Op::kDiv: return OpCode::kDiv;
    case Op::kMod: return OpCode::kMod;
    case Op::kNot: return OpCode::kNot;
    case Op::kNeg: return OpCode::kNeg;
  }
  return OpCode::kAnd;
}


class Emitter {
 public:
  explicit Emitter(RulePlan* plan, std::set<std::uint32_t>* ev, std::set<std::uint32_t>* acc)
      : plan_(plan), event_slots_(ev), account_slots_(acc) {}

  Program Compile(const Bound& b) {
    Program p;
    Emit(b, p);
    LinkProgram(&p);
    return p;
  }

 private:
  std::uint32_t ConstIndex(const Value& v) {
    // Equal constants share a slot; the key spells the whole value out.
    std::string key = std::to_string(static_cast<int>(v.type)) + "|" +
                      std::to_string(static_cast<int>(v.item_type)) + "|" +
                      std::to_string(v.int_value) + "|" + (v.bool_value ? "1" : "0") + "|";
    key.append(reinterpret_cast<const char*>(&v.number), sizeof v.number);
    key += "|" + std::to_string(v.str.size()) + ":" + v.str;
    for (const auto& s : v.strings) key += "|" + std::to_string(s.size()) + ":" + s;
    for (double d : v.numbers) key.append(reinterpret_cast<const char*>(&d), sizeof d);
    auto [it, inserted] =
        const_index_.emplace(std::move(key), static_cast<std::uint32_t>(plan_->constants.size()));
    if (inserted) plan_->constants.push_back(v);
    return it->second;
  }

  void Emit(const Bound& b, Program& p) {
    switch (b.kind) {
      case BoundKind::kConst:
        p.code.push_back({OpCode::kConst, b.type, ConstIndex(b.value)});
        return;
      case BoundKind::kField:
        event_slots_->insert(b.index);
        p.code.push_back({OpCode::kField, b.type, b.index});
        return;
      case BoundKind::kAccount:
        account_slots_->insert(b.index);
        p.code.push_back({OpCode::kAccount, b.type, b.index});
        return;
      case BoundKind::kSignal:
        p.code.push_back({OpCode::kSignal, Type::kNumber, b.index});
        return;
      case BoundKind::kAggregate:
        p.code.push_back({OpCode::kAggregate, b.type, b.index});
        return;
      case BoundKind::kLet:
        p.code.push_back({OpCode::kLet, b.type, b.index});
        return;
      case BoundKind::kUnary:
        Emit(b.args[0], p);
        p.code.push_back({b.op == Op::kNot ? OpCode::kNot : OpCode::kNeg, b.args[0].type, 0});
        return;
      case BoundKind::kBinary: {
        Emit(b.args[0], p);
        if (b.op == Op::kMatches) {
          p.code.push_back({OpCode::kMatch, Type::kString, b.index});
          return;
        }
        if (b.op == Op::kIn || b.op == Op::kNotIn) {
          // The list is a constant operand of the instruction, not a stack value.
          p.code.push_back({BinaryOpCode(b.op), b.args[0].type, ConstIndex(b.args[1].value)});
          return;
        }
        Emit(b.args[1], p);
        p.code.push_back({BinaryOpCode(b.op), b.args[0].type, 0});
        return;
      }
    }
  }

  RulePlan* plan_;
  std::map<std::string, std::uint32_t> const_index_;
  std::set<std::uint32_t>* event_slots_;
  std::set<std::uint32_t>* account_slots_;
};

}  // namespace

RulePlan::RulePlan() = default;
RulePlan::~RulePlan() = default;
RulePlan::RulePlan(RulePlan&&) noexcept = default;
RulePlan& RulePlan::operator=(RulePlan&&) noexcept = default;

Plan Compile(const CheckedPack& pack, const SourceSet& sources) {
  Plan plan;
  plan.policies = pack.policies;
  std::set<std::uint32_t> all_events, all_accounts;
  std::set<std::string> all_detectors;
  for (const CheckedRule& r : pack.rules) {
    RulePlan rp;
    rp.id = r.id;
    rp.title = r.title;
    rp.owner = r.owner;
    rp.severity = r.severity;
    rp.status = r.status;
    rp.tags = r.tags;
    rp.references = r.references;
    rp.clause = r.clause;
    if (r.file < sources.size()) {
      const SourceFile& f = sources.file(r.file);
      rp.source_file = f.path;
      rp.source_sha256 = f.sha256;
      if (r.source && r.source->end_offset > r.source->loc.offset &&
          r.source->end_offset <= f.text.size()) {
        rp.source_text = f.text.substr(r.source->loc.offset,
                                       r.source->end_offset - r.source->loc.offset);
      }
    }
    rp.scope = r.scope;
    rp.window = r.window;
    rp.min_active_days = r.min_active_days;
    rp.require_policy = r.require_policy;
    rp.require_versions = r.require_versions;
    rp.detectors = r.detectors;

    std::set<std::uint32_t> ev, acc;
    // Scope keys and time are always read.
    ev.insert(static_cast<std::uint32_t>(event_slot::kTs));
    ev.insert(static_cast<std::uint32_t>(event_slot::kEventId));
    ev.insert(static_cast<std::uint32_t>(event_slot::kAccountId));
    if (r.scope == Scope::kOrg) ev.insert(static_cast<std::uint32_t>(event_slot::kOrgId));
    if (r.scope == Scope::kApiKey) ev.insert(static_cast<std::uint32_t>(event_slot::kApiKeyId));
    Emitter em(&rp, &ev, &acc);
    if (r.where) rp.where = em.Compile(*r.where);
    if (r.unless) rp.unless = em.Compile(*r.unless);
    for (const auto& a : r.aggregates) {
      AggregateSpec spec;
      spec.kind = a.kind;
      spec.text = a.text;
      if (a.predicate) spec.predicate = em.Compile(*a.predicate);
      if (a.value) {
        spec.value = em.Compile(*a.value);
        spec.value_type = a.value->type;
      }
      spec.result_type = a.result;
      spec.quantile = a.param;
      spec.per = a.per_us;
      rp.aggregates.push_back(std::move(spec));
    }
    for (const auto& l : r.lets) rp.lets.push_back({l.name, em.Compile(l.value), l.value.type});
    for (const auto& l : r.levels) rp.levels.push_back({l.level, em.Compile(l.condition)});
    rp.evidence.sample = r.sample;
    if (r.sample_by) rp.evidence.order_by = em.Compile(*r.sample_by);
    rp.evidence.descending = r.sample_desc;
    for (const auto& s : r.show) rp.evidence.show.push_back(em.Compile(s));
    rp.evidence.show_text = r.show_text;
    for (const auto& pattern : r.regexes) {
      rp.regex_patterns.push_back(pattern);
      rp.regexes.push_back(std::make_unique<Regex>(pattern));
    }
    rp.event_slots.assign(ev.begin(), ev.end());
    rp.account_slots.assign(acc.begin(), acc.end());
    all_events.insert(ev.begin(), ev.end());
    all_accounts.insert(acc.begin(), acc.end());
    all_detectors.insert(r.detectors.begin(), r.detectors.end());
    plan.rules.push_back(std::move(rp));
  }
  plan.event_slots.assign(all_events.begin(), all_events.end());
  plan.account_slots.assign(all_accounts.begin(), all_accounts.end());
  plan.detectors.assign(all_detectors.begin(), all_detectors.end());
  return plan;
}

}  // namespace tosguard::dsl
