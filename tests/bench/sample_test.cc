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

// The sample is ours alone: no prompt from the real data sets may appear in it.
TEST_CASE("sample: contains no text of the real prompt data") {
  auto read = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  };
  const fs::path sample = fs::path(TOSGUARD_SOURCE_DIR) / "examples";
  // The sample is made without a prompt directory: the command that regenerates it
  // (the test above checks its bytes) names none, so no outside text can be in it.
  const std::string readme = read(sample / "README.md");
  const std::size_t command = readme.find("tosguard-gen --out examples/data");
  REQUIRE(command != std::string::npos);
  const std::string regenerate = readme.substr(command, readme.find("```", command) - command);
  CHECK(regenerate.find("--prompts-dir") == std::string::npos);

  // Where the real prompt files are, none of their texts is in the sample either.
  const fs::path data = fs::path(TOSGUARD_SOURCE_DIR) / ".." / "shared" / "data";
  if (!fs::exists(data / "oasst_en_100_text.jsonl")) return;
  const std::string events =
      read(sample / "data" / "events.jsonl") + read(sample / "litellm" / "spend_logs.jsonl");
  int checked = 0;
  std::istringstream lines(read(data / "oasst_en_100_text.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    // Each line is a JSON string; its inside, when free of escapes, is the raw text.
    if (line.size() < 40 || line.find('\\') != std::string::npos) continue;
    const std::string text = line.substr(1, line.size() - 2);
    ++checked;
    INFO(text);
    CHECK(events.find(text) == std::string::npos);
  }
  CHECK(checked > 10);
}
