// Unit tests of the parser: precedence, locations, error recovery, hostile input.
#include <catch2/catch.hpp>

#include "dsl/fmt/fmt.h"
#include "dsl/parser/parser.h"
#include "dsl_test_util.h"

using namespace tosguard;
using namespace tosguard::dsl;
using namespace tosguard::dsl::testing;

namespace {
// Parses `expr` as a define and returns it in canonical form with full parentheses
// made visible through the formatter.
std::string Canon(const std::string& expr, Diagnostics* diags = nullptr) {
  SourceSet s;
  auto i = s.Add("t.tos", "define x = " + expr + "\n");
  Diagnostics local;
  File f = ParseFile(s, i, diags ? diags : &local);
  if (f.defines.empty()) return "<error>";
  return FormatExpr(f.defines[0].value);
}
}  // namespace

TEST_CASE("parser: precedence and associativity", "[dsl][parser]") {
  CHECK(Canon("a or b and c") == "a or b and c");
  CHECK(Canon("(a or b) and c") == "(a or b) and c");
  CHECK(Canon("not a and b") == "not a and b");
  CHECK(Canon("not (a and b)") == "not (a and b)");
  CHECK(Canon("not a == b") == "not a == b");
  CHECK(Canon("a - (b - c)") == "a - (b - c)");
  CHECK(Canon("(a - b) - c") == "a - b - c");
  CHECK(Canon("-a * b") == "-a * b");
  CHECK(Canon("-(a * b)") == "-(a * b)");
  CHECK(Canon("a + b * c") == "a + b * c");
  CHECK(Canon("(a + b) * c") == "(a + b) * c");
  CHECK(Canon("x not in [1, 2,]") == "x not in [1, 2]");
  CHECK(Canon("account.contract has \"x\"") == "account.contract has \"x\"");
  CHECK(Canon("text matches /a\\/b/i") == "text matches /a\\/b/i");
  CHECK(Canon("ts > 2024-01-01T10:00:00Z") == "ts > 2024-01-01T10:00:00Z");
  CHECK(Canon("\"q\\\"\\\\\\n\"") == "\"q\\\"\\\\\\n\"");
}

TEST_CASE("parser: comparisons do not chain", "[dsl][parser]") {
  Diagnostics d;
  Canon("a < b < c", &d);
  REQUIRE(d.HasErrors());
  CHECK(d.items()[0].message.find("comparisons do not chain") != std::string::npos);
}

TEST_CASE("parser: every broken declaration is reported", "[dsl][parser]") {
  auto l = LoadText("rule a {\n  window\n}\nrule b {\n  let = 1\n}\nrul c {}\n");
  CHECK(l.Has("3:1: error: expected duration (e.g. 30d), found '}'"));
  CHECK(l.Has("5:7: error: expected identifier"));
  CHECK(l.Has("7:1: error: expected a declaration (import, policy, list, define or rule), found 'rul' (did you mean 'rule'?)"));
  CHECK(l.diags.ErrorCount() == 3);
}

TEST_CASE("parser: hostile input gives one clear error", "[dsl][parser]") {
  CHECK(LoadText(std::string("rule \0 x", 8)).Has("NUL byte"));
  CHECK(LoadText("rule \xc3\x28 {}").Has("invalid UTF-8"));
  CHECK(LoadText("define x = " + std::string(500, '(') + "1" + std::string(500, ')')).Has("brackets nested more than 64"));
  // A long flat chain is iterative in the parser but too deep as a tree.
  std::string chain = "1";
  for (int i = 0; i < 2000; ++i) chain += " + 1";
  CHECK(LoadText("define x = " + chain + "\n").Has("expression nested more than 256 levels"));
  // A chain far past the cap is cut while it is built: no deep tree to destroy.
  std::string huge = "1";
  for (int i = 0; i < 300000; ++i) huge += "+1";
  CHECK(LoadText("define x = " + huge + "\n").Has("expression nested more than 256 levels"));
  std::string nots;
  for (int i = 0; i < 5000; ++i) nots += "not ";
  CHECK(LoadText("define x = " + nots + "true\n").Has("more than 32 prefix operators"));
  CHECK(LoadText(std::string(kMaxFileBytes + 1, ' ')).Has("file too large"));
  // Many errors: capped, never quadratic.
  std::string junk;
  for (int i = 0; i < 500; ++i) junk += "x\n";
  auto l = LoadText(junk);
  CHECK(l.diags.ErrorCount() <= kMaxParseErrors + 1);
}

TEST_CASE("parser: locations are line and column of the construct", "[dsl][parser]") {
  auto l = LoadText("\n\nrule r {\n  severity low\n  window 1d\n  violation when count() > \"x\"\n}\n");
  REQUIRE(l.diags.items().size() == 1);
  CHECK(l.diags.items()[0].line == 6);
  CHECK(l.diags.items()[0].column == 26);
}
