// A deliberately simple, slow reference evaluator, written from docs/engine.md and
// docs/language.md only (it shares no code with engine/eval/*.cc), for differential
// tests of engine::Evaluate.
//
// It recomputes everything from scratch: for each rule, each scope value and each
// evaluation day it scans every counted event, keeps those in the window and computes
// each aggregate directly from them. Sums are taken in long double (exact for the
// values the tests generate); callers compare numbers with a relative tolerance.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/compiler/plan.h"
#include "dsl/loader.h"
#include "engine/eval/evaluate.h"
#include "engine/eval/finding.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"
#include "tests/support/temp_dir.h"

namespace tosguard::engine::reference {

// Evaluates `plan` over `data` as docs/engine.md says. Uses options.from_day, to_day and
// waivers; ignores threads, progress and hash_evidence_lines (no line hashes, no
// files are re-read). Fills, per finding: id, rule, scope, level, days, window,
// metrics, the value of each level's condition at the peak (the explanation's roots),
// accounts, cluster members and links, acceptances (account, policy, version,
// time), waivers (ids only, sorted), detectors, evidence (event id, ts, account, sort
// key, shown values), evidence_total and the timeline. Stats: events, accounts,
// clusters, common_values, from/to and every per-rule counter.
//
// With `points`, it also gets every point (rule, scope value with counted events, day)
// of the audited period, as `explain` would show it: outcome (kNotEvaluated for an
// empty window or too few active days), counted events, active days and, when
// evaluated, the metrics (aggregates, then lets). For cluster scope, `reason` lists the
// cluster's members, one per line (explain accepts any of them).
EvalResult Evaluate(const dsl::Plan& plan, const Dataset& data, const IngestConfig& config,
                    const EvalOptions& options, std::vector<PointExplanation>* points = nullptr);

// "F-" and the first 16 hex digits of SHA-256(rule NUL kind NUL value NUL day NUL outcome).
std::string FindingId(const std::string& rule_id, const std::string& scope_kind,
                      const std::string& scope_value, std::int64_t first_day,
                      Outcome outcome);

// "violation", "review", "insufficient_evidence", "compliant", "not_evaluated" (the
// reference's own spelling, so it needs nothing from the engine's library).
const char* RefOutcomeName(Outcome o);

// A random, seeded, deterministic case for differential and determinism tests: a small
// dataset as canonical JSONL lines, a rule pack of several rules as DSL text, waivers
// and an optional audited period.
struct RandomCase {
  std::uint64_t seed = 0;
  std::vector<std::string> accounts, acceptances, events, signals;  // JSONL lines
  std::vector<std::string> rules;  // the text of each rule
  std::string pack;                // the whole .tos file: the policy and every rule
  std::uint32_t max_accounts_per_value = 50;
  std::vector<Waiver> waivers;
  std::optional<std::int64_t> from_day, to_day;
};
RandomCase GenerateCase(std::uint64_t seed, int rules);

// The tosguard.yaml of a case whose event lines are in `event_files` (relative paths,
// listed in this order); the other kinds are in accounts.jsonl, acceptances.jsonl and
// signals.jsonl.
std::string CaseConfigYaml(const RandomCase& c, const std::vector<std::string>& event_files);

// A case written to a temporary directory, ingested with the real engine::Ingest and
// its rules loaded with dsl::LoadRulesWith. `error` says what failed, if anything.
struct LoadOptions {
  std::size_t event_files = 1;     // event lines dealt round-robin over this many files
  std::uint64_t shuffle_seed = 0;  // 0: files listed in name order; else shuffled by it
  std::size_t chunk_bytes = 4 << 20;
  unsigned threads = 1;
  // Also ingest as a scan does (IngestOptionsFor the rules: projected fields, matches
  // decided at parse time) into LoadedCase::projected.
  bool project = false;
};
struct LoadedCase {
  std::unique_ptr<tosguard::testing::TempDir> dir;
  IngestConfig config;
  IngestResult ingest;                   // every field
  std::optional<IngestResult> projected;  // with LoadOptions::project
  std::optional<dsl::RuleSet> rules;
  std::string error;
};
LoadedCase LoadCase(const RandomCase& c, const LoadOptions& options = {});

}  // namespace tosguard::engine::reference
