// Ingest: every source of a configuration read into tables, losing nothing.
//
// Each input line ends as a record or in the quarantine; per file and in total,
// lines = records + quarantined + CSV header lines. Files are read once: their
// SHA-256 is computed while they are parsed. Parsing runs on worker threads over
// chunks of lines; results merge in input order, so the output does not depend on the
// thread count or chunk size.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/sha256.h"
#include "base/status.h"
#include "base/time.h"
#include "engine/ingest/config.h"
#include "engine/ingest/input_file.h"
#include "engine/ingest/quarantine.h"
#include "engine/ingest/table.h"

namespace tosguard::dsl {
class Regex;
}

namespace tosguard::engine {

struct FileStats {
  std::uint64_t lines = 0;          // every line, including header and quarantined ones
  std::uint64_t records = 0;
  std::uint64_t header_lines = 0;   // CSV header
  std::uint64_t quarantined = 0;
  ReasonCounts by_reason{};
  std::uint64_t out_of_order = 0;   // records older than the record before them
  std::optional<TimestampUs> min_ts;
  std::optional<TimestampUs> max_ts;
};

struct InputFile {
  std::uint32_t source = 0;     // index into the configuration's sources
  std::string path;             // as resolved against the configuration's directory
  Compression compression = Compression::kNone;
  Digest sha256{};              // of the stored bytes
  std::uint64_t stored_bytes = 0;
  std::uint64_t content_bytes = 0;
  FileStats stats;
};

// All ingested records. String, set and text ids of every table point into `dict`.
// A rule's `field matches /re/` on an event field, decided by the parser as it reads
// the field (in parallel, while the line is in cache) instead of by every rule pass:
// the field then need not be kept when nothing else reads it. The result is derived
// column k of the events table (slot schema size + k) when this is matches[k]: true or
// false, absent when the field is.
struct TextMatch {
  std::size_t slot = 0;
  std::string pattern;             // as the rule's plan holds it (RulePlan::regex_patterns)
  const dsl::Regex* re = nullptr;  // compiled from it, alive while ingest runs
};

struct Dataset {
  Dictionaries dict;
  RecordTable events{CanonicalSchema(RecordKind::kEvent)};
  RecordTable accounts{CanonicalSchema(RecordKind::kAccount)};
  RecordTable acceptances{CanonicalSchema(RecordKind::kAcceptance)};
  RecordTable signals{CanonicalSchema(RecordKind::kSignal)};
  std::vector<InputFile> files;
  KeyIndex event_ids;  // events by event id (kept as text, see KeptAsText)
  // What each derived column of `events` holds (TextMatch::re is not kept).
  std::vector<TextMatch> event_matches;

  RecordTable& table(RecordKind kind);
  const RecordTable& table(RecordKind kind) const;
  // The event id of an event row.
  std::string_view EventId(std::size_t row) const {
    return dict.texts.Get(static_cast<std::uint64_t>(events.Int(event_slot::kEventId, row)));
  }
  // The row of the event with id `id`, or KeyIndex::kNone.
  std::uint32_t FindEvent(std::string_view id) const {
    return event_ids.Find(id, [this](std::uint32_t row) { return EventId(row); });
  }
};

// Cross-checks between kinds, counted after ingest (the records are kept).
struct LinkStats {
  std::uint64_t events_of_unknown_accounts = 0;    // events whose account has no record
  std::uint64_t unknown_accounts = 0;              // distinct such accounts
  std::uint64_t acceptances_of_unknown_accounts = 0;
  std::uint64_t signals_of_unknown_subjects = 0;   // subject is no known event/account
  std::uint64_t event_accounts = 0;                // distinct accounts seen in events
};

struct IngestResult {
  Dataset data;
  LinkStats links;
  FileStats totals;                  // sums over all files
  bool over_quarantine_limit = false;
  std::string limit_message;         // why, when over the limit
  std::string quarantine_path;       // where quarantined lines were written, or ""
};

struct IngestOptions {
  // Per record kind (index = RecordKind), one flag per schema slot: the fields to
  // materialise. Empty: every mapped field. Required fields are always read.
  std::array<std::vector<bool>, 4> needed;
  // Read and type-check the mapped fields that are not needed (a bad value quarantines
  // its line) instead of skipping them. `tosguard ingest` checks everything.
  bool check_unneeded = true;
  // Event fields matched against regular expressions at parse time (see TextMatch).
  std::vector<TextMatch> event_matches;
  unsigned threads = 0;                    // 0: one per hardware thread
  std::size_t chunk_bytes = 4 << 20;       // lines per parse task, in bytes
  std::optional<QuarantineLimit> limit;    // overrides the configuration's
  std::optional<std::string> quarantine_path;  // overrides the configuration's
};

// Reads every source of `config`. Operational failures stop the run with a Status
// naming the file: a missing file, a directory, an unreadable file, a corrupt .gz or
// .zst stream, a CSV header that lacks a required column, an unwritable quarantine
// file. Bad lines never do: they are quarantined and counted. Going over the
// quarantine limit is not an error here; it is reported in the result.
Result<IngestResult> Ingest(const IngestConfig& config, const IngestOptions& options);

// Records parsed again from lines cited by their source references.
struct ReparsedLines {
  std::unique_ptr<RecordTable> table;  // one row per line, in the order given
  Dictionaries dict;                   // the table's string, set and text ids
};

// Whether a line of `source` parses on its own: a JSONL line is a whole record, a CSV
// line needs its file's header.
bool LinesParseAlone(const SourceConfig& source);

// Parses `lines`, the bytes of lines of file `path` of source `source` as re-read at
// `refs`, exactly as ingest parses them, materialising the fields set in `needed` (one
// flag per schema slot). Evidence uses it to read back the fields it shows but ingest
// did not keep. Only for sources whose lines parse alone. A line that no longer
// parses into a record is a Corruption status naming the file, line and offset.
Result<ReparsedLines> ReparseLines(const IngestConfig& config, std::uint32_t source,
                                   const std::string& path, const std::vector<std::string_view>& lines,
                                   const std::vector<SourceRef>& refs, const std::vector<bool>& needed);

}  // namespace tosguard::engine
