// The properties every rule file must keep, checked by the fuzzer and by the replay of
// its corpus in the test suite: no crash, fmt idempotent, a pack that loads compiles
// to the same plan after formatting.
#pragma once

#include <string>

#include "dsl/fmt/fmt.h"
#include "dsl/loader.h"

namespace tosguard::dsl::fuzz {

// Loads `text` as the only file of a pack, with any detector name allowed.
inline std::optional<RuleSet> LoadText(const std::string& text, Diagnostics* diags) {
  CheckEnv env;
  env.any_detector = true;
  ReadFileFn read = [&](const std::string& path) -> Result<std::string> {
    if (path == "main.tos") return text;
    return Status::NotFound("no such file");
  };
  return LoadRulesWith({"main.tos"}, env, read, diags);
}

// Runs `text` through load, diagnostics rendering, plan dump and fmt. Returns "" when
// every property holds, else which one failed.
inline std::string CheckProperties(const std::string& text) {
  Diagnostics diags;
  auto loaded = LoadText(text, &diags);
  if (loaded) (void)DumpPlan(loaded->plan);
  for (const auto& d : diags.items()) (void)FormatDiagnostic(d, text);
  Diagnostics fd;
  auto once = FormatSource(text, "main.tos", &fd);
  if (!once) return "";
  Diagnostics fd2;
  auto twice = FormatSource(*once, "main.tos", &fd2);
  if (!twice || *twice != *once) return "fmt is not idempotent";
  if (loaded) {
    Diagnostics d2;
    auto reloaded = LoadText(*once, &d2);
    if (!reloaded) return "the formatted pack does not load";
    if (DumpPlan(reloaded->plan) != DumpPlan(loaded->plan)) return "fmt changed the plan";
  }
  return "";
}

}  // namespace tosguard::dsl::fuzz
