// Helpers for the rule language's unit tests: load a pack from text, render diagnostics.
#pragma once

#include <map>
#include <string>

#include "dsl/loader.h"

namespace tosguard::dsl::testing {

struct Loaded {
  std::optional<RuleSet> rules;
  Diagnostics diags;
  // Every diagnostic as "line:col: severity: message", one per line.
  std::string Text() const {
    std::string out;
    for (const auto& d : diags.items()) {
      out += std::to_string(d.line) + ":" + std::to_string(d.column) + ": " +
             std::string(SeverityName(d.severity)) + ": " + d.message + "\n";
    }
    return out;
  }
  bool Has(const std::string& fragment) const { return Text().find(fragment) != std::string::npos; }
};

// Loads `files` (name -> text); the first entry named "main.tos" is the root.
inline Loaded LoadText(const std::map<std::string, std::string>& files, CheckEnv env = {}) {
  Loaded out;
  ReadFileFn read = [&](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound("no such file");
    return it->second;
  };
  out.rules = LoadRulesWith({"main.tos"}, env, read, &out.diags);
  return out;
}

inline Loaded LoadText(const std::string& main, CheckEnv env = {}) {
  return LoadText(std::map<std::string, std::string>{{"main.tos", main}}, std::move(env));
}

// A rule with the given body lines added to a minimal valid rule.
inline std::string RuleWith(const std::string& body) {
  return "rule r {\n  severity low\n  window 7d\n" + body + "\n}\n";
}

}  // namespace tosguard::dsl::testing
