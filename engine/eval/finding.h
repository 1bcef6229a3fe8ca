// Findings: what the engine concludes, with everything a report needs to cite.
//
// These are plain values (no pointers into the dataset), ordered deterministically,
// so the audit module can store, hash and render them without the evaluator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/source_ref.h"
#include "base/status.h"
#include "base/time.h"

namespace tosguard::engine {

// The outcome of a rule for one scope value at one evaluation point.
enum class Outcome : std::uint8_t { kViolation, kReview, kInsufficient, kCompliant, kNotEvaluated };
// "violation", "review", "insufficient_evidence", "compliant", "not_evaluated".
const char* OutcomeName(Outcome o);

// A value as the rule language sees it, rendered for output.
struct EvalValueOut {
  std::string type;   // "number", "string", "bool", "duration", "timestamp", "set"
  bool known = false;
  std::string text;   // canonical text, strings as they are: 0.71, acct-1, true, 30d,
                      // 2025-06-01T00:00:00Z; "unknown" when not known
  double number = 0;  // numbers, and durations/timestamps in microseconds
};

// One node of an explanation tree: a sub-expression of a level's condition.
struct ExplainNode {
  std::string text;   // source-like text of the sub-expression, e.g. "requests >= 50000"
  std::string op;     // "and", "or", "not", ">=", "let", "aggregate", "const", ...
  EvalValueOut value;
  std::vector<ExplainNode> children;  // comparisons: [value, threshold]
};

struct LevelExplanation {
  std::string level;  // "violation" or "review"
  ExplainNode condition;
};

struct Metric {
  std::string name;   // a let's name, or an aggregate's text ("count()")
  std::string kind;   // "let" or "aggregate"
  EvalValueOut value;
};

struct EvidenceItem {
  std::string event_id;
  TimestampUs ts = 0;
  std::string account_id;
  std::string file;          // the input file, relative to the configuration's directory
  std::string file_sha256;   // hex, of the stored bytes
  SourceRef ref;
  std::string line_sha256;   // hex, of the line's exact bytes as re-read
  EvalValueOut sort_key;
  std::vector<std::pair<std::string, EvalValueOut>> shown;  // `show` expressions
  // While the evaluation runs: (index into `shown`, event field slot) of shown fields
  // that ingest did not keep, read back from the cited line (Evaluate empties it).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> reread;
};

struct AcceptanceUse {
  std::string account_id, policy, version, method, source;
  TimestampUs accepted_at = 0;
  std::string file;  // relative to the configuration's directory
  SourceRef ref;
};

struct WaiverUse {
  std::string id, rule, scope, approver, basis;
  TimestampUs from = 0;
  std::optional<TimestampUs> until;
};

struct ClusterLink {
  std::string identifier;  // "account.payment_fingerprint", "event.device_id"
  std::string value;
  std::vector<std::string> accounts;  // sorted
};

struct DetectorUse {
  std::string name;
  std::vector<std::string> versions;  // seen in the peak window, sorted
  std::optional<double> threshold, false_positive_rate;
};

struct TimelineDay {
  std::int64_t day = 0;           // day index (DayIndex)
  std::uint64_t events = 0;       // counted events of that day bucket
  Outcome outcome = Outcome::kNotEvaluated;
};

struct Finding {
  std::string id;                 // F-<16 hex>, stable; see DigestFindingId
  std::string rule_id;
  std::string scope_kind;         // "account", "org", "api_key", "cluster"
  std::string scope_value;
  Outcome level = Outcome::kViolation;  // violation, review or insufficient
  std::int64_t first_day = 0, last_day = 0, peak_day = 0;  // day indexes
  std::uint32_t days = 0;
  DurationUs window = 0;
  std::vector<Metric> metrics;              // at the peak: aggregates, then lets
  std::vector<LevelExplanation> explanation;  // at the peak, every level
  std::vector<std::string> accounts;        // with counted events in the peak window
  std::vector<std::string> cluster_members; // cluster scope: every member
  std::vector<ClusterLink> links;           // cluster scope
  std::vector<AcceptanceUse> acceptances;
  std::vector<WaiverUse> waivers;
  std::vector<DetectorUse> detectors;
  std::uint64_t evidence_total = 0;         // counted events of the peak window
  std::string sample_method;                // e.g. "top 20 by signal(\"distill\") desc, ties by event_id"
  std::vector<EvidenceItem> evidence;
  std::vector<TimelineDay> timeline;
};

// What a finding's id is derived from: rule id NUL scope kind NUL scope value NUL first
// day (YYYY-MM-DD) NUL level name. These fields stay the same while a finding continues,
// so its id does too.
std::string FindingIdInput(const Finding& f);
// "F-" and the first 16 hex digits of SHA-256(FindingIdInput(f)): the evaluator's id. It
// names the scope value in the clear to anyone who can guess it, so what leaves the
// operator's hands carries the keyed id instead (audit/finding_id.h, docs/evidence.md).
std::string DigestFindingId(const Finding& f);

// Canonical JSON of a finding (one line, fixed key order): the scan's JSONL and the
// input of reports and hashing.
std::string FindingJson(const Finding& f);

// The inverse of FindingJson: FindingJson(*ParseFindingJson(FindingJson(f))) is
// FindingJson(f), byte for byte. Strict: unknown, duplicate or missing keys, wrong types,
// non-canonical dates, times and durations, trailing content and invalid UTF-8 give
// InvalidArgument naming the JSON path of the first problem, e.g.
// "evidence[3].source.offset: expected an unsigned integer" ("$" is the document).
// Numbers FindingJson does not write are rebuilt from the value's text as the evaluator
// renders them (bools 0/1, durations and timestamps in microseconds); SourceRef::file,
// the run's index of the input file, is not in the JSON and is 0. A \ufffd escape (how
// FindingJson writes a byte that is not UTF-8) is read as the byte 0xFF. Never throws.
Result<Finding> ParseFindingJson(std::string_view json);

}  // namespace tosguard::engine
