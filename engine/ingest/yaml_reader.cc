// Reading YAML files of the project (configuration, waivers, fixtures): positions,
// typed scalars and known keys, each mistake a diagnostic with its line and column.
#include "engine/ingest/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/utf8.h"

namespace tosguard::engine {

namespace fs = std::filesystem;

// User text inside a message: quoted, printable and short.
std::string Quote(std::string_view s) { return "'" + SafeExcerpt(s, 120) + "'"; }

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

namespace {

// Edit distance counting a swap of two neighbours as one edit (optimal string
// alignment), since swapped letters are the commonest typo. Long inputs are not
// compared: they are no typo of a key.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  constexpr std::size_t kMaxLen = 64;
  if (a.size() > kMaxLen || b.size() > kMaxLen) return std::max(a.size(), b.size());
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t v =
          std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

// The candidate nearest to `written` when it is close enough to be a typo: at most 2
// edits, and at most a third of the written length (at least 1), so short names do not
// suggest unrelated ones. Ties go to the earlier candidate.
std::optional<std::string> DidYouMean(std::string_view written,
                                      const std::vector<std::string>& candidates) {
  const std::size_t limit = std::min<std::size_t>(2, std::max<std::size_t>(1, written.size() / 3));
  std::optional<std::string> best;
  std::size_t best_d = limit + 1;
  for (const std::string& c : candidates) {
    std::size_t d = EditDistance(written, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace

// "; did you mean 'x'?" or "; allowed: a, b, c".
std::string Hint(std::string_view written, const std::vector<std::string>& candidates,
                 std::string_view allowed_label) {
  if (auto near = DidYouMean(written, candidates)) return "; did you mean '" + *near + "'?";
  return "; " + std::string(allowed_label) + ": " + JoinNames(candidates);
}

namespace {

bool IsNameChar(char c, bool allow_punct) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (allow_punct && (c == '-' || c == '.'));
}

}  // namespace

// Source and detector names: letters, digits, '_', '-', '.'.
bool IsValidName(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsNameChar(c, true); });
}

// Attribute names are DSL identifiers (account.<name>).
bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 128 || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsNameChar(c, false); });
}

std::optional<std::uint64_t> ParseUint64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> ParseFiniteDouble(std::string_view s) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ParseBoolText(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

Pos PosOf(const YAML::Mark& m) {
  if (m.line < 0 || m.column < 0) return {};
  return {static_cast<std::uint32_t>(m.line) + 1, static_cast<std::uint32_t>(m.column) + 1};
}

// Position of a node; a null node made from an empty value may have no mark of its own,
// so callers pass where to point instead.
Pos PosOf(const YAML::Node& n, Pos fallback) {
  if (!n.IsDefined()) return fallback;
  Pos p = PosOf(n.Mark());
  return p.line == 0 ? fallback : p;
}

std::string NodeKindText(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "empty (null)";
    case YAML::NodeType::Scalar: return "a scalar " + Quote(n.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Undefined: return "missing";
  }
  return "something else";
}

YamlReader::YamlReader(std::string file, Diagnostics* diags)
    : file_(std::move(file)), diags_(diags) {}

void YamlReader::Error(Pos at, std::string message) {
  diags_->Error(file_, at.line, at.column, std::move(message));
}

// The entries of a map. Non-scalar keys, duplicate keys and (when `allowed` is given)
// unknown keys are reported and left out. `where` completes "unknown key 'x' ...".
std::vector<Entry> YamlReader::Entries(const YAML::Node& map,
                                       const std::vector<std::string>* allowed,
                                       std::string_view where) {
  std::vector<Entry> out;
  std::map<std::string, Pos> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    Pos key_pos = PosOf(key, PosOf(map));
    if (!key.IsScalar()) {
      Error(key_pos,
            "a key " + std::string(where) + " must be a plain name, not " + NodeKindText(key));
      continue;
    }
    const std::string& name = key.Scalar();
    auto [first, inserted] = seen.emplace(name, key_pos);
    if (!inserted) {
      Error(key_pos, "duplicate key " + Quote(name) + " " + std::string(where) +
                         " (first at line " + std::to_string(first->second.line) + ")");
      continue;
    }
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      Error(key_pos, "unknown key " + Quote(name) + " " + std::string(where) +
                         Hint(name, *allowed, "allowed keys"));
      continue;
    }
    out.push_back({name, key_pos, value, PosOf(value, key_pos)});
  }
  return out;
}

bool YamlReader::ExpectMap(const Entry& e, std::string_view what) {
  if (e.value.IsMap()) return true;
  Error(e.value_pos,
        Quote(e.key) + " must be a map (" + std::string(what) + "), not " + NodeKindText(e.value));
  return false;
}

// A non-null scalar's text.
std::optional<std::string> YamlReader::Scalar(const Entry& e, std::string_view what) {
  if (e.value.IsScalar()) return e.value.Scalar();
  Error(e.value_pos,
        Quote(e.key) + " must be " + std::string(what) + ", not " + NodeKindText(e.value));
  return std::nullopt;
}

std::optional<bool> YamlReader::Bool(const Entry& e) {
  auto s = Scalar(e, "true or false");
  if (!s) return std::nullopt;
  auto b = ParseBoolText(*s);
  if (!b) Error(e.value_pos, Quote(e.key) + " must be true or false, not " + Quote(*s));
  return b;
}

std::optional<double> YamlReader::Number(const Entry& e, std::string_view what) {
  auto s = Scalar(e, what);
  if (!s) return std::nullopt;
  auto d = ParseFiniteDouble(*s);
  if (!d) Error(e.value_pos, Quote(e.key) + " must be " + std::string(what) + ", not " + Quote(*s));
  return d;
}

