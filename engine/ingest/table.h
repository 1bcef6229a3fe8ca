// Columnar record tables and the dictionaries that intern their strings.
//
// Strings of every record kind share one Dictionary, so an account id in the events
// and in the account records is the same integer and joins are integer compares.
// Only the columns that were asked for are materialised; the others stay empty.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/schema.h"
#include "base/source_ref.h"

namespace tosguard::engine {

using SymbolId = std::uint32_t;

// Interns strings to dense ids in first-seen order (so ids are deterministic for a
// deterministic insertion order). Views returned by Name() stay valid while the
// dictionary lives: strings are kept in fixed-size blocks that never move.
class Dictionary {
 public:
  Dictionary();
  Dictionary(const Dictionary&) = delete;
  Dictionary& operator=(const Dictionary&) = delete;
  Dictionary(Dictionary&&) noexcept = default;
  Dictionary& operator=(Dictionary&&) noexcept = default;

  SymbolId Intern(std::string_view s);
  // The same with `s`'s hash already known (Hash() of another dictionary).
  SymbolId Intern(std::string_view s, std::uint32_t hash);
  // The id of `s`, or kNone when it was never interned.
  SymbolId Find(std::string_view s) const;
  std::string_view Name(SymbolId id) const { return names_[id]; }
  std::uint32_t Hash(SymbolId id) const { return hashes_[id]; }
  std::size_t size() const { return names_.size(); }
  // Makes room for `n` strings in all, so growth does not rehash on the way there.
  void Reserve(std::size_t n);

  static constexpr SymbolId kNone = 0xFFFFFFFFu;

 private:
  std::string_view Store(std::string_view s);
  void Grow();
  void Rehash(std::size_t size);  // `size` is a power of two
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0;
  std::size_t block_size_ = 0;
  std::vector<std::string_view> names_;
  std::vector<std::uint32_t> hashes_;  // per id: the low 32 bits of its hash
  std::vector<SymbolId> slots_;  // open addressing over hashes; kNone marks empty
  std::size_t mask_ = 0;
};

// Interns sets of symbols (sorted, unique) to dense ids.
class SetDictionary {
 public:
  SetDictionary();
  // `members` need not be sorted; duplicates are dropped.
  std::uint32_t Intern(std::vector<SymbolId> members);
  const std::vector<SymbolId>& Members(std::uint32_t id) const { return sets_[id]; }
  std::size_t size() const { return sets_.size(); }

 private:
  std::vector<std::vector<SymbolId>> sets_;
  std::unordered_map<std::string, std::uint32_t> index_;  // key: raw bytes of the members
};

// Free text (prompts), stored once, addressed by index. Texts live in blocks that never
// move or grow past their capacity, so views returned by Get() stay valid while the
// store lives, and a store grows without copying what it holds.
class TextStore {
 public:
  std::uint64_t Add(std::string_view text);
  // Takes over every text of `other` (no bytes are copied); returns the id its first
  // text now has: other's id i becomes the returned id + i.
  std::uint64_t Append(TextStore&& other);
  std::string_view Get(std::uint64_t id) const {
    const Text& t = texts_[id];
    return {blocks_[t.block].data.get() + t.offset, t.length};
  }
  std::size_t size() const { return texts_.size(); }
  std::size_t bytes() const { return bytes_; }

  static constexpr std::size_t kBlockBytes = 8u << 20;

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t used = 0;
    std::size_t capacity = 0;
  };
  struct Text {
    std::uint32_t block;
    std::uint32_t length;
    std::uint64_t offset;
  };
  std::vector<Block> blocks_;
  std::vector<Text> texts_;
  std::size_t bytes_ = 0;
};

// Rows by a string key that is unique per row (event ids): a dictionary entry per row
// would never be shared, so these keys stay out of the Dictionary, kept as text, and
// are found by a hash of their bytes. `name_of(row)` gives a row's key; the index
// compares it on a hash match, so hash collisions cost a compare, never a wrong row.
class KeyIndex {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  static std::uint64_t Hash(std::string_view key);

  // The row that already has `key`; when none, records `row` for it and returns kNone.
  template <class NameOf>
  std::uint32_t FindOrInsert(std::string_view key, std::uint32_t row, NameOf&& name_of) {
    return FindOrInsert(key, Hash(key), row, name_of);
  }
  // The same with `h` = Hash(key) already computed.
  template <class NameOf>
  std::uint32_t FindOrInsert(std::string_view key, std::uint64_t h, std::uint32_t row, NameOf&& name_of) {
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.row == kNone) {
        s = {tag, row};
        if (low_.size() <= row) low_.resize(std::max<std::size_t>(row + 1, 2 * low_.size()));
        low_[row] = static_cast<std::uint32_t>(h);
        if (++size_ * 10 > slots_.size() * 7) Rehash(slots_.size() * 2);
        return kNone;
      }
      if (s.tag == tag && name_of(s.row) == key) return s.row;
    }
  }
  // The row with `key`, or kNone.
  template <class NameOf>
  std::uint32_t Find(std::string_view key, NameOf&& name_of) const {
    const std::uint64_t h = Hash(key);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.row == kNone) return kNone;
      if (s.tag == tag && name_of(s.row) == key) return s.row;
    }
  }
  // Asks the processor to fetch the slot where a key of hash `h` starts: a large index
  // misses the cache on every lookup, so callers prefetch a few keys ahead.
  void Prefetch(std::uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  // Makes room for `n` keys in all.
  void Reserve(std::size_t n);
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint32_t tag = 0;  // the hash's high half
    std::uint32_t row = kNone;
  };
  void Rehash(std::size_t capacity);
  // Slots are placed by the hash's low bits, which a rehash cannot recompute from the
  // tag: the hashes are kept beside them, per row.
  std::vector<Slot> slots_ = std::vector<Slot>(16);
  std::vector<std::uint32_t> low_;  // per row: the hash's low half
  std::size_t mask_ = 15;
  std::size_t size_ = 0;
};

