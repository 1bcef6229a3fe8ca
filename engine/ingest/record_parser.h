// Parsing lines of one source into typed rows: JSONL (simdjson) and CSV.
//
// A source's mapping is compiled once (CompiledSource: slots, typed defaults, a key
// trie for nested JSON paths, CSV columns); each worker thread then owns a
// ChunkParser and turns chunks of lines into rows and quarantine entries. Nothing here
// is shared between threads except the read-only CompiledSource.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/schema.h"
#include "base/status.h"
#include "engine/ingest/coerce.h"
#include "engine/ingest/config.h"
#include "engine/ingest/quarantine.h"
#include "engine/ingest/table.h"

namespace tosguard::dsl {
class Regex;
}

namespace tosguard::engine {

// One mapped field as the parser reads it.
struct CompiledField {
  std::string name;
  std::size_t slot = 0;
  FieldType type = FieldType::kString;
  Transform transform = Transform::kNone;
  TimeFormat time_format = TimeFormat::kAuto;
  bool assume_utc = false;
  bool required = false;
  bool materialise = false;          // kept in the table (else only checked)
  bool as_text = false;              // a string kept as text, not interned (KeptAsText)
  // Regular expressions matched against the value as it is read: (expression, slot of
  // the derived column that receives the result).
  std::vector<std::pair<const dsl::Regex*, std::size_t>> matches;
  std::optional<TypedValue> default_value;
  std::vector<std::string> path;
};

// A node of the JSON key trie: node 0 is the record's root object.
struct KeyNode {
  std::string key;
  int field = -1;                      // index into CompiledSource::fields, or -1
  std::vector<std::uint32_t> children;
  std::vector<std::int32_t> table;     // open-addressed child index by key hash, -1 empty
};

class CompiledSource {
 public:
  // Compiles `source` for `schema`. `needed` (one flag per schema slot) says which
  // fields to materialise; required fields and the record key are always read and
  // checked, and materialised too. An empty `needed` materialises every mapped field.
  // With `check_unneeded`, the other mapped fields are still read and type-checked
  // (a bad value quarantines the line) but not stored; without it they are skipped.
  // `matches` (field slot, expression) become the derived columns, in order: such a
  // field is read even when it is not materialised. Mapping errors (bad defaults) are
  // InvalidArgument.
  static Result<CompiledSource> Compile(
      const SourceConfig& source, const RecordSchema& schema, const std::vector<bool>& needed,
      bool check_unneeded,
      const std::vector<std::pair<std::size_t, const dsl::Regex*>>& matches = {});

  const SourceConfig& source() const { return *source_; }
  const RecordSchema& schema() const { return *schema_; }
  const std::vector<CompiledField>& fields() const { return fields_; }
  const std::vector<KeyNode>& trie() const { return trie_; }
  // Per slot of the table (the schema's, then the derived columns): whether it is kept.
  const std::vector<bool>& materialised() const { return materialised_; }
  // An empty table of this source's schema, derived columns and materialised columns.
  std::unique_ptr<RecordTable> NewTable() const;
  // Child of trie node `node` named `key`, or -1.
  int FindChild(std::uint32_t node, std::string_view key) const;

