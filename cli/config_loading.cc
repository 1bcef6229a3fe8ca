// Configuration loading with diagnostics rendered for a terminal.
#include "cli/config_loading.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include "base/diagnostic.h"

namespace tosguard::cli {

std::optional<engine::IngestConfig> LoadConfigOrReport(const std::string& path) {
  Diagnostics diags;
  auto config = engine::LoadIngestConfig(path, &diags);
  if (!diags.empty()) {
    // Read again only to show the lines the diagnostics point at.
    std::ifstream in(path, std::ios::binary);
    const std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const Diagnostic& d : diags.items()) std::cerr << FormatDiagnostic(d, source);
  }
  if (!config.ok()) {
    if (diags.empty()) spdlog::error("{}", config.status().message());
    return std::nullopt;
  }
  return std::move(config).value();
}

}  // namespace tosguard::cli
