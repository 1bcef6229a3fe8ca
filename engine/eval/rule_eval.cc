// One rule's evaluation (see rule_eval.h and docs/engine.md).
#include "engine/eval/rule_eval.h"

#include <algorithm>
#include <limits>
#include <map>
#include <new>
#include <set>
#include <tuple>
#include <unordered_map>

#include "base/sha256.h"
#include "dsl/fmt/fmt.h"
#include "engine/eval/projection.h"
#include "engine/ingest/summary.h"

namespace tosguard::engine {

using dsl::AggKind;
using dsl::Instr;
using dsl::OpCode;
using dsl::Program;
using dsl::Scope;

namespace {

Outcome LevelOutcome(dsl::LevelKind k) {
  return k == dsl::LevelKind::kViolation ? Outcome::kViolation : Outcome::kReview;
}

// Orders two known values of one type.
int CompareKnown(const Val& a, const Val& b) {
  if (a.type == Type::kNumber) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  if (a.type == Type::kString) return a.s < b.s ? -1 : (a.s > b.s ? 1 : 0);
  return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
}

// Precedence of an instruction's expression, for parentheses in explanation texts.
int Precedence(OpCode op) {
  switch (op) {
    case OpCode::kOr: return 1;
    case OpCode::kAnd: return 2;
    case OpCode::kNot: return 3;
    case OpCode::kEq:
    case OpCode::kNe:
    case OpCode::kLt:
    case OpCode::kLe:
    case OpCode::kGt:
    case OpCode::kGe:
    case OpCode::kIn:
    case OpCode::kNotIn:
    case OpCode::kHas:
    case OpCode::kStartsWith:
    case OpCode::kEndsWith:
    case OpCode::kContains:
    case OpCode::kMatch: return 4;
    case OpCode::kAdd:
    case OpCode::kSub: return 5;
    case OpCode::kMul:
    case OpCode::kDiv:
    case OpCode::kMod: return 6;
    case OpCode::kNeg: return 7;
    default: return 8;
  }
}

}  // namespace

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kViolation: return "violation";
    case Outcome::kReview: return "review";
    case Outcome::kInsufficient: return "insufficient_evidence";
    case Outcome::kCompliant: return "compliant";
    case Outcome::kNotEvaluated: return "not_evaluated";
  }
  return "?";
}

std::string FindingIdInput(const Finding& f) {
  std::string key = f.rule_id;
  key += '\0';
  key += f.scope_kind;
  key += '\0';
  key += f.scope_value;
  key += '\0';
  key += FormatDate(DayStart(f.first_day));
  key += '\0';
  key += OutcomeName(f.level);
  return key;
}

std::string DigestFindingId(const Finding& f) {
  return "F-" + ToHex(Sha256::Of(FindingIdInput(f))).substr(0, 16);
}

RuleEval::RuleEval(const dsl::Plan& plan, std::size_t rule, const EvalContext& ctx,
                   const std::vector<Waiver>& waivers)
    : rule_(plan.rules[rule]), ctx_(ctx), consts_(BindConstants(rule_, ctx.dict())) {
  // The event programs as they run here: matches that ingest decided are loads.
  const Dataset& data = ctx.data();
  where_ = UseDerivedMatches(rule_.where, rule_, data);
  unless_program_ = UseDerivedMatches(rule_.unless, rule_, data);
  for (const dsl::AggregateSpec& a : rule_.aggregates) {
    predicates_.push_back(UseDerivedMatches(a.predicate, rule_, data));
    values_of_.push_back(UseDerivedMatches(a.value, rule_, data));
    SymbolLoad load;
    const Program& v = values_of_.back();
    if (a.kind == AggKind::kDistinct && v.code.size() == 1 &&
        (v.code[0].op == OpCode::kField || v.code[0].op == OpCode::kAccount)) {
      const bool event = v.code[0].op == OpCode::kField;
      const Column& c = (event ? data.events : data.accounts).column(v.code[0].arg);
      if (c.type == FieldType::kString && c.narrow) {
        load.table = event ? 0 : 1;
        load.slot = v.code[0].arg;
      }
    }
    symbol_loads_.push_back(load);
  }
  order_by_ = UseDerivedMatches(rule_.evidence.order_by, rule_, data);
  for (const Program& p : rule_.evidence.show) show_.push_back(UseDerivedMatches(p, rule_, data));
  for (const std::string& d : rule_.detectors) {
    const auto it = std::find(plan.detectors.begin(), plan.detectors.end(), d);
    detector_.push_back(static_cast<std::size_t>(it - plan.detectors.begin()));
  }
  if (rule_.require_policy) {
    for (std::size_t p = 0; p < plan.policies.size(); ++p) {
      if (plan.policies[p].id != *rule_.require_policy) continue;
      policy_ = static_cast<int>(p);
      for (const dsl::CheckedVersion& v : plan.policies[p].versions) {
        version_ok_.push_back(std::find(rule_.require_versions.begin(),
                                        rule_.require_versions.end(),
                                        v.name) != rule_.require_versions.end());
      }
    }
  }
  window_days_ = std::max<std::int64_t>(1, rule_.window / kMicrosPerDay);
  unless_.assign(ctx.accounts(), -1);
  for (const Waiver& w : waivers) {
    if (w.rule != "*" && w.rule != rule_.id) continue;
    std::uint64_t key = FlatMap::kNone;
    switch (w.kind) {
      case WaiverScope::kAccount: key = ctx.FindAccount(w.value); break;
      case WaiverScope::kCluster: {
        const std::uint32_t a = ctx.FindAccount(w.value);
        if (a != FlatMap::kNone) key = ctx.account(a).cluster;
        break;
      }
      case WaiverScope::kOrg:
      case WaiverScope::kApiKey: key = ctx.dict().strings.Find(w.value); break;
    }
    if (key != FlatMap::kNone) waivers_.push_back({&w, key});
  }
  // Each event looks up the waivers of its own account, cluster, org and key instead of
  // trying every waiver: a waiver file of thousands costs a few lookups per event.
  std::stable_sort(waivers_.begin(), waivers_.end(), [](const BoundWaiver& a, const BoundWaiver& b) {
    return std::make_pair(a.w->kind, a.key) < std::make_pair(b.w->kind, b.key);
  });
  for (std::size_t k = 0; k < waivers_.size(); ++k) {
    const auto kind = static_cast<std::size_t>(waivers_[k].w->kind);
    waiver_kinds_ |= 1u << kind;
    waiver_at_[kind].FindOrInsert(waivers_[k].key, static_cast<std::uint32_t>(k));
  }
  aggs_.resize(rule_.aggregates.size());
  lets_.resize(rule_.lets.size());
  let_stacks_.resize(rule_.lets.size());
  values_.resize(rule_.aggregates.size());
}