 private:
  const SourceConfig* source_ = nullptr;
  const RecordSchema* schema_ = nullptr;
  std::vector<CompiledField> fields_;
  std::vector<KeyNode> trie_;
  std::vector<bool> materialised_;
  std::size_t derived_ = 0;
};

// The slots that identify a record of each kind; a repeated key is a duplicate.
std::vector<std::size_t> RecordKeySlots(RecordKind kind);

// A line inside a chunk's buffer. `ref.line` counts from 1 within the chunk until the
// merge adds the lines of the chunks before it.
struct LineSpan {
  std::uint32_t begin = 0;   // offset in Chunk::data
  std::uint32_t length = 0;  // without '\n' and a trailing '\r'
  SourceRef ref;
};

// For CSV: which field each column feeds (-1: none), read from the file's header.
struct CsvLayout {
  std::vector<int> column_field;  // index into CompiledSource::fields, per column
  std::size_t columns = 0;
};

inline constexpr std::size_t kChunkPadding = 64;

// A growable byte buffer that, unlike std::string, does not zero the bytes it grows
// by: chunks are filled by read(2), and zeroing megabytes per chunk is wasted work.
class ByteBuffer {
 public:
  char* data() { return bytes_.get(); }
  const char* data() const { return bytes_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {bytes_.get(), size_}; }
  void clear() { size_ = 0; }
  // Grows or shrinks to `n` bytes; new bytes are uninitialised.
  void resize(std::size_t n) {
    Reserve(n);
    size_ = n;
  }
  void append(const char* p, std::size_t n) {
    Reserve(size_ + n);
    if (n > 0) std::memcpy(bytes_.get() + size_, p, n);
    size_ += n;
  }
  void append_zeros(std::size_t n) {
    Reserve(size_ + n);
    std::memset(bytes_.get() + size_, 0, n);
    size_ += n;
  }
  // Drops the first `n` bytes.
  void erase_front(std::size_t n) {
    std::memmove(bytes_.get(), bytes_.get() + n, size_ - n);
    size_ -= n;
  }

 private:
  void Reserve(std::size_t n) {
    if (n <= capacity_) return;
    const std::size_t cap = std::max(n, capacity_ * 2);
    std::unique_ptr<char[]> bigger(new char[cap]);  // NOLINT: uninitialised on purpose
    if (size_ > 0) std::memcpy(bigger.get(), bytes_.get(), size_);
    bytes_ = std::move(bigger);
    capacity_ = cap;
  }
  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Complete lines of one file as read: the reader cuts its blocks after the last '\n',
// and the worker that parses the chunk splits it into lines. `data` holds `size` bytes
// of lines, then kChunkPadding zero bytes that simdjson may read past the last line.
struct Chunk {
  std::uint32_t file = 0;          // index into the run's input files
  std::uint32_t source = 0;        // index into the configuration's sources
  std::uint64_t base_offset = 0;   // content offset of data[0]
  std::size_t size = 0;
  ByteBuffer data;
  bool ends_unterminated = false;  // the last line is the file's and has no '\n'
  std::uint64_t max_line_bytes = 0;
  std::shared_ptr<const CsvLayout> csv;  // CSV only
  std::vector<LineSpan> lines;     // filled by the parser
};

// What a worker made of a chunk: rows with chunk-local dictionaries. Line numbers in
// `table` refs and `quarantine` are chunk-relative (1-based).
struct ParsedChunk {
  std::unique_ptr<Chunk> chunk;  // kept for excerpts of lines found bad when merging
  std::unique_ptr<RecordTable> table;
  Dictionaries dict;
  std::vector<QuarantineEntry> quarantine;
  std::uint64_t lines = 0;
};

class ChunkParser {
 public:
  explicit ChunkParser(const CompiledSource& source);
  ~ChunkParser();
  ChunkParser(const ChunkParser&) = delete;
  ChunkParser& operator=(const ChunkParser&) = delete;

  // Splits `chunk` into lines and parses each. Never fails: a bad line (including one
  // longer than the chunk's max_line_bytes) becomes a quarantine entry.
  ParsedChunk Parse(std::unique_ptr<Chunk> chunk);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a CSV header line against `source`: every mapped column must be present.
// A missing column is InvalidArgument naming it and the file.
Result<CsvLayout> ReadCsvHeader(std::string_view line, const CompiledSource& source,
                                const std::string& file);

// Splits one CSV line into cells (RFC 4180 quoting within a line). Returns false when
// a quote is unterminated or misplaced.
bool SplitCsvLine(std::string_view line, char delimiter, std::vector<std::string>* cells);

}  // namespace tosguard::engine
