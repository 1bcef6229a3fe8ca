// What every subcommand shares: global options and how a subcommand is registered.
//
// Each subcommand lives in its own file and registers itself with Add<Name>Command.
// A subcommand's callback stores its exit code in `ctx.exit_code`; it holds no logic
// beyond reading options, calling a module, and printing the result.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace tosguard::cli {

// Exit codes, documented in docs/cli.md.
inline constexpr int kExitOk = 0;          // success (findings or not)
inline constexpr int kExitFindings = 1;    // check: rule errors; test: failing cases
inline constexpr int kExitUsage = 2;       // bad command line or configuration
inline constexpr int kExitInput = 3;       // input problems: unreadable files, quarantine over limit
inline constexpr int kExitIntegrity = 4;   // store or evidence integrity failure
inline constexpr int kExitBusy = 75;       // batch: another batch holds the store (EX_TEMPFAIL: try later)
inline constexpr int kExitInternal = 70;   // a bug: please report it

struct CliContext {
  std::string format = "table";    // --format table|json: results on stdout
  std::string log_format = "text";  // --log-format text|json: logs on stderr
  std::string log_level = "info";
  int exit_code = kExitOk;
};

void AddIngestCommand(CLI::App& app, CliContext& ctx);
void AddCheckCommand(CLI::App& app, CliContext& ctx);
void AddFmtCommand(CLI::App& app, CliContext& ctx);
void AddScanCommand(CLI::App& app, CliContext& ctx);
void AddExplainCommand(CLI::App& app, CliContext& ctx);
void AddTestCommand(CLI::App& app, CliContext& ctx);
void AddKeygenCommand(CLI::App& app, CliContext& ctx);
void AddVerifyCommand(CLI::App& app, CliContext& ctx);
void AddReportCommand(CLI::App& app, CliContext& ctx);
void AddFindingsCommand(CLI::App& app, CliContext& ctx);
void AddReviewCommand(CLI::App& app, CliContext& ctx);
void AddBatchCommand(CLI::App& app, CliContext& ctx);

}  // namespace tosguard::cli
