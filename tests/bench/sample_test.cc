// The bundled sample (examples/data) is exactly what its documented command generates.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/sha256.h"
#include "base/time.h"
#include "bench/gen/generator.h"

using namespace tosguard;
namespace fs = std::filesystem;

namespace {

std::string FileDigest(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return ToHex(Sha256::Of(s.str()));
}

}  // namespace

// Keep in step with the command in examples/README.md:
//   tosguard-gen --out examples/data --seed 20250510 --start 2025-05-10 --days 45
//                --accounts 300 --events 5800
TEST_CASE("sample: examples/data regenerates byte for byte") {
  const fs::path sample = fs::path(TOSGUARD_SOURCE_DIR) / "examples" / "data";
  const fs::path out =
      fs::temp_directory_path() / ("tosguard-sample-" + std::to_string(::getpid()));
  fs::remove_all(out);
  gen::GeneratorOptions o;
  o.out_dir = out.string();
  o.seed = 20250510;
  o.start = *ParseDate("2025-05-10");
  o.days = 45;
  o.accounts = 300;
  o.events = 5800;
  o.threads = 2;
  auto result = gen::Generate(o);
  REQUIRE(result.ok());
  for (const char* name :
       {"accounts.jsonl", "acceptances.jsonl", "events.jsonl", "signals.jsonl"}) {
    INFO(name << ": regenerate with the command in examples/README.md if the generator "
                 "changed on purpose");
    CHECK(FileDigest(out / name) == FileDigest(sample / name));
  }
  fs::remove_all(out);
}
