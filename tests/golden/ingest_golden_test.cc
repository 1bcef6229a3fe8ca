// Golden cases for ingest: each folder under tests/golden/ingest/ holds a tosguard.yaml
// and its inputs; expected.txt holds the summary and the quarantine file (or the error).
// Run with TOSGUARD_UPDATE_GOLDEN=1 to rewrite expected.txt after a deliberate change.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/diagnostic.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"
#include "engine/ingest/summary.h"
#include "tests/support/golden.h"

using namespace tosguard;
using namespace tosguard::engine;
using tosguard::testing::Pretty;
using tosguard::testing::ReadAll;

namespace {

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

std::string RunCase(const std::filesystem::path& dir, const std::filesystem::path& quarantine) {
  Diagnostics diags;
  auto config = LoadIngestConfig((dir / "tosguard.yaml").string(), &diags);
  std::string out;
  for (const Diagnostic& d : diags.items()) out += FormatDiagnostic(d);
  if (!config.ok()) return out + "config error: " + config.status().message() + "\n";
  IngestOptions options;
  options.quarantine_path = quarantine.string();
  options.threads = 2;
  options.chunk_bytes = 256;  // many small chunks: ordering across chunks is exercised
  auto result = Ingest(*config, options);
  if (!result.ok()) {
    return out + "ingest error: " + Replace(result.status().message(), dir.string() + "/", "") + "\n";
  }
  std::string summary = IngestSummaryJson(*config, *result);
  summary = Replace(summary, quarantine.string(), "<quarantine>");
  out += Pretty(summary);
  out += "--- quarantine\n";
  out += ReadAll(quarantine);
  return out;
}

}  // namespace

TEST_CASE("ingest golden cases") {
  const std::filesystem::path root = std::filesystem::path(TOSGUARD_SOURCE_DIR) / "tests/golden/ingest";
  const bool update = std::getenv("TOSGUARD_UPDATE_GOLDEN") != nullptr;
  std::vector<std::filesystem::path> cases;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 15);
  const std::filesystem::path quarantine =
      std::filesystem::temp_directory_path() / ("tosguard-golden-q-" + std::to_string(::getpid()) + ".jsonl");
  for (const auto& dir : cases) {
    SECTION(dir.filename().string()) {
      const std::string actual = RunCase(dir, quarantine);
      const std::filesystem::path expected = dir / "expected.txt";
      if (update) {
        std::ofstream(expected, std::ios::binary) << actual;
      }
      INFO("case " << dir.filename().string() << " (TOSGUARD_UPDATE_GOLDEN=1 rewrites it)");
      CHECK(actual == ReadAll(expected));
    }
  }
  std::filesystem::remove(quarantine);
}
