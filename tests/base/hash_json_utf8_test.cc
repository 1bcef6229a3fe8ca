// Tests of SHA-256, the JSON writer's escaping, UTF-8 checks and diagnostics.
#include <catch2/catch.hpp>

#include "base/diagnostic.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "base/utf8.h"

using namespace tosguard;

TEST_CASE("SHA-256 known answers (FIPS 180-4)") {
  CHECK(ToHex(Sha256::Of("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ToHex(Sha256::Of("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  CHECK(ToHex(h.Finish()) == ToHex(Sha256::Of("abc")));
  // The instance is reset after Finish.
  CHECK(ToHex(h.Finish()) == ToHex(Sha256::Of("")));
}

TEST_CASE("JSON strings escape hostile content") {
  std::string out;
  AppendJsonString(out, "<script>\x1b[31m\"&\n");
  CHECK(out == R"("\u003cscript\u003e\u001b[31m\"\u0026\n")");
  out.clear();
  AppendJsonString(out, "caf\xC3\xA9 \xFF");
  CHECK(out == "\"caf\xC3\xA9 \\ufffd\"");
  out.clear();
  AppendJsonString(out, "\xE2\x80\xA8");
  CHECK(out == R"("\u2028")");
}

TEST_CASE("JSON writer nests and separates") {
  JsonWriter w;
  w.BeginObject().Key("a").Int(-1).Key("b").BeginArray().Bool(true).Null().Double(0.5).EndArray()
      .Key("c").BeginObject().EndObject().EndObject();
  CHECK(w.str() == R"({"a":-1,"b":[true,null,0.5],"c":{}})");
}

TEST_CASE("UTF-8 validation and safe excerpts") {
  CHECK(IsValidUtf8("plain"));
  CHECK(IsValidUtf8("\xC3\xA9"));
  CHECK_FALSE(IsValidUtf8("\xC3"));
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  CHECK(SafeExcerpt("a\x1b[2Jb", 100) == "a\\x1B[2Jb");
  CHECK(SafeExcerpt("\xFF", 100) == "\xEF\xBF\xBD");
  // Nothing that reorders or hides text on screen: bidi overrides and marks, C1
  // controls, line separators; other non-ASCII text stays as it is.
  CHECK(SafeExcerpt("ab\u202Ecd\u2066\u200F\u061C\u2028", 100) == "ab\\u202Ecd\\u2066\\u200F\\u061C\\u2028");
  CHECK(SafeExcerpt("\xC2\x9B" "31m", 100) == "\\u009B31m");
  CHECK(SafeExcerpt("caf\xC3\xA9 \xE6\x97\xA5", 100) == "caf\xC3\xA9 \xE6\x97\xA5");
  CHECK(SafeExcerpt("a\u202E", 5) == "a\xE2\x80\xA6");  // an escape is never cut
  CHECK(SafeExcerpt("abcdef", 3) == "abc\xE2\x80\xA6");
  // A cut never splits a character.
  CHECK(SafeExcerpt("a\xC3\xA9", 2) == "a\xE2\x80\xA6");
}

TEST_CASE("UTF-8 decoding agrees with validation, character by character") {
  std::size_t size = 0;
  CHECK(DecodeUtf8("A", 0, &size) == U'A');
  CHECK(size == 1);
  CHECK(DecodeUtf8("x\xE2\x80\xAE", 1, &size) == U'\u202E');
  CHECK(size == 3);
  CHECK(DecodeUtf8("\xF0\x9F\x98\x80", 0, &size) == U'\U0001F600');
  CHECK(size == 4);
  for (const char* bad : {"\xC3", "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\x80", "\xFF"}) {
    INFO(bad);
    CHECK_FALSE(DecodeUtf8(bad, 0, &size).has_value());
    CHECK(size == 1);
  }
}

TEST_CASE("diagnostics render with a caret") {
  Diagnostic d{Severity::kError, "r.tos", 2, 5, "unknown field 'modle'"};
  std::string text = FormatDiagnostic(d, "first\nlet modle = 1\n");
  CHECK(text == "r.tos:2:5: error: unknown field 'modle'\n  let modle = 1\n      ^\n");
  CHECK(DiagnosticToJson(d) ==
        R"({"file":"r.tos","line":2,"column":5,"severity":"error","message":"unknown field 'modle'"})");
}
