// Determinism of the evaluator: the same inputs split over several files, listed in
// shuffled order, ingested with different chunk sizes and with 1 or 2 threads, and
// evaluated with 1 or 2 threads give byte-identical findings (the concatenated
// canonical JSON of every finding).
#include <catch2/catch.hpp>

#include "engine/eval/evaluate.h"
#include "tests/engine/eval_reference.h"

using namespace tosguard;
using namespace tosguard::engine;
namespace ref = tosguard::engine::reference;

namespace {

struct Variant {
  ref::LoadOptions load;
  unsigned eval_threads = 1;
  std::string Name() const {
    return std::to_string(load.event_files) + " files, shuffle " + std::to_string(load.shuffle_seed) +
           ", chunk " + std::to_string(load.chunk_bytes) + " B, ingest threads " +
           std::to_string(load.threads) + ", eval threads " + std::to_string(eval_threads);
  }
};

// The findings of `c` under `v` as one string, or an error message starting with "!".
// With `without_sources`, the evidence's source references (file, its SHA-256, line,
// offset, length) are left out: they name the file layout, which differs on purpose.
std::string Output(const ref::RandomCase& c, const Variant& v, bool without_sources,
                   std::size_t* findings) {
  const ref::LoadedCase l = ref::LoadCase(c, v.load);
  if (!l.error.empty()) return "!" + l.error;
  EvalOptions o;
  o.threads = v.eval_threads;
  o.hash_evidence_lines = true;  // the files exist: cite the lines as a scan does
  o.waivers = c.waivers;
  o.from_day = c.from_day;
  o.to_day = c.to_day;
  auto r = Evaluate(l.rules->plan, l.ingest.data, l.config, o);
  if (!r.ok()) return "!" + r.status().ToString();
  std::string out;
  for (Finding f : r->findings) {
    if (without_sources) {
      for (EvidenceItem& e : f.evidence) {
        e.file.clear();
        e.file_sha256.clear();
        e.ref = SourceRef{};
      }
    }
    out += FindingJson(f) + "\n";
  }
  *findings = r->findings.size();
  return out;
}

// "" when equal, else where `a` and `b` first differ, with some context of both.
std::string FirstDifference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::size_t from = i < 120 ? 0 : i - 120;
  return "at byte " + std::to_string(i) + ":\n  expected ..." + a.substr(from, 240) +
         "\n  got      ..." + b.substr(from, 240);
}

}  // namespace

TEST_CASE("eval: findings are byte-identical for any file order, chunk size and thread count") {
  // The same four event files, listed in different orders, cut into different chunks,
  // ingested and evaluated with one or two threads: the same bytes.
  const Variant base{{4, 0, 4 << 20, 1}, 1};
  const std::vector<Variant> same_files = {
      {{4, 7, 4 << 20, 1}, 2},
      {{4, 11, 256, 2}, 1},
      {{4, 5, 1, 2}, 2},  // one line per chunk
      {{4, 3, 4096, 1}, 2},
  };
  // The same events in one or three files: the same findings but for where they cite.
  const std::vector<Variant> other_files = {
      {{1, 0, 4 << 20, 2}, 2},
      {{3, 9, 512, 2}, 1},
  };
  std::size_t total = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const ref::RandomCase c = ref::GenerateCase(1000 + seed, 4);
    INFO("seed " << 1000 + seed << "\n" << c.pack);
    std::size_t findings = 0;
    const std::string expected = Output(c, base, false, &findings);
    REQUIRE(expected.substr(0, 1) != "!");
    total += findings;
    for (const Variant& v : same_files) {
      INFO(v.Name());
      std::size_t n = 0;
      const std::string got = Output(c, v, false, &n);
      REQUIRE(got.substr(0, 1) != "!");
      CHECK(FirstDifference(expected, got) == "");
    }
    const std::string expected_elsewhere = Output(c, base, true, &findings);
    for (const Variant& v : other_files) {
      INFO(v.Name() << " (evidence sources left out)");
      std::size_t n = 0;
      const std::string got = Output(c, v, true, &n);
      REQUIRE(got.substr(0, 1) != "!");
      CHECK(FirstDifference(expected_elsewhere, got) == "");
    }
  }
  CHECK(total > 0);  // the cases do produce findings to compare
}

TEST_CASE("eval: progress reports every count of rules done, in order, whatever the timing") {
  // Rules finishing on two threads faster than the caller wakes must not skip a count:
  // a display shows 1/n, 2/n, ... n/n on every run.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const ref::RandomCase c = ref::GenerateCase(2000 + seed, 4);
    const ref::LoadedCase l = ref::LoadCase(c, {1, 0, 4 << 20, 1});
    REQUIRE(l.error.empty());
    const std::size_t n = l.rules->plan.rules.size();
    REQUIRE(n >= 2);
    std::vector<std::size_t> seen;
    EvalOptions o;
    o.threads = 2;
    o.hash_evidence_lines = false;
    o.from_day = c.from_day;
    o.to_day = c.to_day;
    o.progress = [&](std::size_t done, std::size_t total) {
      CHECK(total == n);
      seen.push_back(done);
    };
    REQUIRE(Evaluate(l.rules->plan, l.ingest.data, l.config, o).ok());
    std::vector<std::size_t> expected(n);
    for (std::size_t i = 0; i < n; ++i) expected[i] = i + 1;
    CHECK(seen == expected);
  }
}
