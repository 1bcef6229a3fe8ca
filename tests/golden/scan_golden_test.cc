// Golden cases for the scan: each folder under tests/golden/scan/ holds a tosguard.yaml,
// its inputs and rule files (*.tos, all of them one pack, or the files rules.txt
// lists); expected.txt holds the
// per-rule counts and every finding as canonical JSON laid out by its structure (one
// line per finding instead when the folder has a file named `brief`). Run with
// TOSGUARD_UPDATE_GOLDEN=1 to rewrite expected.txt after a deliberate change.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/diagnostic.h"
#include "dsl/loader.h"
#include "engine/eval/evaluate.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"
#include "tests/support/golden.h"

using namespace tosguard;
using namespace tosguard::engine;
using tosguard::testing::Pretty;
using tosguard::testing::ReadAll;

namespace fs = std::filesystem;

namespace {

std::string Day(std::int64_t d) { return FormatDate(DayStart(d)); }

std::string Brief(const Finding& f) {
  std::string s = f.id + " " + f.rule_id + " " + f.scope_kind + ":" + f.scope_value + " " + OutcomeName(f.level) +
                  " " + Day(f.first_day) + ".." + Day(f.last_day) + " peak " + Day(f.peak_day) + " evidence " +
                  std::to_string(f.evidence.size()) + "/" + std::to_string(f.evidence_total);
  for (const Metric& m : f.metrics) {
    if (m.kind == "let") s += " " + m.name + "=" + m.value.text;
  }
  return s + "\n";
}

std::string RunCase(const fs::path& dir) {
  Diagnostics diags;
  std::string out;
  auto config = LoadIngestConfig((dir / "tosguard.yaml").string(), &diags);
  for (const Diagnostic& d : diags.items()) out += FormatDiagnostic(d);
  if (!config.ok()) return out + "config error: " + config.status().message() + "\n";
  // The folder's *.tos files, or the files rules.txt lists (relative to the folder).
  std::vector<std::string> rule_files;
  if (fs::exists(dir / "rules.txt")) {
    std::ifstream list(dir / "rules.txt");
    for (std::string line; std::getline(list, line);) {
      if (!line.empty()) rule_files.push_back((dir / line).lexically_normal().string());
    }
  } else {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".tos") rule_files.push_back(e.path().string());
    }
    std::sort(rule_files.begin(), rule_files.end());
  }
  dsl::CheckEnv env;
  env.accounts = &config->account_schema;
  for (const auto& d : config->detectors) env.detectors.push_back(d.name);
  auto rules = dsl::LoadRules(rule_files, env, &diags);
  if (!rules) return out + "rule errors: " + std::to_string(diags.ErrorCount()) + "\n";
  EvalOptions options;
  options.threads = 2;
  if (!config->waivers_path.empty()) {
    auto waivers = LoadWaivers(config->waivers_path, &diags);
    if (!waivers.ok()) return out + "waiver error: " + waivers.status().message() + "\n";
    options.waivers = *waivers;
  }
  IngestOptions ingest_options;
  ingest_options.threads = 2;
  auto data = Ingest(*config, ingest_options);
  if (!data.ok()) return out + "ingest error: " + data.status().message() + "\n";
  auto result = Evaluate(rules->plan, data->data, *config, options);
  if (!result.ok()) return out + "evaluation error: " + result.status().message() + "\n";
  for (const EvalStats::PerRule& s : result->stats.rules) {
    out += s.rule_id + ": counted " + std::to_string(s.counted) + ", no scope " + std::to_string(s.no_scope) +
           ", not applicable " + std::to_string(s.not_applicable) + ", exempted " + std::to_string(s.exempted) +
           ", waived " + std::to_string(s.waived) + ", filtered " + std::to_string(s.filtered) + ", scopes " +
           std::to_string(s.scopes) + ", points " + std::to_string(s.points) + ", findings " +
           std::to_string(s.findings) + "\n";
  }
  const bool brief = fs::exists(dir / "brief");
  for (const Finding& f : result->findings) out += brief ? Brief(f) : "---\n" + Pretty(FindingJson(f));
  return out;
}

}  // namespace

TEST_CASE("scan golden cases") {
  const fs::path root = fs::path(TOSGUARD_SOURCE_DIR) / "tests/golden/scan";
  const bool update = std::getenv("TOSGUARD_UPDATE_GOLDEN") != nullptr;
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 5);
  for (const auto& dir : cases) {
    SECTION(dir.filename().string()) {
      const std::string actual = RunCase(dir);
      const fs::path expected = dir / "expected.txt";
      if (update) std::ofstream(expected, std::ios::binary) << actual;
      INFO("case " << dir.filename().string() << " (TOSGUARD_UPDATE_GOLDEN=1 rewrites it)");
      CHECK(actual == ReadAll(expected));
    }
  }
}
