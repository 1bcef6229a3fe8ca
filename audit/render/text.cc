// Visible and escaped text for the report renderers.
#include "audit/render/text.h"

#include <cmath>

#include "base/utf8.h"

namespace tosguard::audit::render {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// The character at text[i] and its length in bytes; an invalid sequence decodes as
// U+FFFD of size 1 (the builder guarantees UTF-8, this keeps the functions total).
char32_t Decode(std::string_view text, std::size_t i, std::size_t& size) {
  return DecodeUtf8(text, i, &size).value_or(0xFFFD);
}

bool AsciiPunctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// Whether ASCII punctuation `c` must be backslash-escaped to stay literal in GFM. Most
// always must; a few never start anything; '-' and '+' only open a list, a setext
// underline or a thematic break at the start of a line; ':' only ends the scheme of an
// autolink ("http:", "javascript:") after a letter. Escaping fewer keeps the file
// readable as plain text ("48,113", "2025-03-03T10:00:00Z").
bool NeedsBackslash(char c, bool at_line_start, bool after_letter) {
  if (!AsciiPunctuation(c)) return false;
  switch (c) {
    case ',':
    case ';':
    case '"':
    case '\'':
    case '/':
    case '?':
    case '%': return false;
    case '-':
    case '+': return at_line_start;
    case ':': return after_letter;
    default: return true;
  }
}

}  // namespace

std::string Visible(std::string_view text, Newlines newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t size = 0;
    const char32_t cp = Decode(text, i, size);
    if (cp == '\n') {
      out += newlines == Newlines::kKeep ? "\n" : "\\n";
    } else if ((cp < 0x20 && cp != '\t') || cp == 0x7F) {
      out += "\\x";
      out += kHex[cp >> 4];
      out += kHex[cp & 0xF];
    } else if (IsHiddenFormatting(cp)) {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
    } else if (cp == 0xFFFD && size == 1) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(text.substr(i, size));
    }
    i += size;
  }
  return out;
}

std::string Html(std::string_view text) {
  std::string out;
  for (char c : Visible(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Markdown(std::string_view text, Newlines newlines) {
  std::string out;
  bool line_start = true;
  bool after_letter = false;
  for (char c : Visible(text, newlines)) {
    if (c == '\n') {
      out += "\\\n";
      line_start = true;
      after_letter = false;
      continue;
    }
    if (line_start && (c == ' ' || c == '\t')) {
      out += c == ' ' ? "&#32;" : "&#9;";
      continue;
    }
    const bool at_start = line_start;
    line_start = false;
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (NeedsBackslash(c, at_start, after_letter)) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
    after_letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }
  // A hard break needs text after it; a final newline keeps its break with an invisible
  // newline character after it (a lone "\" would be shown).
  if (line_start && !out.empty() && out.back() == '\n') out += "&#10;";
  return out;
}

std::string GroupDigits(std::uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Fixed2(double value) {
  const long long hundredths = std::llround(value * 100.0);
  const unsigned long long magnitude = hundredths < 0
                                           ? 0ULL - static_cast<unsigned long long>(hundredths)
                                           : static_cast<unsigned long long>(hundredths);
  std::string frac = std::to_string(magnitude % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return (hundredths < 0 ? "-" : "") + std::to_string(magnitude / 100) + "." + frac;
}

}  // namespace tosguard::audit::render
