// Replays the report fuzzer's seed corpus and every past crash (audit/fuzz/corpus)
// through the properties the fuzzer asserts (audit/fuzz/properties.h): rendered reports
// carry no markup of their content, finding lines survive a round trip.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/fuzz/properties.h"

namespace fs = std::filesystem;

TEST_CASE("report fuzz corpus: every input keeps the fuzzer's properties", "[report][fuzz]") {
  const fs::path dir = fs::path(TOSGUARD_SOURCE_DIR) / "audit" / "fuzz" / "corpus";
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    ++n;
    INFO("input " << e.path().filename().string());
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(tosguard::audit::fuzz::CheckProperties(ss.str()).empty());
  }
  CHECK(n >= 6);
}

TEST_CASE("report fuzz properties: foreign markup is caught", "[report][fuzz]") {
  using tosguard::audit::fuzz::ForeignMarkup;
  CHECK(ForeignMarkup("<p>a &lt;script&gt;</p>").empty());
  CHECK(ForeignMarkup("<td class=\"x\">1</td>").empty());
  CHECK(ForeignMarkup("<p><script>x</script></p>") == "<script");
  CHECK(ForeignMarkup("<p onclick=\"x\">") == "<p onclick=\"x\"");
  CHECK(ForeignMarkup("<span title=\"javascript:x\">") == "<span title=\"javascript:x\"");
  CHECK(ForeignMarkup("<p data-on=\"1\">").empty());
}
