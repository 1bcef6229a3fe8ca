// UTF-8 validation (simdjson's validator) and safe excerpts.
#include "base/utf8.h"

#include <simdjson.h>

#include <cstdint>
#include <cstdio>

namespace tosguard {
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
    std::size_t n = 1;
    const std::optional<char32_t> cp = DecodeUtf8(bytes, i, &n);
    std::string piece;
    char buf[8];
    if (!cp) {
      piece = "\xEF\xBF\xBD";  // U+FFFD
    } else if (*cp < 0x20 || *cp == 0x7F) {
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(*cp));
      piece = buf;
    } else if (IsHiddenFormatting(*cp)) {
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(*cp));
      piece = buf;
    } else {
      piece.assign(bytes.substr(i, n));
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
