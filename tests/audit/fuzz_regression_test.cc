// Replays the report fuzzer's seed corpus and every past crash (audit/fuzz/corpus)
// through the properties the fuzzer asserts (audit/fuzz/properties.h): rendered reports
// carry no markup of their content, finding lines survive a round trip.
#include <catch2/catch.hpp>

#include "audit/fuzz/properties.h"
#include "tests/support/corpus.h"

TEST_CASE("report fuzz corpus: every input keeps the fuzzer's properties", "[report][fuzz]") {
  const auto inputs = tosguard::testing::ReadCorpus(std::filesystem::path(TOSGUARD_SOURCE_DIR) /
                                                    "audit/fuzz/corpus");
  for (const auto& [name, bytes] : inputs) {
    INFO("input " << name);
    CHECK(tosguard::audit::fuzz::CheckProperties(bytes).empty());
  }
  CHECK(inputs.size() >= 6);
}
