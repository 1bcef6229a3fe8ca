// The canonical report (schema tosguard.report/1) as typed values, read and checked
// once so that both renderers see the same, complete report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tosguard::audit::render {

inline constexpr std::string_view kReportSchema = "tosguard.report/1";

// The sections of a report after its case header, in order, with their HTML ids; both
// formats number them 1, 2, ... in this order.
struct SectionName {
  std::string_view id, title;
};
inline constexpr SectionName kSections[] = {
    {"narrative", "Narrative"},
    {"clause", "The clause and its acceptance"},
    {"facts", "Facts"},
    {"metrics", "Metrics"},
    {"detectors", "Detector signals"},
    {"accounts", "Linked accounts"},
    {"timeline", "Daily timeline"},
    {"evidence", "Evidence sample"},
    {"waivers", "Waivers and exemptions considered"},
    {"methodology", "Methodology"},
    {"limitations", "Limitations"},
    {"reviews", "Review decisions"},
    {"custody", "Chain of custody"},
    {"reproduce", "How to reproduce"},
    {"integrity", "Integrity"},
};

// The number (1, 2, ...) of the section with HTML id `id`; 0 for no such section.
constexpr std::size_t SectionNumber(std::string_view id) {
  for (std::size_t i = 0; i < std::size(kSections); ++i) {
    if (kSections[i].id == id) return i + 1;
  }
  return 0;
}

// A JSON number as the report states it: its deterministic text ("0.9", "812").
struct Number {
  std::string text;
};

struct Tool {
  std::string name, version, revision;
};

struct Options {
  bool pseudonymised = true;
  bool include_text = false;
};

struct Case {
  std::string finding;
  std::int64_t revision = 0;
  std::string rule, title, severity;
  std::vector<std::string> tags;
  std::string scope_kind, scope, level, first, last, peak;
  std::int64_t days = 0;
  std::string window, status;
};

struct Clause {
  std::string policy, policy_title, section, since;
  std::optional<std::string> until;
  std::vector<std::string> versions;
  std::string text, text_sha256;
};

// A place in an input file: the bytes [offset, offset + length) of `file`.
struct SourceSpan {
  std::string file;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Acceptance {
  std::string account, policy, version, accepted_at, method, source;
  SourceSpan record;
};

struct Fact {
  std::string level;
  bool fired = false;
  std::string condition, value, threshold, held;
};

struct Metric {
  std::string name, kind, type, value;
};

struct Detector {
  std::string name, description;
  std::vector<std::string> versions;
  std::optional<Number> threshold, false_positive_rate;
};

struct Link {
  std::string identifier, value;
  std::vector<std::string> accounts;
};

struct Accounts {
  std::vector<std::string> involved, members;
  std::vector<Link> links;
};

struct Day {
  std::string day;
  std::uint64_t events = 0;
  std::string outcome;
};

struct ShownValue {
  std::string name;
  std::optional<std::string> value;  // none when hidden
  bool hidden = false;
};

struct EvidenceItem {
  std::uint64_t n = 0;
  std::string event, time, account;
  SourceSpan source;
  std::string file_sha256, line_sha256, sort_key;
  std::vector<ShownValue> shown;
  std::optional<std::string> excerpt;
};

struct Evidence {
  std::uint64_t total = 0, shown = 0;
  std::string method;
  std::vector<EvidenceItem> items;
};

struct Waiver {
  std::string id, rule, scope, approver, basis, from;
  std::optional<std::string> until;
};

struct Review {
  std::string at, decision, by, reason;
};

struct Custody {
  std::string at, action, what, by, why;
};

struct HashedFile {
  std::string file, sha256;
};

struct Input {
  std::string file, sha256;
  std::uint64_t lines = 0;
};

// What "Run by" says for a run that names nobody (recorded by an older store).
inline constexpr const char* kByNotRecorded = "not recorded (a run of an older store)";

struct Reproduce {
  std::string run, command, config_sha256;
  std::optional<std::string> by;            // who ran the run; absent for runs of older stores
  std::optional<std::string> rules_sha256;  // of the whole rule pack; absent in older reports
  std::vector<HashedFile> rules;
  std::vector<Input> inputs;
};

struct Checkpoint {
  std::uint64_t tree_size = 0;
  std::string root, time, text, signature, key_id, public_key;
};

struct Leaf {
  std::string kind;
  std::uint64_t index = 0;
  std::string record, leaf_hash;
  std::vector<std::string> proof;
};

struct Integrity {
  std::string origin;
  Checkpoint checkpoint;
  std::vector<Leaf> leaves;
};

struct Report {
  std::string schema, generated_at;
  Tool tool;
  std::string examiner;
  Options options;
  Case case_;
  std::optional<Clause> clause;
  std::vector<Acceptance> acceptances;
  std::vector<std::string> narrative;
  std::vector<Fact> facts;
  std::vector<Metric> metrics;
  std::vector<Detector> detectors;
  Accounts accounts;
  std::vector<Day> timeline;
  Evidence evidence;
  std::vector<Waiver> waivers;
  std::optional<std::string> exemption;
  std::vector<std::string> methodology, limitations;
  std::vector<Review> reviews;
  std::vector<Custody> custody;
  Reproduce reproduce;
  std::map<std::string, std::string, std::less<>> revealed;  // pseudonym -> real value
  Integrity integrity;

  // The real value behind pseudonym `id`, when the report reveals it. A scope such as
  // "account:ps-..." is looked up whole, then by the part after its first ':'.
  const std::string* Revealed(std::string_view id) const;
};

// Reads and checks `json` as a report. InvalidArgument names the field at fault, as a
// path ("evidence.items[2].offset"): not JSON, wrong schema, a missing, mistyped,
// duplicated or unknown key.
Result<Report> ParseReport(std::string_view json);

}  // namespace tosguard::audit::render
