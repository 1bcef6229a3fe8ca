// Loading a rule pack: read files and their imports, parse, check, compile.
//
// This is the dsl module's front door: the CLI and the engine call LoadRules and get
// a compiled Plan plus everything needed to cite the rules (paths, SHA-256, text).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/status.h"
#include "dsl/ast.h"
#include "dsl/checker/checker.h"
#include "dsl/compiler/plan.h"
#include "dsl/source.h"

namespace tosguard::dsl {

struct RuleSet {
  SourceSet sources;        // every file read (named or imported), with its SHA-256
  std::vector<File> files;  // parsed, same order as sources
  Plan plan;                // compiled rules, in declaration order
};

// Reads a file's bytes; NotFound/IoError/ResourceExhausted on failure. Used for
// testing and fuzzing without a file system.
using ReadFileFn = std::function<Result<std::string>(const std::string& path)>;

// Reads `paths` and, transitively, the files they import (`import "x.tos"`, relative
// to the importing file; each file is read once; absolute imports, cycles and imports
// that lead outside the folders of `paths`, through `..` or a symbolic link, are
// errors). Parses, checks and compiles them as one pack. Every problem, including an
// unreadable file, is a diagnostic (warnings too). Returns nullopt when there is at
// least one error. Never throws.
// When `read_files` is given, it receives the files that were read (also on failure),
// so diagnostics can be rendered with their source lines (SourceSet::Render).
std::optional<RuleSet> LoadRules(const std::vector<std::string>& paths, const CheckEnv& env,
                                 Diagnostics* diags, SourceSet* read_files = nullptr);

// The same with a custom reader (no file system access besides `read`; imports are
// kept inside the folders of `paths` by their names alone).
std::optional<RuleSet> LoadRulesWith(const std::vector<std::string>& paths, const CheckEnv& env,
                                     const ReadFileFn& read, Diagnostics* diags,
                                     SourceSet* read_files = nullptr);

// Reads a file for the rule tools: regular files of at most kMaxFileBytes only.
Result<std::string> ReadRuleFile(const std::string& path);

}  // namespace tosguard::dsl
