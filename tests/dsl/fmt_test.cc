// Unit tests of the formatter: canonical layout, comments, idempotence.
#include <catch2/catch.hpp>

#include "dsl/fmt/fmt.h"
#include "dsl_test_util.h"

using namespace tosguard;
using namespace tosguard::dsl;

namespace {
std::string Fmt(const std::string& text) {
  Diagnostics d;
  auto out = FormatSource(text, "t.tos", &d);
  return out ? *out : "<error>";
}
}  // namespace

TEST_CASE("fmt: canonical layout and item order", "[dsl][fmt]") {
  std::string messy =
      "rule   r{violation   when count()>1 severity low\n"
      "window 7d  title \"T\"   tags[ a,\"b c\" ] let  x=share( (status==\"e\") )\n"
      "evidence{sample 5 by ts desc show model,   client_ip}}\n"
      "list l=[\"a\",\"b\",]\n";
  std::string want =
      "rule r {\n"
      "  title \"T\"\n"
      "  severity low\n"
      "  tags [a, \"b c\"]\n"
      "\n"
      "  window 7d\n"
      "\n"
      "  let x = share(status == \"e\")\n"
      "\n"
      "  violation when count() > 1\n"
      "\n"
      "  evidence {\n"
      "    sample 5 by ts desc\n"
      "    show model, client_ip\n"
      "  }\n"
      "}\n"
      "\n"
      "list l = [\"a\", \"b\"]\n";
  CHECK(Fmt(messy) == want);
  CHECK(Fmt(want) == want);
}

TEST_CASE("fmt: comments are kept", "[dsl][fmt]") {
  std::string text =
      "// header\n"
      "rule r { // opening\n"
      "  # about severity\n"
      "  severity low   // trailing\n"
      "  window 1d\n"
      "  violation when count() > 1\n"
      "}\n"
      "// the end\n";
  std::string want =
      "// header\n"
      "rule r {  // opening\n"
      "  # about severity\n"
      "  severity low  // trailing\n"
      "\n"
      "  window 1d\n"
      "\n"
      "  violation when count() > 1\n"
      "}\n"
      "\n"
      "// the end\n";
  CHECK(Fmt(text) == want);
  CHECK(Fmt(want) == want);
}

TEST_CASE("fmt: syntax errors give no output", "[dsl][fmt]") {
  Diagnostics d;
  CHECK_FALSE(FormatSource("rule {", "t.tos", &d));
  CHECK(d.HasErrors());
}

TEST_CASE("fmt: a comment ends at a carriage return, as in the grammar", "[dsl][fmt]") {
  // Found by the fuzzer: the formatter kept text after "\r" in the comment, which the
  // parser reads as code.
  std::string text = "define x = 1  // note\r\rdefine y = 2\n";
  std::string once = Fmt(text);
  REQUIRE(once != "<error>");
  CHECK(once.find("define y = 2") != std::string::npos);
  CHECK(Fmt(once) == once);
}
