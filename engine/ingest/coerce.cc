// Typing of input values.
#include "engine/ingest/coerce.h"

#include <charconv>
#include <cmath>

namespace tosguard::engine {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

CoerceResult Fail(CoerceError e, std::string detail) {
  CoerceResult r;
  r.error = e;
  r.detail = std::move(detail);
  return r;
}

CoerceResult Ok(TypedValue v) {
  CoerceResult r;
  r.value = std::move(v);
  return r;
}

std::string Shown(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  out += s.substr(0, kMax);
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

}  // namespace

std::vector<std::string> SplitSet(std::string_view text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = Trim(text.substr(start, end - start));
    if (!item.empty()) items.emplace_back(item);
    start = end + 1;
  }
  return items;
}

std::optional<TimestampUs> TimestampFromNumber(double v, TimeFormat f) {
  switch (f) {
    case TimeFormat::kEpochSeconds: return EpochSecondsToUs(v);
    case TimeFormat::kEpochMillis: return EpochMillisToUs(v);
    case TimeFormat::kAuto: return std::fabs(v) < 1e11 ? EpochSecondsToUs(v) : EpochMillisToUs(v);
    case TimeFormat::kRfc3339: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<TimestampUs> TimestampFromText(std::string_view text, TimeFormat f, bool assume_utc) {
  text = Trim(text);
  auto rfc = [&]() -> std::optional<TimestampUs> {
    if (auto ts = ParseRfc3339(text)) return ts;
    if (assume_utc) {
      std::string with_z(text);
      with_z += 'Z';
      return ParseRfc3339(with_z);
    }
    return std::nullopt;
  };
  switch (f) {
    case TimeFormat::kRfc3339: return rfc();
    case TimeFormat::kEpochSeconds: return ParseEpochSeconds(text);
    case TimeFormat::kEpochMillis: return ParseEpochMillis(text);
    case TimeFormat::kAuto: {
      if (auto ts = rfc()) return ts;
      double v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && p == text.data() + text.size()) return TimestampFromNumber(v, f);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

CoerceResult CoerceText(std::string_view text, FieldType type, TimeFormat time_format,
                        bool assume_utc) {
  TypedValue v;
  v.type = type;
  switch (type) {
    case FieldType::kString:
    case FieldType::kText:
      v.s.assign(text);
      return Ok(std::move(v));
    case FieldType::kStringSet:
      v.items = SplitSet(text);
      return Ok(std::move(v));
    case FieldType::kBool: {
      std::string_view t = Trim(text);
      if (t == "true" || t == "1" || t == "TRUE" || t == "True") {
        v.i = 1;
      } else if (t == "false" || t == "0" || t == "FALSE" || t == "False") {
        v.i = 0;
      } else {
        return Fail(CoerceError::kWrongType, "expected a bool, got " + Shown(text));
      }
      return Ok(std::move(v));
    }
    case FieldType::kInt: {
      std::string_view t = Trim(text);
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v.i);
      if (ec != std::errc() || p != t.data() + t.size() || t.empty()) {
        return Fail(CoerceError::kWrongType, "expected an int, got " + Shown(text));
      }
      return Ok(std::move(v));
    }
    case FieldType::kNumber: {
      std::string_view t = Trim(text);
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v.d);
      if (ec != std::errc() || p != t.data() + t.size() || t.empty() || !std::isfinite(v.d)) {
        return Fail(CoerceError::kWrongType, "expected a number, got " + Shown(text));
      }
      return Ok(std::move(v));
    }
    case FieldType::kTimestamp: {
      auto ts = TimestampFromText(text, time_format, assume_utc);
      if (!ts) {
        return Fail(CoerceError::kBadTimestamp,
                    "cannot read " + Shown(text) + " as a timestamp (" +
                        (time_format == TimeFormat::kAuto ? std::string("RFC 3339 with offset, or epoch")
                                                          : std::string("format set in the mapping")) +
                        ")");
      }
      v.i = *ts;
      return Ok(std::move(v));
    }
  }
  return Fail(CoerceError::kWrongType, "unsupported type");
}

}  // namespace tosguard::engine
