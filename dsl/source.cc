// Source files, line/column mapping and name suggestions.
#include "dsl/source.h"

#include <algorithm>

#include "base/sha256.h"

namespace tosguard::dsl {

std::uint32_t SourceSet::Add(std::string path, std::string text) {
  SourceFile f;
  f.path = std::move(path);
  f.sha256 = ToHex(Sha256::Of(text));
  f.line_starts.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') f.line_starts.push_back(static_cast<std::uint32_t>(i + 1));
  }
  f.text = std::move(text);
  files_.push_back(std::move(f));
  return static_cast<std::uint32_t>(files_.size() - 1);
}

std::pair<std::uint32_t, std::uint32_t> SourceSet::LineColumn(Loc loc) const {
  if (loc.file >= files_.size()) return {0, 0};
  const auto& starts = files_[loc.file].line_starts;
  auto it = std::upper_bound(starts.begin(), starts.end(), loc.offset);
  auto line = static_cast<std::uint32_t>(it - starts.begin());  // 1-based
  std::uint32_t col = loc.offset - starts[line - 1] + 1;
  return {line, col};
}

void SourceSet::Error(Diagnostics* diags, Loc loc, std::string message) const {
  auto [line, col] = LineColumn(loc);
  diags->Error(loc.file < files_.size() ? files_[loc.file].path : "", line, col,
               std::move(message));
}

void SourceSet::Warning(Diagnostics* diags, Loc loc, std::string message) const {
  auto [line, col] = LineColumn(loc);
  diags->Warning(loc.file < files_.size() ? files_[loc.file].path : "", line, col,
                 std::move(message));
}

void SourceSet::Note(Diagnostics* diags, Loc loc, std::string message) const {
  auto [line, col] = LineColumn(loc);
  Diagnostic d;
  d.severity = Severity::kNote;
  d.file = loc.file < files_.size() ? files_[loc.file].path : "";
  d.line = line;
  d.column = col;
  d.message = std::move(message);
  diags->Add(std::move(d));
}

std::string SourceSet::Render(const Diagnostic& d) const {
  for (const auto& f : files_) {
    if (f.path == d.file) return FormatDiagnostic(d, f.text);
  }
  return FormatDiagnostic(d);
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return 1000;
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates) {
  // A suggestion is a courtesy: never worth a slow search over a huge namespace.
  if (candidates.size() > 5000) return "";
  std::string best;
  std::size_t best_d = 1000;
  for (const auto& c : candidates) {
    std::size_t diff = c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
    if (diff > 3) continue;
    std::size_t d = EditDistance(name, c);
    if (d < best_d || (d == best_d && c < best)) {
      best_d = d;
      best = c;
    }
  }
  std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, (name.size() + 2) / 3));
  return best_d <= limit ? best : "";
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string c = ClosestName(name, candidates);
  return c.empty() ? "" : " (did you mean '" + c + "'?)";
}

}  // namespace tosguard::dsl
