// The formatter: the one canonical layout of rule files (`tosguard fmt`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostic.h"
#include "dsl/ast.h"

namespace tosguard::dsl {

// An expression in canonical form: single spaces around binary operators and the
// fewest parentheses that keep its meaning.
std::string FormatExpr(const Expr& e);

// A string literal with its quotes and escapes.
std::string QuoteString(std::string_view s);

// The canonical text of a parsed file. Rule items appear in a fixed order (metadata,
// scope and window, applicability, lets, levels, evidence; lets and levels keep their
// relative order); comments are kept, attached to the declaration or item they
// precede (own-line) or follow (end of line).
std::string FormatFile(const File& file, std::string_view source);

// Parses `text` (named `path` in diagnostics) and returns its canonical layout, or
// nullopt with diagnostics when it has syntax errors. Idempotent.
std::optional<std::string> FormatSource(std::string_view text, const std::string& path,
                                        Diagnostics* diags);

}  // namespace tosguard::dsl
