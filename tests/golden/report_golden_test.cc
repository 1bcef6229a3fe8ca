// Golden cases for reports: each folder under tests/golden/report/ holds a tosguard.yaml,
// its inputs and rules.tos. The case is scanned into a fresh store with fixed keys and a
// fixed clock, its findings named as a new store names them (keyed); expected.json is
// the canonical report of its first finding, laid out by its structure, and expected.md
// the Markdown report of every finding, with the cited lines quoted. Run with
// TOSGUARD_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "audit/render/render.h"
#include "audit/report.h"
#include "audit/store.h"
#include "base/diagnostic.h"
#include "base/sha256.h"
#include "dsl/loader.h"
#include "engine/eval/evaluate.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"
#include "engine/ingest/summary.h"
#include "tests/support/golden.h"
#include "tests/support/temp_dir.h"

using namespace tosguard;
namespace fs = std::filesystem;

namespace {

constexpr TimestampUs kNow = 1764554400000000;  // 2025-12-01T02:00:00Z

struct Output {
  std::string json, md;
};

Output RunCase(const fs::path& dir) {
  Diagnostics diags;
  auto config = engine::LoadIngestConfig((dir / "tosguard.yaml").string(), &diags);
  if (!config.ok()) return {"config error: " + config.status().message() + "\n", ""};
  dsl::CheckEnv env;
  env.accounts = &config->account_schema;
  for (const auto& d : config->detectors) env.detectors.push_back(d.name);
  auto rules = dsl::LoadRules({(dir / "rules.tos").string()}, env, &diags);
  if (!rules) return {"rule errors\n", ""};
  auto data = engine::Ingest(*config, {});
  if (!data.ok()) return {"ingest error: " + data.status().message() + "\n", ""};
  auto result = engine::Evaluate(rules->plan, data->data, *config, {});
  if (!result.ok()) return {"evaluation error: " + result.status().message() + "\n", ""};

  const auto signing = audit::PrivateKey::FromRawSeed(std::vector<std::uint8_t>(32, 7)).value();
  const auto hasher = audit::KeyedHasher::Create(std::vector<std::uint8_t>(32, 9)).value();
  const audit::LogWriter log{&signing, &hasher, "golden.example/evidence", kNow, {}};
  tosguard::testing::TempDir scratch("tosguard-report-golden");
  auto store = audit::Store::Open(scratch.str() + "/evidence.db", true);
  if (!store.ok()) return {"store error: " + store.status().message() + "\n", ""};
  audit::RunRow run;
  run.command = "tosguard scan --config tosguard.yaml --rules rules.tos";
  run.tool_version = "golden";
  run.revision = "golden";
  run.started_at = run.finished_at = FormatRfc3339(kNow);
  run.by = "golden@audit-host";
  run.config_sha256 = std::string(64, '0');
  for (const dsl::RulePlan& r : rules->plan.rules) {
    audit::RuleMeta meta{r.title,
                         dsl::SeverityText(r.severity),
                         dsl::ScopeText(r.scope),
                         FormatDuration(r.window),
                         r.tags,
                         std::nullopt,
                         {}};
    run.rules.push_back(
        {r.id, "rules.tos", r.source_sha256, r.source_text, audit::RuleMetaJson(meta)});
  }
  run.rules_sha256 = audit::RulesDigest(run.rules);
  for (const auto& f : data->data.files) {
    run.inputs.push_back({engine::DisplayPath(*config, f.path), ToHex(f.sha256), f.stats.lines,
                          f.stats.records, f.stats.quarantined});
  }
  auto scheme = store->FindingIds();
  if (!scheme.ok()) return {"store error: " + scheme.status().message() + "\n", ""};
  audit::AssignFindingIds(*scheme, &hasher, &result->findings);
  auto recorded = store->RecordRun(run, result->findings, log);
  if (!recorded.ok()) return {"record error: " + recorded.status().message() + "\n", ""};

  audit::ReportOptions options;
  options.generated_at = kNow;
  options.examiner = "Golden <examiner> & co";
  options.tool_version = "golden";
  options.revision = "golden";
  options.include_text = true;
  options.excerpt_bytes = 160;
  options.logs_dir = dir.string();
  Output out;
  for (const engine::Finding& f : result->findings) {
    auto dossier = store->GetFinding(f.id);
    if (!dossier.ok()) return {"store error: " + dossier.status().message() + "\n", ""};
    auto json = audit::BuildReportJson(*store, *dossier, hasher, options);
    if (!json.ok()) return {"report error: " + json.status().message() + "\n", ""};
    if (out.json.empty()) out.json = tosguard::testing::Pretty(*json);
    auto md = audit::RenderReportMarkdown(*json);
    if (!md.ok()) return {"render error: " + md.status().message() + "\n", ""};
    out.md += *md + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("report golden cases") {
  const fs::path root = fs::path(TOSGUARD_SOURCE_DIR) / "tests/golden/report";
  const bool update = std::getenv("TOSGUARD_UPDATE_GOLDEN") != nullptr;
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 2);
  for (const auto& dir : cases) {
    SECTION(dir.filename().string()) {
      const Output actual = RunCase(dir);
      if (update) {
        std::ofstream(dir / "expected.json", std::ios::binary) << actual.json;
        std::ofstream(dir / "expected.md", std::ios::binary) << actual.md;
      }
      INFO("case " << dir.filename().string() << " (TOSGUARD_UPDATE_GOLDEN=1 rewrites it)");
      CHECK(actual.json == tosguard::testing::ReadAll(dir / "expected.json"));
      CHECK(actual.md == tosguard::testing::ReadAll(dir / "expected.md"));
    }
  }
}
