// Replays the fuzzer's seed corpus and every past crash (dsl/fuzz/corpus) through the
// same properties the fuzzer asserts: no crash, fmt idempotent, plan unchanged by fmt.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/fmt/fmt.h"
#include "dsl/loader.h"

namespace {

namespace fs = std::filesystem;
using namespace tosguard;
using namespace tosguard::dsl;

std::optional<RuleSet> Load(const std::string& text, Diagnostics* diags) {
  CheckEnv env;
  env.any_detector = true;
  ReadFileFn read = [&](const std::string& path) -> Result<std::string> {
    if (path == "main.tos") return text;
    return Status::NotFound("no such file");
  };
  return LoadRulesWith({"main.tos"}, env, read, diags);
}

}  // namespace

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
    std::string text = ss.str();
    Diagnostics diags;
    auto loaded = Load(text, &diags);
    for (const auto& d : diags.items()) (void)FormatDiagnostic(d, text);
    Diagnostics fd;
    auto once = FormatSource(text, "main.tos", &fd);
    if (!once) continue;
    Diagnostics fd2;
    auto twice = FormatSource(*once, "main.tos", &fd2);
    REQUIRE(twice);
    CHECK(*twice == *once);
    if (loaded) {
      Diagnostics d2;
      auto reloaded = Load(*once, &d2);
      REQUIRE(reloaded);
      CHECK(DumpPlan(reloaded->plan) == DumpPlan(loaded->plan));
    }
  }
  CHECK(n >= 10);
}
