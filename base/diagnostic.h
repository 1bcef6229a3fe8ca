// Diagnostics: user mistakes in rules, configurations and fixtures, with locations.
//
// Diagnostics are data, collected and reported all at once; they are never thrown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tosguard {

enum class Severity : std::uint8_t { kError, kWarning, kNote };

std::string_view SeverityName(Severity s);  // "error", "warning", "note"

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  std::uint32_t line = 0;    // 1-based; 0 when the file as a whole is meant
  std::uint32_t column = 0;  // 1-based, in bytes; 0 when unknown
  std::string message;
};

// Collects diagnostics in the order found.
class Diagnostics {
 public:
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Error(std::string file, std::uint32_t line, std::uint32_t column, std::string message);
  void Warning(std::string file, std::uint32_t line, std::uint32_t column, std::string message);
  bool HasErrors() const;
  std::size_t ErrorCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  // Sorts by file, line, column (stable for equal positions), for deterministic output.
  void Sort();

 private:
  std::vector<Diagnostic> items_;
};

// "file:line:col: error: message", then the source line and a caret under the column
// when `source` (the whole file's text) is given and the line exists. Control
// characters and invalid UTF-8 of the source line are made visible, never printed raw.
std::string FormatDiagnostic(const Diagnostic& d, std::string_view source = {});

// JSON object {"file","line","column","severity","message"}.
std::string DiagnosticToJson(const Diagnostic& d);

}  // namespace tosguard