const char* RuleEval::ScopeKind() const { return dsl::ScopeText(rule_.scope); }

std::string RuleEval::ScopeName(std::uint32_t scope) const {
  switch (rule_.scope) {
    case Scope::kAccount: return std::string(ctx_.AccountName(scope));
    case Scope::kCluster: return std::string(ctx_.AccountName(ctx_.cluster(scope).id_account));
    default: return std::string(ctx_.dict().strings.Name(scope));
  }
}

std::uint32_t RuleEval::ResolveScope(const std::string& value) const {
  switch (rule_.scope) {
    case Scope::kAccount: return ctx_.FindAccount(value);
    case Scope::kCluster: {
      const std::uint32_t a = ctx_.FindAccount(value);
      return a == FlatMap::kNone ? FlatMap::kNone : ctx_.account(a).cluster;
    }
    default: {
      const SymbolId s = ctx_.dict().strings.Find(value);
      return s == Dictionary::kNone ? FlatMap::kNone : s;
    }
  }
}

Val RuleEval::EventLoad(const Instr& in, std::size_t row) const {
  switch (in.op) {
    case OpCode::kField: return ColumnValue(ctx_.data().events, in.arg, row, ctx_.dict());
    case OpCode::kAccount: {
      const std::int64_t r = ctx_.EventAccountRow(row);
      if (r < 0) return Val::Unknown(in.type);
      return ColumnValue(ctx_.data().accounts, in.arg, static_cast<std::size_t>(r), ctx_.dict());
    }
    case OpCode::kSignal: {
      const SignalPick* s = ctx_.Signal(detector_[in.arg], row);
      return s ? Val::Number(s->score) : Val::Unknown(Type::kNumber);
    }
    case OpCode::kConst: return consts_.values[in.arg];
    default: return Val::Unknown(in.type);
  }
}

Val RuleEval::LoadSymbol(const SymbolLoad& load, std::size_t row) const {
  const RecordTable* table = &ctx_.data().events;
  if (load.table == 1) {
    const std::int64_t r = ctx_.EventAccountRow(row);
    if (r < 0) return Val::Unknown(Type::kString);
    row = static_cast<std::size_t>(r);
    table = &ctx_.data().accounts;
  }
  if (!table->Has(load.slot, row)) return Val::Unknown(Type::kString);
  return Val::Int(Type::kString, table->column(load.slot).u32[row]);
}

Val RuleEval::EventValue(const Program& p, std::size_t row) {
  // Most aggregate values and many predicates are one load: no interpreter for them.
  if (p.code.size() == 1) return EventLoad(p.code[0], row);
  return RunProgram(p, consts_, stack_, [&](const Instr& in) { return EventLoad(in, row); });
}

