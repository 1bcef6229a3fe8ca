// Dictionaries and columnar tables.
#include "engine/ingest/table.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <functional>

namespace tosguard::engine {
namespace {

// Blocks start small (chunk-local dictionaries are many and short-lived) and double.
constexpr std::size_t kFirstBlock = 16 << 10;
constexpr std::size_t kMaxBlock = 1 << 20;

std::unique_ptr<char[]> Uninitialised(std::size_t n) {
  return std::unique_ptr<char[]>(new char[n]);  // NOLINT: no zeroing, every byte is written before it is read
}

std::size_t HashOf(std::string_view s) { return std::hash<std::string_view>{}(s); }

// Asks the kernel to back a large, not yet touched reservation with huge pages: a
// table of millions of rows otherwise costs a page fault every 4 KiB as it fills.
// Only advice: where transparent huge pages are off, nothing changes.
template <typename T>
void AdviseHugePages(const std::vector<T>& v) {
  constexpr std::size_t kHuge = 2 << 20;
  const std::size_t bytes = v.capacity() * sizeof(T);
  if (bytes < 4 * kHuge) return;
  const auto start = reinterpret_cast<std::uintptr_t>(v.data());  // NOLINT
  const std::uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t end = (start + bytes) & ~(kHuge - 1);
  if (end > aligned) {
    madvise(reinterpret_cast<void*>(aligned), end - aligned, MADV_HUGEPAGE);  // NOLINT
  }
}

}  // namespace

Dictionary::Dictionary() : slots_(256, kNone), mask_(255) {}

std::string_view Dictionary::Store(std::string_view s) {
  if (s.size() > kMaxBlock / 4) {
    // Large strings get a block of their own so blocks stay dense.
    auto block = Uninitialised(s.size());
    std::memcpy(block.get(), s.data(), s.size());
    std::string_view view(block.get(), s.size());
    blocks_.insert(blocks_.end() - (blocks_.empty() ? 0 : 1), std::move(block));
    return view;
  }
  if (blocks_.empty() || block_used_ + s.size() > block_size_) {
    block_size_ = block_size_ == 0 ? kFirstBlock : std::min(block_size_ * 2, kMaxBlock);
    blocks_.push_back(Uninitialised(block_size_));
    block_used_ = 0;
  }
  char* dst = blocks_.back().get() + block_used_;
  if (!s.empty()) std::memcpy(dst, s.data(), s.size());
  block_used_ += s.size();
  return {dst, s.size()};
}

void Dictionary::Grow() { Rehash(slots_.size() * 2); }

void Dictionary::Rehash(std::size_t size) {
  std::vector<SymbolId> bigger(size, kNone);
  const std::size_t mask = bigger.size() - 1;
  for (SymbolId id = 0; id < names_.size(); ++id) {
    std::size_t i = hashes_[id] & mask;
    while (bigger[i] != kNone) i = (i + 1) & mask;
    bigger[i] = id;
  }
  slots_ = std::move(bigger);
  mask_ = mask;
}

SymbolId Dictionary::Intern(std::string_view s) {
  return Intern(s, static_cast<std::uint32_t>(HashOf(s)));
}

void Dictionary::Reserve(std::size_t n) {
  if (n > names_.capacity()) {
    names_.reserve(n);
    hashes_.reserve(n);
    AdviseHugePages(names_);
    AdviseHugePages(hashes_);
  }
  std::size_t size = slots_.size();
  while (n * 2 > size) size *= 2;
  if (size != slots_.size()) Rehash(size);
}

SymbolId Dictionary::Intern(std::string_view s, std::uint32_t h) {
  std::size_t i = h & mask_;
  while (slots_[i] != kNone) {
    const SymbolId id = slots_[i];
    if (hashes_[id] == h && names_[id] == s) return id;
    i = (i + 1) & mask_;
  }
  const auto id = static_cast<SymbolId>(names_.size());
  names_.push_back(Store(s));
  hashes_.push_back(h);
  slots_[i] = id;
  if (names_.size() * 2 > slots_.size()) Grow();
  return id;
}

SymbolId Dictionary::Find(std::string_view s) const {
  const auto h = static_cast<std::uint32_t>(HashOf(s));
  std::size_t i = h & mask_;
  while (slots_[i] != kNone) {
    const SymbolId id = slots_[i];
    if (hashes_[id] == h && names_[id] == s) return id;
    i = (i + 1) & mask_;
  }
  return kNone;
}

SetDictionary::SetDictionary() = default;

std::uint32_t SetDictionary::Intern(std::vector<SymbolId> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  std::string key(reinterpret_cast<const char*>(members.data()),  // NOLINT
                  members.size() * sizeof(SymbolId));
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(sets_.size());
  sets_.push_back(std::move(members));
  index_.emplace(std::move(key), id);
  return id;
}

std::uint64_t TextStore::Add(std::string_view text) {
  if (blocks_.empty() || blocks_.back().capacity - blocks_.back().used < text.size()) {
    Block b;
    b.capacity = std::max(kBlockBytes, text.size());
    b.data = std::make_unique_for_overwrite<char[]>(b.capacity);
    blocks_.push_back(std::move(b));
  }
  Block& b = blocks_.back();
  if (!text.empty()) std::memcpy(b.data.get() + b.used, text.data(), text.size());
  texts_.push_back({static_cast<std::uint32_t>(blocks_.size() - 1), static_cast<std::uint32_t>(text.size()), b.used});
  b.used += text.size();
  bytes_ += text.size();
  return texts_.size() - 1;
}

std::uint64_t TextStore::Append(TextStore&& other) {
  const std::uint64_t first = texts_.size();
  const auto base = static_cast<std::uint32_t>(blocks_.size());
  // Later Adds must not write into a block that other's texts fill.
  for (Block& b : other.blocks_) {
    b.capacity = b.used;
    blocks_.push_back(std::move(b));
  }
  // Geometric growth: reserving exactly what this chunk needs would reallocate (and
  // copy) every text so far on each append.
  const std::size_t need = texts_.size() + other.texts_.size();
  if (need > texts_.capacity()) texts_.reserve(std::max(need, 2 * texts_.capacity()));
  for (const Text& t : other.texts_) texts_.push_back({t.block + base, t.length, t.offset});
  bytes_ += other.bytes_;
  other = TextStore{};
  return first;
}

std::uint64_t KeyIndex::Hash(std::string_view key) { return HashOf(key); }

void KeyIndex::Reserve(std::size_t n) {
  std::size_t c = slots_.size();
  while (c * 7 < n * 10) c *= 2;
  if (c > slots_.size()) Rehash(c);
  if (low_.capacity() < n) low_.reserve(n);
}

void KeyIndex::Rehash(std::size_t capacity) {
  std::vector<Slot> bigger;
  bigger.reserve(capacity);
  AdviseHugePages(bigger);  // before the first touch: lookups are random, TLB misses dominate
  bigger.resize(capacity);
  const std::size_t mask = capacity - 1;
  for (const Slot& s : slots_) {
    if (s.row == kNone) continue;
    const std::uint64_t h = static_cast<std::uint64_t>(s.tag) << 32 | low_[s.row];
    std::size_t i = h & mask;
    while (bigger[i].row != kNone) i = (i + 1) & mask;
    bigger[i] = s;
  }
  slots_ = std::move(bigger);
  mask_ = mask;
}

bool KeptAsText(RecordKind kind, std::size_t slot) {
  return kind == RecordKind::kEvent && slot == event_slot::kEventId;
}

RecordTable::RecordTable(const RecordSchema& schema, std::size_t derived) : schema_(schema) {
  columns_.resize(schema_.size() + derived);
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    columns_[i].type = schema_.field(i).type;
    columns_[i].as_text = columns_[i].type == FieldType::kString && KeptAsText(schema_.kind(), i);
  }
  for (std::size_t i = schema_.size(); i < columns_.size(); ++i) columns_[i].type = FieldType::kBool;
  for (Column& c : columns_) {
    c.narrow = c.type == FieldType::kBool || c.type == FieldType::kStringSet ||
               (c.type == FieldType::kString && !c.as_text);
  }
}

