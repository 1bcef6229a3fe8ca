// Tests of timestamp, date and duration parsing and formatting.
#include <catch2/catch.hpp>

#include "base/time.h"

using namespace tosguard;

TEST_CASE("RFC 3339 with offsets and fractions") {
  CHECK(ParseRfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(ParseRfc3339("2025-03-01T12:30:00Z") == 1740832200LL * kMicrosPerSecond);
  CHECK(ParseRfc3339("2025-03-01T14:30:00+02:00") == 1740832200LL * kMicrosPerSecond);
  CHECK(ParseRfc3339("2025-03-01T07:00:00-05:30") == 1740832200LL * kMicrosPerSecond);
  CHECK(ParseRfc3339("2025-03-01 12:30:00.5z") == 1740832200LL * kMicrosPerSecond + 500000);
  CHECK(ParseRfc3339("2025-03-01t12:30:00.123456789Z") ==
        1740832200LL * kMicrosPerSecond + 123456);
  CHECK(ParseRfc3339("1969-12-31T23:59:59Z") == -kMicrosPerSecond);
}

TEST_CASE("RFC 3339 rejects what is ambiguous or impossible") {
  CHECK_FALSE(ParseRfc3339("2025-03-01T12:30:00"));    // no offset
  CHECK_FALSE(ParseRfc3339("2025-02-29T00:00:00Z"));   // not a leap year
  CHECK_FALSE(ParseRfc3339("2025-13-01T00:00:00Z"));
  CHECK_FALSE(ParseRfc3339("2025-03-01T24:00:00Z"));
  CHECK_FALSE(ParseRfc3339("2025-03-01T23:59:60Z"));   // leap second
  CHECK_FALSE(ParseRfc3339("2025-03-01T12:30:00.Z"));
  CHECK_FALSE(ParseRfc3339("2025-03-01T12:30:00Zjunk"));
  CHECK_FALSE(ParseRfc3339("2025-03-01T12:30:00+0200"));
  CHECK_FALSE(ParseRfc3339(""));
  CHECK(ParseRfc3339("2024-02-29T00:00:00Z"));
}

TEST_CASE("epoch seconds and milliseconds") {
  CHECK(ParseEpochSeconds("1740832200") == 1740832200LL * kMicrosPerSecond);
  CHECK(ParseEpochSeconds("1740832200.25") == 1740832200LL * kMicrosPerSecond + 250000);
  CHECK(ParseEpochMillis("1740832200123") == 1740832200123LL * 1000);
  CHECK_FALSE(ParseEpochSeconds("12a"));
  CHECK_FALSE(ParseEpochSeconds("1e30"));
  CHECK_FALSE(ParseEpochSeconds(""));
}

TEST_CASE("canonical formatting round-trips") {
  for (const char* s : {"2025-03-01T12:30:00Z", "2025-03-01T12:30:00.000001Z",
                        "1969-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    auto ts = ParseRfc3339(s);
    REQUIRE(ts);
    auto again = ParseRfc3339(FormatRfc3339(*ts));
    CHECK(again == ts);
  }
  CHECK(FormatRfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatRfc3339(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(FormatDate(-1) == "1969-12-31");
  CHECK(DayIndex(-1) == -1);
  CHECK(DayIndex(kMicrosPerDay) == 1);
}

TEST_CASE("dates and durations") {
  CHECK(ParseDate("2024-01-15") == DaysFromCivil(2024, 1, 15) * kMicrosPerDay);
  CHECK_FALSE(ParseDate("2024-01-15T00:00:00Z"));
  CHECK(ParseDuration("30d") == 30 * kMicrosPerDay);
  CHECK(ParseDuration("12h") == 12 * 3600 * kMicrosPerSecond);
  CHECK(ParseDuration("2w") == 14 * kMicrosPerDay);
  CHECK_FALSE(ParseDuration("d"));
  CHECK_FALSE(ParseDuration("3y"));
  CHECK(FormatDuration(14 * kMicrosPerDay) == "2w");
  CHECK(FormatDuration(36 * 3600 * kMicrosPerSecond) == "36h");
}
