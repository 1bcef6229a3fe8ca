// `tosguard test [RULES...]`: run the fixtures next to rule files, like `opa test`.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/config_loading.h"
#include "dsl/checker/checker.h"
#include "dsl/loader.h"
#include "engine/fixture/fixture.h"
#include "engine/fixture/runner.h"

namespace tosguard::cli {
namespace {

namespace fs = std::filesystem;

struct TestArgs {
  std::vector<std::string> rules;
  std::string config;
  std::string format;  // overrides the global --format
  bool require_coverage = false;
};

// The rule files named: files as given, folders searched for *.tos (sorted).
std::vector<std::string> RuleFiles(const std::vector<std::string>& args, bool* ok) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(a, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".tos")
          found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        spdlog::error("no rule files (.tos) in '{}'", a);
        *ok = false;
      }
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(a, ec)) {
      out.push_back(a);
    } else {
      spdlog::error("rule file '{}' does not exist", a);
      *ok = false;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string Normal(const std::string& p) { return fs::path(p).lexically_normal().string(); }

void Run(const TestArgs& args, CliContext& ctx) {
  const std::string format = args.format.empty() ? ctx.format : args.format;
  bool ok = true;
  const std::vector<std::string> files =
      RuleFiles(args.rules.empty() ? std::vector<std::string>{"rules"} : args.rules, &ok);
  if (!ok || files.empty()) {
    ctx.exit_code = kExitUsage;
    return;
  }
  engine::IngestConfig config;
  dsl::CheckEnv env;
  if (!args.config.empty()) {
    auto loaded = LoadConfigOrReport(args.config);
    if (!loaded) {
      ctx.exit_code = kExitUsage;
      return;
    }
    config = std::move(*loaded);
    for (const auto& d : config.detectors) env.detectors.push_back(d.name);
  } else {
    env.any_detector = true;  // without a configuration, any detector name is accepted
  }
  env.accounts = &config.account_schema;

  auto rules = LoadRulesOrReport(files, env);
  if (!rules) {
    ctx.exit_code = kExitUsage;
    return;
  }
  if (args.config.empty()) {
    // Every detector the rules name is declared, so their signals are ingested.
    for (const std::string& d : rules->plan.detectors) config.detectors.push_back({d, "", {}, {}});
  }

  // Fixtures sit next to their rule file: <stem>.test.yaml and <stem>.test/.
  std::vector<engine::FixtureFile> fixtures;
  Diagnostics fixture_diags;
  bool fixtures_ok = true;
  for (const std::string& file : files) {
    const fs::path p(file);
    const std::string stem = (p.parent_path() / p.stem()).string();
    std::vector<const dsl::RulePlan*> declared;
    for (const dsl::RulePlan& r : rules->plan.rules) {
      if (Normal(r.source_file) == Normal(file)) declared.push_back(&r);
    }
    const std::string rule = declared.size() == 1 ? declared[0]->id : "";
    std::string policy;
    if (declared.size() == 1 && declared[0]->clause) policy = declared[0]->clause->policy;
    if (policy.empty() && rules->plan.policies.size() == 1) policy = rules->plan.policies[0].id;
    // Mistakes in a fixture are diagnostics; other failures (unreadable files) are logged.
    auto keep = [&](Result<engine::FixtureFile> f) {
      if (f.ok()) {
        fixtures.push_back(std::move(*f));
        return;
      }
      fixtures_ok = false;
      if (f.status().code() != StatusCode::kInvalidArgument)
        spdlog::error("{}", f.status().message());
    };
    std::error_code ec;
    if (fs::is_regular_file(stem + ".test.yaml", ec)) {
      keep(engine::LoadFixtureFile(stem + ".test.yaml", rule, policy, config, &fixture_diags));
    }
    if (fs::is_directory(stem + ".test", ec)) {
      if (rule.empty()) {
        fixture_diags.Error(stem + ".test", 0, 0,
                            "a fixture folder tests the one rule of its rule file, and " + file +
                                " declares " + std::to_string(declared.size()) + " rules");
        fixtures_ok = false;
        continue;
      }
      keep(engine::LoadFixtureFolder(stem + ".test", rule, policy, config, &fixture_diags));
    }
  }
  PrintDiagnostics(fixture_diags);
  if (!fixtures_ok) {
    ctx.exit_code = kExitUsage;
    return;
  }

  engine::FixtureRunOptions options;
  options.require_coverage = args.require_coverage;
  auto report = engine::RunFixtures(rules->plan, config, fixtures, options);
  if (!report.ok()) {
    spdlog::error("{}", report.status().message());
    ctx.exit_code = kExitInput;
    return;
  }
  std::cout << (format == "json" ? engine::TestReportJson(*report)
                                 : engine::TestReportText(*report));
  ctx.exit_code = report->ok() ? kExitOk : kExitFindings;
}

}  // namespace

void AddTestCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* cmd =
      app.add_subcommand("test", "Run the fixtures of rule files (exit 1 when a case fails)");
  cmd->add_option("rules", args->rules, "Rule files (.tos) or folders of them (default: rules)");
  cmd->add_option("--config", args->config,
                  "Configuration (tosguard.yaml) with account attributes, detectors and linking; "
                  "its sources are not read");
  cmd->add_option("--format", args->format, "Results as a table or json")
      ->check(CLI::IsMember({"table", "text", "json"}));
  cmd->add_flag(
      "--require-coverage", args->require_coverage,
      "Fail unless every rule has cases firing, quiet, and just inside and outside its window");
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
