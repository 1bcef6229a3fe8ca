// The checker: names, types, units, phases, ranges; all errors at once.
#include "dsl/checker/checker.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include <re2/re2.h>

#include "dsl/fmt/fmt.h"

namespace tosguard::dsl {

const char* TypeName(Type t) {
  switch (t) {
    case Type::kError: return "error";
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kBool: return "bool";
    case Type::kDuration: return "duration";
    case Type::kTimestamp: return "timestamp";
    case Type::kList: return "list";
    case Type::kSet: return "set";
    case Type::kRegex: return "regex";
  }
  return "?";
}

const char* AggKindName(AggKind k) {
  switch (k) {
    case AggKind::kCount: return "count";
    case AggKind::kSum: return "sum";
    case AggKind::kMin: return "min";
    case AggKind::kMax: return "max";
    case AggKind::kAvg: return "avg";
    case AggKind::kShare: return "share";
    case AggKind::kDistinct: return "distinct";
    case AggKind::kPercentile: return "percentile";
    case AggKind::kRate: return "rate";
    case AggKind::kActiveDays: return "active_days";
    case AggKind::kMaxGap: return "max_gap";
  }
  return "?";
}

const char* SeverityText(RuleSeverity s) {
  static const char* k[] = {"info", "low", "medium", "high", "critical"};
  return k[static_cast<int>(s)];
}
const char* StatusText(RuleStatus s) {
  static const char* k[] = {"experimental", "test", "stable"};
  return k[static_cast<int>(s)];
}
const char* ScopeText(Scope s) {
  static const char* k[] = {"account", "org", "api_key", "cluster"};
  return k[static_cast<int>(s)];
}
const char* LevelText(LevelKind l) { return l == LevelKind::kViolation ? "violation" : "review"; }

namespace {

Type FieldToType(FieldType t) {
  switch (t) {
    case FieldType::kBool: return Type::kBool;
    case FieldType::kInt:
    case FieldType::kNumber: return Type::kNumber;
    case FieldType::kString:
    case FieldType::kText: return Type::kString;
    case FieldType::kTimestamp: return Type::kTimestamp;
    case FieldType::kStringSet: return Type::kSet;
  }
  return Type::kError;
}

const std::vector<std::string> kFunctions = {
    "count", "sum", "min", "max", "avg", "share", "distinct", "percentile", "p50", "p90", "p95",
    "p99", "rate", "active_days", "max_gap", "signal", "accepted"};

// Where an expression appears; decides what it may contain.
enum class Ctx : std::uint8_t { kWhere, kUnless, kLet, kLevel, kEvidence, kDefine, kList };

const char* CtxName(Ctx c) {
  switch (c) {
    case Ctx::kWhere: return "'where'";
    case Ctx::kUnless: return "'unless'";
    case Ctx::kLet: return "a let";
    case Ctx::kLevel: return "a level";
    case Ctx::kEvidence: return "'evidence'";
    case Ctx::kDefine: return "a define";
    case Ctx::kList: return "a list";
  }
  return "?";
}

Bound Err(Loc loc) {
  Bound b;
  b.type = Type::kError;
  b.loc = loc;
  return b;
}

Bound Const(Loc loc, Value v) {
  Bound b;
  b.kind = BoundKind::kConst;
  b.type = v.type;
  b.loc = loc;
  b.value = std::move(v);
  return b;
}

bool IsNumberConst(const Bound& b) { return b.kind == BoundKind::kConst && b.type == Type::kNumber; }

struct PackScope {
  std::map<std::string, const Policy*> policies;
  std::map<std::string, const ListDecl*> lists;
  std::map<std::string, const Define*> defines;
  std::map<std::string, Value> list_values;
  std::set<std::string> bad_defines;  // reported once, on their own
  // Work done across the whole pack, so no input can make checking slow.
  mutable std::int64_t nodes_used = 0;
  mutable bool budget_reported = false;
  mutable std::int64_t errors = 0;  // reported by rule checkers, across the pack
};

// Past these, errors are counted but not described (no suggestion search either).
constexpr int kMaxRuleErrors = 100;
constexpr std::int64_t kMaxPackErrors = 1000;

constexpr std::int64_t kMaxPackNodes = 1'000'000;

class RuleChecker {
 public:
  RuleChecker(const SourceSet& src, const PackScope& pack, const CheckEnv& env,
              const RecordSchema& events, const RecordSchema& accounts, Diagnostics* diags,
              CheckedRule* out)
      : src_(src), pack_(pack), env_(env), events_(events), accounts_(accounts), diags_(diags),
        out_(out) {}

  void Error(Loc loc, std::string m) {
    if (mute_ == 0 && Reporting()) src_.Error(diags_, loc, std::move(m));
    ++errors_;
    ++pack_.errors;
  }
  // False once enough errors were reported; callers then skip costly messages.
  bool Reporting() const { return errors_ < kMaxRuleErrors && pack_.errors < kMaxPackErrors; }
  void Warn(Loc loc, std::string m) {
    if (mute_ == 0) src_.Warning(diags_, loc, std::move(m));
  }
  int errors() const { return errors_; }

  // Binds `e` for context `ctx`, then checks the phase the context allows.
  Bound BindTop(const Expr& e, Ctx ctx) {
    ctx_ = ctx;
    Bound b = Bind(e);
    if (b.type == Type::kError) return b;
    if ((ctx == Ctx::kWhere || ctx == Ctx::kUnless || ctx == Ctx::kEvidence) &&
        b.phase == Phase::kWindow) {
      Error(b.loc, std::string("aggregates are not allowed in ") + CtxName(ctx) +
                       ": it sees one event at a time");
      return Err(b.loc);
    }
    if (ctx == Ctx::kLevel && b.phase == Phase::kEvent) {
      Error(b.loc, "a level sees the whole window, not single events; use an aggregate "
                   "(e.g. count(...) or share(...)) around per-event values");
      return Err(b.loc);
    }
    return b;
  }

  // Binds a let; event-phase lets are kept for inlining, window-phase ones are slots.
  void BindLet(const Let& l) {
    if (let_index_.count(l.name)) {
      Error(l.loc, "let '" + l.name + "' is already defined in this rule");
      return;
    }
    if (events_.Slot(l.name)) {
      Warn(l.loc, "let '" + l.name + "' hides the event field of the same name");
    }
    Bound b = BindTop(l.value, Ctx::kLet);
    if (b.type != Type::kError && b.phase == Phase::kWindow) {
      out_->lets.push_back({l.name, b});
      Bound ref;
      ref.kind = BoundKind::kLet;
      ref.type = b.type;
      ref.phase = Phase::kWindow;
      ref.loc = l.loc;
      ref.index = static_cast<std::uint32_t>(out_->lets.size() - 1);
      ref.name = l.name;
      // A let bound directly to share() keeps the share's range for threshold checks.
      if (b.kind == BoundKind::kAggregate) ref.value.str = AggKindName(out_->aggregates[b.index].kind);
      let_bounds_.emplace_back(l.name, ref);
    } else {
      let_bounds_.emplace_back(l.name, b);
    }
    let_index_[l.name] = let_bounds_.size() - 1;
  }

