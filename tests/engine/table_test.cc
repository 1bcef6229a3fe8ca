// Tests of the dictionaries and columnar tables that hold ingested records.
#include <catch2/catch.hpp>

#include <string>

#include "engine/ingest/table.h"

using namespace tosguard;
using namespace tosguard::engine;

TEST_CASE("the dictionary interns in first-seen order and finds what it holds") {
  Dictionary d;
  CHECK(d.Intern("b") == 0);
  CHECK(d.Intern("a") == 1);
  CHECK(d.Intern("b") == 0);
  CHECK(d.Intern("") == 2);
  CHECK(d.Find("a") == 1);
  CHECK(d.Find("zzz") == Dictionary::kNone);
  CHECK(d.Name(0) == "b");
  CHECK(d.size() == 3);
}

TEST_CASE("the dictionary keeps views valid while it grows, large strings included") {
  Dictionary d;
  const std::string big(300000, 'x');
  std::vector<std::string_view> views;
  for (int i = 0; i < 50000; ++i) {
    const std::string s = i % 10000 == 0 ? big + std::to_string(i) : "id-" + std::to_string(i);
    REQUIRE(d.Intern(s) == static_cast<SymbolId>(i));
    views.push_back(d.Name(static_cast<SymbolId>(i)));
  }
  for (int i = 0; i < 50000; ++i) {
    const std::string s = i % 10000 == 0 ? big + std::to_string(i) : "id-" + std::to_string(i);
    CHECK(views[static_cast<std::size_t>(i)] == s);
    CHECK(d.Find(s) == static_cast<SymbolId>(i));
  }
}

TEST_CASE("sets are interned regardless of order and repetition") {
  SetDictionary sets;
  const auto a = sets.Intern({3, 1, 2});
  CHECK(sets.Intern({1, 2, 3, 3}) == a);
  CHECK(sets.Intern({}) != a);
  CHECK(sets.Members(a) == std::vector<SymbolId>{1, 2, 3});
}

TEST_CASE("the text store returns what was added") {
  TextStore t;
  CHECK(t.Add("hello") == 0);
  CHECK(t.Add("") == 1);
  CHECK(t.Add("world") == 2);
  CHECK(t.Get(0) == "hello");
  CHECK(t.Get(1).empty());
  CHECK(t.Get(2) == "world");
  CHECK(t.bytes() == 10);
}

TEST_CASE("the text store spans blocks, keeps views valid and takes over another store whole") {
  TextStore t;
  const std::string big(TextStore::kBlockBytes + 3, 'x');  // larger than a block
  const std::string half(TextStore::kBlockBytes / 2 + 1, 'y');
  CHECK(t.Add("first") == 0);
  const std::string_view first = t.Get(0);
  CHECK(t.Add(big) == 1);
  CHECK(t.Add(half) == 2);
  CHECK(t.Add(half) == 3);  // does not fit after the other half: a new block
  CHECK(first == "first");  // still valid after the store grew
  CHECK(t.Get(1) == big);
  CHECK(t.Get(3) == half);

  TextStore other;
  other.Add("a");
  other.Add("bc");
  CHECK(t.Append(std::move(other)) == 4);
  CHECK(other.size() == 0);
  CHECK(t.Get(4) == "a");
  CHECK(t.Get(5) == "bc");
  CHECK(t.Add("after") == 6);  // written into a new block, not after "bc"
  CHECK(t.Get(5) == "bc");
  CHECK(t.Get(6) == "after");
  CHECK(t.size() == 7);
  CHECK(t.bytes() == 5 + big.size() + 2 * half.size() + 3 + 5);
}

TEST_CASE("tables keep only materialised columns, aligned row by row") {
  RecordTable table(CanonicalSchema(RecordKind::kEvent));
  std::vector<bool> want(table.schema().size(), false);
  want[event_slot::kTs] = true;
  want[event_slot::kTemperature] = true;
  table.Materialise(want);
  CHECK(table.materialised_slots() == std::vector<std::size_t>{event_slot::kTs, event_slot::kTemperature});
  const std::size_t n = table.schema().size();
  std::vector<std::int64_t> ints(n, 0);
  std::vector<double> nums(n, 0);
  std::vector<std::uint8_t> present(n, 0);
  ints[event_slot::kTs] = 42;
  present[event_slot::kTs] = 1;
  table.AppendRow(SourceRef{0, 1, 0, 10}, ints.data(), nums.data(), present.data());
  nums[event_slot::kTemperature] = 0.5;
  present[event_slot::kTemperature] = 1;
  table.AppendRow(SourceRef{0, 2, 11, 10}, ints.data(), nums.data(), present.data());
  REQUIRE(table.rows() == 2);
  CHECK(table.Int(event_slot::kTs, 1) == 42);
  CHECK_FALSE(table.Has(event_slot::kTemperature, 0));
  CHECK(table.Has(event_slot::kTemperature, 1));
  CHECK(table.Num(event_slot::kTemperature, 1) == 0.5);
  CHECK_FALSE(table.Has(event_slot::kModel, 0));  // not materialised
  CHECK(table.column(event_slot::kModel).u32.empty());
  CHECK(table.ref(1).offset == 11);
}

