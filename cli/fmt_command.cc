// `tosguard fmt FILES...`: the canonical layout of rule files (stdout, --write or --check).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "base/diagnostic.h"
#include "cli/command.h"
#include "dsl/fmt/fmt.h"
#include "dsl/loader.h"
#include "dsl/source.h"

namespace tosguard::cli {
namespace {

struct FmtArgs {
  std::vector<std::string> files;
  bool write = false;
  bool check = false;
};

// Replaces `path` by `text` through a temporary file and a rename, so a crash never
// leaves a half-written rule file.
bool WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tosguard-fmt.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

void Run(const FmtArgs& args, CliContext& ctx) {
  int exit_code = kExitOk;
  for (const std::string& path : args.files) {
    std::string text;
    if (path == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      auto read = dsl::ReadRuleFile(path);
      if (!read.ok()) {
        std::cerr << path << ": error: cannot read: " << read.status().message() << "\n";
        exit_code = std::max(exit_code, kExitInput);
        continue;
      }
      text = std::move(read).value();
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    Diagnostics diags;
    auto formatted = dsl::FormatSource(text, name, &diags);
    for (const Diagnostic& d : diags.items()) std::cerr << FormatDiagnostic(d, text);
    if (!formatted) {
      exit_code = std::max(exit_code, kExitFindings);
      continue;
    }
    const bool changed = *formatted != text;
    if (args.check) {
      if (changed) {
        std::cout << name << "\n";
        exit_code = std::max(exit_code, kExitFindings);
      }
    } else if (args.write && path != "-") {
      if (changed && !WriteAtomically(path, *formatted)) {
        std::cerr << path << ": error: cannot write the formatted file\n";
        exit_code = std::max(exit_code, kExitInput);
      }
    } else {
      std::cout << *formatted;
    }
  }
  ctx.exit_code = exit_code;
}

}  // namespace

void AddFmtCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<FmtArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fmt", "Format rule files in the canonical layout (stdout; -w rewrites; --check lists)");
  cmd->add_option("files", args->files, "Rule files, or - for standard input")->required();
  CLI::Option* write = cmd->add_flag("-w,--write", args->write, "Rewrite the files in place");
  cmd->add_flag("--check", args->check,
                "Change nothing; list files that are not formatted and exit 1 if any")
      ->excludes(write);
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
