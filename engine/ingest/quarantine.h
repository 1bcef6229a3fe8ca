// The quarantine: every input line that did not become a record, with its reason.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/source_ref.h"
#include "base/status.h"

namespace tosguard::engine {

enum class QuarantineReason : std::uint8_t {
  kMalformedJson,    // not a JSON document, or trailing bytes after it
  kNotAnObject,      // valid JSON, but not an object
  kMissingField,     // a required field is absent or null, with no default
  kWrongType,        // a value's type does not fit its field
  kBadTimestamp,     // a timestamp that cannot be read or is out of range
  kInvalidUtf8,      // bytes that are not UTF-8
  kLineTooLong,      // longer than limits.max_line_bytes
  kDuplicate,        // the record's key was already seen (event_id, account_id, ...)
  kTruncatedLine,    // the file's last line has no newline and does not parse
  kBlankLine,        // an empty or whitespace-only line
  kCsvColumnCount,   // a CSV row with more or fewer cells than the header
  kCsvQuote,         // a CSV cell with an unterminated or misplaced quote
};
inline constexpr std::size_t kQuarantineReasonCount = 12;

// Stable snake_case name, e.g. "malformed_json".
std::string_view QuarantineReasonName(QuarantineReason r);

struct QuarantineEntry {
  SourceRef ref;
  QuarantineReason reason;
  std::string detail;   // e.g. "field 'ts': expected a timestamp, got a boolean"
  std::string excerpt;  // SafeExcerpt of the line's first bytes
};

using ReasonCounts = std::array<std::uint64_t, kQuarantineReasonCount>;

// Writes quarantine entries as JSONL, one object per line:
// {"source","file","line","offset","length","reason","detail","excerpt"}; the files'
// SHA-256 digests are in the ingest summary.
class QuarantineWriter {
 public:
  QuarantineWriter() = default;
  ~QuarantineWriter();
  QuarantineWriter(const QuarantineWriter&) = delete;
  QuarantineWriter& operator=(const QuarantineWriter&) = delete;

  // Opens (truncates) `path`, creating its directory; an empty path writes nothing.
  Status Open(const std::string& path);
  Status Write(const QuarantineEntry& e, std::string_view source, std::string_view file);
  Status Close();
  const std::string& path() const { return path_; }

 private:
  std::FILE* out_ = nullptr;
  std::string path_;
};

// Bytes shown of a quarantined line.
inline constexpr std::size_t kExcerptBytes = 160;

}  // namespace tosguard::engine
