// The rows of the evidence store and the canonical records the transparency log holds
// for them (docs/evidence.md, "Records").
//
// A record is one line of JSON with a fixed key order. It is built from the row alone,
// so `verify` can rebuild it from what is stored and compare. Records carry no prompt
// text and no personal data: identifiers appear as pseudonyms and free text as keyed
// hashes, both HMAC-SHA256 with the configuration's pseudonym key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/keyed_hash.h"
#include "base/json_writer.h"
#include "base/status.h"

namespace tosguard::audit {

// "ps-" and the first 16 hex digits of HMAC(key, "tosguard/pseudonym" ‖ 0x00 ‖ id).
// The same identifier gets the same pseudonym everywhere under one key.
std::string Pseudonym(const KeyedHasher& hasher, std::string_view id);
// The full keyed hash of a text, hex, in its own domain.
std::string KeyedHex(const KeyedHasher& hasher, std::string_view domain, std::string_view text);

struct RuleRow {
  std::string rule_id, file, file_sha256;
  std::string source;  // the rule's own text, as written
  // What reports cite of the rule, as canonical JSON (RuleMetaJson): title, severity,
  // tags, scope, window, the clause and its policy, the exemptions.
  std::string meta;
};

struct RuleClause {
  std::string policy, policy_title, section, since, until, text;  // until: "" when open
  std::vector<std::string> versions;
};

struct RuleMeta {
  std::string title, severity, scope, window;
  std::vector<std::string> tags;
  std::optional<RuleClause> clause;
  std::vector<std::string> exemptions;  // the rule's `unless` conditions, as written
};

std::string RuleMetaJson(const RuleMeta& meta);
// InvalidArgument when `json` is not RuleMetaJson output.
Result<RuleMeta> ParseRuleMeta(std::string_view json);

struct InputRow {
  std::string file, sha256;  // relative to the configuration's directory
  std::uint64_t lines = 0, records = 0, quarantined = 0;
};

struct QuarantineRow {
  std::string reason;
  std::uint64_t count = 0;
};

struct RunRow {
  std::string run_id;   // R-000001, R-000002, ... in the store
  std::string command;  // the command line, as given
  std::string tool_version, revision;
  std::string started_at, finished_at;  // RFC 3339 UTC
  std::string config_sha256;            // of the configuration file's bytes
  std::string rules_sha256;             // of `sha256sum`'s listing of the rule files (RulesDigest)
  std::string from_day, to_day;         // the audited period; "" when nothing was evaluated
  std::string by;  // who ran it: "user@host" of the process; "" in runs of schema 2 stores
  std::vector<RuleRow> rules;
  std::vector<InputRow> inputs;
  std::vector<QuarantineRow> quarantine;
  std::uint64_t new_findings = 0, revised_findings = 0, unchanged_findings = 0;
  std::int64_t leaf = -1;
};

struct FindingRow {
  std::string finding_id;
  std::int64_t revision = 1;
  std::string run_id;
  std::string rule_id, rule_sha256;  // the SHA-256 of the rule's file
  std::string level, scope_kind, scope_value;
  std::string first_day, last_day, peak_day;
  std::int64_t days = 0;
  std::int64_t evidence_total = 0, evidence_shown = 0;
  std::string body;  // the finding's canonical JSON (engine::FindingJson)
  std::int64_t leaf = -1;
  // For a revision: what differs from the one before and why ("last day 2025-06-22 ->
  // 2025-06-23 ... (new input data/2025-06-23.jsonl)"); "" for a first revision.
  std::string change;
};

struct EvidenceRow {
  std::string finding_id;
  std::int64_t revision = 1;
  std::int64_t n = 0;  // 1-based, in sample order
  std::string event_id, account_id, time;
  std::string file, file_sha256;
  std::int64_t line = 0, offset = 0, length = 0;
  std::string line_sha256;
  std::int64_t leaf = -1;
};

struct ReviewRow {
  std::int64_t seq = 0;
  std::string finding_id, decision, by, reason, at;
  std::int64_t leaf = -1;
};

struct CustodyRow {
  std::int64_t seq = 0;
  std::string at, action;  // action: "export" or "reveal"
  std::string finding_id;
  std::string what;  // e.g. "report html --reveal"
  std::string by, why;
  std::string report_sha256;  // of the exported bytes
  std::int64_t leaf = -1;
};

// A finding that a later full evaluation no longer produces (a batch's late data moved
// it or removed it): withdrawn, with the reason, never deleted.
struct WithdrawalRow {
  std::int64_t seq = 0;
  std::string finding_id;
  std::int64_t revision = 1;  // the revision withdrawn
  std::string run_id;         // the run that no longer found it
  std::string reason;         // names runs, days and finding ids only
  std::int64_t leaf = -1;
};

// The SHA-256 (hex) of the listing `sha256sum` prints for `rules`' files, one
// "<hex>  <file>\n" line per distinct file, sorted by file name.
std::string RulesDigest(const std::vector<RuleRow>& rules);

// The keys `at`, `decision`, `by`, `reason` of a review decision, and `at`, `action`,
// `what`, `by`, `why` of a custody entry, as reports and `findings show` print them
// (the caller opens and closes the object).
void WriteReviewFields(JsonWriter& w, const ReviewRow& r);
void WriteCustodyFields(JsonWriter& w, const CustodyRow& c);

std::string RunRecord(const RunRow& run, const KeyedHasher& hasher);
std::string FindingRecord(const FindingRow& row, const KeyedHasher& hasher);
std::string EvidenceRecord(const EvidenceRow& row, const KeyedHasher& hasher);
std::string ReviewRecord(const ReviewRow& row, const KeyedHasher& hasher);
std::string CustodyRecord(const CustodyRow& row, const KeyedHasher& hasher);
std::string WithdrawalRecord(const WithdrawalRow& row);

}  // namespace tosguard::audit
