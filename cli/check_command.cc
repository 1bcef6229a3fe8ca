// `tosguard check RULES...`: parse and check rule files; diagnostics, and the plan on request.
#include <iostream>
#include <sstream>

#include "base/diagnostic.h"
#include "cli/command.h"
#include "cli/config_loading.h"
#include "dsl/loader.h"
#include "engine/ingest/config.h"

namespace tosguard::cli {
namespace {

struct CheckArgs {
  std::vector<std::string> rules;
  std::string config;
  std::string detectors;  // comma-separated
  std::string format;     // overrides the global --format
  bool plan = false;
};

void Run(const CheckArgs& args, CliContext& ctx) {
  const std::string format = args.format.empty() ? ctx.format : args.format;
  dsl::CheckEnv env;
  std::optional<engine::IngestConfig> config;
  Diagnostics diags;
  if (!args.config.empty()) {
    config = LoadConfigOrReport(args.config);
    if (!config) {
      ctx.exit_code = kExitUsage;
      return;
    }
    env.accounts = &config->account_schema;
    for (const auto& d : config->detectors) env.detectors.push_back(d.name);
  }
  if (!args.detectors.empty()) {
    std::stringstream ss(args.detectors);
    for (std::string name; std::getline(ss, name, ',');) {
      if (!name.empty()) env.detectors.push_back(name);
    }
  }
  // Without a configuration, detector names cannot be checked.
  env.any_detector = args.config.empty() && args.detectors.empty();

  dsl::SourceSet sources;
  auto rules = dsl::LoadRules(args.rules, env, &diags, &sources);
  if (rules && env.any_detector && !rules->plan.detectors.empty()) {
    Diagnostic note;
    note.severity = Severity::kNote;
    note.file = args.rules.front();
    note.message = "detector names were not checked (give --config or --detectors)";
    diags.Add(note);
  }
  diags.Sort();  // by file, line and column: related messages read top to bottom
  if (format == "json") {
    std::cout << "[";
    for (std::size_t i = 0; i < diags.items().size(); ++i) {
      std::cout << (i ? ",\n " : "") << DiagnosticToJson(diags.items()[i]);
    }
    std::cout << "]\n";
  } else {
    for (const Diagnostic& d : diags.items()) {
      std::string text = sources.Render(d);
      std::cerr << text;
      if (!text.empty() && text.back() != '\n') std::cerr << '\n';
    }
    if (rules) {
      std::cerr << args.rules.size() << (args.rules.size() == 1 ? " file" : " files") << ", "
                << rules->plan.rules.size() << (rules->plan.rules.size() == 1 ? " rule" : " rules")
                << ": ok\n";
    }
  }
  if (rules && args.plan && format != "json") {
    std::cout << dsl::DumpPlan(rules->plan, nullptr, env.accounts);
  }
  ctx.exit_code = rules ? kExitOk : kExitFindings;
}

}  // namespace

void AddCheckCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* cmd = app.add_subcommand("check", "Parse and check rule files (exit 1 on errors)");
  cmd->add_option("rules", args->rules, "Rule files (.tos); imports are followed")->required();
  cmd->add_option("--config", args->config,
                  "Configuration (tosguard.yaml) declaring detectors and account attributes");
  cmd->add_option("--detectors", args->detectors, "Declared detector names, comma-separated");
  cmd->add_option("--format", args->format, "Diagnostics as text (stderr) or json (stdout)")
      ->check(CLI::IsMember({"table", "text", "json"}));
  cmd->add_flag("--plan", args->plan, "Print the compiled plan on stdout");
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
