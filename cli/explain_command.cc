// `tosguard explain`: why a rule did or did not fire for one scope on one day.
#include <spdlog/spdlog.h>

#include <iostream>

#include "base/time.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/scan_inputs.h"
#include "engine/eval/evaluate.h"

namespace tosguard::cli {
namespace {

struct ExplainArgs {
  ScanInputArgs inputs;
  std::string rule, scope, at;
  std::string format;
};

void Run(const ExplainArgs& args, CliContext& ctx) {
  const auto at = ParseDate(args.at);
  if (!at) {
    spdlog::error("--at takes a date YYYY-MM-DD, not '{}'", SafeExcerpt(args.at, 40));
    ctx.exit_code = kExitUsage;
    return;
  }
  int code = kExitOk;
  auto in = LoadScanInputs(args.inputs, &code);
  if (!in) {
    ctx.exit_code = code;
    return;
  }
  engine::EvalOptions options;
  options.waivers = in->waivers;
  auto e = engine::ExplainPoint(in->rules.plan, in->ingest.data, in->config, options, args.rule, args.scope,
                                DayIndex(*at));
  if (!e.ok()) {
    spdlog::error("{}", e.status().message());
    ctx.exit_code = e.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitInternal;
    return;
  }
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  if (format == "json") {
    std::cout << engine::PointExplanationJson(*e) << "\n";
  } else {
    // Values come from the logs: keep terminal escapes and control bytes out, line by line.
    const std::string text = engine::PointExplanationText(*e);
    for (std::size_t at_line = 0; at_line < text.size();) {
      std::size_t end = text.find('\n', at_line);
      if (end == std::string::npos) end = text.size();
      std::cout << SafeExcerpt(std::string_view(text).substr(at_line, end - at_line), 4096) << '\n';
      at_line = end + 1;
    }
  }
}

}  // namespace

void AddExplainCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explain", "Explain a rule's decision for one scope at the end of one day, also when it did not fire");
  AddScanInputOptions(cmd, &args->inputs);
  cmd->add_option("--rule", args->rule, "Rule id")->required();
  cmd->add_option("--scope", args->scope, "KIND:VALUE, e.g. account:acct-000197 or cluster:<any member>")
      ->required();
  cmd->add_option("--at", args->at, "Evaluation day (YYYY-MM-DD): the window ending with it")->required();
  cmd->add_option("--format", args->format, "Output: table (text) or json")
      ->check(CLI::IsMember({"table", "text", "json"}));
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