Verdict RuleEval::Classify(std::size_t row, std::uint32_t* scope) {
  const RecordTable& ev = ctx_.data().events;
  const std::uint32_t a = ctx_.EventAccount(row);
  const AccountInfo& acc = ctx_.account(a);
  auto org = [&]() -> std::uint32_t {
    if (ev.Has(event_slot::kOrgId, row)) return ev.Sym(event_slot::kOrgId, row);
    if (acc.row >= 0 &&
        ctx_.data().accounts.Has(account_slot::kOrgId, static_cast<std::size_t>(acc.row))) {
      return ctx_.data().accounts.Sym(account_slot::kOrgId, static_cast<std::size_t>(acc.row));
    }
    return FlatMap::kNone;
  };
  switch (rule_.scope) {
    case Scope::kAccount: *scope = a; break;
    case Scope::kCluster: *scope = acc.cluster; break;
    case Scope::kOrg: *scope = org(); break;
    case Scope::kApiKey:
      *scope =
          ev.Has(event_slot::kApiKeyId, row) ? ev.Sym(event_slot::kApiKeyId, row) : FlatMap::kNone;
      break;
  }
  if (*scope == FlatMap::kNone) return Verdict::kNoScope;
  const TimestampUs ts = ctx_.EventTs(row);
  if (policy_ >= 0) {
    const int v = ctx_.EventBinding(static_cast<std::size_t>(policy_), row);
    if (v < 0 || !version_ok_[static_cast<std::size_t>(v)]) return Verdict::kNotApplicable;
  }
  if (!rule_.unless.empty()) {
    std::int8_t& u = unless_[a];
    if (u < 0) u = EventValue(unless_program_, row).IsTrue() ? 1 : 0;
    if (u == 1) return Verdict::kExempt;
  }
  bool waived = false;  // every waiver that covers the event is cited, not just the first
  for (unsigned kinds = waiver_kinds_; kinds != 0; kinds &= kinds - 1) {
    const auto kind = static_cast<WaiverScope>(__builtin_ctz(kinds));
    std::uint64_t have = FlatMap::kNone;
    switch (kind) {
      case WaiverScope::kAccount: have = a; break;
      case WaiverScope::kCluster: have = acc.cluster; break;
      case WaiverScope::kOrg: have = org(); break;
      case WaiverScope::kApiKey:
        if (ev.Has(event_slot::kApiKeyId, row)) have = ev.Sym(event_slot::kApiKeyId, row);
        break;
    }
    if (have == FlatMap::kNone) continue;
    const std::uint32_t first = waiver_at_[static_cast<std::size_t>(kind)].Find(have);
    if (first == FlatMap::kNone) continue;
    for (std::size_t k = first; k < waivers_.size() && waivers_[k].w->kind == kind && waivers_[k].key == have; ++k) {
      const Waiver& w = *waivers_[k].w;
      if (ts < w.from || (w.until && ts >= *w.until)) continue;
      waived = true;
      if (record_waivers_) {
        const auto entry = std::make_tuple(static_cast<std::uint32_t>(k), *scope, ctx_.EventDay(row));
        if (waived_.empty() || waived_.back() != entry) waived_.push_back(entry);
      }
    }
  }
  if (waived) return Verdict::kWaived;
  if (!rule_.where.empty() && !EventValue(where_, row).IsTrue()) return Verdict::kFiltered;
  return Verdict::kCounted;
}

void RuleEval::AddEvent(DayStates& states, std::uint32_t scope, std::size_t row) {
  // Each value is made in its slot of values_ (placement from the call's result, which
  // elides the copy): a copy of a just-written Val reads it back whole and stalls.
  for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
    const dsl::AggregateSpec& spec = rule_.aggregates[a];
    const bool pred = spec.predicate.empty() || EventValue(predicates_[a], row).IsTrue();
    Val* v = &values_[a];
    switch (spec.kind) {
      case AggKind::kCount:
      case AggKind::kShare:
      case AggKind::kRate: ::new (v) Val(Val::Bool(pred)); break;
      case AggKind::kActiveDays:
      case AggKind::kMaxGap: ::new (v) Val(); break;
      default:
        if (!pred || spec.value.empty()) {
          ::new (v) Val();
        } else if (symbol_loads_[a].table >= 0) {
          ::new (v) Val(LoadSymbol(symbol_loads_[a], row));
        } else {
          ::new (v) Val(EventValue(values_of_[a], row));
        }
        // Text fields are not interned by ingest: give their distinct values ids here,
        // above every symbol id.
        if (spec.kind == AggKind::kDistinct && v->known && v->type == Type::kString &&
            v->i == Val::kNoSym) {
          v->i = (std::int64_t{1} << 32) + texts_.Intern(v->s);
        }
        break;
    }
  }
  // A scope's events of one day mostly come together (logs are in time order): the
  // state of its latest day is remembered, so most events skip the state lookup, and an
  // event of a later day than any of its scope so far makes a new state without one.
  const std::int64_t day = ctx_.EventDay(row);
  std::uint32_t state = 0;
  if (scope < kStateCacheScopes) {
    if (scope >= last_state_.size()) last_state_.resize(std::max<std::size_t>(scope + 1, 2 * last_state_.size()), {std::numeric_limits<std::int64_t>::min(), 0});
    auto& [latest_day, latest_state] = last_state_[scope];
    if (day == latest_day) {
      state = latest_state;
    } else if (day > latest_day) {
      latest_day = day;
      latest_state = states.Create(scope, day);
      state = latest_state;
    } else {
      state = states.Get(scope, day);  // an earlier day: out of time order
    }
  } else {
    state = states.Get(scope, day);
  }
  states.Add(state, values_.data(), ctx_.EventTs(row));
}

