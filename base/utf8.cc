// UTF-8 validation (simdjson's validator) and safe excerpts.
#include "base/utf8.h"

#include <simdjson.h>

#include <cstdint>
#include <cstdio>

namespace tosguard {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  std::size_t size = 1;
  return DecodeUtf8(s, i, &size) ? size : 0;
}

}  // namespace

std::optional<char32_t> DecodeUtf8(std::string_view s, std::size_t i, std::size_t* size) {
  *size = 1;
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  if (b0 < 0x80) return b0;
  std::size_t n = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1Fu;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0Fu;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07u;
  } else {
    return std::nullopt;
  }
  if (i + n > s.size()) return std::nullopt;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  *size = n;
  return cp;
}

bool IsHiddenFormatting(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool IsValidUtf8(std::string_view bytes) {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

std::string SafeExcerpt(std::string_view bytes, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(bytes.size(), max_bytes) + 8);
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t n = SequenceLength(bytes, i);
    std::string piece;
    if (n == 0) {
      piece = "\xEF\xBF\xBD";  // U+FFFD
      n = 1;
    } else if (n == 1) {
      const auto c = static_cast<unsigned char>(bytes[i]);
      if (c < 0x20 || c == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", c);
        piece = buf;
      } else {
        piece.assign(1, static_cast<char>(c));
      }
    } else {
      std::size_t size = 0;
      const char32_t cp = DecodeUtf8(bytes, i, &size).value_or(0xFFFD);
      if (IsHiddenFormatting(cp)) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
        piece = buf;
      } else {
        piece.assign(bytes.substr(i, n));
      }
    }
    if (out.size() + piece.size() > max_bytes) {
      out += "\xE2\x80\xA6";  // …
      return out;
    }
    out += piece;
    i += n;
  }
  return out;
}

}  // namespace tosguard