struct Dictionaries {
  Dictionary strings;
  SetDictionary sets;
  TextStore texts;
};

// Whether string field `slot` of `kind` is kept as text rather than interned: the
// event id, unique per event. Such a column holds TextStore indexes like a text field;
// the language still sees a string.
bool KeptAsText(RecordKind kind, std::size_t slot);

// One column of a table. Values by type: int/timestamp in `ints`, number in `nums`,
// text as a TextStore index in `ints`, a string kept as text (`as_text`) as a TextStore
// index in `ints`; the values that fit 32 bits in `u32` (`narrow`): bool as 0/1, an
// interned string as its SymbolId, string_set as a SetDictionary id. `present[i]` is
// 0 for an absent value.
struct Column {
  FieldType type = FieldType::kInt;
  bool materialised = false;
  bool as_text = false;  // a string column kept as TextStore indexes (see KeptAsText)
  bool narrow = false;   // values in `u32` rather than `ints`
  std::vector<std::int64_t> ints;
  std::vector<std::uint32_t> u32;
  std::vector<double> nums;
  std::vector<std::uint8_t> present;

  // The value of row `row` of a column that is not of type number.
  std::int64_t Value(std::size_t row) const { return narrow ? u32[row] : ints[row]; }
  void Push(std::int64_t v) {
    if (narrow) {
      u32.push_back(static_cast<std::uint32_t>(v));
    } else {
      ints.push_back(v);
    }
  }
};

// The records of one kind. Rows are in input order (sources, files, lines).
//
// After the schema's slots come `derived` boolean columns: values the parser computed
// from a field as it read it (a rule's `field matches /re/`, see TextMatch in
// ingest.h), so the field itself need not be kept. Derived column k has slot
// schema().size() + k.
class RecordTable {
 public:
  explicit RecordTable(const RecordSchema& schema, std::size_t derived = 0);

  const RecordSchema& schema() const { return schema_; }
  std::size_t rows() const { return refs_.size(); }
  const Column& column(std::size_t slot) const { return columns_[slot]; }
  Column& column(std::size_t slot) { return columns_[slot]; }
  const SourceRef& ref(std::size_t row) const { return refs_[row]; }
  std::vector<SourceRef>& refs() { return refs_; }

  // Slots in all: the schema's, then the derived columns.
  std::size_t slots() const { return columns_.size(); }
  // Materialises the columns whose slot is set in `slots` (size = slots()).
  void Materialise(const std::vector<bool>& slots);
  // Slots of the materialised columns, ascending.
  const std::vector<std::size_t>& materialised_slots() const { return materialised_slots_; }

  // Appends a row: `ints`/`nums`/`present` give one value per slot (only the
  // materialised columns read theirs).
  void AppendRow(const SourceRef& ref, const std::int64_t* ints, const double* nums,
                 const std::uint8_t* present);
  // Appends rows `rows` of `other`, a table of the same schema and columns, column by
  // column: each present non-number value through `remap(column, value)` (another
  // table's ids to this one's), each reference's line moved by `line_offset`.
  template <class Remap>
  void AppendRows(const RecordTable& other, const std::vector<std::uint32_t>& rows,
                  std::uint64_t line_offset, Remap&& remap) {
    for (const std::uint32_t r : rows) {
      SourceRef ref = other.refs_[r];
      ref.line += line_offset;
      refs_.push_back(ref);
    }
    for (const std::size_t i : materialised_slots_) {
      Column& c = columns_[i];
      const Column& o = other.columns_[i];
      if (!o.materialised) {  // another source of this kind maps the field, not this one's
        if (c.type == FieldType::kNumber) {
          c.nums.resize(c.nums.size() + rows.size(), 0);
        } else if (c.narrow) {
          c.u32.resize(c.u32.size() + rows.size(), 0);
        } else {
          c.ints.resize(c.ints.size() + rows.size(), 0);
        }
        c.present.resize(c.present.size() + rows.size(), 0);
        continue;
      }
      if (c.type == FieldType::kNumber) {
        for (const std::uint32_t r : rows) c.nums.push_back(o.nums[r]);
      } else if (c.narrow) {
        for (const std::uint32_t r : rows)
          c.u32.push_back(static_cast<std::uint32_t>(o.present[r] != 0 ? remap(o, o.u32[r]) : o.u32[r]));
      } else {
        for (const std::uint32_t r : rows) c.ints.push_back(o.present[r] != 0 ? remap(o, o.ints[r]) : o.ints[r]);
      }
      for (const std::uint32_t r : rows) c.present.push_back(o.present[r]);
    }
  }
  void Reserve(std::size_t rows);

  bool Has(std::size_t slot, std::size_t row) const {
    const Column& c = columns_[slot];
    return c.materialised && c.present[row] != 0;
  }
  std::int64_t Int(std::size_t slot, std::size_t row) const { return columns_[slot].Value(row); }
  double Num(std::size_t slot, std::size_t row) const { return columns_[slot].nums[row]; }
  SymbolId Sym(std::size_t slot, std::size_t row) const {
    return static_cast<SymbolId>(columns_[slot].Value(row));
  }

 private:
  RecordSchema schema_;
  std::vector<Column> columns_;
  std::vector<std::size_t> materialised_slots_;
  std::vector<SourceRef> refs_;
};

}  // namespace tosguard::engine