Val RuleEval::PointLoad(const Window& w, const Instr& in) {
  const std::size_t lets_at = rule_.aggregates.size();
  if (in.op == OpCode::kAggregate) {
    if (known_[in.arg] == 0) {
      ::new (&aggs_[in.arg]) Val(w.Result(in.arg, rule_.window));
      known_[in.arg] = 1;
    }
    return aggs_[in.arg];
  }
  if (in.op == OpCode::kLet) {
    if (known_[lets_at + in.arg] == 0) {
      ::new (&lets_[in.arg]) Val(RunProgram(rule_.lets[in.arg].program, consts_,
                                            let_stacks_[in.arg],
                                            [&](const Instr& i) { return PointLoad(w, i); }));
      known_[lets_at + in.arg] = 1;
    }
    return lets_[in.arg];
  }
  return Val::Unknown(in.type);
}

Outcome RuleEval::Decide(const Window& w, std::vector<Metric>* metrics,
                         std::vector<LevelExplanation>* trees) {
  known_.assign(rule_.aggregates.size() + rule_.lets.size(), 0);
  auto load = [&](const Instr& in) { return PointLoad(w, in); };
  if (metrics || trees) {
    // Findings show every value: all of them, in order.
    for (std::uint32_t a = 0; a < rule_.aggregates.size(); ++a) load({OpCode::kAggregate, Type::kError, a});
    for (std::uint32_t l = 0; l < rule_.lets.size(); ++l) load({OpCode::kLet, Type::kError, l});
  }
  Outcome out = Outcome::kCompliant;
  bool unknown = false;
  for (const dsl::LevelPlan& level : rule_.levels) {
    const Val c = RunProgram(level.condition, consts_, stack_, load);
    if (c.IsTrue()) {
      out = LevelOutcome(level.level);
      break;
    }
    if (!c.known) unknown = true;
  }
  if (out == Outcome::kCompliant && unknown) out = Outcome::kInsufficient;
  if (metrics) {
    metrics->clear();
    for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
      metrics->push_back({rule_.aggregates[a].text, "aggregate", Render(aggs_[a], ctx_.dict())});
    }
    for (std::size_t l = 0; l < rule_.lets.size(); ++l) {
      metrics->push_back({rule_.lets[l].name, "let", Render(lets_[l], ctx_.dict())});
    }
  }
  if (trees) {
    trees->clear();
    for (const dsl::LevelPlan& level : rule_.levels) {
      trees->push_back({dsl::LevelText(level.level), Trace(level.condition, &aggs_, &lets_)});
    }
  }
  return out;
}

