// The reference evaluator (see eval_reference.h): naive loops over docs/engine.md.
#include "tests/engine/eval_reference.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>

#include <re2/re2.h>

#include "base/schema.h"
#include "base/sha256.h"
#include "base/time.h"
#include "engine/eval/projection.h"

namespace tosguard::engine::reference {
namespace {

using dsl::OpCode;
using dsl::Type;
__extension__ using Int128 = __int128;

// A value of the rule language; `known` false is unknown (its type is still set).
struct Val {
  Type type = Type::kError;
  bool known = false;
  double num = 0;           // kNumber
  std::int64_t i = 0;       // kDuration, kTimestamp
  bool b = false;           // kBool
  std::string s;            // kString
  std::vector<std::string> set;  // kSet
};

Val Unknown(Type t) { return {.type = t}; }
Val Known(Type t) { return {.type = t, .known = true}; }
Val Num(double d) { return {.type = Type::kNumber, .known = true, .num = d}; }
Val Int(Type t, std::int64_t i) { return {.type = t, .known = true, .i = i}; }
Val Bool(bool b) { return {.type = Type::kBool, .known = true, .b = b}; }
Val Str(std::string s) { return {.type = Type::kString, .known = true, .s = std::move(s)}; }

// The day bucket of an instant: the day D with ts in (start of D, start of D+1].
std::int64_t Bucket(TimestampUs ts) {
  const std::int64_t x = ts - 1;
  std::int64_t q = x / kMicrosPerDay;
  if (x % kMicrosPerDay < 0) --q;
  return q;
}

Val ReadColumn(const Dataset& data, const RecordTable& t, std::size_t slot, std::size_t row) {
  const FieldType ft = t.schema().field(slot).type;
  Type type = Type::kError;
  switch (ft) {
    case FieldType::kBool: type = Type::kBool; break;
    case FieldType::kInt:
    case FieldType::kNumber: type = Type::kNumber; break;
    case FieldType::kString:
    case FieldType::kText: type = Type::kString; break;
    case FieldType::kTimestamp: type = Type::kTimestamp; break;
    case FieldType::kStringSet: type = Type::kSet; break;
  }
  if (!t.Has(slot, row)) return Unknown(type);
  switch (ft) {
    case FieldType::kBool: return Bool(t.Int(slot, row) != 0);
    case FieldType::kInt: return Num(static_cast<double>(t.Int(slot, row)));
    case FieldType::kNumber: return Num(t.Num(slot, row));
    case FieldType::kString: return Str(std::string(data.dict.strings.Name(t.Sym(slot, row))));
    case FieldType::kText:
      return Str(std::string(data.dict.texts.Get(static_cast<std::uint64_t>(t.Int(slot, row)))));
    case FieldType::kTimestamp: return Int(Type::kTimestamp, t.Int(slot, row));
    case FieldType::kStringSet: {
      Val v = Known(Type::kSet);
      for (SymbolId id : data.dict.sets.Members(static_cast<std::uint32_t>(t.Int(slot, row)))) {
        v.set.emplace_back(data.dict.strings.Name(id));
      }
      return v;
    }
  }
  return Unknown(type);
}

std::optional<std::string> StrAt(const Dataset& data, const RecordTable& t, std::size_t slot,
                                 std::size_t row) {
  if (!t.Has(slot, row)) return std::nullopt;
  if (t.column(slot).as_text) return std::string(data.dict.texts.Get(static_cast<std::uint64_t>(t.Int(slot, row))));
  return std::string(data.dict.strings.Name(t.Sym(slot, row)));
}

// Union-find over account names.
struct UnionFind {
  std::map<std::string, std::string> parent;
  void Add(const std::string& a) { parent.emplace(a, a); }
  std::string Find(const std::string& a) {
    std::string r = a;
    while (parent.at(r) != r) r = parent.at(r);
    return r;
  }
  void Union(const std::string& a, const std::string& b) {
    std::string ra = Find(a), rb = Find(b);
    if (ra == rb) return;
    // The smaller name is the root, so the root is the cluster id.
    if (rb < ra) std::swap(ra, rb);
    parent[rb] = ra;
  }
};

struct Sig {
  TimestampUs ts = 0;
  double score = 0;
  std::optional<std::string> version;
};

// Everything about the dataset that does not depend on a rule.
struct World {
  const Dataset* data = nullptr;
  std::map<std::string, std::size_t> account_row;  // account id -> row of its record
  std::map<std::string, std::string> cluster_of;   // account -> cluster id
  std::map<std::string, std::vector<std::string>> members;  // cluster id -> sorted members
  std::map<std::string, std::vector<ClusterLink>> links;    // cluster id -> links
  // (detector, subject kind, subject) -> signals.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<Sig>> signals;
  std::uint64_t common_values = 0;
  std::uint64_t accounts = 0;
};

struct Ev {
  std::size_t row = 0;
  std::string id, account;
  TimestampUs ts = 0;
  std::optional<std::string> org, api_key;
  std::optional<std::size_t> account_row;
};

World BuildWorld(const Dataset& data, const IngestConfig& config, const std::vector<Ev>& evs) {
  World w;
  w.data = &data;
  const RecordTable& acc = data.accounts;
  for (std::size_t r = 0; r < acc.rows(); ++r) {
    w.account_row.emplace(*StrAt(data, acc, account_slot::kAccountId, r), r);
  }
  UnionFind uf;
  for (const auto& [a, r] : w.account_row) uf.Add(a);
  for (const Ev& e : evs) uf.Add(e.account);
  w.accounts = uf.parent.size();
  struct Shared {
    std::string identifier, value;
    std::set<std::string> accounts;
  };
  std::vector<Shared> shared;
  for (const LinkIdentifier& id : config.linking.identifiers) {
    std::map<std::string, std::set<std::string>> by_value;
    if (id.kind == RecordKind::kAccount) {
      for (std::size_t r = 0; r < acc.rows(); ++r) {
        Val v = ReadColumn(data, acc, id.slot, r);
        if (!v.known || v.type != Type::kString) continue;
        by_value[v.s].insert(*StrAt(data, acc, account_slot::kAccountId, r));
      }
    } else {
      for (const Ev& e : evs) {
        Val v = ReadColumn(data, data.events, id.slot, e.row);
        if (!v.known || v.type != Type::kString) continue;
        by_value[v.s].insert(e.account);
      }
    }
    for (auto& [value, accounts] : by_value) {
      if (accounts.size() > config.linking.max_accounts_per_value) {
        ++w.common_values;
        continue;
      }
      if (accounts.size() < 2) continue;
      for (const std::string& a : accounts) uf.Union(*accounts.begin(), a);
      shared.push_back({id.name, value, accounts});
    }
  }
  for (const auto& [a, p] : uf.parent) {
    const std::string c = uf.Find(a);
    w.cluster_of[a] = c;
    w.members[c].push_back(a);  // map order: sorted
  }
  for (const Shared& s : shared) {
    const std::string c = w.cluster_of.at(*s.accounts.begin());
    w.links[c].push_back({s.identifier, s.value, {s.accounts.begin(), s.accounts.end()}});
  }
  const RecordTable& st = data.signals;
  for (std::size_t r = 0; r < st.rows(); ++r) {
    w.signals[{*StrAt(data, st, signal_slot::kDetector, r),
               *StrAt(data, st, signal_slot::kSubjectKind, r),
               *StrAt(data, st, signal_slot::kSubject, r)}]
        .push_back({st.Int(signal_slot::kTs, r), st.Num(signal_slot::kScore, r),
                    StrAt(data, st, signal_slot::kDetectorVersion, r)});
  }
  return w;
}

// The signal of detector d for an event: the event's own (the latest), else the latest
// about its account at or before the event's time; nullptr when there is none.
const Sig* FindSignal(const World& w, const std::string& detector, const Ev& e) {
  auto best = [](const std::vector<Sig>& sigs, std::optional<TimestampUs> at) -> const Sig* {
    const Sig* b = nullptr;
    for (const Sig& s : sigs) {
      if (at && s.ts > *at) continue;
      if (b == nullptr || s.ts > b->ts || (s.ts == b->ts && s.score > b->score)) b = &s;
    }
    return b;
  };
  auto it = w.signals.find({detector, "event", e.id});
  if (it != w.signals.end()) {
    if (const Sig* s = best(it->second, std::nullopt)) return s;
  }
  it = w.signals.find({detector, "account", e.account});
  if (it != w.signals.end()) return best(it->second, e.ts);
  return nullptr;
}

Val SignalFor(const World& w, const std::string& detector, const Ev& e) {
  const Sig* s = FindSignal(w, detector, e);
  return s ? Num(s->score) : Unknown(Type::kNumber);
}

// What a program may read.
struct Context {
  const World* world = nullptr;
  const dsl::RulePlan* rule = nullptr;
  const Ev* event = nullptr;                  // event programs
  const std::vector<Val>* aggregates = nullptr;  // window programs
  const std::vector<Val>* lets = nullptr;
};

int Compare(const Val& a, const Val& b) {
  switch (a.type) {
    case Type::kNumber: return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
    case Type::kDuration:
    case Type::kTimestamp: return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    case Type::kBool: return a.b == b.b ? 0 : (a.b ? 1 : -1);
    case Type::kString: return a.s < b.s ? -1 : (a.s > b.s ? 1 : 0);
    default: return 0;
  }
}

Val Arith(OpCode op, const Val& a, const Val& b) {
  const Type ta = a.type, tb = b.type;
  auto num_or_unknown = [](double d) { return std::isfinite(d) ? Num(d) : Unknown(Type::kNumber); };
  Type result = Type::kNumber;
  switch (op) {
    case OpCode::kAdd:
      if (ta == Type::kTimestamp || tb == Type::kTimestamp) result = Type::kTimestamp;
      else if (ta == Type::kDuration) result = Type::kDuration;
      break;
    case OpCode::kSub:
      if (ta == Type::kTimestamp && tb == Type::kTimestamp) result = Type::kDuration;
      else if (ta == Type::kTimestamp) result = Type::kTimestamp;
      else if (ta == Type::kDuration) result = Type::kDuration;
      break;
    case OpCode::kMul:
      if (ta == Type::kDuration || tb == Type::kDuration) result = Type::kDuration;
      break;
    case OpCode::kDiv:
      if (ta == Type::kDuration && tb == Type::kNumber) result = Type::kDuration;
      break;
    default: break;
  }
  if (!a.known || !b.known) return Unknown(result);
  if (ta == Type::kNumber && tb == Type::kNumber) {
    switch (op) {
      case OpCode::kAdd: return num_or_unknown(a.num + b.num);
      case OpCode::kSub: return num_or_unknown(a.num - b.num);
      case OpCode::kMul: return num_or_unknown(a.num * b.num);
      case OpCode::kDiv: return b.num == 0 ? Unknown(Type::kNumber) : num_or_unknown(a.num / b.num);
      case OpCode::kMod:
        return b.num == 0 ? Unknown(Type::kNumber) : num_or_unknown(std::fmod(a.num, b.num));
      default: return Unknown(Type::kNumber);
    }
  }
  // Durations and timestamps, in microseconds.
  switch (op) {
    case OpCode::kAdd: return Int(result, a.i + b.i);
    case OpCode::kSub: return Int(result, a.i - b.i);
    case OpCode::kMul: {
      const double d = ta == Type::kDuration ? static_cast<double>(a.i) * b.num
                                             : a.num * static_cast<double>(b.i);
      return Int(Type::kDuration, std::llround(d));
    }
    case OpCode::kDiv:
      if (tb == Type::kDuration) {
        return b.i == 0 ? Unknown(Type::kNumber)
                        : Num(static_cast<double>(a.i) / static_cast<double>(b.i));
      }
      return b.num == 0 ? Unknown(Type::kDuration)
                        : Int(Type::kDuration, std::llround(static_cast<double>(a.i) / b.num));
    default: return Unknown(result);
  }
}

Val Run(const dsl::Program& p, const Context& cx) {
  const dsl::RulePlan& rule = *cx.rule;
  std::vector<Val> st;
  auto pop = [&st]() {
    Val v = std::move(st.back());
    st.pop_back();
    return v;
  };
  for (const dsl::Instr& in : p.code) {
    switch (in.op) {
      case OpCode::kConst: {
        const dsl::Value& c = rule.constants[in.arg];
        switch (c.type) {
          case Type::kNumber: st.push_back(Num(c.number)); break;
          case Type::kString: st.push_back(Str(c.str)); break;
          case Type::kBool: st.push_back(Bool(c.bool_value)); break;
          case Type::kDuration:
          case Type::kTimestamp: st.push_back(Int(c.type, c.int_value)); break;
          default: {
            Val v = Known(c.type);
            v.set = c.strings;
            st.push_back(std::move(v));
          }
        }
        break;
      }
      case OpCode::kField:
        st.push_back(ReadColumn(*cx.world->data, cx.world->data->events, in.arg, cx.event->row));
        break;
      case OpCode::kAccount:
        if (cx.event->account_row) {
          st.push_back(
              ReadColumn(*cx.world->data, cx.world->data->accounts, in.arg, *cx.event->account_row));
        } else {
          st.push_back(Unknown(in.type));
        }
        break;
      case OpCode::kSignal: st.push_back(SignalFor(*cx.world, rule.detectors[in.arg], *cx.event)); break;
      case OpCode::kAggregate: st.push_back((*cx.aggregates)[in.arg]); break;
      case OpCode::kLet: st.push_back((*cx.lets)[in.arg]); break;
      case OpCode::kNot: {
        Val a = pop();
        st.push_back(a.known ? Bool(!a.b) : Unknown(Type::kBool));
        break;
      }
      case OpCode::kAnd:
      case OpCode::kOr: {
        Val b = pop(), a = pop();
        const bool is_and = in.op == OpCode::kAnd;
        // The dominant value: false for and, true for or.
        const bool dom = !is_and;
        if ((a.known && a.b == dom) || (b.known && b.b == dom)) st.push_back(Bool(dom));
        else if (a.known && b.known) st.push_back(Bool(!dom));
        else st.push_back(Unknown(Type::kBool));
        break;
      }
      case OpCode::kNeg: {
        Val a = pop();
        if (!a.known) st.push_back(Unknown(a.type));
        else if (a.type == Type::kNumber) st.push_back(Num(-a.num));
        else st.push_back(Int(a.type, -a.i));
        break;
      }
      case OpCode::kEq: case OpCode::kNe: case OpCode::kLt:
      case OpCode::kLe: case OpCode::kGt: case OpCode::kGe: {
        Val b = pop(), a = pop();
        if (!a.known || !b.known) {
          st.push_back(Unknown(Type::kBool));
          break;
        }
        const int c = Compare(a, b);
        bool r = false;
        switch (in.op) {
          case OpCode::kEq: r = c == 0; break;
          case OpCode::kNe: r = c != 0; break;
          case OpCode::kLt: r = c < 0; break;
          case OpCode::kLe: r = c <= 0; break;
          case OpCode::kGt: r = c > 0; break;
          default: r = c >= 0; break;
        }
        st.push_back(Bool(r));
        break;
      }
      case OpCode::kIn:
      case OpCode::kNotIn: {
        Val a = pop();
        if (!a.known) {
          st.push_back(Unknown(Type::kBool));
          break;
        }
        const dsl::Value& list = rule.constants[in.arg];
        bool found = false;
        if (a.type == Type::kString) {
          found = std::find(list.strings.begin(), list.strings.end(), a.s) != list.strings.end();
        } else {
          found = std::find(list.numbers.begin(), list.numbers.end(), a.num) != list.numbers.end();
        }
        st.push_back(Bool(in.op == OpCode::kIn ? found : !found));
        break;
      }
      case OpCode::kHas: {
        Val needle = pop(), set = pop();
        if (!needle.known) {
          st.push_back(Unknown(Type::kBool));
          break;
        }
        // An absent set is empty.
        st.push_back(Bool(set.known &&
                          std::find(set.set.begin(), set.set.end(), needle.s) != set.set.end()));
        break;
      }
      case OpCode::kStartsWith:
      case OpCode::kEndsWith:
      case OpCode::kContains: {
        Val b = pop(), a = pop();
        if (!a.known || !b.known) {
          st.push_back(Unknown(Type::kBool));
          break;
        }
        bool r = false;
        if (in.op == OpCode::kStartsWith) r = a.s.compare(0, b.s.size(), b.s) == 0 && a.s.size() >= b.s.size();
        else if (in.op == OpCode::kEndsWith)
          r = a.s.size() >= b.s.size() && a.s.compare(a.s.size() - b.s.size(), b.s.size(), b.s) == 0;
        else r = a.s.find(b.s) != std::string::npos;
        st.push_back(Bool(r));
        break;
      }
      case OpCode::kMatch: {
        Val a = pop();
        if (!a.known) st.push_back(Unknown(Type::kBool));
        else st.push_back(Bool(RE2::PartialMatch(a.s, rule.regexes[in.arg]->re2())));  // RE2 alone, no prefilter
        break;
      }
      case OpCode::kAdd: case OpCode::kSub: case OpCode::kMul:
      case OpCode::kDiv: case OpCode::kMod: {
        Val b = pop(), a = pop();
        st.push_back(Arith(in.op, a, b));
        break;
      }
    }
  }
  return st.empty() ? Unknown(Type::kError) : st.back();
}

bool IsTrue(const Val& v) { return v.known && v.type == Type::kBool && v.b; }

// A counted event of a rule, with its per-event values.
struct Counted {
  const Ev* ev = nullptr;
  std::string scope;
  std::int64_t bucket = 0;
  std::vector<Val> pred, value;  // per aggregate (pred: bool, or unknown when none)
  Val sort_key;
  std::vector<std::optional<std::string>> versions;  // per rule detector: of the signal used
};

const char* TypeText(Type t) {
  switch (t) {
    case Type::kNumber: return "number";
    case Type::kString: return "string";
    case Type::kBool: return "bool";
    case Type::kDuration: return "duration";
    case Type::kTimestamp: return "timestamp";
    case Type::kSet: return "set";
    default: return "error";
  }
}

EvalValueOut Out(const Val& v, Type type) {
  EvalValueOut o;
  o.type = TypeText(type);
  o.known = v.known;
  if (!v.known) return o;
  switch (v.type) {
    case Type::kNumber: o.number = v.num; break;
    case Type::kDuration: o.number = static_cast<double>(v.i); o.text = FormatDuration(v.i); break;
    case Type::kTimestamp: o.number = static_cast<double>(v.i); o.text = FormatRfc3339(v.i); break;
    case Type::kBool: o.text = v.b ? "true" : "false"; break;
    case Type::kString: o.text = v.s; break;
    default: break;
  }
  return o;
}

// The aggregates of one window, computed directly from its events.
std::vector<Val> Aggregates(const dsl::RulePlan& rule, const std::vector<const Counted*>& win) {
  std::vector<Val> out;
  for (std::size_t a = 0; a < rule.aggregates.size(); ++a) {
    const dsl::AggregateSpec& spec = rule.aggregates[a];
    const bool has_pred = !spec.predicate.empty();
    std::uint64_t n_true = 0;
    std::vector<Val> known;
    for (const Counted* c : win) {
      if (!has_pred || IsTrue(c->pred[a])) ++n_true;
      if (!spec.value.empty() && c->value[a].known) known.push_back(c->value[a]);
    }
    const Type vt = spec.value_type;
    const Type rt = spec.result_type;
    switch (spec.kind) {
      case dsl::AggKind::kCount: out.push_back(Num(static_cast<double>(n_true))); break;
      case dsl::AggKind::kShare:
        out.push_back(win.empty() ? Unknown(Type::kNumber)
                                  : Num(static_cast<double>(n_true) / static_cast<double>(win.size())));
        break;
      case dsl::AggKind::kSum:
      case dsl::AggKind::kAvg: {
        if (spec.kind == dsl::AggKind::kAvg && known.empty()) {
          out.push_back(Unknown(rt));
          break;
        }
        if (vt == Type::kNumber) {
          long double s = 0;
          std::vector<double> xs;
          for (const Val& v : known) xs.push_back(v.num);
          std::sort(xs.begin(), xs.end());  // sorted summation: independent of order
          for (double x : xs) s += x;
          if (std::fabs(s) > 0x1.0p63L) out.push_back(Unknown(rt));  // beyond +-2^63
          else if (spec.kind == dsl::AggKind::kSum) out.push_back(Num(static_cast<double>(s)));
          else out.push_back(Num(static_cast<double>(s / static_cast<long double>(known.size()))));
        } else {
          Int128 s = 0;
          for (const Val& v : known) s += v.i;
          if (s > static_cast<Int128>(INT64_MAX) || s < static_cast<Int128>(INT64_MIN)) {
            out.push_back(Unknown(rt));
          } else if (spec.kind == dsl::AggKind::kSum) {
            out.push_back(Int(rt, static_cast<std::int64_t>(s)));
          } else {
            out.push_back(Int(rt, std::llround(static_cast<long double>(s) /
                                               static_cast<long double>(known.size()))));
          }
        }
        break;
      }
      case dsl::AggKind::kMin:
      case dsl::AggKind::kMax: {
        if (known.empty()) {
          out.push_back(Unknown(rt));
          break;
        }
        Val best = known[0];
        for (const Val& v : known) {
          const int c = Compare(v, best);
          if (spec.kind == dsl::AggKind::kMin ? c < 0 : c > 0) best = v;
        }
        out.push_back(best);
        break;
      }
      case dsl::AggKind::kDistinct: {
        std::set<double> nums;
        std::set<std::string> others;
        for (const Val& v : known) {
          if (v.type == Type::kNumber) nums.insert(v.num);
          else if (v.type == Type::kBool) others.insert(v.b ? "true" : "false");
          else if (v.type == Type::kString) others.insert(v.s);
          else others.insert(std::to_string(v.i));
        }
        out.push_back(Num(static_cast<double>(nums.size() + others.size())));
        break;
      }
      case dsl::AggKind::kPercentile: {
        if (known.empty()) {
          out.push_back(Unknown(rt));
          break;
        }
        std::sort(known.begin(), known.end(),
                  [](const Val& x, const Val& y) { return Compare(x, y) < 0; });
        const double n = static_cast<double>(known.size());
        double rank = std::ceil(spec.quantile * n);
        rank = std::max(1.0, std::min(rank, n));
        out.push_back(known[static_cast<std::size_t>(rank) - 1]);
        break;
      }
      case dsl::AggKind::kRate:
        out.push_back(Num(static_cast<double>(n_true) * static_cast<double>(spec.per) /
                          static_cast<double>(rule.window)));
        break;
      case dsl::AggKind::kActiveDays: {
        std::set<std::int64_t> days;
        for (const Counted* c : win) days.insert(c->bucket);
        out.push_back(Num(static_cast<double>(days.size())));
        break;
      }
      case dsl::AggKind::kMaxGap: {
        if (win.size() < 2) {
          out.push_back(Unknown(Type::kDuration));
          break;
        }
        std::vector<TimestampUs> ts;
        for (const Counted* c : win) ts.push_back(c->ev->ts);
        std::sort(ts.begin(), ts.end());
        DurationUs gap = 0;
        for (std::size_t k = 1; k < ts.size(); ++k) gap = std::max(gap, ts[k] - ts[k - 1]);
        out.push_back(Int(Type::kDuration, gap));
        break;
      }
    }
  }
  return out;
}

struct Point {
  Outcome outcome = Outcome::kNotEvaluated;
  std::vector<const Counted*> window;
  std::vector<Val> aggregates, lets;
  std::vector<Val> levels;  // every level's condition, in order
};

Point EvaluatePoint(const World& world, const dsl::RulePlan& rule,
                    const std::vector<Counted>& counted, const std::string& scope,
                    std::int64_t day) {
  Point p;
  const TimestampUs t = DayStart(day + 1);
  for (const Counted& c : counted) {
    if (c.scope == scope && c.ev->ts > t - rule.window && c.ev->ts <= t) p.window.push_back(&c);
  }
  if (p.window.empty()) return p;
  std::set<std::int64_t> active;
  for (const Counted* c : p.window) active.insert(c->bucket);
  if (active.size() < rule.min_active_days) return p;
  p.aggregates = Aggregates(rule, p.window);
  Context cx;
  cx.world = &world;
  cx.rule = &rule;
  cx.aggregates = &p.aggregates;
  cx.lets = &p.lets;
  for (const dsl::LetPlan& l : rule.lets) p.lets.push_back(Run(l.program, cx));
  bool unknown = false;
  p.outcome = Outcome::kCompliant;
  for (const dsl::LevelPlan& l : rule.levels) {
    p.levels.push_back(Run(l.condition, cx));
    const Val& v = p.levels.back();
    if (p.outcome != Outcome::kCompliant) continue;  // decided by an earlier level
    if (IsTrue(v)) {
      p.outcome = l.level == dsl::LevelKind::kViolation ? Outcome::kViolation : Outcome::kReview;
    } else if (!v.known) {
      unknown = true;
    }
  }
  if (p.outcome == Outcome::kCompliant && unknown) p.outcome = Outcome::kInsufficient;
  return p;
}

// Evidence order: known keys first, ascending or descending, ties by event id.
bool EvidenceBefore(const Counted* a, const Counted* b, bool desc) {
  if (a->sort_key.known != b->sort_key.known) return a->sort_key.known;
  if (a->sort_key.known) {
    const int c = Compare(a->sort_key, b->sort_key);
    if (c != 0) return desc ? c > 0 : c < 0;
  }
  return a->ev->id < b->ev->id;
}

bool WaiverCovers(const World& w, const Waiver& wv, const std::string& rule_id, const Ev& e) {
  if (wv.rule != "*" && wv.rule != rule_id) return false;
  if (e.ts < wv.from || (wv.until && e.ts >= *wv.until)) return false;
  switch (wv.kind) {
    case WaiverScope::kAccount: return e.account == wv.value;
    case WaiverScope::kOrg: return e.org && *e.org == wv.value;
    case WaiverScope::kApiKey: return e.api_key && *e.api_key == wv.value;
    case WaiverScope::kCluster: {
      auto it = w.cluster_of.find(wv.value);
      return it != w.cluster_of.end() && it->second == w.cluster_of.at(e.account);
    }
  }
  return false;
}

}  // namespace

const char* RefOutcomeName(Outcome o) {
  static const char* const kNames[] = {"violation", "review", "insufficient_evidence", "compliant",
                                       "not_evaluated"};
  return kNames[static_cast<std::size_t>(o)];
}

std::string FindingId(const std::string& rule_id, const std::string& scope_kind,
                      const std::string& scope_value, std::int64_t first_day, Outcome outcome) {
  const std::string parts[] = {rule_id, scope_kind, scope_value, FormatDate(DayStart(first_day)),
                               RefOutcomeName(outcome)};
  std::string in = parts[0];
  for (std::size_t i = 1; i < std::size(parts); ++i) (in += '\0') += parts[i];
  return "F-" + ToHex(Sha256::Of(in)).substr(0, 16);
}

namespace {

// Called for every (rule, scope value, day) of the audited period; for cluster scope,
// `members` are the cluster's accounts.
using PointHook = std::function<void(const dsl::RulePlan& rule, const std::string& scope,
                                     const std::vector<std::string>& members, std::int64_t day,
                                     const Point& point)>;

EvalResult EvaluateWith(const dsl::Plan& plan, const Dataset& data, const IngestConfig& config,
                        const EvalOptions& options, const PointHook* hook) {
  EvalResult result;
  const RecordTable& et = data.events;
  std::vector<Ev> evs(et.rows());
  std::map<std::string, std::size_t> account_rows;
  for (std::size_t r = 0; r < data.accounts.rows(); ++r) {
    account_rows.emplace(*StrAt(data, data.accounts, account_slot::kAccountId, r), r);
  }
  for (std::size_t r = 0; r < et.rows(); ++r) {
    Ev& e = evs[r];
    e.row = r;
    e.id = *StrAt(data, et, event_slot::kEventId, r);
    e.account = *StrAt(data, et, event_slot::kAccountId, r);
    e.ts = et.Int(event_slot::kTs, r);
    auto it = account_rows.find(e.account);
    if (it != account_rows.end()) e.account_row = it->second;
    e.org = StrAt(data, et, event_slot::kOrgId, r);
    if (!e.org && e.account_row) e.org = StrAt(data, data.accounts, account_slot::kOrgId, *e.account_row);
    e.api_key = StrAt(data, et, event_slot::kApiKeyId, r);
  }
  const World world = BuildWorld(data, config, evs);

  EvalStats& stats = result.stats;
  stats.events = et.rows();
  stats.accounts = world.accounts;
  for (const auto& [c, m] : world.members) stats.clusters += m.size() > 1 ? 1u : 0u;
  stats.common_values = world.common_values;
  std::optional<std::int64_t> first, last;
  for (const Ev& e : evs) {
    const std::int64_t b = Bucket(e.ts);
    if (!first || b < *first) first = b;
    if (!last || b > *last) last = b;
  }
  const std::int64_t from = options.from_day ? *options.from_day : first.value_or(0);
  const std::int64_t to = options.to_day ? *options.to_day : last.value_or(-1);
  stats.from_day = from;
  stats.to_day = to;

  // Acceptances by account: (policy, version, accepted_at).
  struct Acc {
    std::string policy, version;
    TimestampUs at = 0;
  };
  std::map<std::string, std::vector<Acc>> acceptances;
  const RecordTable& at = data.acceptances;
  for (std::size_t r = 0; r < at.rows(); ++r) {
    acceptances[*StrAt(data, at, acceptance_slot::kAccountId, r)].push_back(
        {*StrAt(data, at, acceptance_slot::kPolicy, r), *StrAt(data, at, acceptance_slot::kVersion, r),
         at.Int(acceptance_slot::kAcceptedAt, r)});
  }
  // The acceptance binding `account` to `policy` at `ts`: of the versions it accepted by
  // then that are in force, the latest to come into force; of several acceptances of
  // that version, the earliest. nullptr when none.
  struct Bound {
    const Acc* acceptance = nullptr;
    const dsl::CheckedVersion* version = nullptr;
  };
  auto binding_at = [&](const dsl::CheckedPolicy& policy, const std::string& account,
                        TimestampUs ts) {
    Bound b;
    auto it = acceptances.find(account);
    if (it == acceptances.end()) return b;
    for (const Acc& acc : it->second) {
      if (acc.policy != policy.id || acc.at > ts) continue;
      for (const dsl::CheckedVersion& v : policy.versions) {
        if (v.name != acc.version || v.effective > ts) continue;
        if (b.version == nullptr || v.effective > b.version->effective ||
            (v.effective == b.version->effective && acc.at < b.acceptance->at)) {
          b = {&acc, &v};
        }
      }
    }
    return b;
  };

  for (const dsl::RulePlan& rule : plan.rules) {
    EvalStats::PerRule rs;
    rs.rule_id = rule.id;
    const std::string kind = dsl::ScopeText(rule.scope);
    const dsl::CheckedPolicy* policy = nullptr;
    if (rule.require_policy) {
      for (const auto& p : plan.policies) {
        if (p.id == *rule.require_policy) policy = &p;
      }
    }
    Context ecx;
    ecx.world = &world;
    ecx.rule = &rule;
    std::vector<Counted> counted;
    std::map<std::string, std::vector<const Ev*>> waived;  // scope value -> waived events
    const std::int64_t days_w = rule.window / kMicrosPerDay;
    for (const Ev& e : evs) {
      // Events outside every window of the audited period are not looked at (nor counted
      // in the statistics).
      if (Bucket(e.ts) < from - days_w + 1 || Bucket(e.ts) > to) continue;
      ecx.event = &e;
      // 1. Scope value.
      std::optional<std::string> scope;
      switch (rule.scope) {
        case dsl::Scope::kAccount: scope = e.account; break;
        case dsl::Scope::kOrg: scope = e.org; break;
        case dsl::Scope::kApiKey: scope = e.api_key; break;
        case dsl::Scope::kCluster: scope = world.cluster_of.at(e.account); break;
      }
      if (!scope) {
        ++rs.no_scope;
        continue;
      }
      // 2. Applicability: the binding version at the event's time must contain the clause.
      if (rule.require_policy) {
        const dsl::CheckedVersion* binding =
            policy != nullptr ? binding_at(*policy, e.account, e.ts).version : nullptr;
        if (binding == nullptr ||
            std::find(rule.require_versions.begin(), rule.require_versions.end(), binding->name) ==
                rule.require_versions.end()) {
          ++rs.not_applicable;
          continue;
        }
      }
      // 3. Exemption.
      if (!rule.unless.empty() && IsTrue(Run(rule.unless, ecx))) {
        ++rs.exempted;
        continue;
      }
      // 4. Waivers.
      bool is_waived = false;
      for (const Waiver& w : options.waivers) is_waived = is_waived || WaiverCovers(world, w, rule.id, e);
      if (is_waived) {
        ++rs.waived;
        waived[*scope].push_back(&e);
        continue;
      }
      // 5. Filter.
      if (!rule.where.empty() && !IsTrue(Run(rule.where, ecx))) {
        ++rs.filtered;
        continue;
      }
      ++rs.counted;
      Counted c;
      c.ev = &e;
      c.scope = *scope;
      c.bucket = Bucket(e.ts);
      for (const dsl::AggregateSpec& spec : rule.aggregates) {
        c.pred.push_back(spec.predicate.empty() ? Unknown(Type::kBool) : Run(spec.predicate, ecx));
        c.value.push_back(spec.value.empty() ? Unknown(spec.value_type) : Run(spec.value, ecx));
      }
      for (const std::string& det : rule.detectors) {
        const Sig* sig = FindSignal(world, det, e);
        c.versions.push_back(sig ? sig->version : std::nullopt);
      }
      c.sort_key = rule.evidence.order_by.empty() ? Int(Type::kTimestamp, e.ts)
                                                  : Run(rule.evidence.order_by, ecx);
      counted.push_back(std::move(c));
    }
    std::set<std::string> scopes;
    for (const Counted& c : counted) scopes.insert(c.scope);
    rs.scopes = scopes.size();

    for (const std::string& scope : scopes) {
      std::map<std::int64_t, Point> points;
      for (std::int64_t d = from; d <= to; ++d) {
        points[d] = EvaluatePoint(world, rule, counted, scope, d);
        if (points[d].outcome != Outcome::kNotEvaluated) ++rs.points;
        if (hook != nullptr) {
          static const std::vector<std::string> kNone;
          (*hook)(rule, scope, rule.scope == dsl::Scope::kCluster ? world.members.at(scope) : kNone, d,
                  points[d]);
        }
      }
      auto outcome_at = [&](std::int64_t d) {
        auto it = points.find(d);
        return it == points.end() ? Outcome::kNotEvaluated : it->second.outcome;
      };
      for (std::int64_t d = from; d <= to;) {
        const Outcome o = outcome_at(d);
        if (o == Outcome::kCompliant || o == Outcome::kNotEvaluated) {
          ++d;
          continue;
        }
        std::int64_t end = d;
        while (end + 1 <= to && outcome_at(end + 1) == o) ++end;
        Finding f;
        f.rule_id = rule.id;
        f.scope_kind = kind;
        f.scope_value = scope;
        f.level = o;
        f.first_day = d;
        f.last_day = end;
        f.days = static_cast<std::uint32_t>(end - d + 1);
        f.window = rule.window;
        f.id = FindingId(rule.id, kind, scope, d, o);
        f.peak_day = d;
        for (std::int64_t k = d; k <= end; ++k) {
          if (points[k].window.size() > points[f.peak_day].window.size()) f.peak_day = k;
        }
        const Point& peak = points[f.peak_day];
        for (std::size_t a = 0; a < rule.aggregates.size(); ++a) {
          f.metrics.push_back({rule.aggregates[a].text, "aggregate",
                               Out(peak.aggregates[a], rule.aggregates[a].result_type)});
        }
        for (std::size_t l = 0; l < rule.lets.size(); ++l) {
          f.metrics.push_back({rule.lets[l].name, "let", Out(peak.lets[l], rule.lets[l].type)});
        }
        // The explanation: here only each level's value at the peak (the tree's root).
        for (std::size_t k = 0; k < rule.levels.size(); ++k) {
          LevelExplanation le;
          le.level = dsl::LevelText(rule.levels[k].level);
          le.condition.value = Out(peak.levels[k], Type::kBool);
          f.explanation.push_back(std::move(le));
        }
        std::set<std::string> accounts;
        for (const Counted* c : peak.window) accounts.insert(c->ev->account);
        f.accounts.assign(accounts.begin(), accounts.end());
        // Detectors: the versions of the signals the peak window's events used.
        for (std::size_t k = 0; k < rule.detectors.size(); ++k) {
          DetectorUse du;
          du.name = rule.detectors[k];
          std::set<std::string> versions;
          for (const Counted* c : peak.window) {
            if (c->versions[k]) versions.insert(*c->versions[k]);
          }
          du.versions.assign(versions.begin(), versions.end());
          for (const DetectorConfig& dc : config.detectors) {
            if (dc.name == du.name) {
              du.threshold = dc.threshold;
              du.false_positive_rate = dc.false_positive_rate;
            }
          }
          f.detectors.push_back(std::move(du));
        }
        // Acceptances: every acceptance an event counted in the peak window was bound by:
        // the binding version at the event's own time and, of several acceptances of that
        // version, the earliest; ordered by account, then acceptance time.
        if (policy != nullptr) {
          std::set<std::tuple<std::string, TimestampUs, std::string, std::string>> used;
          for (const Counted* c : peak.window) {
            const Ev& e = *c->ev;
            const Acc* binding = binding_at(*policy, e.account, e.ts).acceptance;
            if (binding != nullptr) {
              used.emplace(e.account, binding->at, binding->policy, binding->version);
            }
          }
          for (const auto& [account, accepted_at, policy_id, version] : used) {
            AcceptanceUse u;
            u.account_id = account;
            u.policy = policy_id;
            u.version = version;
            u.accepted_at = accepted_at;
            f.acceptances.push_back(std::move(u));
          }
        }
        if (rule.scope == dsl::Scope::kCluster) {
          f.cluster_members = world.members.at(scope);
          auto it = world.links.find(scope);
          if (it != world.links.end()) f.links = it->second;
        }
        // Waivers that exempted events of this scope in any window of the finding; when
        // several cover one event, every one of them (docs/engine.md, "Waivers").
        std::set<std::string> waiver_ids;
        const TimestampUs lo = DayStart(d + 1) - rule.window, hi = DayStart(end + 1);
        for (const Ev* e : waived[scope]) {
          if (e->ts <= lo || e->ts > hi) continue;
          for (const Waiver& w : options.waivers) {
            if (WaiverCovers(world, w, rule.id, *e)) waiver_ids.insert(w.id);
          }
        }
        for (const std::string& id : waiver_ids) f.waivers.push_back({id, "", "", "", "", 0, {}});
        // Evidence.
        std::vector<const Counted*> sample = peak.window;
        std::sort(sample.begin(), sample.end(), [&](const Counted* a, const Counted* b) {
          return EvidenceBefore(a, b, rule.evidence.descending);
        });
        f.evidence_total = sample.size();
        if (sample.size() > rule.evidence.sample) sample.resize(rule.evidence.sample);
        for (const Counted* c : sample) {
          EvidenceItem item;
          item.event_id = c->ev->id;
          item.ts = c->ev->ts;
          item.account_id = c->ev->account;
          item.ref = et.ref(c->ev->row);
          item.sort_key = Out(c->sort_key, c->sort_key.type);
          ecx.event = c->ev;
          for (std::size_t k = 0; k < rule.evidence.show.size(); ++k) {
            const Val v = Run(rule.evidence.show[k], ecx);
            item.shown.emplace_back(rule.evidence.show_text[k], Out(v, v.type));
          }
          f.evidence.push_back(std::move(item));
        }
        // Timeline: from the first window's start (or the scope's first active day, when
        // later) to the last day.
        std::int64_t first_active = d;
        for (const Counted& c : counted) {
          if (c.scope == scope) first_active = std::min(first_active, c.bucket);
        }
        for (std::int64_t k = std::max(d - days_w + 1, first_active); k <= end; ++k) {
          TimelineDay td;
          td.day = k;
          for (const Counted& c : counted) td.events += (c.scope == scope && c.bucket == k) ? 1u : 0u;
          td.outcome = outcome_at(k);
          f.timeline.push_back(td);
        }
        result.findings.push_back(std::move(f));
        ++rs.findings;
        d = end + 1;
      }
    }
    stats.rules.push_back(std::move(rs));
  }
  return result;
}

}  // namespace

EvalResult Evaluate(const dsl::Plan& plan, const Dataset& data, const IngestConfig& config,
                    const EvalOptions& options, std::vector<PointExplanation>* points) {
  if (points == nullptr) return EvaluateWith(plan, data, config, options, nullptr);
  std::vector<PointExplanation>& out = *points;
  const PointHook hook = [&](const dsl::RulePlan& rule, const std::string& scope,
                             const std::vector<std::string>& members, std::int64_t day,
                             const Point& p) {
    PointExplanation e;
    e.rule_id = rule.id;
    e.scope_kind = dsl::ScopeText(rule.scope);
    e.scope_value = scope;
    e.day = day;
    e.outcome = p.outcome;
    e.counted = p.window.size();
    std::set<std::int64_t> active;
    for (const Counted* c : p.window) active.insert(c->bucket);
    e.active_days = static_cast<std::uint32_t>(active.size());
    for (std::size_t a = 0; a < p.aggregates.size(); ++a) {
      e.metrics.push_back({rule.aggregates[a].text, "aggregate",
                           Out(p.aggregates[a], rule.aggregates[a].result_type)});
    }
    for (std::size_t l = 0; l < p.lets.size(); ++l) {
      e.metrics.push_back({rule.lets[l].name, "let", Out(p.lets[l], rule.lets[l].type)});
    }
    // The reason field carries the cluster's other members, for explain by any of them.
    for (const std::string& m : members) e.reason += m + "\n";
    out.push_back(std::move(e));
  };
  return EvaluateWith(plan, data, config, options, &hook);
}

// --- Random cases ---------------------------------------------------------------------

namespace {

// SplitMix64: the same sequence on every platform (std distributions are not portable).
struct Rng {
  std::uint64_t state;
  std::uint64_t Next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  std::int64_t In(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(In(0, static_cast<std::int64_t>(v.size()) - 1))];
  }
};

std::string Q(const std::string& s) { return "\"" + s + "\""; }
std::string Field(const std::string& key, const std::string& json) { return "," + Q(key) + ":" + json; }
std::string TsJson(TimestampUs ts) { return Q(FormatRfc3339(ts)); }
std::string Score(std::int64_t milli) {
  std::string s = std::to_string(milli / 1000) + ".";
  std::string frac = std::to_string(milli % 1000);
  return s + std::string(3 - frac.size(), '0') + frac;
}

// Per-event conditions (bool), for `where` and inside aggregates.
const std::vector<std::string>& EventConds() {
  static const std::vector<std::string> k = {
      "status == \"success\"",
      "model in [\"m1\", \"m2\"]",
      "endpoint starts_with \"chat\"",
      "params.logprobs",
      "params.logprobs and params.logit_bias_size > 50",
      "tags has \"eval\"",
      "text matches /step by step|reasoning/i",
      "signal(\"distill\") >= 0.7",
      "input_tokens > 2500 or output_tokens < 500",
      "not (country == \"US\")",
      "account.tier == \"pro\"",
      "ts - account.created_at <= 20d",
      "country not in [\"KP\", \"IR\"]",
      "text contains \"world\"",
      "client_ip ends_with \".3\"",
      "params.temperature >= 0.7",
      "account.contract has \"other\"",
      "ts >= 2025-06-01",
      "signal(\"risk\") < 0.5 or signal(\"distill\") > 0.9",
      "not params.logprobs or input_tokens <= 1000",
  };
  return k;
}

// A window-level term: an aggregate (or an expression of aggregates) with a comparison
// against a random threshold of the right unit.
std::string Threshold(Rng& rng, int kind, std::int64_t window_days) {
  switch (kind) {
    case 0: return std::to_string(rng.In(1, 25));                         // counts
    // Thresholds no average of the generated values can equal: a knife edge would test
    // how the last bit of a quotient is rounded (see the [!mayfail] test of avg).
    case 1: return "0." + std::to_string(rng.In(0, 9)) + "370001";        // fractions
    case 2: return std::to_string(rng.In(0, 60000)) + ".5";                // token sums
    case 3: return std::to_string(rng.In(0, 4999)) + ".25";                // token values
    case 4: return std::to_string(rng.In(0, 12)) + ".07";                  // temperature sums
    case 5: return "0." + std::to_string(rng.In(0, 12)) + "130001";        // temperatures
    case 6: return std::to_string(rng.In(1, 40)) + "h";                    // durations
    case 7: return std::to_string(rng.In(1, 6));                           // distinct
    case 8: return std::to_string(rng.In(1, window_days));                 // active days
    case 10: {                                                            // timestamps
      const std::int64_t d = rng.In(1, 28);
      return std::string("2025-06-") + (d < 10 ? "0" : "") + std::to_string(d);
    }
    case 11: return std::to_string(rng.In(1, 60)) + "d";                   // long durations
    case 12: return "-" + std::to_string(rng.In(0, 4999)) + ".25";         // negated tokens
    default: return "0." + std::to_string(rng.In(1, 99)) + "1";            // rates
  }
}

struct AggTemplate {
  std::string text;  // may contain "C" for a random event condition
  int kind;          // threshold kind, see Threshold
};

const std::vector<AggTemplate>& Aggs() {
  static const std::vector<AggTemplate> k = {
      {"count()", 0},
      {"count(C)", 0},
      {"share(C)", 1},
      {"sum(input_tokens)", 2},
      {"sum(params.temperature)", 4},
      {"avg(input_tokens)", 3},
      {"avg(params.temperature)", 5},
      {"min(input_tokens)", 3},
      {"max(output_tokens)", 3},
      {"max(signal(\"distill\"))", 1},
      {"min(signal(\"risk\"))", 1},
      {"avg(signal(\"distill\"))", 1},
      {"distinct(model)", 7},
      {"distinct(client_ip)", 7},
      {"distinct(account_id)", 7},
      {"distinct(params.logprobs)", 7},
      {"distinct(input_tokens)", 0},
      {"p50(input_tokens)", 3},
      {"p90(params.temperature)", 5},
      {"p99(output_tokens)", 3},
      {"p95(signal(\"distill\"))", 1},
      {"percentile(signal(\"distill\"), 0.75)", 1},
      {"percentile(input_tokens, 0.3)", 3},
      {"rate(1h)", 9},
      {"rate(1d, C)", 9},
      {"active_days()", 8},
      {"max_gap()", 6},
      {"max(ts) - min(ts)", 6},
      {"count(C) / count()", 1},
      {"sum(input_tokens) + sum(output_tokens)", 2},
      {"min(ts)", 10},
      {"p90(ts - account.created_at)", 11},
      {"max(account.created_at)", 10},
      {"avg(ts - account.created_at)", 11},
      {"sum(ts - account.created_at)", 11},
      {"max(ts - account.created_at)", 11},
      {"count() % 3", 0},
      {"-min(input_tokens)", 12},
  };
  return k;
}

std::string Fill(Rng& rng, const std::string& t) {
  std::string out;
  for (char ch : t) {
    if (ch == 'C') out += rng.Pick(EventConds());
    else out += ch;
  }
  return out;
}

const std::vector<std::string> kOps = {">=", ">", "<", "<="};

}  // namespace

