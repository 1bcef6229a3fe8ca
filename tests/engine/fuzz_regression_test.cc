// Replays the ingest fuzzer's seed corpus and every past crash (engine/fuzz/corpus)
// through the properties the fuzzer asserts (engine/fuzz/properties.h): nothing lost,
// digests of the bytes read, the same counts whatever the chunking, errors that name
// the file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/fuzz/properties.h"

namespace fs = std::filesystem;

TEST_CASE("ingest fuzz corpus: every input keeps the fuzzer's properties", "[ingest][fuzz]") {
  const tosguard::engine::fuzz::IngestHarness harness;
  INFO(harness.error());
  REQUIRE(harness.error().empty());
  const fs::path dir = fs::path(TOSGUARD_SOURCE_DIR) / "engine" / "fuzz" / "corpus";
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    ++n;
    INFO("input " << e.path().filename().string());
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(harness.Check(ss.str()).empty());
  }
  CHECK(n >= 14);
}