// An integer from `lo` to `hi`: nullopt after a diagnostic.
std::optional<std::uint64_t> YamlReader::UintInRange(const Entry& e, std::uint64_t lo,
                                                     std::uint64_t hi) {
  auto s = Scalar(e, "a positive integer");
  if (!s) return std::nullopt;
  auto n = ParseUint64(*s);
  if (!n || *n < lo || *n > hi) {
    Error(e.value_pos, Quote(e.key) + " must be an integer from " + std::to_string(lo) + " to " +
                           std::to_string(hi) + ", not " + Quote(*s));
    return std::nullopt;
  }
  return n;
}

// A file path, resolved against the configuration's directory: nullopt after a diagnostic.
std::optional<std::string> YamlReader::FilePath(const Entry& e, const std::string& base_dir) {
  auto s = Scalar(e, "a file path");
  if (!s) return std::nullopt;
  if (s->empty()) {
    Error(e.value_pos, Quote(e.key) + " must be a file path, not empty");
    return std::nullopt;
  }
  return (fs::path(base_dir) / *s).lexically_normal().string();
}

// An enumerated name (kind, format, transform, ...): nullopt after a diagnostic.
std::optional<std::string> YamlReader::Choice(const Entry& e,
                                              const std::vector<std::string>& choices,
                                              std::string_view noun) {
  std::string allowed = "one of " + JoinNames(choices);
  auto s = Scalar(e, allowed);
  if (!s) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *s) != choices.end()) return s;
  Error(e.value_pos, "unknown " + std::string(noun) + " " + Quote(*s) +
                         Hint(*s, choices, std::string(noun) + "s"));
  return std::nullopt;
}

namespace {

// Where a YAML text has content, found line by line without a YAML parser.
struct TextLayout {
  Pos first_content;           // first character that is not blank, a comment or "---"
  bool first_is_null = false;  // ... and it is an explicit null ("~", "null")
  Pos second_document;         // content after a document marker that follows content
};

TextLayout ScanLayout(std::string_view text) {
  TextLayout out;
  bool seen_content = false;
  bool after_marker = false;
  std::uint32_t line_no = 0;
  std::size_t start = 0;
  while (start <= text.size() && out.second_document.line == 0) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    // A document marker sits at column 1 and is followed by a blank or the line's end;
    // YAML forbids it inside scalars, so it always separates documents.
    const bool marker = (line.substr(0, 3) == "---" || line.substr(0, 3) == "...") &&
                        (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
    std::size_t from = marker ? 3 : 0;
    if (marker && seen_content) after_marker = true;
    std::size_t i = line.find_first_not_of(" \t", from);
    if (i == std::string_view::npos || line[i] == '#') continue;
    const Pos at{line_no, static_cast<std::uint32_t>(i + 1)};
    if (after_marker) {
      out.second_document = at;
      break;
    }
    if (!seen_content) {
      out.first_content = at;
      std::string_view rest = line.substr(i);
      std::size_t stop = rest.find_first_of(" \t#");
      std::string_view word = rest.substr(0, stop);
      out.first_is_null = word == "~" || word == "null" || word == "Null" || word == "NULL";
    }
    seen_content = true;
  }
  return out;
}

}  // namespace

// Hands the diagnostics found in `path` to the caller, by position; an InvalidArgument
// status when any is an error.
std::optional<YAML::Node> LoadYamlDocument(const std::string& text, YamlReader& reader,
                                           std::string_view what) {
  try {
    // YAML::Load, not LoadAll: yaml-cpp 0.7's LoadAll never returns on some malformed
    // input (a stray ',' at document level), allocating until memory runs out. Load
    // reads one document; TextLayout finds what Load cannot say.
    const TextLayout layout = ScanLayout(text);
    YAML::Node root = YAML::Load(text);
    if (layout.second_document.line != 0) {
      reader.Error(layout.second_document,
                   std::string(what) + " must be one YAML document; a second one starts here");
    }
    if (root.IsNull() && layout.first_content.line != 0 && !layout.first_is_null) {
      // Text yaml-cpp read as no document at all (e.g. starting with ',').
      reader.Error(layout.first_content, "YAML syntax error: no document could be read from here");
      return std::nullopt;
    }
    return root;
  } catch (const YAML::Exception& e) {
    // `msg` is the bare reason; what() adds yaml-cpp's own position prefix.
    reader.Error(PosOf(e.mark), "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    reader.Error({0, 0}, "cannot read " + std::string(what) + ": " + e.what());
  }
  return std::nullopt;
}

Result<std::string> ReadBoundedFile(const std::string& path, std::string_view what,
                                    std::size_t max_bytes) {
  const std::string named = std::string(what) + " '" + path + "'";
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Status::InvalidArgument(named + " is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(named + " does not exist");
    return Status::IoError("cannot open " + named + ": " + std::strerror(err));
  }
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return Status::InvalidArgument(named + " is larger than " + std::to_string(max_bytes) +
                                     " bytes");
    }
  }
  if (in.bad()) return Status::IoError("cannot read " + named);
  return text;
}

Status HandOver(Diagnostics* found, Diagnostics* diags, const std::string& path) {
  found->Sort();
  const std::size_t errors = found->ErrorCount();
  for (const Diagnostic& d : found->items()) diags->Add(d);
  if (errors == 0) return Status::Ok();
  return Status::InvalidArgument(std::to_string(errors) + (errors == 1 ? " error" : " errors") +
                                 " in " + path);
}

}  // namespace tosguard::engine
