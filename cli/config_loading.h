// Loading tosguard.yaml for a subcommand, reporting every problem the same way.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "dsl/loader.h"
#include "engine/ingest/config.h"

namespace tosguard::cli {

// Loads the configuration at `path`. Diagnostics go to stderr with the source line and
// a caret; a file that cannot be read is logged as an error. Returns nullopt on any
// problem (the caller exits with kExitUsage).
// Prints diagnostics of YAML files (configurations, waivers, fixtures) to stderr, each
// with the source line it points at and a caret.
void PrintDiagnostics(const Diagnostics& diags);

// Loads a rule pack; its diagnostics (warnings too) go to stderr by position, each with
// its source line and a caret. nullopt when the pack has errors.
std::optional<dsl::RuleSet> LoadRulesOrReport(const std::vector<std::string>& paths,
                                              const dsl::CheckEnv& env);

std::optional<engine::IngestConfig> LoadConfigOrReport(const std::string& path);

}  // namespace tosguard::cli
