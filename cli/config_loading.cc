// Configuration loading with diagnostics rendered for a terminal.
#include "cli/config_loading.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

namespace tosguard::cli {

void PrintDiagnostics(const Diagnostics& diags) {
  // Each file is read again only to show the lines its diagnostics point at.
  std::map<std::string, std::string> sources;
  for (const Diagnostic& d : diags.items()) {
    auto [it, inserted] = sources.try_emplace(d.file);
    if (inserted && d.line != 0) {
      std::ifstream in(d.file, std::ios::binary);
      it->second.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::cerr << FormatDiagnostic(d, it->second);
  }
}

std::optional<dsl::RuleSet> LoadRulesOrReport(const std::vector<std::string>& paths,
                                              const dsl::CheckEnv& env) {
  Diagnostics diags;
  dsl::SourceSet sources;
  auto rules = dsl::LoadRules(paths, env, &diags, &sources);
  diags.Sort();  // by file, line and column: related messages read top to bottom
  for (const Diagnostic& d : diags.items()) {
    std::string text = sources.Render(d);
    std::cerr << text;
    if (!text.empty() && text.back() != '\n') std::cerr << '\n';
  }
  return rules;
}

std::optional<engine::IngestConfig> LoadConfigOrReport(const std::string& path) {
  Diagnostics diags;
  auto config = engine::LoadIngestConfig(path, &diags);
  PrintDiagnostics(diags);
  if (!config.ok()) {
    if (diags.empty()) spdlog::error("{}", config.status().message());
    return std::nullopt;
  }
  return std::move(config).value();
}

}  // namespace tosguard::cli
