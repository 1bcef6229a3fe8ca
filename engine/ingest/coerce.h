// Typing of input values: text and JSON scalars to the canonical field types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/schema.h"
#include "base/time.h"
#include "engine/ingest/config.h"

namespace tosguard::engine {

// A typed value before interning: what one input value becomes.
struct TypedValue {
  FieldType type = FieldType::kInt;
  std::int64_t i = 0;                // bool, int, timestamp
  double d = 0;                      // number
  std::string s;                     // string, text
  std::vector<std::string> items;    // string_set
};

// Why a value could not be typed.
enum class CoerceError : std::uint8_t { kWrongType, kBadTimestamp };

struct CoerceResult {
  std::optional<TypedValue> value;
  CoerceError error = CoerceError::kWrongType;
  std::string detail;  // "expected an int, got 'abc'"
};

// Types `text` (a CSV cell, a string under transform `parse`, or a default value) as
// `type`. Strings and text are taken as they are; string sets split at ';' with
// surrounding spaces trimmed and empty items dropped; timestamps follow `time_format`.
CoerceResult CoerceText(std::string_view text, FieldType type, TimeFormat time_format,
                        bool assume_utc);

// A timestamp from a JSON number under `time_format` (auto: below 1e11 seconds, else ms).
std::optional<TimestampUs> TimestampFromNumber(double v, TimeFormat time_format);

// A timestamp from a string under `time_format`.
std::optional<TimestampUs> TimestampFromText(std::string_view text, TimeFormat time_format,
                                             bool assume_utc);

// Splits a string_set written as text: items separated by ';'.
std::vector<std::string> SplitSet(std::string_view text);

}  // namespace tosguard::engine
