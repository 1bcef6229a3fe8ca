// What `scan` and `explain` both read before evaluating: the configuration, the rule
// pack, the waivers and the ingested data (only the fields the rules need).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dsl/loader.h"
#include "engine/eval/evaluate.h"
#include "engine/eval/waiver.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"

namespace tosguard::cli {

struct ScanInputArgs {
  std::string config = "tosguard.yaml";
  std::vector<std::string> rules;
  std::string waivers;  // overrides the configuration's `waivers:`
  unsigned threads = 0;
  std::string validate = "all";  // all | required
  std::string quarantine;        // overrides the configuration's quarantine file
};

struct ScanInputs {
  engine::IngestConfig config;
  dsl::RuleSet rules;
  std::vector<engine::Waiver> waivers;
  engine::IngestResult ingest;
};

// Loads everything, printing diagnostics and errors to stderr. On failure returns
// nullopt and sets `exit_code` (kExitUsage for configuration, rule or waiver mistakes,
// kExitInput for unreadable input).
std::optional<ScanInputs> LoadScanInputs(const ScanInputArgs& args, int* exit_code);
// The same in two steps: the configuration, rule pack and waivers; then the ingest of
// the configuration's sources into `in->ingest` (false with `exit_code` set on failure).
std::optional<ScanInputs> LoadScanSetup(const ScanInputArgs& args, int* exit_code);
bool IngestScanInputs(const ScanInputArgs& args, ScanInputs* in, int* exit_code);

// Warns on stderr how many input lines were quarantined, and where they went.
void WarnQuarantined(const engine::IngestResult& ingest);
// Debug log: how long the evaluation's shared indexes and each rule took.
void LogEvaluationTimes(const engine::EvalStats& stats);

// An option's day (YYYY-MM-DD) as a day index; "" leaves `day` unset. false after
// logging the error when the text is not a date.
bool ParseDayOption(const std::string& text, const char* option, std::optional<std::int64_t>* day);
// A day index as YYYY-MM-DD.
std::string DayText(std::int64_t day);

// Registers the options of ScanInputArgs on a subcommand.
void AddScanInputOptions(CLI::App* cmd, ScanInputArgs* args);

}  // namespace tosguard::cli
