// Source files of a rule set: text, SHA-256 and the mapping from offsets to lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "dsl/ast.h"

namespace tosguard::dsl {

struct SourceFile {
  std::string path;     // as named by the user, or resolved relative to the importer
  std::string text;
  std::string sha256;   // lower-case hex of the file's bytes
  std::vector<std::uint32_t> line_starts;  // offset of each line's first byte
};

// The files of one load; a Loc's `file` indexes files().
class SourceSet {
 public:
  // Adds a file and returns its index.
  std::uint32_t Add(std::string path, std::string text);
  const SourceFile& file(std::uint32_t index) const { return files_[index]; }
  std::size_t size() const { return files_.size(); }
  const std::vector<SourceFile>& files() const { return files_; }

  // 1-based line and column (in bytes) of `loc`.
  std::pair<std::uint32_t, std::uint32_t> LineColumn(Loc loc) const;

  void Error(Diagnostics* diags, Loc loc, std::string message) const;
  void Warning(Diagnostics* diags, Loc loc, std::string message) const;
  void Note(Diagnostics* diags, Loc loc, std::string message) const;

  // The diagnostic rendered with its source line and caret (FormatDiagnostic), looking
  // the file up by name; without a matching file, only the first line.
  std::string Render(const Diagnostic& d) const;

 private:
  std::vector<SourceFile> files_;
};

// Edit distance, capped; used for "did you mean" suggestions.
std::size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `name` when it is close enough to be a likely typo, else "".
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace tosguard::dsl