ExplainNode RuleEval::Trace(const Program& p, const std::vector<Val>* aggs,
                            const std::vector<Val>* lets) const {
  struct Item {
    ExplainNode node;
    Val val;
    int prec;
  };
  std::vector<Item> st;
  const bool values = aggs != nullptr;
  auto wrap = [](const Item& child, int parent, bool right, OpCode op) {
    const bool assoc = op == OpCode::kAnd || op == OpCode::kOr;
    const bool need = child.prec < parent || (right && child.prec == parent && !assoc);
    return need ? "(" + child.node.text + ")" : child.node.text;
  };
  const RecordSchema& ev = ctx_.data().events.schema();
  const RecordSchema& acc = ctx_.data().accounts.schema();
  for (const Instr& in : p.code) {
    Item it;
    it.prec = 8;
    switch (in.op) {
      case OpCode::kConst: {
        it.val = consts_.values[in.arg];
        it.node.op = "const";
        it.node.text = in.type == Type::kString ? dsl::QuoteString(it.val.s)
                                                : Render(it.val, ctx_.dict()).text;
        break;
      }
      case OpCode::kField:
        it.node.op = "field";
        it.node.text = in.arg < ev.size() ? ev.field(in.arg).name : "?";
        break;
      case OpCode::kAccount:
        it.node.op = "account";
        it.node.text =
            "account." + (in.arg < acc.size() ? acc.field(in.arg).name : std::string("?"));
        break;
      case OpCode::kSignal:
        it.node.op = "signal";
        it.node.text = "signal(" + dsl::QuoteString(rule_.detectors[in.arg]) + ")";
        break;
      case OpCode::kAggregate:
        it.node.op = "aggregate";
        it.node.text = rule_.aggregates[in.arg].text;
        if (values) it.val = (*aggs)[in.arg];
        break;
      case OpCode::kLet:
        it.node.op = "let";
        it.node.text = rule_.lets[in.arg].name;
        if (values) it.val = (*lets)[in.arg];
        it.node.children.push_back(Trace(rule_.lets[in.arg].program, aggs, lets));
        break;
      default: {
        it.node.op = OpText(in.op);
        it.prec = Precedence(in.op);
        if (IsUnary(in.op)) {
          Item child = std::move(st.back());
          st.pop_back();
          if (values) it.val = ApplyOp(in, child.val, Val{}, consts_);
          const std::string inner = wrap(child, it.prec, false, in.op);
          switch (in.op) {
            case OpCode::kNot: it.node.text = "not " + inner; break;
            case OpCode::kNeg: it.node.text = "-" + inner; break;
            case OpCode::kMatch:
              it.node.text = inner + " matches /" + rule_.regex_patterns[in.arg] + "/";
              break;
            default: {
              std::string list = "[";
              const dsl::Value& lv = rule_.constants[in.arg];
              if (lv.item_type == Type::kNumber) {
                for (std::size_t k = 0; k < lv.numbers.size(); ++k) {
                  list += (k ? ", " : "") + Render(Val::Number(lv.numbers[k]), ctx_.dict()).text;
                }
              } else {
                for (std::size_t k = 0; k < lv.strings.size(); ++k)
                  list += (k ? ", " : "") + dsl::QuoteString(lv.strings[k]);
              }
              it.node.text = inner + " " + OpText(in.op) + " " + list + "]";
            }
          }
          it.node.children.push_back(std::move(child.node));
        } else {
          Item right = std::move(st.back());
          st.pop_back();
          Item left = std::move(st.back());
          st.pop_back();
          if (values) it.val = ApplyOp(in, left.val, right.val, consts_);
          it.node.text = wrap(left, it.prec, false, in.op) + " " + OpText(in.op) + " " +
                         wrap(right, it.prec, true, in.op);
          it.node.children.push_back(std::move(left.node));
          it.node.children.push_back(std::move(right.node));
        }
      }
    }
    if (values) it.node.value = Render(it.val, ctx_.dict());
    st.push_back(std::move(it));
  }
  if (st.empty()) return {};
  return std::move(st.back().node);
}

void RuleEval::Sweep(const DayStates& states, const std::vector<DayStates::Entry>& entries,
                     std::size_t begin, std::size_t end, std::int64_t from, std::int64_t to,
                     std::vector<Pending>* pending, EvalStats::PerRule* stats) {
  const std::int64_t wd = window_days_;
  const std::int64_t t_start = std::max(from, entries[begin].day);
  const std::int64_t t_end = std::min(to, entries[end - 1].day + wd - 1);
  Window w(states, entries);
  w.SetBegin(begin);
  w.Reset();
  std::vector<Point> points;
  bool have_prev = false;
  Point prev{};
  for (std::int64_t t = t_start; t <= t_end; ++t) {
    bool changed = false;
    while (w.end() < end && entries[w.end()].day <= t) {
      w.PushBack();
      changed = true;
    }
    while (!w.empty() && entries[w.begin()].day < t - wd + 1) {
      w.PopFront();
      changed = true;
    }
    if (w.empty()) {
      have_prev = false;
      if (w.end() >= end) break;
      t = entries[w.end()].day - 1;  // the loop's ++t lands on the next active day
      continue;
    }
    Outcome o;
    if (!changed && have_prev && prev.day == t - 1) {
      o = prev.outcome;  // the same window content decides the same
    } else if (rule_.min_active_days > 0 && w.active_days() < rule_.min_active_days) {
      o = Outcome::kNotEvaluated;
    } else {
      o = Decide(w, nullptr, nullptr);
    }
    if (o != Outcome::kNotEvaluated) ++stats->points;
    prev = {t, o, w.events()};
    have_prev = true;
    points.push_back(prev);
  }
  // Findings: maximal runs of one non-compliant outcome on consecutive days.
  for (std::size_t i = 0; i < points.size();) {
    const Outcome o = points[i].outcome;
    std::size_t j = i + 1;
    while (j < points.size() && points[j].outcome == o && points[j].day == points[j - 1].day + 1)
      ++j;
    if (o == Outcome::kViolation || o == Outcome::kReview || o == Outcome::kInsufficient) {
      MakeFinding(states, entries, begin, end, points, i, j, pending);
    }
    i = j;
  }
}

