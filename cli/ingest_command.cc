// `tosguard ingest`: read every source of a configuration and summarise what was found.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/config_loading.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"
#include "engine/ingest/summary.h"

namespace tosguard::cli {
namespace {

struct IngestArgs {
  std::string config = "tosguard.yaml";
  std::string format;  // overrides the global --format
  unsigned threads = 0;
  std::string max_quarantine;
  std::string quarantine;
  std::size_t chunk_kib = 4096;
  std::string validate = "all";
};

// "1000" -> count, "5%" -> fraction.
bool ParseLimit(const std::string& text, engine::QuarantineLimit* out) {
  try {
    if (!text.empty() && text.back() == '%') {
      std::size_t used = 0;
      const double pct = std::stod(text.substr(0, text.size() - 1), &used);
      if (used != text.size() - 1 || pct < 0 || pct > 100) return false;
      out->max_fraction = pct / 100.0;
      return true;
    }
    std::size_t used = 0;
    const unsigned long long n = std::stoull(text, &used);
    if (used != text.size() || text.front() == '-') return false;
    out->max_count = n;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void Run(const IngestArgs& args, CliContext& ctx) {
  auto config = LoadConfigOrReport(args.config);
  if (!config) {
    ctx.exit_code = kExitUsage;
    return;
  }
  engine::IngestOptions options;
  // Keep only what the summary needs (required fields); check the rest unless told not to.
  for (RecordKind kind : {RecordKind::kEvent, RecordKind::kAccount, RecordKind::kAcceptance,
                          RecordKind::kSignal}) {
    const RecordSchema& schema =
        kind == RecordKind::kAccount ? config->account_schema : CanonicalSchema(kind);
    options.needed[static_cast<std::size_t>(kind)].assign(schema.size(), false);
  }
  options.check_unneeded = args.validate == "all";
  options.threads = args.threads;
  options.chunk_bytes = args.chunk_kib * 1024;
  if (!args.max_quarantine.empty()) {
    engine::QuarantineLimit limit;
    if (!ParseLimit(args.max_quarantine, &limit)) {
      spdlog::error("--max-quarantine takes a count (1000) or a percentage (5%), not '{}'",
                    args.max_quarantine);
      ctx.exit_code = kExitUsage;
      return;
    }
    options.limit = limit;
  }
  if (!args.quarantine.empty()) options.quarantine_path = args.quarantine;

  const auto start = std::chrono::steady_clock::now();
  auto result = engine::Ingest(*config, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!result.ok()) {
    spdlog::error("ingest failed: {}", result.status().message());
    ctx.exit_code = result.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitInput;
    return;
  }
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  if (format == "json") {
    std::cout << engine::IngestSummaryJson(*config, *result) << "\n";
  } else {
    std::cout << engine::IngestSummaryTable(*config, *result);
  }
  std::uint64_t bytes = 0;
  for (const auto& f : result->data.files) bytes += f.content_bytes;
  spdlog::info("read {} lines ({:.1f} MB) in {:.2f} s: {:.0f} lines/s", result->totals.lines,
               static_cast<double>(bytes) / 1e6, seconds,
               seconds > 0 ? static_cast<double>(result->totals.lines) / seconds : 0.0);
  if (result->over_quarantine_limit) {
    spdlog::error("too much bad input: {}", result->limit_message);
    ctx.exit_code = kExitInput;
  }
}

}  // namespace

void AddIngestCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Read every source of a configuration; print records, quarantine and time range");
  cmd->add_option("-c,--config", args->config, "Configuration file")->capture_default_str();
  cmd->add_option("--format", args->format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--threads", args->threads, "Parser threads (0: one per core)")
      ->capture_default_str();
  cmd->add_option("--max-quarantine", args->max_quarantine,
                  "Fail (exit 3) when more lines than this are quarantined: a count or N%");
  cmd->add_option("--quarantine", args->quarantine,
                  "Write quarantined lines here (JSONL), overriding the configuration");
  cmd->add_option("--chunk-kib", args->chunk_kib, "Bytes of lines per parse task, in KiB")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cmd->add_option("--validate", args->validate,
                  "Which mapped fields to read and type-check: all, or only the required ones "
                  "(faster; type errors in other fields then go unnoticed)")
      ->check(CLI::IsMember({"all", "required"}))
      ->capture_default_str();
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
