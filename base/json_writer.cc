// Canonical JSON output.
#include "base/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/utf8.h"

namespace tosguard {

void AppendJsonString(std::string& out, std::string_view v) {
  out += '"';
  std::size_t i = 0;
  while (i < v.size()) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x80) {
      // Copy a whole valid sequence, or U+FFFD for an invalid byte.
      std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (n != 0 && i + n <= v.size() && IsValidUtf8(v.substr(i, n))) {
        std::string_view seq = v.substr(i, n);
        if (seq == "\xE2\x80\xA8") {
          out += "\\u2028";
        } else if (seq == "\xE2\x80\xA9") {
          out += "\\u2029";
        } else {
          out += seq;
        }
        i += n;
      } else {
        out += "\\ufffd";
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '&') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void JsonWriter::Separator() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  Separator();
  out_ += '{';
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  out_ += '}';
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  Separator();
  out_ += '[';
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  out_ += ']';
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view key) {
  Separator();
  AppendJsonString(out_, key);
  out_ += ':';
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view value) {
  Separator();
  AppendJsonString(out_, value);
  return *this;
}
JsonWriter& JsonWriter::Int(std::int64_t value) {
  Separator();
  out_ += std::to_string(value);
  return *this;
}
JsonWriter& JsonWriter::Uint(std::uint64_t value) {
  Separator();
  out_ += std::to_string(value);
  return *this;
}
JsonWriter& JsonWriter::Double(double value) {
  Separator();
  if (!std::isfinite(value)) {
    out_ += "null";
    return *this;
  }
  out_ += ShortestNumber(value);
  return *this;
}

std::string ShortestNumber(double value) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, res.ptr);
}
JsonWriter& JsonWriter::Bool(bool value) {
  Separator();
  out_ += value ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::Null() {
  Separator();
  out_ += "null";
  return *this;
}

}  // namespace tosguard
