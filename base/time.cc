// Parsing and formatting of timestamps, dates and durations.
#include "base/time.h"

#include <cmath>
#include <cstdio>

namespace tosguard {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Parses "YYYY-MM-DD" at s[0..10); returns the day index.
std::optional<std::int64_t> ParseYmd(std::string_view s) {
  int y = 0, mo = 0, d = 0;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d)) {
    return std::nullopt;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
      static_cast<unsigned>(d) > DaysInMonth(y, static_cast<unsigned>(mo))) {
    return std::nullopt;
  }
  return DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
}

void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  std::string buf(text);
  char* end = nullptr;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<TimestampUs> CheckRange(double us) {
  if (!std::isfinite(us) || us < static_cast<double>(kMinTimestamp) ||
      us > static_cast<double>(kMaxTimestamp)) {
    return std::nullopt;
  }
  return static_cast<TimestampUs>(std::llround(us));
}

}  // namespace

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<TimestampUs> ParseRfc3339(std::string_view s) {
  auto day = ParseYmd(s);
  if (!day || s.size() < 20) return std::nullopt;
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (!Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm) || s[16] != ':' ||
      !Digits(s, 17, 2, &ss)) {
    return std::nullopt;
  }
  // A leap second (ss == 60) is not representable in Unix time; reject it explicitly.
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    std::int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start >= 9) return std::nullopt;
      frac_us += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;  // no offset: ambiguous
  std::int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::int64_t secs = *day * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
  const TimestampUs ts = secs * kMicrosPerSecond + frac_us;
  if (ts < kMinTimestamp || ts > kMaxTimestamp) return std::nullopt;
  return ts;
}

std::optional<TimestampUs> ParseDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  auto day = ParseYmd(text);
  if (!day) return std::nullopt;
  return DayStart(*day);
}

std::optional<TimestampUs> EpochSecondsToUs(double seconds) { return CheckRange(seconds * 1e6); }
std::optional<TimestampUs> EpochMillisToUs(double millis) { return CheckRange(millis * 1e3); }

std::optional<TimestampUs> ParseEpochSeconds(std::string_view text) {
  auto v = ParseNumber(text);
  return v ? EpochSecondsToUs(*v) : std::nullopt;
}

std::optional<TimestampUs> ParseEpochMillis(std::string_view text) {
  auto v = ParseNumber(text);
  return v ? EpochMillisToUs(*v) : std::nullopt;
}

std::int64_t DayIndex(TimestampUs ts) { return FloorDiv(ts, kMicrosPerDay); }

std::string FormatDate(TimestampUs ts) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(DayIndex(ts), &y, &m, &d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatRfc3339(TimestampUs ts) {
  const std::int64_t day = DayIndex(ts);
  const std::int64_t in_day = ts - DayStart(day);
  const std::int64_t secs = in_day / kMicrosPerSecond;
  const std::int64_t frac = in_day % kMicrosPerSecond;
  std::string out = FormatDate(ts);
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld", static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  out += buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  out += 'Z';
  return out;
}

std::optional<DurationUs> ParseDuration(std::string_view text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  std::int64_t n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  switch (text.back()) {
    case 's': return n * kMicrosPerSecond;
    case 'm': return n * 60 * kMicrosPerSecond;
    case 'h': return n * 3600 * kMicrosPerSecond;
    case 'd': return n * kMicrosPerDay;
    case 'w': return n * 7 * kMicrosPerDay;
    default: return std::nullopt;
  }
}

std::string FormatDuration(DurationUs d) {
  struct Unit {
    DurationUs us;
    char name;
  };
  static constexpr Unit kUnits[] = {{7 * kMicrosPerDay, 'w'},
                                    {kMicrosPerDay, 'd'},
                                    {3600 * kMicrosPerSecond, 'h'},
                                    {60 * kMicrosPerSecond, 'm'},
                                    {kMicrosPerSecond, 's'}};
  if (d == 0) return "0s";
  for (const Unit& u : kUnits) {
    if (d % u.us == 0) return std::to_string(d / u.us) + u.name;
  }
  return std::to_string(d) + "us";
}

}  // namespace tosguard
