#include "dsl/compiler/regex.h"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstring>

namespace tosguard::dsl {

namespace {

// RE2's own literal floor: shorter required literals are not worth a scan.
constexpr int kMinLiteral = 3;

bool IsAscii(const char* p, std::size_t n) {
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < n; ++i) acc |= static_cast<std::uint8_t>(p[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

bool IsLetter(std::uint8_t c) { return c >= 'a' && c <= 'z'; }

std::uint8_t Lower(std::uint8_t c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

// Whether `lit` (lowercase ASCII) is at `p`, ignoring ASCII case.
bool LiteralAt(const char* p, const std::string& lit) {
  for (std::size_t j = 0; j < lit.size(); ++j) {
    if (Lower(static_cast<std::uint8_t>(p[j])) != static_cast<std::uint8_t>(lit[j])) return false;
  }
  return true;
}

using Bytes = std::uint8_t __attribute__((vector_size(16)));

}  // namespace

Regex::Regex(const std::string& pattern) {
  RE2::Options opts;
  opts.set_log_errors(false);
  re_ = std::make_unique<RE2>(pattern, opts);
  if (!re_->ok()) return;

  re2::FilteredRE2 filter(kMinLiteral);
  int id = 0;
  if (filter.Add(pattern, opts, &id) != RE2::NoError) return;
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  // Passing with no literal found means the expression has no required literal (or a
  // branch without one): no prefilter.
  std::vector<int> passing;
  filter.AllPotentials({}, &passing);
  if (!passing.empty()) return;
  prefiltered_ = true;
  for (const std::string& a : atoms) {
    // A literal outside ASCII cannot occur in a text the prefilter looks at.
    if (a.empty() || !IsAscii(a.data(), a.size())) continue;
    std::string lit = a;
    for (char& c : lit) c = static_cast<char>(Lower(static_cast<std::uint8_t>(c)));
    literals_.push_back(std::move(lit));
  }
  std::sort(literals_.begin(), literals_.end());
  literals_.erase(std::unique(literals_.begin(), literals_.end()), literals_.end());
  for (const std::string& lit : literals_) {
    const auto first = static_cast<std::uint8_t>(lit.front());
    const auto last = static_cast<std::uint8_t>(lit.back());
    auto g = std::find_if(groups_.begin(), groups_.end(), [&](const Group& x) {
      return x.first == first && x.last == last && x.length == lit.size();
    });
    if (g == groups_.end()) {
      Group ng;
      ng.first = first;
      ng.last = last;
      ng.first_fold = IsLetter(first) ? 0x20 : 0;
      ng.last_fold = IsLetter(last) ? 0x20 : 0;
      ng.length = lit.size();
      groups_.push_back(std::move(ng));
      g = groups_.end() - 1;
    }
    g->literals.push_back(lit);
  }
}

Regex::~Regex() = default;

bool Regex::ok() const { return re_->ok(); }

bool Regex::MayMatch(std::string_view text) const {
  if (!prefiltered_ || !IsAscii(text.data(), text.size())) return true;
  return FindAny(text.data(), text.size());
}

bool Regex::PartialMatch(std::string_view text) const {
  if (!MayMatch(text)) return false;
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::FindAny(const char* text, std::size_t n) const {
  for (const Group& g : groups_) {
    if (FindGroup(g, text, n)) return true;
  }
  return false;
}

// Compares 16 starting positions at once on their first and last bytes (folded with
// `| 0x20` where the literal's byte is a letter: only that letter and its capital map
// to it), then checks the candidates byte by byte.
bool Regex::FindGroup(const Group& g, const char* text, std::size_t n) {
  if (n < g.length) return false;
  const std::size_t starts = n - g.length + 1;  // positions 0 .. starts - 1
  const std::size_t back = g.length - 1;
  auto hit = [&](std::size_t at) {
    for (const std::string& lit : g.literals) {
      if (LiteralAt(text + at, lit)) return true;
    }
    return false;
  };
  std::size_t i = 0;
  if (starts >= 16) {
    const Bytes first = Bytes{} + g.first, last = Bytes{} + g.last;
    const Bytes first_fold = Bytes{} + g.first_fold, last_fold = Bytes{} + g.last_fold;
    for (; i + 16 <= starts; i += 16) {
      Bytes a, b;
      std::memcpy(&a, text + i, 16);
      std::memcpy(&b, text + i + back, 16);
      const auto eq = ((a | first_fold) == first) & ((b | last_fold) == last);
      std::uint64_t w[2];
      std::memcpy(w, &eq, 16);
      if ((w[0] | w[1]) == 0) continue;
      for (std::size_t k = 0; k < 16; ++k) {
        if (eq[k] != 0 && hit(i + k)) return true;
      }
    }
  }
  for (; i < starts; ++i) {
    const auto a = static_cast<std::uint8_t>(text[i]);
    const auto b = static_cast<std::uint8_t>(text[i + back]);
    if ((a | g.first_fold) == g.first && (b | g.last_fold) == g.last && hit(i)) return true;
  }
  return false;
}

}  // namespace tosguard::dsl