RandomCase GenerateCase(std::uint64_t seed, int n_rules) {
  RandomCase c;
  c.seed = seed;
  Rng rng{seed * 0x2545F4914F6CDD1Dull + 1};
  const std::int64_t base = DaysFromCivil(2025, 5, 18) + rng.In(0, 12);
  const std::int64_t n_days = rng.In(10, 40);
  const std::int64_t policy_day = DaysFromCivil(2025, 6, 1);

  // Accounts: ids of different lengths, so byte order differs from numeric order.
  const int n_accounts = static_cast<int>(rng.In(2, 12));
  std::vector<std::string> accounts;
  std::set<std::int64_t> used;
  while (static_cast<int>(accounts.size()) < n_accounts) {
    const std::int64_t k = rng.In(1, 40);
    if (used.insert(k).second) accounts.push_back("acct-" + std::to_string(k));
  }
  const std::vector<std::string> orgs = {"org-a", "org-b", "org-c"};
  const std::vector<std::string> tiers = {"free", "pro", "enterprise"};
  const std::vector<std::string> contracts = {"[]", "[\"distillation_permitted\"]", "[\"other\"]",
                                              "[\"other\",\"distillation_permitted\"]"};
  const std::vector<std::string> countries = {"US", "DE", "KP", "IR", "FR"};
  for (const std::string& a : accounts) {
    if (!rng.Chance(0.85)) continue;  // some accounts only appear in events
    std::string line = "{" + Q("account_id") + ":" + Q(a);
    if (rng.Chance(0.6)) line += Field("org_id", Q(rng.Pick(orgs)));
    if (rng.Chance(0.8)) line += Field("tier", Q(rng.Pick(tiers)));
    if (rng.Chance(0.6)) line += Field("payment_fingerprint", Q("pf-" + std::to_string(rng.In(1, 4))));
    if (rng.Chance(0.7)) line += Field("contract", rng.Pick(contracts));
    if (rng.Chance(0.7)) {
      line += Field("created_at", TsJson(DayStart(base - rng.In(0, 40)) + rng.In(0, kMicrosPerDay - 1)));
    }
    if (rng.Chance(0.5)) line += Field("country", Q(rng.Pick(countries)));
    c.accounts.push_back(line + "}");
  }

  // Events.
  std::int64_t n_events = rng.Chance(0.08) ? 0 : rng.In(1, 300);
  if (rng.Chance(0.2)) n_events = rng.In(1, 12);
  std::vector<std::int64_t> ids(static_cast<std::size_t>(n_events));
  std::iota(ids.begin(), ids.end(), 0);
  for (std::size_t i = ids.size(); i > 1; --i) {
    std::swap(ids[i - 1], ids[static_cast<std::size_t>(rng.In(0, static_cast<std::int64_t>(i) - 1))]);
  }
  struct EvInfo {
    std::string id, account;
    TimestampUs ts;
  };
  std::vector<EvInfo> events;
  const std::vector<std::string> models = {"m1", "m2", "m3"};
  const std::vector<std::string> endpoints = {"chat.completions", "completions", "embeddings"};
  const std::vector<std::string> statuses = {"success", "success", "success", "error", "rate_limited"};
  const std::vector<std::string> temps = {"0", "-0.0", "0.2", "0.5", "0.7", "1.0", "1.3"};
  const std::vector<std::string> tags = {"[]", "[\"eval\"]", "[\"eval\",\"batch\"]", "[\"batch\"]"};
  const std::vector<std::string> texts = {"please think step by step", "Show your reasoning",
                                          "hello world", "translate this", ""};
  for (std::int64_t i = 0; i < n_events; ++i) {
    EvInfo e;
    e.id = "ev-" + std::to_string(ids[static_cast<std::size_t>(i)]);
    // Skewed activity: the first accounts are busier.
    const std::int64_t ai = std::min(rng.In(0, n_accounts - 1), rng.In(0, n_accounts - 1));
    e.account = accounts[static_cast<std::size_t>(ai)];
    const std::int64_t day = base + rng.In(0, n_days - 1);
    const double r = static_cast<double>(rng.In(0, 99));
    if (r < 12) e.ts = DayStart(day);                   // exactly midnight
    else if (r < 16) e.ts = DayStart(day) + 1;          // just after
    else if (r < 20) e.ts = DayStart(day) - 1;          // just before
    else e.ts = DayStart(day) + rng.In(0, kMicrosPerDay - 1);
    std::string line = "{" + Q("event_id") + ":" + Q(e.id) + Field("ts", TsJson(e.ts)) +
                       Field("account_id", Q(e.account));
    if (rng.Chance(0.25)) line += Field("org_id", Q(rng.Pick(orgs)));
    if (rng.Chance(0.8)) {
      line += Field("api_key_id", Q(rng.Chance(0.1) ? std::string("key-shared")
                                                    : "key-" + std::to_string(ai * 2 + rng.In(0, 1))));
    }
    line += Field("model", Q(rng.Pick(models)));
    if (rng.Chance(0.8)) line += Field("endpoint", Q(rng.Pick(endpoints)));
    if (rng.Chance(0.85)) line += Field("input_tokens", std::to_string(rng.In(0, 5000)));
    if (rng.Chance(0.85)) line += Field("output_tokens", std::to_string(rng.In(0, 3000)));
    std::string params;
    if (rng.Chance(0.5)) params += Field("logprobs", rng.Chance(0.5) ? "true" : "false");
    if (rng.Chance(0.4)) params += Field("logit_bias_size", std::to_string(rng.In(0, 200)));
    if (rng.Chance(0.6)) params += Field("temperature", rng.Pick(temps));
    if (rng.Chance(0.3)) params += Field("n", std::to_string(rng.In(1, 4)));
    if (!params.empty()) line += Field("params", "{" + params.substr(1) + "}");
    line += Field("status", Q(rng.Pick(statuses)));
    if (rng.Chance(0.7)) line += Field("client_ip", Q("10.0.0." + std::to_string(rng.In(1, 6))));
    if (rng.Chance(0.5)) line += Field("device_id", Q("dev-" + std::to_string(rng.In(1, 5))));
    if (rng.Chance(0.7)) line += Field("country", Q(rng.Pick(countries)));
    if (rng.Chance(0.5)) line += Field("tags", rng.Pick(tags));
    if (rng.Chance(0.5)) line += Field("text", Q(rng.Pick(texts)));
    c.events.push_back(line + "}");
    events.push_back(e);
  }

  // Acceptances: old terms, new terms (before or after they take effect, sometimes at the
  // exact time of an event), versions the policy does not declare, another policy.
  auto accept = [&](const std::string& a, const std::string& policy, const std::string& version,
                    TimestampUs at) {
    c.acceptances.push_back("{" + Q("account_id") + ":" + Q(a) + Field("policy", Q(policy)) +
                            Field("version", Q(version)) + Field("accepted_at", TsJson(at)) +
                            Field("method", Q("clickwrap")) + "}");
  };
  auto some_time = [&]() { return DayStart(base + rng.In(-3, n_days)) + rng.In(0, kMicrosPerDay - 1); };
  for (const std::string& a : accounts) {
    if (rng.Chance(0.55)) accept(a, "acme", "2024-01", DayStart(DaysFromCivil(2024, 2, 1)) + rng.In(0, 1000));
    if (rng.Chance(0.2)) accept(a, "acme", "2024-01", some_time());
    if (rng.Chance(0.45)) {
      TimestampUs at = some_time();
      std::vector<TimestampUs> own;
      for (const EvInfo& e : events) {
        if (e.account == a) own.push_back(e.ts);
      }
      if (!own.empty() && rng.Chance(0.4)) at = rng.Pick(own);
      if (rng.Chance(0.15)) at = DayStart(policy_day - rng.In(1, 5));  // before it takes effect
      accept(a, "acme", "2025-06", at);
    }
    if (rng.Chance(0.1)) accept(a, "acme", "2023-01", some_time());
    if (rng.Chance(0.1)) accept(a, "other", "2025-06", some_time());
  }

  // Signals: about events (sometimes two), about accounts at various times.
  std::set<std::tuple<std::string, std::string, std::string, TimestampUs>> keys;
  auto signal = [&](const std::string& det, const std::string& kind, const std::string& subject,
                    TimestampUs ts) {
    if (!keys.insert({det, kind, subject, ts}).second) return;
    std::string line = "{" + Q("detector") + ":" + Q(det);
    if (rng.Chance(0.8)) line += Field("detector_version", Q(det + "-" + std::to_string(rng.In(1, 2))));
    line += Field("subject_kind", Q(kind)) + Field("subject", Q(subject)) + Field("ts", TsJson(ts)) +
            Field("score", Score(rng.In(0, 1000)));
    c.signals.push_back(line + "}");
  };
  for (const EvInfo& e : events) {
    if (rng.Chance(0.35)) signal("distill", "event", e.id, e.ts + rng.In(-600, 600) * kMicrosPerSecond);
    if (rng.Chance(0.08)) signal("distill", "event", e.id, e.ts + rng.In(-600, 600) * kMicrosPerSecond);
    if (rng.Chance(0.15)) signal("risk", "event", e.id, e.ts + rng.In(0, 60) * kMicrosPerSecond);
  }
  for (const std::string& a : accounts) {
    for (const std::string det : {"distill", "risk"}) {
      const std::int64_t n = rng.In(0, 4);
      for (std::int64_t k = 0; k < n; ++k) {
        TimestampUs ts = some_time();
        std::vector<TimestampUs> own;
        for (const EvInfo& e : events) {
          if (e.account == a) own.push_back(e.ts);
        }
        if (!own.empty() && rng.Chance(0.25)) ts = rng.Pick(own);  // exactly at an event
        signal(det, "account", a, ts);
      }
    }
  }
  if (rng.Chance(0.2)) signal("distill", "event", "ev-nobody", DayStart(base));

  c.max_accounts_per_value = static_cast<std::uint32_t>(rng.Chance(0.5) ? 50 : rng.In(2, 4));

  // Rules.
  c.pack = "policy acme \"Acme AI Terms\" {\n  version \"2024-01\" effective 2024-01-15\n"
           "  version \"2025-06\" effective 2025-06-01\n}\n";
  const std::vector<std::string> scopes = {"account", "org", "api_key", "cluster"};
  const std::vector<std::string> unlesses = {
      "account.contract has \"distillation_permitted\"", "account.tier == \"enterprise\"",
      "account.country in [\"DE\"]", "account.created_at < 2025-04-20"};
  const std::vector<std::string> keys_by = {"signal(\"distill\")", "input_tokens", "params.temperature",
                                            "model", "ts", "account_id", "output_tokens"};
  std::vector<std::string> rule_ids;
  for (int k = 0; k < n_rules; ++k) {
    const std::string id = "r" + std::to_string(k);
    rule_ids.push_back(id);
    const std::int64_t w = rng.Chance(0.2) ? 1 : rng.In(1, 14);
    std::string r = "rule " + id + " {\n  severity low\n";
    const double clause = static_cast<double>(rng.In(0, 9));
    if (clause < 6) r += "  clause acme \"1." + std::to_string(k) + "\" since \"2024-01\"\n";
    else if (clause < 8) r += "  clause acme \"1." + std::to_string(k) + "\" since \"2024-01\" until \"2024-01\"\n";
    else r += "  clause acme \"1." + std::to_string(k) + "\" since \"2025-06\"\n";
    r += "  scope " + rng.Pick(scopes) + "\n";
    r += "  window " + std::to_string(w) + "d";
    if (rng.Chance(0.3)) r += " min_active_days " + std::to_string(rng.In(1, std::min<std::int64_t>(w, 4)));
    r += "\n";
    if (rng.Chance(0.5)) r += "  require accepted(acme)\n";
    if (rng.Chance(0.3)) r += "  unless " + rng.Pick(unlesses) + "\n";
    if (rng.Chance(0.4)) r += "  where " + rng.Pick(EventConds()) + "\n";
    const std::int64_t n_lets = rng.In(1, 3);
    std::vector<std::pair<std::string, int>> terms;  // (let name or inline aggregate, kind)
    for (std::int64_t l = 0; l < n_lets; ++l) {
      const AggTemplate& t = rng.Pick(Aggs());
      const std::string name = "v" + std::to_string(l);
      r += "  let " + name + " = " + Fill(rng, t.text) + "\n";
      terms.push_back({name, t.kind});
    }
    auto atom = [&]() {
      std::string term;
      int kind = 0;
      if (rng.Chance(0.7)) {
        const auto& t = terms[static_cast<std::size_t>(rng.In(0, static_cast<std::int64_t>(terms.size()) - 1))];
        term = t.first;
        kind = t.second;
      } else {
        const AggTemplate& t = rng.Pick(Aggs());
        term = Fill(rng, t.text);
        kind = t.kind;
        if (term.find(' ') != std::string::npos) term = "(" + term + ")";
      }
      return term + " " + rng.Pick(kOps) + " " + Threshold(rng, kind, w);
    };
    auto cond = [&]() {
      std::string x = atom();
      const std::int64_t shape = rng.In(0, 5);
      if (shape == 1) x += " and " + atom();
      else if (shape == 2) x += " or " + atom();
      else if (shape == 3) x = "not (" + x + ")";
      else if (shape == 4) x = "(" + x + " or " + atom() + ") and " + atom();
      return x;
    };
    if (rng.Chance(0.15)) {
      r += "  review when " + cond() + "\n";  // a rule with one level, review
    } else {
      r += "  violation when " + cond() + "\n";
      if (rng.Chance(0.7)) r += "  review when " + cond() + "\n";
    }
    r += "  evidence {\n    sample " + std::to_string(rng.In(1, 6));
    if (rng.Chance(0.7)) r += " by " + rng.Pick(keys_by) + (rng.Chance(0.5) ? " desc" : " asc");
    if (rng.Chance(0.5)) {
      static const std::vector<std::string> shows = {
          "model", "input_tokens", "params.temperature", "signal(\"distill\")", "ts",
          "account.tier", "text", "input_tokens + output_tokens", "ts - account.created_at"};
      r += "\n    show " + rng.Pick(shows);
      for (std::int64_t n = rng.In(0, 2); n > 0; --n) r += ", " + rng.Pick(shows);
    }
    r += "\n  }\n}\n";
    c.rules.push_back(r);
    c.pack += r;
  }

  // Waivers, now and then.
  const std::int64_t n_waivers = rng.Chance(0.3) ? rng.In(1, 2) : 0;
  for (std::int64_t k = 0; k < n_waivers; ++k) {
    Waiver wv;
    wv.id = "W-" + std::to_string(k);
    wv.rule = rng.Chance(0.3) ? std::string("*") : rng.Pick(rule_ids);
    wv.kind = static_cast<WaiverScope>(rng.In(0, 3));
    switch (wv.kind) {
      case WaiverScope::kAccount:
      case WaiverScope::kCluster: wv.value = rng.Pick(accounts); break;
      case WaiverScope::kOrg: wv.value = rng.Pick(orgs); break;
      case WaiverScope::kApiKey: wv.value = "key-" + std::to_string(rng.In(0, 3)); break;
    }
    wv.approver = "Legal";
    wv.basis = "test";
    wv.from = DayStart(base + rng.In(-2, n_days));
    if (rng.Chance(0.6)) wv.until = wv.from + rng.In(1, 10) * kMicrosPerDay;
    c.waivers.push_back(wv);
  }
  if (rng.Chance(0.2)) {
    c.from_day = base + rng.In(-2, 6);
    c.to_day = std::max(*c.from_day, base + n_days - 1 - rng.In(-2, 6));
  }
  return c;
}