  std::optional<bool> Decide(const Bound& b) const;

  Bound Bind(const Expr& e);

 private:
  static constexpr int kMaxBindDepth = 512;
  static constexpr int kMaxBindNodes = 100000;
  Bound BindNode(const Expr& e);
  Bound BindName(const Expr& e);
  Bound BindCall(const Expr& e);
  Bound BindAggregate(const Expr& e, AggKind kind);
  Bound BindUnary(const Expr& e);
  Bound BindBinary(const Expr& e);
  Bound Fold(Bound b);
  void CheckShareThreshold(const Bound& agg_side, const Bound& const_side, Loc loc);

  std::uint32_t DetectorIndex(const std::string& name) {
    auto [it, inserted] =
        detector_index_.emplace(name, static_cast<std::uint32_t>(out_->detectors.size()));
    if (inserted) out_->detectors.push_back(name);
    return it->second;
  }

  const SourceSet& src_;
  const PackScope& pack_;
  const CheckEnv& env_;
  const RecordSchema& events_;
  const RecordSchema& accounts_;
  Diagnostics* diags_;
  CheckedRule* out_;
  Ctx ctx_ = Ctx::kWhere;
  int mute_ = 0;
  int errors_ = 0;
  int in_aggregate_ = 0;
  int bind_depth_ = 0;
  int bind_nodes_ = 0;
  bool size_reported_ = false;
  std::vector<std::pair<std::string, Bound>> let_bounds_;
  std::map<std::string, std::size_t> let_index_;
  std::map<std::string, std::uint32_t> detector_index_;
  std::map<std::string, std::uint32_t> aggregate_index_;
  std::map<std::string, std::uint32_t> regex_index_;
  std::set<std::string> defines_in_progress_;
};

Bound RuleChecker::Bind(const Expr& e) {
  // Defines are inlined, so a chain or a doubling of defines could make a tree far
  // deeper or larger than any source expression: both are capped.
  if (bind_depth_ >= kMaxBindDepth || bind_nodes_ >= kMaxBindNodes) {
    if (!size_reported_) {
      size_reported_ = true;
      Error(e.loc, bind_depth_ >= kMaxBindDepth
                       ? "expression nested too deeply once defines are expanded (more than " +
                             std::to_string(kMaxBindDepth) + " levels)"
                       : "expression too large (more than " +
                             std::to_string(kMaxBindNodes) + " nodes, counting expanded defines)");
    } else {
      ++errors_;
    }
    return Err(e.loc);
  }
  if (pack_.nodes_used >= kMaxPackNodes) {
    if (!pack_.budget_reported) {
      pack_.budget_reported = true;
      Error(e.loc, "rule pack too large to check (more than " + std::to_string(kMaxPackNodes) +
                       " expression nodes once defines are expanded)");
    } else {
      ++errors_;
    }
    return Err(e.loc);
  }
  ++pack_.nodes_used;
  ++bind_depth_;
  ++bind_nodes_;
  Bound b = BindNode(e);
  --bind_depth_;
  return b;
}

Bound RuleChecker::BindNode(const Expr& e) {
  Value v;
  switch (e.kind) {
    case ExprKind::kNumber:
      v.type = Type::kNumber;
      v.number = e.number;
      return Const(e.loc, v);
    case ExprKind::kString:
      v.type = Type::kString;
      v.str = e.text;
      return Const(e.loc, v);
    case ExprKind::kDuration:
      v.type = Type::kDuration;
      v.int_value = e.int_value;
      return Const(e.loc, v);
    case ExprKind::kTimestamp:
      v.type = Type::kTimestamp;
      v.int_value = e.int_value;
      return Const(e.loc, v);
    case ExprKind::kBool:
      v.type = Type::kBool;
      v.bool_value = e.bool_value;
      return Const(e.loc, v);
    case ExprKind::kRegex:
      Error(e.loc, "a regex may only follow 'matches'");
      return Err(e.loc);
    case ExprKind::kList: {
      v.type = Type::kList;
      for (const auto& item : e.args) {
        Bound b = Bind(item);
        if (b.type == Type::kError) return Err(e.loc);
        if (b.kind != BoundKind::kConst || (b.type != Type::kString && b.type != Type::kNumber)) {
          Error(item.loc, "list items must be string or number constants");
          return Err(e.loc);
        }
        if (v.item_type != Type::kError && v.item_type != b.type) {
          Error(item.loc, std::string("list mixes ") + TypeName(v.item_type) + " and " +
                              TypeName(b.type) + " items");
          return Err(e.loc);
        }
        v.item_type = b.type;
        if (b.type == Type::kString) {
          v.strings.push_back(b.value.str);
        } else {
          v.numbers.push_back(b.value.number);
        }
      }
      return Const(e.loc, v);
    }
    case ExprKind::kName:
      return BindName(e);
    case ExprKind::kCall:
      return BindCall(e);
    case ExprKind::kUnary:
      return BindUnary(e);
    case ExprKind::kBinary:
      return BindBinary(e);
  }
  return Err(e.loc);
}

Bound RuleChecker::BindName(const Expr& e) {
  const std::string& full = e.text;
  if (e.path.size() >= 2 && e.path[0] == "account") {
    std::string attr = full.substr(8);
    auto slot = accounts_.Slot(attr);
    if (!slot) {
      std::vector<std::string> names;
      for (const auto& f : accounts_.fields()) names.push_back(f.name);
      Error(e.loc, "unknown account attribute '" + attr + "'" + DidYouMean(attr, names));
      return Err(e.loc);
    }
    Bound b;
    b.kind = BoundKind::kAccount;
    b.type = FieldToType(accounts_.field(*slot).type);
    b.phase = Phase::kEvent;
    b.loc = e.loc;
    b.index = static_cast<std::uint32_t>(*slot);
    b.name = full;
    return b;
  }
  if (e.path.size() == 1) {
    if (auto it = let_index_.find(full); it != let_index_.end()) {
      Bound b = let_bounds_[it->second].second;
      b.loc = e.loc;
      if (b.type == Type::kError) return Err(e.loc);
      return b;
    }
  }
  if (auto slot = events_.Slot(full)) {
    if (ctx_ == Ctx::kUnless) {
      Error(e.loc, "'unless' tests account attributes (account.*), not event fields such as '" +
                       full + "'; filter events with 'where'");
      return Err(e.loc);
    }
    Bound b;
    b.kind = BoundKind::kField;
    b.type = FieldToType(events_.field(*slot).type);
    b.phase = Phase::kEvent;
    b.loc = e.loc;
    b.index = static_cast<std::uint32_t>(*slot);
    b.name = full;
    return b;
  }
  if (e.path.size() == 1) {
    if (auto it = pack_.list_values.find(full); it != pack_.list_values.end()) {
      return Const(e.loc, it->second);
    }
    if (auto it = pack_.defines.find(full); it != pack_.defines.end()) {
      if (defines_in_progress_.count(full)) {
        Error(e.loc, "define '" + full + "' refers to itself");
        return Err(e.loc);
      }
      if (pack_.bad_defines.count(full)) {
        ++errors_;
        return Err(e.loc);
      }
      defines_in_progress_.insert(full);
      Bound b = Bind(it->second->value);
      defines_in_progress_.erase(full);
      if (b.type == Type::kError) return Err(e.loc);
      return b;
    }
    if (pack_.policies.count(full)) {
      Error(e.loc, "'" + full + "' is a policy; policies appear only in 'clause' and "
                                "'require accepted(...)'");
      return Err(e.loc);
    }
  }
  if (!Reporting()) {
    Error(e.loc, "");
    return Err(e.loc);
  }
  std::vector<std::string> names;
  for (const auto& f : events_.fields()) names.push_back(f.name);
  for (const auto& f : accounts_.fields()) names.push_back("account." + f.name);
  for (const auto& [n, _] : let_bounds_) names.push_back(n);
  for (const auto& [n, _] : pack_.lists) names.push_back(n);
  for (const auto& [n, _] : pack_.defines) names.push_back(n);
  Error(e.loc, "unknown name '" + full + "'" + DidYouMean(full, names));
  return Err(e.loc);
}

Bound RuleChecker::BindCall(const Expr& e) {
  const std::string& f = e.text;
  if (f == "signal") {
    if (e.args.size() != 1 || e.args[0].kind != ExprKind::kString) {
      Error(e.loc, "signal() takes one string: the detector's name, e.g. signal(\"distill\")");
      return Err(e.loc);
    }
    const std::string& name = e.args[0].text;
    bool known = env_.any_detector ||
                 std::find(env_.detectors.begin(), env_.detectors.end(), name) != env_.detectors.end();
    if (!known) {
      std::string msg = "unknown detector '" + name + "'" + DidYouMean(name, env_.detectors);
      if (env_.detectors.empty()) msg += "; declare detectors in the configuration";
      Error(e.args[0].loc, msg);
      return Err(e.loc);
    }
    if (ctx_ == Ctx::kUnless) {
      Error(e.loc, "'unless' tests account attributes, not detector signals");
      return Err(e.loc);
    }
    Bound b;
    b.kind = BoundKind::kSignal;
    b.type = Type::kNumber;
    b.phase = Phase::kEvent;
    b.loc = e.loc;
    b.index = DetectorIndex(name);
    b.name = name;
    return b;
  }
  if (f == "accepted") {
    Error(e.loc, "accepted(...) may only be used as 'require accepted(policy)'");
    return Err(e.loc);
  }
  static const std::map<std::string, AggKind> kAggs = {
      {"count", AggKind::kCount}, {"sum", AggKind::kSum}, {"min", AggKind::kMin},
      {"max", AggKind::kMax}, {"avg", AggKind::kAvg}, {"share", AggKind::kShare},
      {"distinct", AggKind::kDistinct}, {"percentile", AggKind::kPercentile},
      {"p50", AggKind::kPercentile}, {"p90", AggKind::kPercentile},
      {"p95", AggKind::kPercentile}, {"p99", AggKind::kPercentile}, {"rate", AggKind::kRate},
      {"active_days", AggKind::kActiveDays}, {"max_gap", AggKind::kMaxGap}};
  auto it = kAggs.find(f);
  if (it == kAggs.end()) {
    Error(e.loc, "unknown function '" + f + "'" + DidYouMean(f, kFunctions));
    return Err(e.loc);
  }
  return BindAggregate(e, it->second);
}

Bound RuleChecker::BindAggregate(const Expr& e, AggKind kind) {
  const std::string& f = e.text;
  if (in_aggregate_ > 0) {
    Error(e.loc, "aggregate '" + f + "' inside another aggregate");
    return Err(e.loc);
  }
  if (ctx_ == Ctx::kWhere || ctx_ == Ctx::kUnless || ctx_ == Ctx::kEvidence) {
    Error(e.loc, "aggregate '" + f + "' is not allowed in " + CtxName(ctx_) +
                     ": it sees one event at a time");
    return Err(e.loc);
  }
  BoundAggregate agg;
  agg.kind = kind;
  agg.loc = e.loc;
  agg.text = FormatExpr(e);
  auto arity = [&](std::size_t lo, std::size_t hi, const char* shape) {
    if (e.args.size() < lo || e.args.size() > hi) {
      Error(e.loc, f + "() takes " + shape);
      return false;
    }
    return true;
  };
  ++in_aggregate_;
  auto bind_event = [&](const Expr& a) {
    Bound b = Bind(a);
    if (b.type != Type::kError && b.phase == Phase::kWindow) {
      Error(a.loc, "aggregate inside an aggregate (" + f + " of a window value)");
      return Err(a.loc);
    }
    return b;
  };
  bool ok = true;
  switch (kind) {
    case AggKind::kCount:
    case AggKind::kShare: {
      if (!arity(kind == AggKind::kShare ? 1 : 0, 1, kind == AggKind::kShare
                                                          ? "one condition: share(cond)"
                                                          : "at most one condition: count() or count(cond)")) {
        ok = false;
        break;
      }
      if (!e.args.empty()) {
        Bound p = bind_event(e.args[0]);
        if (p.type == Type::kError) { ok = false; break; }
        if (p.type != Type::kBool) {
          Error(e.args[0].loc, f + "() needs a condition (bool), not a " + TypeName(p.type));
          ok = false;
          break;
        }
        agg.predicate = p;
      }
      break;
    }
    case AggKind::kSum: case AggKind::kMin: case AggKind::kMax: case AggKind::kAvg:
    case AggKind::kDistinct: case AggKind::kPercentile: {
      bool pct = kind == AggKind::kPercentile;
      bool named = pct && f != "percentile";
      if (!arity(named ? 1 : (pct ? 2 : 1), named ? 1 : (pct ? 2 : 1),
                 pct ? (named ? "one value" : "a value and a quantile: percentile(x, 0.95)")
                     : "one value")) {
        ok = false;
        break;
      }
      Bound v = bind_event(e.args[0]);
      if (v.type == Type::kError) { ok = false; break; }
      Type t = v.type;
      if (kind == AggKind::kDistinct) {
        if (t != Type::kString && t != Type::kNumber && t != Type::kBool) {
          Error(e.args[0].loc, std::string("distinct() counts strings, numbers or bools, not a ") +
                                   TypeName(t));
          ok = false;
        }
        agg.result = Type::kNumber;
      } else if (kind == AggKind::kMin || kind == AggKind::kMax) {
        if (t != Type::kNumber && t != Type::kDuration && t != Type::kTimestamp) {
          Error(e.args[0].loc, f + "() needs a number, duration or timestamp, not a " + TypeName(t));
          ok = false;
        }
        agg.result = t;
      } else {
        if (t != Type::kNumber && t != Type::kDuration) {
          Error(e.args[0].loc, f + "() needs a number or duration, not a " + TypeName(t));
          ok = false;
        }
        agg.result = t;
      }
      if (v.kind == BoundKind::kConst && ok) {
        Warn(e.args[0].loc, f + "() of a constant");
      }
      agg.value = v;
      if (pct) {
        if (named) {
          agg.param = std::stod(f.substr(1)) / 100.0;
        } else {
          Bound q = Bind(e.args[1]);
          if (q.type == Type::kError) { ok = false; break; }
          if (!IsNumberConst(q) || !(q.value.number > 0 && q.value.number < 1)) {
            Error(e.args[1].loc, "the quantile of percentile() is a number constant in (0, 1)");
            ok = false;
            break;
          }
          agg.param = q.value.number;
        }
      }
      break;
    }
    case AggKind::kRate: {
      if (!arity(1, 2, "a period and an optional condition: rate(1h) or rate(1d, cond)")) {
        ok = false;
        break;
      }
      Bound per = Bind(e.args[0]);
      if (per.type == Type::kError) { ok = false; break; }
      if (per.kind != BoundKind::kConst || per.type != Type::kDuration ||
          per.value.int_value <= 0) {
        Error(e.args[0].loc, "the period of rate() is a positive duration constant, e.g. 1h or 1d");
        ok = false;
        break;
      }
      agg.per_us = per.value.int_value;
      if (e.args.size() == 2) {
        Bound p = bind_event(e.args[1]);
        if (p.type == Type::kError) { ok = false; break; }
        if (p.type != Type::kBool) {
          Error(e.args[1].loc, std::string("rate() needs a condition (bool), not a ") + TypeName(p.type));
          ok = false;
          break;
        }
        agg.predicate = p;
      }
      break;
    }
    case AggKind::kActiveDays:
    case AggKind::kMaxGap:
      if (!arity(0, 0, "no arguments")) ok = false;
      agg.result = kind == AggKind::kMaxGap ? Type::kDuration : Type::kNumber;
      break;
  }
  --in_aggregate_;
  if (!ok) return Err(e.loc);
  // Identical aggregates share one slot.
  auto [slot, inserted] =
      aggregate_index_.emplace(agg.text, static_cast<std::uint32_t>(out_->aggregates.size()));
  std::uint32_t index = slot->second;
  Bound b;
  b.kind = BoundKind::kAggregate;
  b.type = agg.result;
  b.phase = Phase::kWindow;
  b.loc = e.loc;
  b.index = index;
  b.name = agg.text;
  if (inserted) out_->aggregates.push_back(std::move(agg));
  return b;
}

Phase MaxPhase(Phase a, Phase b) { return a > b ? a : b; }

Bound RuleChecker::BindUnary(const Expr& e) {
  Bound a = Bind(e.args[0]);
  if (a.type == Type::kError) return Err(e.loc);
  Bound b;
  b.kind = BoundKind::kUnary;
  b.op = e.op;
  b.loc = e.loc;
  b.phase = a.phase;
  if (e.op == Op::kNot) {
    if (a.type != Type::kBool) {
      Error(e.loc, std::string("'not' needs a bool, not a ") + TypeName(a.type));
      return Err(e.loc);
    }
    b.type = Type::kBool;
  } else {
    if (a.type != Type::kNumber && a.type != Type::kDuration) {
      Error(e.loc, std::string("'-' needs a number or duration, not a ") + TypeName(a.type));
      return Err(e.loc);
    }
    b.type = a.type;
  }
  b.args.push_back(std::move(a));
  return Fold(std::move(b));
}

void RuleChecker::CheckShareThreshold(const Bound& agg_side, const Bound& const_side, Loc loc) {
  bool is_share = (agg_side.kind == BoundKind::kAggregate &&
                   out_->aggregates[agg_side.index].kind == AggKind::kShare) ||
                  (agg_side.kind == BoundKind::kLet && agg_side.value.str == "share");
  if (is_share && IsNumberConst(const_side) &&
      (const_side.value.number < 0 || const_side.value.number > 1)) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, const_side.value.number);
    Error(loc, "a share is a fraction in [0, 1]; " + std::string(buf, res.ptr) +
                   " is out of range (write 0.6 for 60%)");
  }
}

