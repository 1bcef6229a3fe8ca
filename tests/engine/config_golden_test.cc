// Golden cases of the configuration parser: tests/golden/config/<case>/tosguard.yaml with
// expected.txt holding the formatted diagnostics (and, for a valid file, a summary of
// what was read). TOSGUARD_UPDATE_GOLDEN=1 rewrites expected.txt instead of comparing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/ingest/config.h"

using namespace tosguard;
using namespace tosguard::engine;
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out = "[";
  for (std::size_t i = 0; i < path.size(); ++i) out += (i ? ", \"" : "\"") + path[i] + "\"";
  return out + "]";
}

// A readable, deterministic summary of a parsed configuration.
std::string Describe(const IngestConfig& c) {
  std::ostringstream o;
  o << "max_line_bytes " << c.max_line_bytes << "\n";
  if (c.quarantine_limit.max_count) o << "max_quarantine count " << *c.quarantine_limit.max_count << "\n";
  if (c.quarantine_limit.max_fraction) o << "max_quarantine fraction " << *c.quarantine_limit.max_fraction << "\n";
  if (!c.quarantine_path.empty()) o << "quarantine " << c.quarantine_path << "\n";
  const RecordSchema& canonical = CanonicalSchema(RecordKind::kAccount);
  for (std::size_t i = canonical.size(); i < c.account_schema.size(); ++i) {
    o << "attribute " << c.account_schema.field(i).name << " "
      << FieldTypeName(c.account_schema.field(i).type) << "\n";
  }
  for (const DetectorConfig& d : c.detectors) {
    o << "detector " << d.name;
    if (!d.description.empty()) o << " \"" << d.description << "\"";
    if (d.threshold) o << " threshold " << *d.threshold;
    if (d.false_positive_rate) o << " false_positive_rate " << *d.false_positive_rate;
    o << "\n";
  }
  for (const SourceConfig& s : c.sources) {
    o << "source " << s.name << " (line " << s.line << ") kind " << RecordKindName(s.kind)
      << " format " << InputFormatName(s.format) << " preset '" << s.preset << "'";
    if (s.format == InputFormat::kCsv) o << " delimiter '" << s.csv.delimiter << "'";
    o << " paths " << JoinPath(s.paths) << "\n";
    for (const FieldMapping& m : s.fields) {
      o << "  " << m.field << " <- " << JoinPath(m.path);
      if (m.transform != Transform::kNone) o << " transform " << TransformName(m.transform);
      if (m.time_format != TimeFormat::kAuto) o << " time_format " << TimeFormatName(m.time_format);
      if (m.assume_utc) o << " assume_utc";
      if (m.default_value) o << " default \"" << *m.default_value << "\"";
      if (m.line != 0) o << " (line " << m.line << ":" << m.column << ")";
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace

TEST_CASE("configuration golden cases") {
  const fs::path root = fs::path(TOSGUARD_SOURCE_DIR) / "tests" / "golden" / "config";
  const char* update_env = std::getenv("TOSGUARD_UPDATE_GOLDEN");
  const bool update = update_env != nullptr && std::string(update_env) == "1";
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 10);
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    const std::string text = ReadAll(dir / "tosguard.yaml");
    Diagnostics diags;
    // A relative name, so expected output is the same on every machine.
    auto result = ParseIngestConfig(text, "tosguard.yaml", &diags);
    std::string actual;
    for (const Diagnostic& d : diags.items()) actual += FormatDiagnostic(d, text);
    if (result.ok()) {
      actual += "ok\n" + Describe(*result);
    } else {
      actual += "status: " + result.status().ToString() + "\n";
    }
    const fs::path expected_path = dir / "expected.txt";
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual;
      continue;
    }
    INFO("case " << name << " (TOSGUARD_UPDATE_GOLDEN=1 rewrites expected.txt)");
    REQUIRE(fs::exists(expected_path));
    CHECK(actual == ReadAll(expected_path));
  }
}