std::string CaseConfigYaml(const RandomCase& c, const std::vector<std::string>& event_files) {
  std::string files;
  for (const std::string& f : event_files) files += (files.empty() ? "" : ", ") + f;
  return "version: 1\n"
         "signals:\n  detectors:\n    - {name: distill, threshold: 0.9, false_positive_rate: 0.01}\n"
         "    - risk\n"
         "linking: {identifiers: [account.payment_fingerprint, event.device_id], "
         "max_accounts_per_value: " + std::to_string(c.max_accounts_per_value) + "}\n"
         "sources:\n"
         "  - {name: accounts, kind: account, paths: [accounts.jsonl]}\n"
         "  - {name: acceptances, kind: acceptance, paths: [acceptances.jsonl]}\n"
         "  - {name: events, kind: event, paths: [" + files + "]}\n"
         "  - {name: signals, kind: signal, paths: [signals.jsonl]}\n";
}

LoadedCase LoadCase(const RandomCase& c, const LoadOptions& options) {
  LoadedCase out;
  out.dir = std::make_unique<tosguard::testing::TempDir>("tosguard-eval");
  auto join = [](const std::vector<std::string>& lines) {
    std::string s;
    for (const std::string& l : lines) s += l + "\n";
    return s;
  };
  out.dir->Write("accounts.jsonl", join(c.accounts));
  out.dir->Write("acceptances.jsonl", join(c.acceptances));
  out.dir->Write("signals.jsonl", join(c.signals));
  const std::size_t n_files = std::max<std::size_t>(1, options.event_files);
  std::vector<std::vector<std::string>> parts(n_files);
  for (std::size_t i = 0; i < c.events.size(); ++i) parts[i % n_files].push_back(c.events[i]);
  std::vector<std::string> names;
  for (std::size_t f = 0; f < n_files; ++f) {
    names.push_back("events/part-" + std::to_string(f) + ".jsonl");
    out.dir->Write(names.back(), join(parts[f]));
  }
  if (options.shuffle_seed != 0) {
    Rng rng{options.shuffle_seed};
    for (std::size_t i = names.size(); i > 1; --i) {
      std::swap(names[i - 1], names[static_cast<std::size_t>(rng.In(0, static_cast<std::int64_t>(i) - 1))]);
    }
  }
  Diagnostics diags;
  auto cfg = ParseIngestConfig(CaseConfigYaml(c, names), out.dir->str() + "/tosguard.yaml", &diags);
  if (!cfg.ok()) {
    out.error = "config: " + cfg.status().ToString();
    for (const auto& d : diags.items()) out.error += "\n" + FormatDiagnostic(d);
    return out;
  }
  out.config = std::move(*cfg);
  IngestOptions io;
  io.threads = options.threads;
  io.chunk_bytes = options.chunk_bytes;
  auto ingested = Ingest(out.config, io);
  if (!ingested.ok()) {
    out.error = "ingest: " + ingested.status().ToString();
    return out;
  }
  out.ingest = std::move(*ingested);
  if (out.ingest.totals.quarantined != 0) {
    out.error = "ingest quarantined " + std::to_string(out.ingest.totals.quarantined) + " lines";
    return out;
  }
  dsl::CheckEnv env;
  env.accounts = &out.config.account_schema;
  for (const DetectorConfig& d : out.config.detectors) env.detectors.push_back(d.name);
  const std::string text = c.pack;
  dsl::ReadFileFn read = [text](const std::string& path) -> Result<std::string> {
    if (path != "main.tos") return Status::NotFound("no such file: " + path);
    return text;
  };
  Diagnostics rule_diags;
  out.rules = dsl::LoadRulesWith({"main.tos"}, env, read, &rule_diags);
  if (!out.rules) {
    out.error = "rules do not load:";
    for (const auto& d : rule_diags.items()) out.error += "\n" + FormatDiagnostic(d);
    return out;
  }
  if (options.project) {
    IngestOptions po = IngestOptionsFor(out.config, out.rules->plan);
    po.threads = options.threads;
    po.chunk_bytes = options.chunk_bytes;
    auto projected = Ingest(out.config, po);
    if (!projected.ok()) {
      out.error = "projected ingest: " + projected.status().ToString();
      return out;
    }
    out.projected = std::move(*projected);
  }
  return out;
}

}  // namespace tosguard::engine::reference