Bound RuleChecker::BindBinary(const Expr& e) {
  Op op = e.op;
  Bound a = Bind(e.args[0]);
  if (op == Op::kMatches) {
    if (a.type == Type::kError) return Err(e.loc);
    const Expr& r = e.args[1];
    if (r.kind != ExprKind::kRegex) {
      Error(r.loc, "'matches' needs a regex literal such as /pattern/i");
      return Err(e.loc);
    }
    if (a.type != Type::kString) {
      Error(e.loc, std::string("'matches' needs a string on its left, not a ") + TypeName(a.type));
      return Err(e.loc);
    }
    std::string pattern = r.flags.empty() ? r.text : "(?" + r.flags + ")" + r.text;
    RE2::Options opts;
    opts.set_log_errors(false);
    RE2 re(pattern, opts);
    if (!re.ok()) {
      Error(r.loc, "invalid regex: " + re.error());
      return Err(e.loc);
    }
    Bound b;
    b.kind = BoundKind::kBinary;
    b.op = op;
    b.type = Type::kBool;
    b.phase = a.phase;
    b.loc = e.loc;
    auto [slot, inserted] =
        regex_index_.emplace(pattern, static_cast<std::uint32_t>(out_->regexes.size()));
    if (inserted) out_->regexes.push_back(pattern);
    b.index = slot->second;
    b.name = pattern;
    b.args.push_back(std::move(a));
    return b;
  }
  Bound c = Bind(e.args[1]);
  if (a.type == Type::kError || c.type == Type::kError) return Err(e.loc);
  Bound b;
  b.kind = BoundKind::kBinary;
  b.op = op;
  b.loc = e.loc;
  if ((a.phase == Phase::kEvent && c.phase == Phase::kWindow) ||
      (a.phase == Phase::kWindow && c.phase == Phase::kEvent)) {
    Error(e.loc, std::string("'") + OpText(op) +
                     "' mixes a per-event value with a window aggregate; put the per-event "
                     "part inside an aggregate");
    return Err(e.loc);
  }
  b.phase = MaxPhase(a.phase, c.phase);
  Type ta = a.type, tc = c.type;
  auto mismatch = [&](const char* what) {
    std::string m = std::string("cannot ") + what + " a " + TypeName(ta) + " and a " + TypeName(tc) +
                    " with '" + OpText(op) + "'";
    if ((ta == Type::kDuration && tc == Type::kNumber) ||
        (ta == Type::kNumber && tc == Type::kDuration)) {
      m += " (a duration never compares with a count; write the duration with its unit, e.g. 2h)";
    }
    Error(e.loc, m);
    return Err(e.loc);
  };
  switch (op) {
    case Op::kAnd:
    case Op::kOr:
      if (ta != Type::kBool || tc != Type::kBool) return mismatch("combine");
      b.type = Type::kBool;
      break;
    case Op::kEq:
    case Op::kNe:
      if (ta != tc || ta == Type::kList || ta == Type::kSet || ta == Type::kRegex) {
        return mismatch("compare");
      }
      b.type = Type::kBool;
      break;
    case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
      if (ta != tc || (ta != Type::kNumber && ta != Type::kDuration && ta != Type::kTimestamp &&
                       ta != Type::kString)) {
        return mismatch("compare");
      }
      CheckShareThreshold(a, c, e.loc);
      CheckShareThreshold(c, a, e.loc);
      b.type = Type::kBool;
      break;
    case Op::kIn:
    case Op::kNotIn:
      if (tc != Type::kList) {
        Error(e.args[1].loc, std::string("'") + OpText(op) + "' needs a list on its right, not a " +
                                 TypeName(tc) + (tc == Type::kSet ? " (use 'has' for sets)" : ""));
        return Err(e.loc);
      }
      if (ta != Type::kString && ta != Type::kNumber) return mismatch("test membership of");
      if (c.value.item_type != Type::kError && c.value.item_type != ta) {
        Error(e.loc, std::string("the list holds ") + TypeName(c.value.item_type) + "s, the value is a " +
                         TypeName(ta));
        return Err(e.loc);
      }
      b.type = Type::kBool;
      break;
    case Op::kHas:
      if (ta != Type::kSet || tc != Type::kString) {
        Error(e.loc, std::string("'has' tests a set for a string (account.contract has \"x\"), "
                                 "not a ") + TypeName(ta) + " for a " + TypeName(tc));
        return Err(e.loc);
      }
      b.type = Type::kBool;
      break;
    case Op::kStartsWith: case Op::kEndsWith: case Op::kContains:
      if (ta != Type::kString || tc != Type::kString) return mismatch("test");
      b.type = Type::kBool;
      break;
    case Op::kAdd:
      if (ta == Type::kNumber && tc == Type::kNumber) b.type = Type::kNumber;
      else if (ta == Type::kDuration && tc == Type::kDuration) b.type = Type::kDuration;
      else if ((ta == Type::kTimestamp && tc == Type::kDuration) ||
               (ta == Type::kDuration && tc == Type::kTimestamp)) b.type = Type::kTimestamp;
      else return mismatch("add");
      break;
    case Op::kSub:
      if (ta == Type::kNumber && tc == Type::kNumber) b.type = Type::kNumber;
      else if (ta == Type::kDuration && tc == Type::kDuration) b.type = Type::kDuration;
      else if (ta == Type::kTimestamp && tc == Type::kDuration) b.type = Type::kTimestamp;
      else if (ta == Type::kTimestamp && tc == Type::kTimestamp) b.type = Type::kDuration;
      else return mismatch("subtract");
      break;
    case Op::kMul:
      if (ta == Type::kNumber && tc == Type::kNumber) b.type = Type::kNumber;
      else if ((ta == Type::kDuration && tc == Type::kNumber) ||
               (ta == Type::kNumber && tc == Type::kDuration)) b.type = Type::kDuration;
      else return mismatch("multiply");
      break;
    case Op::kDiv:
      if (ta == Type::kNumber && tc == Type::kNumber) b.type = Type::kNumber;
      else if (ta == Type::kDuration && tc == Type::kNumber) b.type = Type::kDuration;
      else if (ta == Type::kDuration && tc == Type::kDuration) b.type = Type::kNumber;
      else return mismatch("divide");
      if (c.kind == BoundKind::kConst && c.value.number == 0 && c.value.int_value == 0) {
        Error(e.loc, "division by zero");
        return Err(e.loc);
      }
      break;
    case Op::kMod:
      if (ta != Type::kNumber || tc != Type::kNumber) return mismatch("take the remainder of");
      if (IsNumberConst(c) && c.value.number == 0) {
        Error(e.loc, "division by zero");
        return Err(e.loc);
      }
      b.type = Type::kNumber;
      break;
    default:
      return mismatch("combine");
  }
  b.args.push_back(std::move(a));
  b.args.push_back(std::move(c));
  return Fold(std::move(b));
}

