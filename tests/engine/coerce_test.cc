// Tests of value typing: text to each canonical type, timestamps in every format.
#include <catch2/catch.hpp>

#include "engine/ingest/coerce.h"

using namespace tosguard;
using namespace tosguard::engine;

TEST_CASE("text to ints, numbers and bools") {
  CHECK(CoerceText("42", FieldType::kInt, TimeFormat::kAuto, false).value->i == 42);
  CHECK(CoerceText(" -7 ", FieldType::kInt, TimeFormat::kAuto, false).value->i == -7);
  CHECK_FALSE(CoerceText("4.2", FieldType::kInt, TimeFormat::kAuto, false).value);
  CHECK_FALSE(CoerceText("", FieldType::kInt, TimeFormat::kAuto, false).value);
  CHECK(CoerceText("0.25", FieldType::kNumber, TimeFormat::kAuto, false).value->d == 0.25);
  CHECK_FALSE(CoerceText("abc", FieldType::kNumber, TimeFormat::kAuto, false).value);
  CHECK(CoerceText("true", FieldType::kBool, TimeFormat::kAuto, false).value->i == 1);
  CHECK(CoerceText("0", FieldType::kBool, TimeFormat::kAuto, false).value->i == 0);
  auto bad = CoerceText("yes", FieldType::kBool, TimeFormat::kAuto, false);
  CHECK_FALSE(bad.value);
  CHECK(bad.error == CoerceError::kWrongType);
  CHECK(bad.detail == "expected a bool, got 'yes'");
}

TEST_CASE("string sets split at semicolons") {
  auto v = CoerceText(" a ; b;;a ", FieldType::kStringSet, TimeFormat::kAuto, false);
  REQUIRE(v.value);
  CHECK(v.value->items == std::vector<std::string>{"a", "b", "a"});
  CHECK(SplitSet("").empty());
}

TEST_CASE("timestamps in every format") {
  const TimestampUs t = 1740787200LL * kMicrosPerSecond;  // 2025-03-01T00:00:00Z
  CHECK(TimestampFromText("2025-03-01T00:00:00Z", TimeFormat::kAuto, false) == t);
  CHECK(TimestampFromText("1740787200", TimeFormat::kAuto, false) == t);
  CHECK(TimestampFromText("1740787200000", TimeFormat::kAuto, false) == t);
  CHECK(TimestampFromText("1740787200", TimeFormat::kEpochSeconds, false) == t);
  CHECK(TimestampFromText("1740787200000", TimeFormat::kEpochMillis, false) == t);
  CHECK_FALSE(TimestampFromText("1740787200", TimeFormat::kRfc3339, false));
  // Without an offset only when the mapping says the time is UTC.
  CHECK_FALSE(TimestampFromText("2025-03-01 00:00:00", TimeFormat::kAuto, false));
  CHECK(TimestampFromText("2025-03-01 00:00:00", TimeFormat::kAuto, true) == t);
  CHECK(TimestampFromText("2025-03-01T00:00:00.000", TimeFormat::kRfc3339, true) == t);
  CHECK(TimestampFromNumber(1740787200.0, TimeFormat::kAuto) == t);
  CHECK(TimestampFromNumber(1740787200000.0, TimeFormat::kAuto) == t);
  CHECK_FALSE(TimestampFromNumber(1e300, TimeFormat::kEpochSeconds));
  auto bad = CoerceText("soon", FieldType::kTimestamp, TimeFormat::kAuto, false);
  CHECK(bad.error == CoerceError::kBadTimestamp);
}