void RuleEval::MakeFinding(const DayStates& states, const std::vector<DayStates::Entry>& entries,
                           std::size_t begin, std::size_t end, const std::vector<Point>& points,
                           std::size_t run_begin, std::size_t run_end,
                           std::vector<Pending>* pending) {
  const std::int64_t wd = window_days_;
  const std::uint32_t scope = entries[begin].scope;
  Pending p;
  Finding& f = p.f;
  f.rule_id = rule_.id;
  f.scope_kind = ScopeKind();
  f.scope_value = ScopeName(scope);
  f.level = points[run_begin].outcome;
  f.first_day = points[run_begin].day;
  f.last_day = points[run_end - 1].day;
  f.days = static_cast<std::uint32_t>(run_end - run_begin);
  f.window = rule_.window;
  f.id = DigestFindingId(f);
  std::size_t peak = run_begin;
  for (std::size_t k = run_begin; k < run_end; ++k) {
    if (points[k].events > points[peak].events) peak = k;
  }
  f.peak_day = points[peak].day;
  p.scope = scope;
  p.peak_lo = f.peak_day - wd + 1;
  p.peak_hi = f.peak_day;

  // The peak window, rebuilt from its states with the same mechanism as the sweep.
  Window w(states, entries);
  std::size_t lo = begin;
  while (lo < end && entries[lo].day < p.peak_lo) ++lo;
  w.SetBegin(lo);
  w.Reset();
  while (w.end() < end && entries[w.end()].day <= p.peak_hi) w.PushBack();
  Decide(w, &f.metrics, &f.explanation);

  // From the first window's start, or the scope's first active day when that is later.
  for (std::int64_t d = std::max(f.first_day - wd + 1, entries[begin].day); d <= f.last_day; ++d) {
    TimelineDay td;
    td.day = d;
    auto e =
        std::lower_bound(entries.begin() + static_cast<std::ptrdiff_t>(begin),
                         entries.begin() + static_cast<std::ptrdiff_t>(end), d,
                         [](const DayStates::Entry& x, std::int64_t day) { return x.day < day; });
    if (e != entries.begin() + static_cast<std::ptrdiff_t>(end) && e->day == d)
      td.events = states.Events(e->state);
    auto pt = std::lower_bound(points.begin(), points.end(), d,
                               [](const Point& x, std::int64_t day) { return x.day < day; });
    td.outcome = pt != points.end() && pt->day == d ? pt->outcome : Outcome::kNotEvaluated;
    f.timeline.push_back(td);
  }
  if (rule_.scope == Scope::kCluster) {
    const ClusterInfo& c = ctx_.cluster(scope);
    for (std::uint32_t m : c.members) f.cluster_members.emplace_back(ctx_.AccountName(m));
    f.links = c.links;
  }
  std::set<std::uint32_t> used;
  for (const auto& [k, s, day] : waived_) {
    if (s == scope && day >= f.first_day - wd + 1 && day <= f.last_day) used.insert(k);
  }
  for (std::uint32_t k : used) {
    const Waiver& w0 = *waivers_[k].w;
    f.waivers.push_back(
        {w0.id, w0.rule, WaiverScopeText(w0), w0.approver, w0.basis, w0.from, w0.until});
  }
  std::sort(f.waivers.begin(), f.waivers.end(),
            [](const WaiverUse& a, const WaiverUse& b) { return a.id < b.id; });
  pending->push_back(std::move(p));
}

