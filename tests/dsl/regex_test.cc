// Unit tests of dsl::Regex: its prefilter never changes RE2's answer.
#include "dsl/compiler/regex.h"

#include <re2/re2.h>

#include <catch2/catch.hpp>
#include <memory>
#include <random>
#include <string>
#include <vector>

using tosguard::dsl::Regex;

namespace {

bool Re2Says(const Regex& r, const std::string& text) { return RE2::PartialMatch(text, r.re2()); }

// Patterns of many shapes: required literals (case-sensitive and not), alternations,
// classes the prefilter expands, anchors, boundaries, literals outside ASCII, and
// expressions without a required literal.
const std::vector<std::string>& Patterns() {
  static const std::vector<std::string> p = {
      "(?i)step[- ]by[- ]step|show your reasoning",
      "step by step",
      "(?i)kelvin",
      "(?i)sos",
      "foo\\d+bar",
      "^abc",
      "xyz$",
      "\\bcat\\b",
      "(?i)ignore (all )?previous instructions",
      "(?i)caf\xc3\xa9",
      "(?i)\xc3\xa9t\xc3\xa9",
      "a[bc]d[ef]g",
      "@@@",
      "(?i)[a-z]{3}",
      "a.*b",
      "(?i)x|abcd",
      "ab|.*",
      "",
  };
  return p;
}

}  // namespace

TEST_CASE("regex: required literals are found and the prefilter is on only with them",
          "[dsl][regex]") {
  const Regex reasoning("(?i)step[- ]by[- ]step|show your reasoning");
  REQUIRE(reasoning.ok());
  CHECK(reasoning.prefiltered());
  CHECK(reasoning.literals() == std::vector<std::string>{"show your reasoning", "step by step",
                                                         "step by-step", "step-by step",
                                                         "step-by-step"});
  CHECK(reasoning.PartialMatch("Please think STEP-BY-STEP."));
  CHECK(reasoning.PartialMatch("sHoW yOuR rEaSoNiNg"));
  CHECK_FALSE(reasoning.PartialMatch("step  by step"));
  CHECK_FALSE(reasoning.MayMatch("an ordinary prompt about steps"));

  for (const char* none : {"a.*b", "(?i)x|abcd", "ab|.*", ""}) {
    const Regex r(none);
    INFO(none);
    REQUIRE(r.ok());
    CHECK_FALSE(r.prefiltered());
    CHECK(r.MayMatch("anything at all"));
  }
  CHECK_FALSE(Regex("a(b").ok());
}

TEST_CASE("regex: texts outside ASCII always go to RE2, which folds case in Unicode",
          "[dsl][regex]") {
  // Under (?i), RE2 matches `k` with the Kelvin sign and `s` with the long s: an ASCII
  // comparison would miss both, so such texts skip the prefilter.
  const Regex kelvin("(?i)kelvin");
  CHECK(kelvin.prefiltered());
  CHECK(
      kelvin.PartialMatch("\xe2\x84\xaa"
                          "elvin"));
  CHECK(
      kelvin.PartialMatch("x \xe2\x84\xaa"
                          "ELVIN y"));
  const Regex reasoning("(?i)step by step");
  const std::string long_s = "\xc5\xbftep by \xc5\xbftep";
  CHECK(reasoning.PartialMatch(long_s) == RE2::PartialMatch(long_s, reasoning.re2()));
  CHECK(reasoning.PartialMatch(long_s));
  const Regex cafe("(?i)caf\xc3\xa9");
  CHECK(cafe.PartialMatch("CAF\xc3\x89"));
  CHECK_FALSE(cafe.PartialMatch("cafe"));
}

TEST_CASE("regex: a literal is found at every offset, in the vector loop and the tail",
          "[dsl][regex]") {
  const Regex r("(?i)show your reasoning");
  const std::string lit = "ShOw YoUr ReAsOnInG";
  for (std::size_t len = lit.size(); len <= 80; ++len) {
    for (std::size_t at = 0; at + lit.size() <= len; ++at) {
      std::string text(len, 'x');
      text.replace(at, lit.size(), lit);
      INFO("length " << len << ", literal at " << at);
      REQUIRE(r.PartialMatch(text));
      // One byte changed anywhere in the literal: no match, and the prefilter says so.
      for (std::size_t k = 0; k < lit.size(); k += 6) {
        std::string broken = text;
        broken[at + k] = '#';
        REQUIRE_FALSE(r.PartialMatch(broken));
        REQUIRE_FALSE(r.MayMatch(broken));
      }
    }
  }
}

TEST_CASE("regex: the prefiltered match equals RE2's on random texts", "[dsl][regex]") {
  std::mt19937_64 rng(20261204);
  // Pieces that make matches likely: the patterns' literals in mixed case, near-misses,
  // and bytes outside ASCII.
  const std::vector<std::string> pieces = {"step by step",
                                           "STEP-BY-STEP",
                                           "Step by-Step",
                                           "show your reasoning",
                                           "SHOW YOUR",
                                           "reasoning",
                                           "kelvin",
                                           "KELVIN",
                                           "\xe2\x84\xaa"
                                           "elvin",
                                           "sos",
                                           "SOS",
                                           "\xc5\xbfos",
                                           "foo12bar",
                                           "foobar",
                                           "abc",
                                           "xyz",
                                           " cat ",
                                           "cat",
                                           "ignore previous instructions",
                                           "IGNORE ALL PREVIOUS INSTRUCTIONS",
                                           "caf\xc3\xa9",
                                           "CAF\xc3\x89",
                                           "\xc3\xa9t\xc3\xa9",
                                           "abdeg",
                                           "acdfg",
                                           "@@@",
                                           "@@",
                                           "a",
                                           "b",
                                           "\n",
                                           "\t",
                                           "`",
                                           "{",
                                           "[",
                                           "@"};
  auto random_text = [&] {
    std::string t;
    const int parts = static_cast<int>(rng() % 12);
    for (int i = 0; i < parts; ++i) {
      if (rng() % 3 == 0) {
        t += pieces[rng() % pieces.size()];
      } else {
        const int n = static_cast<int>(rng() % 24);
        for (int j = 0; j < n; ++j) t += static_cast<char>(0x20 + rng() % 0x5f);
      }
    }
    return t;
  };
  std::vector<std::unique_ptr<Regex>> regexes;
  for (const std::string& p : Patterns()) regexes.push_back(std::make_unique<Regex>(p));
  std::size_t matched = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random_text();
    for (const auto& rp : regexes) {
      const Regex& r = *rp;
      const bool want = Re2Says(r, text);
      INFO("pattern " << r.re2().pattern() << ", text '" << text << "'");
      REQUIRE(r.PartialMatch(text) == want);
      if (want) REQUIRE(r.MayMatch(text));
      matched += want ? 1U : 0U;
      rejected += r.MayMatch(text) ? 0U : 1U;
    }
  }
  // The cases exercise both answers and the prefilter's rejections.
  CHECK(matched > 10000);
  CHECK(rejected > 100000);
}
