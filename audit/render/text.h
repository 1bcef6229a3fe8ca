// Text from a report as safe, visible text: control and bidirectional characters made
// visible, then escaped for HTML or for Markdown. Both renderers use only these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tosguard::audit::render {

// What a newline in the text becomes.
enum class Newlines {
  kKeep,    // stays a newline (HTML, where CSS shows it; Markdown blocks, as a hard break)
  kEscape,  // the two characters "\n" (a one-line context: a Markdown table cell, a heading)
};

// `text` (valid UTF-8) with every character that could hide or rearrange what is shown
// replaced by a visible escape: C0 controls except tab and newline, and DEL, as "\xNN"
// (so ESC [ 31m reads "\x1B[31m", as in base SafeExcerpt); C1 controls, the
// bidirectional embeddings, overrides, isolates and marks (U+061C, U+200E, U+200F,
// U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators (U+2028, U+2029)
// as "\uNNNN". Everything else is unchanged.
std::string Visible(std::string_view text, Newlines newlines = Newlines::kKeep);

// Visible(text) escaped for HTML text and for quoted attribute values alike:
// & < > " ' become entities.
std::string Html(std::string_view text);

// Visible(text) escaped so that it is literal text in GitHub-flavoured Markdown: & < >
// become entities (no raw HTML can start); ASCII punctuation is backslash-escaped except
// where it cannot open any structure (, ; " ' / ? % anywhere, - and + after the start of a
// line, ':' after anything but a letter); spaces and tabs that begin a line become
// character references (no indented code block). With Newlines::kKeep a newline becomes a
// hard line break ("\" and a newline, the paragraph goes on); with kEscape it is shown as
// the two characters "\n".
std::string Markdown(std::string_view text, Newlines newlines);

// `n` in decimal with a comma between groups of three digits: "48,113".
std::string GroupDigits(std::uint64_t n);

// `value` with exactly two decimals, rounded half away from zero, for SVG coordinates:
// "12.50". Deterministic (no locale, no printf).
std::string Fixed2(double value);

}  // namespace tosguard::audit::render
