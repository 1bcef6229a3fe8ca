// Timestamps, durations and UTC days: parsing and canonical formatting.
//
// A timestamp is microseconds since 1970-01-01T00:00:00Z (UTC); no function here
// reads the wall clock, so evaluation stays deterministic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tosguard {

using TimestampUs = std::int64_t;  // microseconds since the Unix epoch, UTC
using DurationUs = std::int64_t;

inline constexpr DurationUs kMicrosPerSecond = 1'000'000;
inline constexpr DurationUs kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date; no range checks.
std::int64_t DaysFromCivil(std::int64_t year, unsigned month, unsigned day);

// RFC 3339 date-time: "2025-03-01T12:30:00Z", "2025-03-01T12:30:00.123+02:00".
// Also accepts a space or lower-case 't' as separator and lower-case 'z'; up to 9
// fractional digits (truncated to microseconds). A date-time without an offset is
// rejected: its instant would be ambiguous. Returns nullopt on any syntax or range error.
std::optional<TimestampUs> ParseRfc3339(std::string_view text);

// "YYYY-MM-DD" as the instant of that day's start, UTC.
std::optional<TimestampUs> ParseDate(std::string_view text);

// Epoch seconds or milliseconds as text ("1717171717", "1717171717.5"); nullopt on
// syntax error or a value outside years 0001..9999.
std::optional<TimestampUs> ParseEpochSeconds(std::string_view text);
std::optional<TimestampUs> ParseEpochMillis(std::string_view text);
// The same from numbers.
std::optional<TimestampUs> EpochSecondsToUs(double seconds);
std::optional<TimestampUs> EpochMillisToUs(double millis);

// Canonical form: "2025-03-01T12:30:00Z", with ".ffffff" only when the sub-second part
// is not zero. Deterministic and sortable as text within years 0001..9999.
std::string FormatRfc3339(TimestampUs ts);
// "2025-03-01" (UTC day of the instant).
std::string FormatDate(TimestampUs ts);

// The UTC day index (days since epoch) holding `ts`; floor division, so correct before 1970.
std::int64_t DayIndex(TimestampUs ts);
// The first instant of day `day`.
inline TimestampUs DayStart(std::int64_t day) { return day * kMicrosPerDay; }

// Durations written as "<n><unit>" with unit s, m, h, d, w (e.g. "30d", "12h").
std::optional<DurationUs> ParseDuration(std::string_view text);
// Canonical text of a duration, using the largest unit that divides it exactly.
std::string FormatDuration(DurationUs d);

// Bounds of accepted timestamps: years 0001 to 9999.
inline constexpr TimestampUs kMinTimestamp = -62135596800LL * kMicrosPerSecond;
inline constexpr TimestampUs kMaxTimestamp = 253402300799LL * kMicrosPerSecond + 999999;

}  // namespace tosguard