// Folds an operator whose operands are all constants.
Bound RuleChecker::Fold(Bound b) {
  for (const auto& a : b.args) {
    if (a.kind != BoundKind::kConst) return b;
  }
  if (b.kind == BoundKind::kBinary && b.op == Op::kMatches) return b;
  Value v;
  v.type = b.type;
  const Value& x = b.args[0].value;
  if (b.kind == BoundKind::kUnary) {
    if (b.op == Op::kNot) v.bool_value = !x.bool_value;
    else if (x.type == Type::kNumber) v.number = -x.number;
    else v.int_value = -x.int_value;
    return Const(b.loc, v);
  }
  const Value& y = b.args[1].value;
  auto num = [](const Value& val) {
    return val.type == Type::kNumber ? val.number : static_cast<double>(val.int_value);
  };
  auto cmp = [&]() -> int {
    if (x.type == Type::kString) return x.str < y.str ? -1 : (x.str > y.str ? 1 : 0);
    if (x.type == Type::kBool) return x.bool_value == y.bool_value ? 0 : 1;
    double p = num(x), q = num(y);
    return p < q ? -1 : (p > q ? 1 : 0);
  };
  switch (b.op) {
    case Op::kAnd: v.bool_value = x.bool_value && y.bool_value; break;
    case Op::kOr: v.bool_value = x.bool_value || y.bool_value; break;
    case Op::kEq: v.bool_value = cmp() == 0; break;
    case Op::kNe: v.bool_value = cmp() != 0; break;
    case Op::kLt: v.bool_value = cmp() < 0; break;
    case Op::kLe: v.bool_value = cmp() <= 0; break;
    case Op::kGt: v.bool_value = cmp() > 0; break;
    case Op::kGe: v.bool_value = cmp() >= 0; break;
    case Op::kIn:
    case Op::kNotIn: {
      bool found = x.type == Type::kString
                       ? std::find(y.strings.begin(), y.strings.end(), x.str) != y.strings.end()
                       : std::find(y.numbers.begin(), y.numbers.end(), x.number) != y.numbers.end();
      v.bool_value = b.op == Op::kIn ? found : !found;
      break;
    }
    case Op::kStartsWith: v.bool_value = x.str.rfind(y.str, 0) == 0; break;
    case Op::kEndsWith:
      v.bool_value = x.str.size() >= y.str.size() &&
                     x.str.compare(x.str.size() - y.str.size(), y.str.size(), y.str) == 0;
      break;
    case Op::kContains: v.bool_value = x.str.find(y.str) != std::string::npos; break;
    case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod: {
      double p = num(x), q = num(y);
      double r = b.op == Op::kAdd ? p + q : b.op == Op::kSub ? p - q : b.op == Op::kMul ? p * q
                 : b.op == Op::kDiv ? p / q : std::fmod(p, q);
      if (!std::isfinite(r) || (b.type != Type::kNumber && std::fabs(r) > 9.2e18)) {
        Error(b.loc, "constant arithmetic overflows");
        return Err(b.loc);
      }
      if (b.type == Type::kNumber) v.number = r;
      else v.int_value = static_cast<std::int64_t>(r);
      break;
    }
    default:
      return b;
  }
  return Const(b.loc, v);
}

