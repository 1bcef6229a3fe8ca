// A small streaming JSON writer with canonical, hostile-content-safe output.
//
// Object keys are written in the order the caller gives them; callers that hash the
// output must give keys in a fixed order. Strings escape every control character and
// also '<', '>', '&', U+2028 and U+2029, so output can be embedded in HTML or printed
// on a terminal without being interpreted. Invalid UTF-8 is written as U+FFFD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tosguard {

class JsonWriter {
 public:
  JsonWriter() = default;

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Uint(std::uint64_t value);
  // Shortest round-trip form; NaN and infinities are written as null.
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separator();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Appends `value` as a quoted, escaped JSON string to `out`.
void AppendJsonString(std::string& out, std::string_view value);

// The shortest text that reads back as exactly `value` ("0.1", "42", "1e+21"); finite
// values only (JSON has no NaN or infinity).
std::string ShortestNumber(double value);

}  // namespace tosguard