void RecordTable::Materialise(const std::vector<bool>& slots) {
  materialised_slots_.clear();
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (i < slots.size() && slots[i]) columns_[i].materialised = true;
    if (columns_[i].materialised) materialised_slots_.push_back(i);
  }
}

void RecordTable::Reserve(std::size_t rows) {
  if (rows <= refs_.capacity()) return;
  refs_.reserve(rows);
  AdviseHugePages(refs_);
  for (const std::size_t i : materialised_slots_) {
    Column& c = columns_[i];
    if (c.type == FieldType::kNumber) {
      c.nums.reserve(rows);
      AdviseHugePages(c.nums);
    } else if (c.narrow) {
      c.u32.reserve(rows);
      AdviseHugePages(c.u32);
    } else {
      c.ints.reserve(rows);
      AdviseHugePages(c.ints);
    }
    c.present.reserve(rows);
    AdviseHugePages(c.present);
  }
}

void RecordTable::AppendRow(const SourceRef& ref, const std::int64_t* ints, const double* nums,
                            const std::uint8_t* present) {
  refs_.push_back(ref);
  for (const std::size_t i : materialised_slots_) {
    Column& c = columns_[i];
    if (c.type == FieldType::kNumber) {
      c.nums.push_back(nums[i]);
    } else {
      c.Push(ints[i]);
    }
    c.present.push_back(present[i]);
  }
}

}  // namespace tosguard::engine
