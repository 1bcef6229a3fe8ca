// Replays the ingest fuzzer's seed corpus and every past crash (engine/fuzz/corpus)
// through the properties the fuzzer asserts (engine/fuzz/properties.h): nothing lost,
// digests of the bytes read, the same counts whatever the chunking, errors that name
// the file.
#include <catch2/catch.hpp>

#include "engine/fuzz/properties.h"
#include "tests/support/corpus.h"

TEST_CASE("ingest fuzz corpus: every input keeps the fuzzer's properties", "[ingest][fuzz]") {
  const tosguard::engine::fuzz::IngestHarness harness;
  INFO(harness.error());
  REQUIRE(harness.error().empty());
  const auto inputs = tosguard::testing::ReadCorpus(std::filesystem::path(TOSGUARD_SOURCE_DIR) /
                                                    "engine/fuzz/corpus");
  for (const auto& [name, bytes] : inputs) {
    INFO("input " << name);
    CHECK(harness.Check(bytes).empty());
  }
  CHECK(inputs.size() >= 14);
  CHECK(harness.split_checks() >= 5);  // the property of split files is exercised too
}
