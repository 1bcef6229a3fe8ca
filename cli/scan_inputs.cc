// Loading the inputs of an evaluation for the CLI (see scan_inputs.h).
#include "cli/scan_inputs.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>

#include "base/diagnostic.h"
#include "base/time.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/config_loading.h"
#include "engine/eval/projection.h"

namespace tosguard::cli {


void AddScanInputOptions(CLI::App* cmd, ScanInputArgs* args) {
  cmd->add_option("-c,--config", args->config, "Configuration file")->capture_default_str();
  cmd->add_option("-r,--rules", args->rules,
                  "Rule files (.tos); imports are followed (default: the configuration's rules)");
  cmd->add_option("--waivers", args->waivers, "Waiver file, overriding the configuration's");
  cmd->add_option("--threads", args->threads,
                  "Threads for parsing and evaluation (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--validate", args->validate,
                  "Which mapped fields to type-check: all (as `ingest` does), or only those the "
                  "rules read (faster; type errors in other fields then go unnoticed)")
      ->check(CLI::IsMember({"all", "required"}))
      ->capture_default_str();
  cmd->add_option("--quarantine", args->quarantine,
                  "Write quarantined lines here (JSONL), overriding the configuration");
}

void WarnQuarantined(const engine::IngestResult& ingest) {
  if (ingest.totals.quarantined == 0) return;
  spdlog::warn("{} of {} input lines were quarantined{}", ingest.totals.quarantined,
               ingest.totals.lines,
               ingest.quarantine_path.empty() ? "" : " (see " + ingest.quarantine_path + ")");
}

void LogEvaluationTimes(const engine::EvalStats& stats) {
  spdlog::debug("evaluation indexes built in {:.2f} s", stats.context_seconds);
  for (const engine::EvalStats::PerRule& r : stats.rules) {
    spdlog::debug("rule {} evaluated in {:.2f} s (counted events: {}, findings: {})", r.rule_id,
                  r.seconds, r.counted, r.findings);
  }
}

bool ParseDayOption(const std::string& text, const char* option, std::optional<std::int64_t>* day) {
  if (text.empty()) return true;
  auto ts = ParseDate(text);
  if (!ts) {
    spdlog::error("{} takes a date YYYY-MM-DD, not '{}'", option, SafeExcerpt(text, 40));
    return false;
  }
  *day = DayIndex(*ts);
  return true;
}

std::string DayText(std::int64_t day) { return FormatDate(DayStart(day)); }

std::optional<ScanInputs> LoadScanSetup(const ScanInputArgs& args, int* exit_code) {
  *exit_code = kExitUsage;
  auto config = LoadConfigOrReport(args.config);
  if (!config) return std::nullopt;
  ScanInputs in;
  in.config = std::move(*config);

  dsl::CheckEnv env;
  env.accounts = &in.config.account_schema;
  for (const auto& d : in.config.detectors) env.detectors.push_back(d.name);
  std::vector<std::string> rule_files = args.rules;
  if (rule_files.empty()) {
    if (in.config.rules.empty()) {
      spdlog::error("no rules to evaluate: give --rules or list them under 'rules:' in {}",
                    args.config);
      return std::nullopt;
    }
    auto expanded = engine::ExpandPaths(in.config.rules, in.config.base_dir, "rules");
    if (!expanded.ok()) {
      spdlog::error("{}", expanded.status().message());
      return std::nullopt;
    }
    rule_files = std::move(*expanded);
  }
  auto rules = LoadRulesOrReport(rule_files, env);
  if (!rules) {
    spdlog::error("the rule pack has errors; nothing was evaluated");
    return std::nullopt;
  }
  in.rules = std::move(*rules);

  const std::string waivers = args.waivers.empty() ? in.config.waivers_path : args.waivers;
  if (!waivers.empty()) {
    Diagnostics wd;
    auto loaded = engine::LoadWaivers(waivers, &wd);
    PrintDiagnostics(wd);
    if (!loaded.ok()) {
      if (wd.empty()) spdlog::error("{}", loaded.status().message());
      return std::nullopt;
    }
    in.waivers = std::move(loaded).value();
  }

  *exit_code = kExitOk;
  return in;
}

bool IngestScanInputs(const ScanInputArgs& args, ScanInputs* in, int* exit_code) {
  engine::IngestOptions options = engine::IngestOptionsFor(in->config, in->rules.plan);
  options.check_unneeded = args.validate == "all";
  options.threads = args.threads;
  if (!args.quarantine.empty()) options.quarantine_path = args.quarantine;
  auto ingest = engine::Ingest(in->config, options);
  if (!ingest.ok()) {
    spdlog::error("ingest failed: {}", ingest.status().message());
    *exit_code = ingest.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitInput;
    return false;
  }
  in->ingest = std::move(ingest).value();
  *exit_code = kExitOk;
  return true;
}

std::optional<ScanInputs> LoadScanInputs(const ScanInputArgs& args, int* exit_code) {
  auto in = LoadScanSetup(args, exit_code);
  if (!in || !IngestScanInputs(args, &*in, exit_code)) return std::nullopt;
  return in;
}

}  // namespace tosguard::cli
