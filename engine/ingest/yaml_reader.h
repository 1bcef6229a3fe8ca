// Reading the project's YAML files (configuration, waivers, rule fixtures): positions,
// known keys and typed scalars, each mistake a diagnostic with its line and column.
//
// Internal to the engine (it exposes yaml-cpp types); yaml-cpp's exceptions stop in
// LoadYamlDocument.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/status.h"
#include "engine/eval/waiver.h"

namespace tosguard::engine {

// A 1-based line and column; {0, 0} when unknown.
struct Pos {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

Pos PosOf(const YAML::Mark& m);
// Position of a node; a null node made from an empty value may have no mark of its own,
// so callers pass where to point instead.
Pos PosOf(const YAML::Node& n, Pos fallback = {});
// "a list", "a scalar 'x'", "empty (null)": what a node is, for messages.
std::string NodeKindText(const YAML::Node& n);

// User text inside a message: quoted, printable and short.
std::string Quote(std::string_view s);
std::string JoinNames(const std::vector<std::string>& names);
// "; did you mean 'x'?" when `written` is a likely typo of a candidate, else
// "; <allowed_label>: a, b, c".
std::string Hint(std::string_view written, const std::vector<std::string>& candidates,
                 std::string_view allowed_label = "allowed");
// Source, detector and waiver names: 1 to 128 letters, digits, '_', '-', '.'.
bool IsValidName(std::string_view s);
// DSL identifiers (rule ids, attribute names): letters, digits, '_', not a leading digit.
bool IsIdentifier(std::string_view s);
std::optional<std::uint64_t> ParseUint64(std::string_view s);
std::optional<double> ParseFiniteDouble(std::string_view s);
std::optional<bool> ParseBoolText(std::string_view s);

// A key and its value in a map, with both positions.
struct Entry {
  std::string key;
  Pos key_pos;
  YAML::Node value;
  Pos value_pos;  // the value's own position, or the key's when the value has none
};

// Typed access to the nodes of one file; every mistake is added to `diags`.
class YamlReader {
 public:
  YamlReader(std::string file, Diagnostics* diags);

  const std::string& file() const { return file_; }
  void Error(Pos at, std::string message);

  // The entries of a map. Non-scalar keys, duplicate keys and (when `allowed` is given)
  // unknown keys are reported and left out. `where` completes "unknown key 'x' ...".
  std::vector<Entry> Entries(const YAML::Node& map, const std::vector<std::string>* allowed,
                             std::string_view where);
  bool ExpectMap(const Entry& e, std::string_view what);
  // A non-null scalar's text; nullopt after a diagnostic.
  std::optional<std::string> Scalar(const Entry& e, std::string_view what);
  std::optional<bool> Bool(const Entry& e);
  std::optional<double> Number(const Entry& e, std::string_view what);
  // An integer from `lo` to `hi`: nullopt after a diagnostic.
  std::optional<std::uint64_t> UintInRange(const Entry& e, std::uint64_t lo, std::uint64_t hi);
  // A file path, resolved against `base_dir`: nullopt after a diagnostic.
  std::optional<std::string> FilePath(const Entry& e, const std::string& base_dir);
  // An enumerated name (kind, format, transform, ...): nullopt after a diagnostic.
  std::optional<std::string> Choice(const Entry& e, const std::vector<std::string>& choices,
                                    std::string_view noun);

 private:
  std::string file_;
  Diagnostics* diags_;
};

// The one YAML document of `text`, or nullopt after a diagnostic (a syntax error, or a
// second document). An empty text or an explicit null gives a Null node; `what` names
// the file's role in messages ("the configuration", "a waiver file").
std::optional<YAML::Node> LoadYamlDocument(const std::string& text, YamlReader& reader,
                                           std::string_view what);

// A regular file of at most `max_bytes`; NotFound, InvalidArgument (a directory, too
// large) or IoError naming it as `what` ("configuration", "waiver file").
Result<std::string> ReadBoundedFile(const std::string& path, std::string_view what,
                                    std::size_t max_bytes);

// Waivers written as a YAML list (a waiver file's `waivers:`, or a rule fixture's), in
// the order written; each mistake is a diagnostic and leaves its waiver out.
void ParseWaiverItems(YamlReader& reader, const YAML::Node& list, Pos list_pos,
                      std::vector<Waiver>* out);

// Hands the diagnostics found in `path` to the caller, by position; an InvalidArgument
// status when any is an error.
Status HandOver(Diagnostics* found, Diagnostics* diags, const std::string& path);

}  // namespace tosguard::engine
