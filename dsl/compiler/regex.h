// A rule's `matches` expression, compiled: RE2's partial match behind a literal
// prefilter.
//
// Most texts a distillation rule reads (prompts) do not match, and RE2's automaton
// spends a few cycles on every byte to say so. RE2's FilteredRE2 computes, for an
// expression, literals of which every match contains at least one (a tree of them,
// lowercased). A text that is pure ASCII and contains none of those literals, compared
// without regard to ASCII case, cannot match, and is rejected by a vector scan instead
// of the automaton. Every other text (one of the literals found, a byte outside ASCII,
// an expression without required literals) goes to RE2, so the result is always RE2's.
//
// Why only ASCII texts: FilteredRE2 expects the text lowercased with Unicode case
// folding (under `(?i)` the Kelvin sign matches `k`), which an ASCII comparison does
// not do; a pure-ASCII text's ASCII folding is its Unicode folding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace tosguard::dsl {

class Regex {
 public:
  // Compiles `pattern` with RE2's defaults (UTF-8, case-sensitive unless `(?i)`),
  // errors not logged; ok() says whether it compiled.
  explicit Regex(const std::string& pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  bool ok() const;
  const re2::RE2& re2() const { return *re_; }

  // Whether some part of `text` matches (RE2::PartialMatch).
  bool PartialMatch(std::string_view text) const;

  // The literals an ASCII text must contain one of (lowercased, sorted) for the
  // expression to match; empty when the prefilter is off (no required literal).
  const std::vector<std::string>& literals() const { return literals_; }
  bool prefiltered() const { return prefiltered_; }

  // The prefilter alone: false only when RE2 cannot match `text` (exposed for tests).
  bool MayMatch(std::string_view text) const;

 private:
  // Literals of one length sharing their first and last bytes, found by one scan.
  struct Group {
    std::uint8_t first = 0, last = 0;            // lowercase
    std::uint8_t first_fold = 0, last_fold = 0;  // 0x20 for a letter (folds case), else 0
    std::size_t length = 0;
    std::vector<std::string> literals;
  };
  bool FindAny(const char* text, std::size_t n) const;
  static bool FindGroup(const Group& g, const char* text, std::size_t n);

  std::unique_ptr<re2::RE2> re_;
  bool prefiltered_ = false;
  std::vector<std::string> literals_;
  std::vector<Group> groups_;
};

}  // namespace tosguard::dsl