TEST_CASE("bool, interned string and set columns hold 32-bit values, the others 64-bit ones") {
  RecordTable table(CanonicalSchema(RecordKind::kEvent), /*derived=*/1);
  const std::size_t derived = table.schema().size();
  std::vector<bool> want(table.slots(), false);
  for (const std::size_t s : {event_slot::kTs, event_slot::kEventId, event_slot::kModel,
                              event_slot::kInputTokens, derived})
    want[s] = true;
  table.Materialise(want);
  const std::size_t n = table.slots();
  std::vector<std::int64_t> ints(n, 0);
  std::vector<double> nums(n, 0);
  std::vector<std::uint8_t> present(n, 1);
  ints[event_slot::kTs] = std::int64_t{1} << 40;  // beyond 32 bits
  ints[event_slot::kEventId] = 3;                 // a TextStore index
  ints[event_slot::kModel] = 0xFFFFFFFE;          // the largest symbol id
  ints[event_slot::kInputTokens] = -5;
  ints[derived] = 1;
  table.AppendRow(SourceRef{0, 1, 0, 10}, ints.data(), nums.data(), present.data());
  CHECK(table.column(event_slot::kModel).narrow);
  CHECK(table.column(event_slot::kModel).ints.empty());
  CHECK(table.Sym(event_slot::kModel, 0) == 0xFFFFFFFEu);
  CHECK(table.column(derived).narrow);
  CHECK(table.Int(derived, 0) == 1);
  CHECK_FALSE(table.column(event_slot::kEventId).narrow);  // kept as text: a 64-bit index
  CHECK(table.Int(event_slot::kEventId, 0) == 3);
  CHECK_FALSE(table.column(event_slot::kTs).narrow);
  CHECK(table.Int(event_slot::kTs, 0) == std::int64_t{1} << 40);
  CHECK(table.Int(event_slot::kInputTokens, 0) == -5);
  CHECK(table.column(event_slot::kTags).narrow);  // a string_set
}

TEST_CASE("the key index finds each row by its key through growth, and only that row") {
  std::vector<std::string> keys;
  KeyIndex index;
  auto name_of = [&](std::uint32_t row) { return std::string_view(keys[row]); };
  for (std::uint32_t i = 0; i < 100000; ++i) {
    keys.push_back("ev-" + std::to_string(i * 7919));
    REQUIRE(index.FindOrInsert(keys.back(), i, name_of) == KeyIndex::kNone);
  }
  CHECK(index.size() == keys.size());
  for (std::uint32_t i = 0; i < keys.size(); i += 997) {
    CHECK(index.Find(keys[i], name_of) == i);
    CHECK(index.FindOrInsert(keys[i], 4242424, name_of) == i);  // a repeat names the first row
  }
  CHECK(index.Find("ev-unknown", name_of) == KeyIndex::kNone);
  CHECK(index.Find("", name_of) == KeyIndex::kNone);
  CHECK(index.size() == keys.size());

  // Reserving first gives the same answers without growing on the way.
  KeyIndex reserved;
  reserved.Reserve(keys.size());
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(reserved.FindOrInsert(keys[i], i, name_of) == KeyIndex::kNone);
  for (std::uint32_t i = 0; i < 1000; ++i) CHECK(reserved.Find(keys[i], name_of) == i);
}

TEST_CASE("event ids are kept as text, other strings as symbols") {
  RecordTable events(CanonicalSchema(RecordKind::kEvent));
  CHECK(events.column(event_slot::kEventId).as_text);
  CHECK_FALSE(events.column(event_slot::kAccountId).as_text);
  CHECK_FALSE(events.column(event_slot::kText).as_text);  // text is text by type already
  RecordTable signals(CanonicalSchema(RecordKind::kSignal));
  for (std::size_t s = 0; s < signals.schema().size(); ++s) CHECK_FALSE(signals.column(s).as_text);
}
