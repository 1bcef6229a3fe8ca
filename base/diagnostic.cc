// Diagnostic collection and rendering.
#include "base/diagnostic.h"

#include <algorithm>

#include "base/json_writer.h"
#include "base/utf8.h"

namespace tosguard {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

void Diagnostics::Error(std::string file, std::uint32_t line, std::uint32_t column,
                        std::string message) {
  items_.push_back({Severity::kError, std::move(file), line, column, std::move(message)});
}

void Diagnostics::Warning(std::string file, std::uint32_t line, std::uint32_t column,
                          std::string message) {
  items_.push_back({Severity::kWarning, std::move(file), line, column, std::move(message)});
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

std::size_t Diagnostics::ErrorCount() const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::kError; }));
}

void Diagnostics::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

std::string FormatDiagnostic(const Diagnostic& d, std::string_view source) {
  std::string out = d.file;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.column > 0) out += ':' + std::to_string(d.column);
  }
  out += ": ";
  out += SeverityName(d.severity);
  out += ": ";
  out += SafeExcerpt(d.message, 4096);
  out += '\n';
  if (source.empty() || d.line == 0) return out;
  // Find the line.
  std::size_t start = 0;
  for (std::uint32_t l = 1; l < d.line; ++l) {
    std::size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return out;
    start = nl + 1;
  }
  std::size_t end = source.find('\n', start);
  std::string_view line = source.substr(start, end == std::string_view::npos ? source.size() - start
                                                                              : end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  constexpr std::size_t kMaxShown = 240;
  if (line.size() > kMaxShown) line = line.substr(0, kMaxShown);
  // Tabs become spaces so the caret lines up; a multi-byte character takes one column.
  std::string plain(line);
  std::replace(plain.begin(), plain.end(), '\t', ' ');
  std::string shown = SafeExcerpt(plain, 4 * kMaxShown);
  std::string caret;
  for (std::size_t i = 0; d.column > 0 && i + 1 < d.column && i < plain.size(); ++i) {
    if ((static_cast<unsigned char>(plain[i]) & 0xC0) != 0x80) caret += ' ';
  }
  out += "  " + shown + "\n";
  if (d.column > 0) out += "  " + caret + "^\n";
  return out;
}

std::string DiagnosticToJson(const Diagnostic& d) {
  JsonWriter w;
  w.BeginObject()
      .Key("file").String(d.file)
      .Key("line").Uint(d.line)
      .Key("column").Uint(d.column)
      .Key("severity").String(SeverityName(d.severity))
      .Key("message").String(d.message)
      .EndObject();
  return w.Take();
}

}  // namespace tosguard