// Lower and upper bounds of a window value, when known (counts are never negative,
// shares lie in [0, 1]).
std::optional<std::pair<double, double>> Range(const Bound& b,
                                               const std::vector<BoundAggregate>& aggs,
                                               const std::vector<CheckedLet>& lets) {
  if (b.kind == BoundKind::kLet && b.index < lets.size()) return Range(lets[b.index].value, aggs, lets);
  if (b.kind == BoundKind::kConst && b.type == Type::kNumber) {
    return std::make_pair(b.value.number, b.value.number);
  }
  if (b.kind == BoundKind::kAggregate) {
    switch (aggs[b.index].kind) {
      case AggKind::kShare: return std::make_pair(0.0, 1.0);
      case AggKind::kCount: case AggKind::kDistinct: case AggKind::kRate:
      case AggKind::kActiveDays:
        return std::make_pair(0.0, HUGE_VAL);
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<bool> RuleChecker::Decide(const Bound& b) const {
  if (b.kind == BoundKind::kConst && b.type == Type::kBool) return b.value.bool_value;
  if (b.kind == BoundKind::kUnary && b.op == Op::kNot) {
    auto x = Decide(b.args[0]);
    if (x) return !*x;
    return std::nullopt;
  }
  if (b.kind != BoundKind::kBinary) return std::nullopt;
  if (b.op == Op::kAnd || b.op == Op::kOr) {
    auto x = Decide(b.args[0]), y = Decide(b.args[1]);
    bool dominant = b.op == Op::kOr;
    if ((x && *x == dominant) || (y && *y == dominant)) return dominant;
    if (x && y) return !dominant;
    return std::nullopt;
  }
  if (b.op != Op::kLt && b.op != Op::kLe && b.op != Op::kGt && b.op != Op::kGe) return std::nullopt;
  auto l = Range(b.args[0], out_->aggregates, out_->lets),
       r = Range(b.args[1], out_->aggregates, out_->lets);
  if (!l || !r) return std::nullopt;
  // l op r for every value in the ranges?
  auto all = [&](auto pred) { return pred(l->first, r->second) && pred(l->second, r->first) &&
                                     pred(l->first, r->first) && pred(l->second, r->second); };
  auto lt = [](double p, double q) { return p < q; };
  auto le = [](double p, double q) { return p <= q; };
  auto gt = [](double p, double q) { return p > q; };
  auto ge = [](double p, double q) { return p >= q; };
  switch (b.op) {
    case Op::kLt: if (all(lt)) return true; if (all(ge)) return false; break;
    case Op::kLe: if (all(le)) return true; if (all(gt)) return false; break;
    case Op::kGt: if (all(gt)) return true; if (all(le)) return false; break;
    case Op::kGe: if (all(ge)) return true; if (all(lt)) return false; break;
    default: break;
  }
  return std::nullopt;
}

template <typename T>
std::optional<T> ParseWord(const SourceSet& src, Diagnostics* diags, const std::optional<Word>& w,
                           const char* what, const std::vector<std::string>& names,
                           const std::vector<T>& values, bool* failed) {
  if (!w) return std::nullopt;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == w->value) return values[i];
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  src.Error(diags, w->loc, std::string("unknown ") + what + " '" + w->value + "'" +
                               DidYouMean(w->value, names) + "; expected one of " + list);
  *failed = true;
  return std::nullopt;
}

}  // namespace

CheckedPack CheckPack(const SourceSet& src, const std::vector<File>& files, const CheckEnv& env,
                      Diagnostics* diags) {
  const RecordSchema& events = env.events ? *env.events : CanonicalSchema(RecordKind::kEvent);
  const RecordSchema& accounts =
      env.accounts ? *env.accounts : CanonicalSchema(RecordKind::kAccount);
  CheckedPack pack;
  PackScope scope;
  std::map<std::string, Loc> top_names;  // one namespace for policies, lists and defines
  auto claim = [&](const std::string& name, Loc loc, const char* kind) {
    auto [it, inserted] = top_names.emplace(name, loc);
    if (!inserted) {
      auto [line, col] = src.LineColumn(it->second);
      src.Error(diags, loc, std::string(kind) + " '" + name + "' is already declared at " +
                                src.file(it->second.file).path + ":" + std::to_string(line) + ":" +
                                std::to_string(col));
      return false;
    }
    return true;
  };

  for (const auto& f : files) {
    for (const auto& p : f.policies) {
      if (!claim(p.id, p.loc, "policy")) continue;
      scope.policies[p.id] = &p;
      CheckedPolicy cp{p.id, p.title, {}};
      std::set<std::string> seen;
      for (std::size_t i = 0; i < p.versions.size(); ++i) {
        const auto& v = p.versions[i];
        if (!seen.insert(v.name).second) {
          src.Error(diags, v.loc, "version '" + v.name + "' of policy '" + p.id + "' is declared twice");
        }
        if (i > 0 && v.effective <= p.versions[i - 1].effective) {
          src.Error(diags, v.loc, "versions of policy '" + p.id +
                                      "' must be listed by increasing effective date");
        }
        cp.versions.push_back({v.name, v.effective});
      }
      if (p.versions.empty()) {
        src.Error(diags, p.loc, "policy '" + p.id + "' has no version");
      }
      pack.policies.push_back(std::move(cp));
    }
    for (const auto& l : f.lists) {
      if (claim(l.name, l.loc, "list")) scope.lists[l.name] = &l;
    }
    for (const auto& d : f.defines) {
      if (claim(d.name, d.loc, "define")) scope.defines[d.name] = &d;
    }
  }
  // Lists are constants; bind them once with a scratch checker.
  for (const auto& [name, l] : scope.lists) {
    CheckedRule scratch;
    RuleChecker rc(src, scope, env, events, accounts, diags, &scratch);
    Bound b = rc.BindTop(l->value, Ctx::kList);
    if (b.type == Type::kList && b.kind == BoundKind::kConst) scope.list_values[name] = b.value;
  }
  // Defines are checked once on their own (their errors are reported here, and muted
  // where they are inlined).
  for (const auto& [name, d] : scope.defines) {
    CheckedRule scratch;
    RuleChecker rc(src, scope, env, events, accounts, diags, &scratch);
    rc.BindTop(d->value, Ctx::kDefine);
    if (rc.errors() > 0) scope.bad_defines.insert(name);
  }

  std::map<std::string, Loc> rule_ids;
  bool truncated_rules = false;
  for (const auto& f : files) {
    for (const auto& r : f.rules) {
      Diagnostics local;
      CheckedRule out;
      out.source = &r;
      out.file = f.index;
      out.id = r.id;
      bool failed = false;
      if (auto [it, inserted] = rule_ids.emplace(r.id, r.loc); !inserted) {
        auto [line, col] = src.LineColumn(it->second);
        src.Error(&local, r.loc, "rule '" + r.id + "' is already declared at " +
                                     src.file(it->second.file).path + ":" + std::to_string(line) +
                                     ":" + std::to_string(col));
        failed = true;
      }
      if (r.title) out.title = r.title->value;
      if (r.owner) out.owner = r.owner->value;
      if (r.tags) for (const auto& t : *r.tags) out.tags.push_back(t.value);
      if (r.references) for (const auto& t : *r.references) out.references.push_back(t.value);
      auto sev = ParseWord<RuleSeverity>(
          src, &local, r.severity, "severity", {"info", "low", "medium", "high", "critical"},
          {RuleSeverity::kInfo, RuleSeverity::kLow, RuleSeverity::kMedium, RuleSeverity::kHigh,
           RuleSeverity::kCritical}, &failed);
      if (!r.severity) {
        src.Error(&local, r.loc, "rule '" + r.id + "' has no severity (info, low, medium, high or critical)");
        failed = true;
      }
      out.severity = sev.value_or(RuleSeverity::kMedium);
      out.status = ParseWord<RuleStatus>(src, &local, r.status, "status",
                                         {"experimental", "test", "stable"},
                                         {RuleStatus::kExperimental, RuleStatus::kTest,
                                          RuleStatus::kStable}, &failed)
                       .value_or(RuleStatus::kExperimental);
      out.scope = ParseWord<Scope>(src, &local, r.scope, "scope",
                                   {"account", "org", "api_key", "cluster"},
                                   {Scope::kAccount, Scope::kOrg, Scope::kApiKey, Scope::kCluster},
                                   &failed)
                      .value_or(Scope::kAccount);
      if (!r.window) {
        src.Error(&local, r.loc, "rule '" + r.id + "' has no window (e.g. 'window 30d')");
        failed = true;
      } else {
        out.window = r.window->duration;
        if (out.window <= 0 || out.window % kMicrosPerDay != 0 || out.window > 3660 * kMicrosPerDay) {
          // Windows slide over whole UTC days; sub-day windows cannot be evaluated daily.
          if (out.window < kMicrosPerDay || out.window % kMicrosPerDay != 0) {
            src.Error(&local, r.window->loc, "a window is a whole number of days (e.g. 1d, 7d, 30d, 2w); '" +
                                                 r.window->text + "' is not");
          } else {
            src.Error(&local, r.window->loc, "a window is at most 3660 days");
          }
          failed = true;
        }
        if (r.window->min_active_days) {
          out.min_active_days = *r.window->min_active_days;
          if (out.window > 0 && out.min_active_days > out.window / kMicrosPerDay) {
            src.Error(&local, r.window->loc, "min_active_days " + std::to_string(out.min_active_days) +
                                                 " exceeds the window's " +
                                                 std::to_string(out.window / kMicrosPerDay) + " days");
            failed = true;
          }
        }
      }
      // Clause and applicability.
      const Policy* clause_policy = nullptr;
      if (r.clause) {
        const Clause& c = *r.clause;
        CheckedClause cc{c.policy, c.section, c.since, c.until, r.text ? r.text->value : "", {}};
        auto it = scope.policies.find(c.policy);
        if (it == scope.policies.end()) {
          std::vector<std::string> names;
          for (const auto& [n, _] : scope.policies) names.push_back(n);
          src.Error(&local, c.loc, "unknown policy '" + c.policy + "'" + DidYouMean(c.policy, names));
          failed = true;
        } else {
          clause_policy = it->second;
          std::vector<std::string> vnames;
          for (const auto& v : clause_policy->versions) vnames.push_back(v.name);
          auto find = [&](const std::string& v) -> const PolicyVersion* {
            for (const auto& pv : clause_policy->versions) if (pv.name == v) return &pv;
            return nullptr;
          };
          const PolicyVersion* since = find(c.since);
          const PolicyVersion* until = c.until ? find(*c.until) : nullptr;
          if (!since) {
            src.Error(&local, c.loc, "policy '" + c.policy + "' has no version '" + c.since + "'" +
                                         DidYouMean(c.since, vnames));
            failed = true;
          }
          if (c.until && !until) {
            src.Error(&local, c.loc, "policy '" + c.policy + "' has no version '" + *c.until + "'" +
                                         DidYouMean(*c.until, vnames));
            failed = true;
          }
          if (since && until && until->effective < since->effective) {
            src.Error(&local, c.loc, "clause 'until' version '" + *c.until +
                                         "' takes effect before its 'since' version '" + c.since + "'");
            failed = true;
          }
          if (since) {
            for (const auto& v : clause_policy->versions) {
              if (v.effective >= since->effective && (!until || v.effective <= until->effective)) {
                cc.versions.push_back(v.name);
              }
            }
          }
        }
        out.clause = cc;
      } else if (r.text) {
        src.Error(&local, r.text->loc, "'text' quotes a clause; add 'clause POLICY \"SECTION\" since \"VERSION\"'");
        failed = true;
      }
      for (const auto& req : r.requires_) {
        if (req.kind != ExprKind::kCall || req.text != "accepted" || req.args.size() != 1 ||
            req.args[0].kind != ExprKind::kName || req.args[0].path.size() != 1) {
          src.Error(&local, req.loc, "'require' takes accepted(POLICY)");
          failed = true;
          continue;
        }
        const std::string& pid = req.args[0].text;
        auto it = scope.policies.find(pid);
        if (it == scope.policies.end()) {
          std::vector<std::string> names;
          for (const auto& [n, _] : scope.policies) names.push_back(n);
          src.Error(&local, req.args[0].loc, "unknown policy '" + pid + "'" + DidYouMean(pid, names));
          failed = true;
          continue;
        }
        if (out.require_policy) {
          src.Error(&local, req.loc, "a rule requires acceptance of one policy only");
          failed = true;
          continue;
        }
        if (clause_policy && clause_policy->id != pid) {
          src.Error(&local, req.loc, "the rule's clause cites policy '" + clause_policy->id +
                                         "' but requires acceptance of '" + pid + "'");
          failed = true;
          continue;
        }
        out.require_policy = pid;
        if (out.clause && clause_policy) {
          out.require_versions = out.clause->versions;
        } else {
          for (const auto& v : it->second->versions) out.require_versions.push_back(v.name);
        }
      }

      RuleChecker rc(src, scope, env, events, accounts, &local, &out);
      // Applicability: every `where` must hold; any `unless` exempts.
      auto combine = [](std::optional<Bound>& acc, Bound b, Op op) {
        if (!acc) {
          acc = std::move(b);
          return;
        }
        Bound a;
        a.kind = BoundKind::kBinary;
        a.op = op;
        a.type = Type::kBool;
        a.phase = Phase::kEvent;
        a.loc = b.loc;
        a.args.push_back(std::move(*acc));
        a.args.push_back(std::move(b));
        acc = std::move(a);
      };
      for (const auto* list : {&r.where, &r.unless}) {
        bool is_where = list == &r.where;
        for (const auto& w : *list) {
          Bound b = rc.BindTop(w, is_where ? Ctx::kWhere : Ctx::kUnless);
          if (b.type == Type::kError) continue;
          if (b.type != Type::kBool) {
            src.Error(&local, w.loc, std::string(is_where ? "'where'" : "'unless'") +
                                         " needs a condition (bool), not a " + TypeName(b.type));
            failed = true;
            continue;
          }
          if (b.kind == BoundKind::kConst) {
            bool v = b.value.bool_value;
            std::string what = is_where ? "'where' is always " : "'unless' is always ";
            what += v ? "true" : "false";
            if (is_where != v) what += "; rule '" + r.id + "' can never fire";
            src.Warning(&local, w.loc, what);
          }
          combine(is_where ? out.where : out.unless, std::move(b), is_where ? Op::kAnd : Op::kOr);
        }
      }
      for (const auto& l : r.lets) rc.BindLet(l);
      bool seen_level[2] = {false, false};
      for (const auto& l : r.levels) {
        LevelKind kind;
        if (l.level == "violation") {
          kind = LevelKind::kViolation;
        } else if (l.level == "review") {
          kind = LevelKind::kReview;
        } else {
          src.Error(&local, l.loc, "unknown level '" + l.level + "'" +
                                       DidYouMean(l.level, {"violation", "review"}) +
                                       "; levels are 'violation' and 'review'");
          failed = true;
          continue;
        }
        if (seen_level[static_cast<int>(kind)]) {
          src.Error(&local, l.loc, "level '" + l.level + "' is given twice; combine the conditions with 'or'");
          failed = true;
        }
        seen_level[static_cast<int>(kind)] = true;
        Bound b = rc.BindTop(l.condition, Ctx::kLevel);
        if (b.type == Type::kError) continue;
        if (b.type != Type::kBool) {
          src.Error(&local, l.condition.loc, std::string("a level needs a condition (bool), not a ") + TypeName(b.type));
          failed = true;
          continue;
        }
        if (auto d = rc.Decide(b)) {
          src.Warning(&local, l.loc, "level '" + l.level + "' of rule '" + r.id +
                                         (*d ? "' always fires (its condition is always true)"
                                             : "' can never fire (its condition is always false)"));
        }
        out.levels.push_back({kind, std::move(b)});
      }
      std::stable_sort(out.levels.begin(), out.levels.end(),
                       [](const CheckedLevel& a, const CheckedLevel& b) { return a.level < b.level; });
      if (r.levels.empty()) {
        src.Error(&local, r.loc, "rule '" + r.id + "' has no level; add 'violation when ...' or 'review when ...'");
        failed = true;
      }
      if (r.evidence) {
        const Evidence& ev = *r.evidence;
        if (ev.sample) {
          if (*ev.sample == 0 || *ev.sample > 1000) {
            src.Error(&local, ev.sample_loc, "sample size must be between 1 and 1000");
            failed = true;
          }
          out.sample = *ev.sample;
        }
        if (ev.by) {
          Bound b = rc.BindTop(*ev.by, Ctx::kEvidence);
          if (b.type != Type::kError) {
            if (b.type != Type::kNumber && b.type != Type::kDuration && b.type != Type::kTimestamp &&
                b.type != Type::kString) {
              src.Error(&local, ev.by->loc, std::string("cannot order samples by a ") + TypeName(b.type));
              failed = true;
            } else {
              out.sample_by = b;
            }
          }
        }
        out.sample_desc = ev.order && *ev.order == "desc";
        for (const auto& s : ev.show) {
          Bound b = rc.BindTop(s, Ctx::kEvidence);
          if (b.type == Type::kError) continue;
          out.show.push_back(b);
          out.show_text.push_back(FormatExpr(s));
        }
      }
      if (rc.errors() > 0 || local.HasErrors()) failed = true;
      if (rc.errors() > kMaxRuleErrors) truncated_rules = true;
      for (const auto& d : local.items()) diags->Add(d);
      if (!failed) pack.rules.push_back(std::move(out));
    }
  }
  if (scope.errors > kMaxPackErrors || truncated_rules) {
    diags->Error(files.empty() ? "" : src.file(files[0].index).path, 0, 0,
                 "too many errors; only the first are shown (at most " +
                     std::to_string(kMaxRuleErrors) + " per rule, " +
                     std::to_string(kMaxPackErrors) + " in all)");
  }
  return pack;
}

}  // namespace tosguard::dsl
