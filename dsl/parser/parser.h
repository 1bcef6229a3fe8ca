// Parsing one rule file into the language's own tree (dsl/ast.h); no Spirit types here.
#pragma once

#include <cstdint>

#include "base/diagnostic.h"
#include "dsl/ast.h"
#include "dsl/source.h"

namespace tosguard::dsl {

// Limits that keep hostile input harmless.
inline constexpr std::size_t kMaxFileBytes = 4u << 20;   // 4 MiB per rule file
inline constexpr int kMaxBracketDepth = 64;               // ( [ { nesting
inline constexpr int kMaxExprDepth = 256;                 // operators in one expression tree
inline constexpr std::size_t kMaxParseErrors = 50;        // per file

// Parses file `index` of `sources`. Every syntax error is added to `diags` (parsing
// resumes at the next top-level declaration); the returned File holds the
// declarations that parsed. Never throws; input may be any bytes.
File ParseFile(const SourceSet& sources, std::uint32_t index, Diagnostics* diags);

}  // namespace tosguard::dsl
