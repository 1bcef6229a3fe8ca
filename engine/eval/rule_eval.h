// One rule's evaluation over the shared context: the filter chain, day states, the
// window sweep that yields outcomes and findings, explanations and evidence.
#pragma once

#include <array>

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "engine/eval/context.h"
#include "engine/eval/evaluate.h"
#include "engine/eval/value.h"
#include "engine/eval/window.h"

namespace tosguard::engine {

// Why an event does or does not count for a rule (docs/engine.md, in this order).
enum class Verdict : std::uint8_t { kCounted, kNoScope, kNotApplicable, kExempt, kWaived, kFiltered };

class RuleEval {
 public:
  RuleEval(const dsl::Plan& plan, std::size_t rule, const EvalContext& ctx,
           const std::vector<Waiver>& waivers);

  // The scope value of an event (FlatMap::kNone when it has none) and its verdict.
  Verdict Classify(std::size_t row, std::uint32_t* scope);
  // "account", "org", ...; and the text of a scope value.
  const char* ScopeKind() const;
  std::string ScopeName(std::uint32_t scope) const;
  // Resolves "VALUE" of the rule's scope kind; FlatMap::kNone when unknown.
  std::uint32_t ResolveScope(const std::string& value) const;

  // Evaluates the rule for evaluation points [from, to]; appends findings (their
  // evidence not yet hashed: see CiteEvidence) and counts.
  Status Run(std::int64_t from, std::int64_t to, std::vector<Finding>* out, EvalStats::PerRule* stats);
  // The explanation at the end of `day` for one scope value.
  PointExplanation Explain(std::uint32_t scope, std::int64_t day);

 private:
  struct Point {
    std::int64_t day;
    Outcome outcome;
    std::uint64_t events;
  };
  struct Pending {  // a finding before its evidence is gathered
    Finding f;
    std::uint32_t scope;
    std::int64_t peak_lo, peak_hi;  // the peak window's days
  };

  Val EventValue(const dsl::Program& p, std::size_t row);
  // One load (field, account attribute, signal or constant) of an event.
  Val EventLoad(const dsl::Instr& in, std::size_t row) const;
  void AddEvent(DayStates& states, std::uint32_t scope, std::size_t row);
  // The outcome of the window: aggregates, lets, then levels in order. With `metrics`
  // and `trees`, also every value and each level's explanation tree.
  Outcome Decide(const Window& w, std::vector<Metric>* metrics, std::vector<LevelExplanation>* trees);
  void Sweep(const DayStates& states, const std::vector<DayStates::Entry>& entries, std::size_t begin,
             std::size_t end, std::int64_t from, std::int64_t to, std::vector<Pending>* pending,
             EvalStats::PerRule* stats);
  void MakeFinding(const DayStates& states, const std::vector<DayStates::Entry>& entries,
                   std::size_t begin, std::size_t end, const std::vector<Point>& points,
                   std::size_t run_begin, std::size_t run_end, std::vector<Pending>* pending);
  Status GatherEvidence(std::vector<Pending>* pending);
  // The tree of a program; with `aggs` (and `lets`) its values too.
  ExplainNode Trace(const dsl::Program& p, const std::vector<Val>* aggs, const std::vector<Val>* lets) const;

  const dsl::RulePlan& rule_;
  const EvalContext& ctx_;
  BoundConstants consts_;
  // The rule's event programs with the matches ingest decided as loads (projection.h);
  // the plan's own programs still give the explanations their text.
  dsl::Program where_, unless_program_, order_by_;
  std::vector<dsl::Program> predicates_, values_of_, show_;  // per aggregate; per shown value
  // Per aggregate: a distinct() whose value is an interned string field of the event or
  // of its account reads the symbol id alone (its bytes are never needed); 0 event,
  // 1 account, -1 through the program.
  struct SymbolLoad {
    int table = -1;
    std::size_t slot = 0;
  };
  std::vector<SymbolLoad> symbol_loads_;
  // The symbol id a SymbolLoad reads for `row`, or unknown.
  Val LoadSymbol(const SymbolLoad& load, std::size_t row) const;
  // An aggregate's or a let's value at the point whose window is `w` (Decide's loads).
  Val PointLoad(const Window& w, const dsl::Instr& in);
  std::vector<std::size_t> detector_;  // rule-local detector -> Plan::detectors index
  int policy_ = -1;
  std::vector<bool> version_ok_;
  std::int64_t window_days_ = 1;
  std::vector<std::int8_t> unless_;    // per account: -1 not computed, 0, 1
  struct BoundWaiver {
    const Waiver* w;
    std::uint64_t key;  // account number, cluster, or org/api_key symbol
  };
  std::vector<BoundWaiver> waivers_;  // by scope kind, then key
  std::array<FlatMap, 4> waiver_at_;   // per WaiverScope: key -> its first waiver
  unsigned waiver_kinds_ = 0;          // bit per WaiverScope that has waivers
  // (waiver, scope, day) where a waiver exempted events.
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::int64_t>> waived_;
  Dictionary texts_;  // distinct values of text fields (not interned by ingest)
  bool record_waivers_ = true;
  std::vector<Val> stack_;
  std::vector<Val> values_;
  // A point's aggregate and let values, computed when a program first needs them
  // (`known_`: per aggregate, then per let); each let runs on a stack of its own, as a
  // let may be needed in the middle of another program.
  std::vector<Val> aggs_, lets_;
  std::vector<std::uint8_t> known_;
  std::vector<std::vector<Val>> let_stacks_;
  // Per scope value (below kStateCacheScopes): its latest day so far and that day's state.
  static constexpr std::uint32_t kStateCacheScopes = 1u << 24;
  std::vector<std::pair<std::int64_t, std::uint32_t>> last_state_;
};

}  // namespace tosguard::engine
