// Replays the fuzzer's seed corpus and every past crash (dsl/fuzz/corpus) through the
// same properties the fuzzer asserts: no crash, fmt idempotent, plan unchanged by fmt.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/fuzz/properties.h"

namespace fs = std::filesystem;

TEST_CASE("fuzz corpus: every input keeps the fuzzer's properties", "[dsl][fuzz]") {
  fs::path dir = fs::path(TOSGUARD_SOURCE_DIR) / "dsl" / "fuzz" / "corpus";
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    ++n;
    INFO("input " << e.path().filename().string());
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(tosguard::dsl::fuzz::CheckProperties(ss.str()).empty());
  }
  CHECK(n >= 10);
}
