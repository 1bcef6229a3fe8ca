// Replays the fuzzer's seed corpus and every past crash (dsl/fuzz/corpus) through the
// same properties the fuzzer asserts: no crash, fmt idempotent, plan unchanged by fmt.
#include <catch2/catch.hpp>

#include "dsl/fuzz/properties.h"
#include "tests/support/corpus.h"

TEST_CASE("fuzz corpus: every input keeps the fuzzer's properties", "[dsl][fuzz]") {
  const auto inputs =
      tosguard::testing::ReadCorpus(std::filesystem::path(TOSGUARD_SOURCE_DIR) / "dsl/fuzz/corpus");
  for (const auto& [name, bytes] : inputs) {
    INFO("input " << name);
    CHECK(tosguard::dsl::fuzz::CheckProperties(bytes).empty());
  }
  CHECK(inputs.size() >= 10);
}