Status RuleEval::GatherEvidence(std::vector<Pending>* pending) {
  if (pending->empty()) return Status::Ok();
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> by_scope;
  std::int64_t lo = pending->front().peak_lo, hi = pending->front().peak_hi;
  for (std::size_t k = 0; k < pending->size(); ++k) {
    by_scope[(*pending)[k].scope].push_back(k);
    lo = std::min(lo, (*pending)[k].peak_lo);
    hi = std::max(hi, (*pending)[k].peak_hi);
  }
  struct Candidate {
    Val key;
    std::size_t row;
  };
  std::vector<std::vector<Candidate>> cands(pending->size());
  std::vector<std::vector<std::uint32_t>> accounts(pending->size());
  // Per finding: the acceptance rows its peak window's counted events were bound by.
  std::vector<std::vector<std::uint32_t>> accepted(pending->size());
  std::vector<std::vector<std::set<std::string>>> versions(
      pending->size(), std::vector<std::set<std::string>>(detector_.size()));
  const RecordTable& ev = ctx_.data().events;
  record_waivers_ = false;
  for (std::size_t row = 0; row < ev.rows(); ++row) {
    const std::int64_t day = ctx_.EventDay(row);
    if (day < lo || day > hi) continue;
    std::uint32_t scope = 0;
    if (Classify(row, &scope) != Verdict::kCounted) continue;
    auto it = by_scope.find(scope);
    if (it == by_scope.end()) continue;
    for (std::size_t k : it->second) {
      const Pending& p = (*pending)[k];
      if (day < p.peak_lo || day > p.peak_hi) continue;
      Val key = rule_.evidence.order_by.empty() ? Val::Int(Type::kTimestamp, ctx_.EventTs(row))
                                                : EventValue(order_by_, row);
      cands[k].push_back({key, row});
      accounts[k].push_back(ctx_.EventAccount(row));
      if (policy_ >= 0) {
        std::uint32_t r = 0;
        if (ctx_.Binding(static_cast<std::size_t>(policy_), ctx_.EventAccount(row),
                         ctx_.EventTs(row), &r) >= 0) {
          accepted[k].push_back(r);
        }
      }
      for (std::size_t d = 0; d < detector_.size(); ++d) {
        const SignalPick* s = ctx_.Signal(detector_[d], row);
        if (s && s->version != Dictionary::kNone)
          versions[k][d].emplace(ctx_.dict().strings.Name(s->version));
      }
    }
  }
  record_waivers_ = true;

  const bool desc = rule_.evidence.descending;
  auto event_id = [&](std::size_t row) { return ctx_.data().EventId(row); };
  auto before = [&](const Candidate& a, const Candidate& b) {
    if (a.key.known != b.key.known) return a.key.known;  // unknown keys last
    if (a.key.known) {
      const int c = CompareKnown(a.key, b.key);
      if (c != 0) return desc ? c > 0 : c < 0;
    }
    return event_id(a.row) < event_id(b.row);
  };
  const std::string order_text = rule_.evidence.order_by.empty()
                                     ? "ts"
                                     : Trace(rule_.evidence.order_by, nullptr, nullptr).text;
  for (std::size_t k = 0; k < pending->size(); ++k) {
    Finding& f = (*pending)[k].f;
    auto& c = cands[k];
    f.evidence_total = c.size();
    const std::size_t n = std::min<std::size_t>(rule_.evidence.sample, c.size());
    std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n), c.end(), before);
    f.sample_method = "the first " + std::to_string(rule_.evidence.sample) +
                      " of the peak window's counted events by " + order_text +
                      (desc ? " descending" : " ascending") + ", unknown last, ties by event_id";
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = c[i].row;
      EvidenceItem item;
      item.event_id = std::string(event_id(row));
      item.ts = ctx_.EventTs(row);
      item.account_id = std::string(ctx_.AccountName(ctx_.EventAccount(row)));
      item.ref = ev.ref(row);
      const InputFile& file = ctx_.data().files[item.ref.file];
      item.file = DisplayPath(ctx_.config(), file.path);
      item.file_sha256 = ToHex(file.sha256);
      item.sort_key = Render(c[i].key, ctx_.dict());
      for (std::size_t s = 0; s < rule_.evidence.show.size(); ++s) {
        // A shown field that ingest did not keep is read back from the cited line
        // when the evaluation cites the lines.
        if (IsShownField(show_[s]) && !ev.column(show_[s].code[0].arg).materialised &&
            LinesParseAlone(ctx_.config().sources.at(file.source))) {
          item.reread.emplace_back(static_cast<std::uint32_t>(s), show_[s].code[0].arg);
          item.shown.emplace_back(rule_.evidence.show_text[s], EvalValueOut{});
          continue;
        }
        item.shown.emplace_back(rule_.evidence.show_text[s],
                                Render(EventValue(show_[s], row), ctx_.dict()));
      }
      f.evidence.push_back(std::move(item));
    }
    auto& acc = accounts[k];
    std::sort(acc.begin(), acc.end());
    acc.erase(std::unique(acc.begin(), acc.end()), acc.end());
    for (std::uint32_t a : acc) f.accounts.emplace_back(ctx_.AccountName(a));
    std::sort(f.accounts.begin(), f.accounts.end());
    if (policy_ >= 0) {
      // Every acceptance an event counted under: an account that accepted a new version
      // within the peak window is cited with both, the terms before and after.
      const RecordTable& at = ctx_.data().acceptances;
      std::vector<std::uint32_t>& rows = accepted[k];
      std::sort(rows.begin(), rows.end());
      rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
      for (std::uint32_t r : rows) {
        AcceptanceUse u;
        u.account_id =
            std::string(ctx_.dict().strings.Name(at.Sym(acceptance_slot::kAccountId, r)));
        auto text = [&](std::size_t slot) {
          return at.Has(slot, r) ? std::string(ctx_.dict().strings.Name(at.Sym(slot, r)))
                                 : std::string();
        };
        u.policy = text(acceptance_slot::kPolicy);
        u.version = text(acceptance_slot::kVersion);
        u.method = text(acceptance_slot::kMethod);
        u.source = text(acceptance_slot::kSource);
        u.accepted_at = at.Int(acceptance_slot::kAcceptedAt, r);
        u.ref = at.ref(r);
        u.file = DisplayPath(ctx_.config(), ctx_.data().files[u.ref.file].path);
        f.acceptances.push_back(std::move(u));
      }
      std::sort(f.acceptances.begin(), f.acceptances.end(),
                [](const AcceptanceUse& x, const AcceptanceUse& y) {
                  return std::tie(x.account_id, x.accepted_at, x.ref.file, x.ref.line) <
                         std::tie(y.account_id, y.accepted_at, y.ref.file, y.ref.line);
                });
    }
    for (std::size_t d = 0; d < detector_.size(); ++d) {
      DetectorUse u;
      u.name = rule_.detectors[d];
      u.versions.assign(versions[k][d].begin(), versions[k][d].end());
      for (const DetectorConfig& dc : ctx_.config().detectors) {
        if (dc.name == u.name) {
          u.threshold = dc.threshold;
          u.false_positive_rate = dc.false_positive_rate;
        }
      }
      f.detectors.push_back(std::move(u));
    }
  }
  return Status::Ok();
}

