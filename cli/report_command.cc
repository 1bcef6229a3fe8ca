// `tosguard report`: the evidence report of one finding, as JSON, HTML or Markdown.
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "audit/render/render.h"
#include "audit/report.h"
#include "base/build_info.h"
#include "base/sha256.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/config_loading.h"
#include "cli/evidence.h"

namespace tosguard::cli {
namespace {

struct ReportArgs {
  std::string finding;
  std::string config = "tosguard.yaml";
  std::string store, format = "html", out, as_of, by, why;
  bool reveal = false, include_text = false;
  std::size_t excerpt_bytes = 300;
};

void Run(const ReportArgs& args, CliContext& ctx) {
  auto config = LoadConfigOrReport(args.config);
  if (!config) {
    ctx.exit_code = kExitUsage;
    return;
  }
  auto fail = [&](const std::string& message, int code) {
    spdlog::error("{}", SafeExcerpt(message, 500));
    ctx.exit_code = code;
  };
  TimestampUs generated_at = Now();
  if (!args.as_of.empty()) {
    auto t = ParseRfc3339(args.as_of);
    if (!t) t = ParseDate(args.as_of);
    if (!t)
      return fail(
          "--as-of takes an RFC 3339 time or a date, not '" + SafeExcerpt(args.as_of, 40) + "'",
          kExitUsage);
    generated_at = *t;
  }
  const std::string by = args.by.empty() ? config->evidence.examiner : args.by;
  if (by.empty())
    return fail("name who exports the report with --by (or set evidence.examiner)", kExitUsage);
  if ((args.reveal || args.include_text) && args.why.empty()) {
    return fail("--reveal and --include-text disclose personal data: give the reason with --why",
                kExitUsage);
  }
  const std::string path = StorePath(args.store, *config);
  if (path.empty())
    return fail("no store: give --store or set evidence.store in " + args.config, kExitUsage);
  auto keys = LoadEvidenceKeys(*config, /*need_signing=*/true);
  if (!keys.ok()) return fail(keys.status().message(), kExitUsage);
  auto store = OpenStoreOrReport(path, /*create=*/false, &ctx.exit_code);
  if (!store) return;
  auto dossier = store->GetFinding(args.finding);
  if (!dossier.ok()) return fail(dossier.status().message(), ExitCodeFor(dossier.status()));

  audit::ReportOptions options;
  options.generated_at = generated_at;
  options.examiner = config->evidence.examiner;
  options.tool_version = kVersion;
  options.revision = kGitRevision;
  options.reveal = args.reveal;
  options.include_text = args.include_text;
  options.excerpt_bytes = args.excerpt_bytes;
  options.logs_dir = config->base_dir;
  for (const auto& d : config->detectors) options.detector_descriptions[d.name] = d.description;
  auto json = audit::BuildReportJson(*store, *dossier, *keys->hasher, options);
  if (!json.ok()) return fail(json.status().message(), ExitCodeFor(json.status()));
  Result<std::string> bytes = *json;
  if (args.format == "html") bytes = audit::RenderReportHtml(*json);
  if (args.format == "md") bytes = audit::RenderReportMarkdown(*json);
  if (!bytes.ok()) return fail(bytes.status().message(), kExitInternal);

  // The export is logged before the bytes leave the tool: no report without its entry.
  audit::CustodyRow entry;
  entry.action = args.reveal ? "reveal" : "export";
  entry.finding_id = args.finding;
  entry.what = "report " + args.format + (args.reveal ? " --reveal" : "") +
               (args.include_text ? " --include-text" : "");
  entry.by = by;
  entry.why = args.why.empty() ? "report export" : args.why;
  entry.report_sha256 = ToHex(Sha256::Of(*bytes));
  audit::LogWriter log = keys->Writer(*config, Now());
  auto custody = store->AddCustody(entry, log);
  if (!custody.ok()) return fail(custody.status().message(), ExitCodeFor(custody.status()));

  if (args.out.empty()) {
    std::cout << *bytes;
    return;
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out << *bytes;
  out.flush();
  if (!out) return fail("cannot write the report to '" + args.out + "'", kExitInput);
  spdlog::info("report of {} written to {} (SHA-256 {}, custody entry {})", args.finding, args.out,
               entry.report_sha256, custody->seq);
}

}  // namespace

void AddReportCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Write the evidence report of a finding (logged in the custody log)");
  cmd->add_option("finding", args->finding, "The finding's id (F-...)")->required();
  cmd->add_option("-c,--config", args->config, "Configuration (store path, keys, examiner)")
      ->capture_default_str();
  cmd->add_option("--store", args->store,
                  "The store (default: evidence.store of the configuration)");
  cmd->add_option("--format", args->format, "html, md or json (json is the canonical form)")
      ->check(CLI::IsMember({"html", "md", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--out", args->out, "Write the report here (default: stdout)");
  cmd->add_option("--as-of", args->as_of,
                  "The report's generated-at time (RFC 3339 or a date), to reproduce a report");
  cmd->add_option("--by", args->by,
                  "Who exports it, for the custody log (default: evidence.examiner)");
  cmd->add_option("--why", args->why,
                  "Why, for the custody log (required with --reveal or --include-text)");
  cmd->add_flag("--reveal", args->reveal,
                "Show account and other identifiers beside their pseudonyms");
  cmd->add_flag("--include-text", args->include_text,
                "Quote the cited log lines, truncated, and shown text values");
  cmd->add_option("--excerpt-bytes", args->excerpt_bytes,
                  "With --include-text: bytes quoted of each line")
      ->check(CLI::Range(16, 4096))
      ->capture_default_str();
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
