// Evaluation of a compiled rule pack over an ingested dataset: windows, scopes,
// linked accounts, findings and explanations (semantics: docs/engine.md).
//
// The evaluator keeps one mergeable state per (rule, scope value, day bucket), slides
// each rule's window over those states, and re-reads the cited lines of flagged windows
// only. It reads no wall clock and iterates no unordered container into its output:
// the same dataset and plan give the same findings for any thread count and any input
// file order. (A monotonic clock times its phases for the debug log; those durations
// are in EvalStats only, never in a finding or a summary.)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "dsl/compiler/plan.h"
#include "engine/eval/finding.h"
#include "engine/eval/waiver.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"

namespace tosguard::engine {

struct EvalOptions {
  std::optional<std::int64_t> from_day;  // first evaluation point (day index); default: first event day
  std::optional<std::int64_t> to_day;    // last evaluation point; default: last event day
  unsigned threads = 0;                  // 0: one per hardware thread
  std::vector<Waiver> waivers;
  // Ids of the rules to evaluate; empty: every rule. The others get no findings and
  // zero counts (a fixture case tests one rule of its pack).
  std::vector<std::string> only_rules;
  // Re-read every cited line from its file and record its SHA-256 (the scan does; tests
  // of in-memory data may not have the files).
  bool hash_evidence_lines = true;
  // Called from the calling thread as rules finish: (rules done, rules in all), once for
  // each count from 1 to all, in order.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Counts of what the evaluation saw, for the scan summary.
struct EvalStats {
  std::uint64_t events = 0;                // rows of the events table
  std::uint64_t accounts = 0;              // distinct accounts (records and events)
  std::uint64_t clusters = 0;              // clusters with more than one account
  std::uint64_t common_values = 0;         // identifier values too common to link
  std::int64_t from_day = 0, to_day = 0;   // the audited period as evaluated
  double context_seconds = 0;              // building the shared indexes (debug log only)
  struct PerRule {
    std::string rule_id;
    double seconds = 0;                    // evaluating the rule, evidence included (debug log only)
    std::uint64_t counted = 0;             // events that counted (all filters passed)
    std::uint64_t no_scope = 0;            // events without a value for the rule's scope
    std::uint64_t not_applicable = 0;      // no binding version with the clause
    std::uint64_t exempted = 0;            // `unless` true
    std::uint64_t waived = 0;
    std::uint64_t filtered = 0;            // `where` not true
    std::uint64_t scopes = 0;              // scope values with counted events
    std::uint64_t points = 0;              // (scope, day) points evaluated
    std::uint64_t findings = 0;
  };
  std::vector<PerRule> rules;
};

struct EvalResult {
  std::vector<Finding> findings;  // ordered: rule, scope value, first day
  EvalStats stats;
};

// Evaluates every rule of `plan` over `data`. `config` supplies linking identifiers and
// detector calibration. Operational failures (a cited line that cannot be re-read or no
// longer matches) are a Status naming the file and offset; user data never is.
Result<EvalResult> Evaluate(const dsl::Plan& plan, const Dataset& data,
                            const IngestConfig& config, const EvalOptions& options);

// The explanation of one rule for one scope value at the end of one day.
struct PointExplanation {
  std::string rule_id, scope_kind, scope_value;
  std::int64_t day = 0;
  Outcome outcome = Outcome::kNotEvaluated;
  std::string reason;                       // why not evaluated, when it was not
  std::uint64_t counted = 0;                // counted events in the window
  std::uint32_t active_days = 0;
  std::vector<Metric> metrics;
  std::vector<LevelExplanation> levels;
};

// `scope` is "KIND:VALUE" with KIND the rule's scope kind; for cluster scope VALUE may
// name any account of the cluster. An unknown rule or a scope of the wrong kind is an
// InvalidArgument status.
Result<PointExplanation> ExplainPoint(const dsl::Plan& plan, const Dataset& data,
                                      const IngestConfig& config, const EvalOptions& options,
                                      const std::string& rule_id, const std::string& scope,
                                      std::int64_t day);

// Canonical JSON and a text rendering of an explanation.
std::string PointExplanationJson(const PointExplanation& e);
std::string PointExplanationText(const PointExplanation& e);

}  // namespace tosguard::engine