Status RuleEval::Run(std::int64_t from, std::int64_t to, std::vector<Finding>* out,
                     EvalStats::PerRule* stats) {
  stats->rule_id = rule_.id;
  const std::int64_t lo = from - window_days_ + 1;
  DayStates states(rule_, lo);
  last_state_.clear();
  const std::size_t rows = ctx_.data().events.rows();
  states.Reserve(rows);
  for (std::size_t row = 0; row < rows; ++row) {
    const std::int64_t day = ctx_.EventDay(row);
    if (day < lo || day > to) continue;
    std::uint32_t scope = 0;
    switch (Classify(row, &scope)) {
      case Verdict::kCounted:
        ++stats->counted;
        AddEvent(states, scope, row);
        break;
      case Verdict::kNoScope: ++stats->no_scope; break;
      case Verdict::kNotApplicable: ++stats->not_applicable; break;
      case Verdict::kExempt: ++stats->exempted; break;
      case Verdict::kWaived: ++stats->waived; break;
      case Verdict::kFiltered: ++stats->filtered; break;
    }
  }
  states.Finish();
  std::sort(waived_.begin(), waived_.end());
  waived_.erase(std::unique(waived_.begin(), waived_.end()), waived_.end());
  const std::vector<DayStates::Entry> entries = states.Sorted();
  std::vector<Pending> pending;
  for (std::size_t i = 0; i < entries.size();) {
    std::size_t j = i;
    while (j < entries.size() && entries[j].scope == entries[i].scope) ++j;
    ++stats->scopes;
    Sweep(states, entries, i, j, from, to, &pending, stats);
    i = j;
  }
  TOSGUARD_RETURN_IF_ERROR(GatherEvidence(&pending));
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) {
    if (a.f.scope_value != b.f.scope_value) return a.f.scope_value < b.f.scope_value;
    return a.f.first_day < b.f.first_day;
  });
  stats->findings = pending.size();
  for (Pending& p : pending) out->push_back(std::move(p.f));
  return Status::Ok();
}

PointExplanation RuleEval::Explain(std::uint32_t scope, std::int64_t day) {
  PointExplanation e;
  e.rule_id = rule_.id;
  e.scope_kind = ScopeKind();
  e.scope_value = ScopeName(scope);
  e.day = day;
  const std::int64_t lo = day - window_days_ + 1;
  DayStates states(rule_, lo);
  last_state_.clear();
  record_waivers_ = false;
  for (std::size_t row = 0; row < ctx_.data().events.rows(); ++row) {
    const std::int64_t d = ctx_.EventDay(row);
    if (d < lo || d > day) continue;
    std::uint32_t s = 0;
    if (Classify(row, &s) == Verdict::kCounted && s == scope) AddEvent(states, s, row);
  }
  record_waivers_ = true;
  states.Finish();
  const std::vector<DayStates::Entry> entries = states.Sorted();
  Window w(states, entries);
  w.SetBegin(0);
  w.Reset();
  while (w.end() < entries.size()) w.PushBack();
  e.counted = w.events();
  e.active_days = w.active_days();
  const Outcome o = Decide(w, &e.metrics, &e.levels);
  const std::string period = FormatDate(DayStart(lo)) + " .. " + FormatDate(DayStart(day));
  if (w.empty()) {
    e.outcome = Outcome::kNotEvaluated;
    e.reason = "no counted event in the window " + period;
  } else if (rule_.min_active_days > 0 && w.active_days() < rule_.min_active_days) {
    e.outcome = Outcome::kNotEvaluated;
    e.reason = std::to_string(w.active_days()) + " active days in the window " + period +
               ", fewer than min_active_days " + std::to_string(rule_.min_active_days);
  } else {
    e.outcome = o;
  }
  return e;
}

}  // namespace tosguard::engine
