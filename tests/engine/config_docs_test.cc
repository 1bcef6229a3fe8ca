// Keeps the documentation in step with the code: the field tables of docs/data-model.md
// against the canonical schemas, and the litellm table of docs/configuration.md against
// the preset.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/ingest/config.h"

using namespace tosguard;
using namespace tosguard::engine;

namespace {

std::vector<std::string> DocLines(const std::string& name) {
  std::ifstream in(std::filesystem::path(TOSGUARD_SOURCE_DIR) / "docs" / name);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Table rows ("| `...") of the section that starts with `heading`, up to the next
// heading of the same or a higher level.
std::vector<std::string> SectionRows(const std::vector<std::string>& lines,
                                     const std::string& heading) {
  std::vector<std::string> rows;
  bool in = false;
  const std::string level = heading.substr(0, heading.find(' ') + 1);
  for (const std::string& line : lines) {
    if (line == heading) {
      in = true;
      continue;
    }
    if (in && line.rfind("#", 0) == 0 && line.size() >= level.size() &&
        line.find(' ') <= level.size() - 1) {
      break;
    }
    if (in && line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  return rows;
}

}  // namespace

TEST_CASE("docs/data-model.md lists every canonical field as base/schema.cc defines it") {
  const auto lines = DocLines("data-model.md");
  const std::pair<RecordKind, std::string> sections[] = {
      {RecordKind::kEvent, "## Events"},
      {RecordKind::kAccount, "## Accounts"},
      {RecordKind::kAcceptance, "## Acceptances"},
      {RecordKind::kSignal, "## Signals"},
  };
  for (const auto& [kind, heading] : sections) {
    std::vector<std::string> expected;
    for (const FieldDef& f : CanonicalSchema(kind).fields()) {
      expected.push_back("| `" + f.name + "` | " + std::string(FieldTypeName(f.type)) + " | " +
                         (f.required ? "yes" : "no") + " | " + f.doc + " |");
    }
    INFO(heading);
    CHECK(SectionRows(lines, heading) == expected);
  }
}

TEST_CASE("docs/configuration.md documents the litellm preset as presets.cc defines it") {
  const auto lines = DocLines("configuration.md");
  const auto rows = SectionRows(lines, "### `litellm` (events)");
  const auto preset = PresetMappings("litellm", RecordKind::kEvent);
  REQUIRE(preset);
  REQUIRE(rows.size() == preset->size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FieldMapping& m = (*preset)[i];
    const std::string start = "| `" + m.field + "` | `" + m.path.at(0) + "` |";
    INFO(rows[i]);
    CHECK(rows[i].rfind(start, 0) == 0);
    if (m.transform != Transform::kNone) {
      CHECK(rows[i].find("transform: " + std::string(TransformName(m.transform))) !=
            std::string::npos);
    }
    if (m.time_format != TimeFormat::kAuto) {
      CHECK(rows[i].find("time_format: " + std::string(TimeFormatName(m.time_format))) !=
            std::string::npos);
    }
    CHECK((rows[i].find("assume_utc: true") != std::string::npos) == m.assume_utc);
  }
}
