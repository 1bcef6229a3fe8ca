// Golden cases for the rule language: tests/golden/dsl/<case>/main.tos -> expected.txt.
//
// A case folder holds main.tos (and any files it imports), optionally detectors.txt
// (one declared detector name per line), and expected.txt: the rendered diagnostics
// followed by the plan dump when the pack loads. Run with TOSGUARD_UPDATE_GOLDEN=1 to
// rewrite expected.txt after an intended change, and review the diff.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/fmt/fmt.h"
#include "dsl/loader.h"

namespace {

namespace fs = std::filesystem;
using namespace tosguard;
using namespace tosguard::dsl;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path GoldenRoot() { return fs::path(TOSGUARD_SOURCE_DIR) / "tests" / "golden" / "dsl"; }

// Loads a case with reads confined to its folder.
std::string RunCase(const fs::path& dir, std::optional<RuleSet>* loaded = nullptr) {
  CheckEnv env;
  if (fs::exists(dir / "detectors.txt")) {
    std::istringstream in(Slurp(dir / "detectors.txt"));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) env.detectors.push_back(line);
    }
  }
  ReadFileFn read = [&](const std::string& path) -> Result<std::string> {
    fs::path p = dir / path;
    if (!fs::exists(p)) return Status::NotFound("no such file");
    return Slurp(p);
  };
  Diagnostics diags;
  auto rs = LoadRulesWith({"main.tos"}, env, read, &diags);
  std::string out;
  for (const auto& d : diags.items()) {
    std::string src;
    if (!d.file.empty() && fs::exists(dir / d.file)) src = Slurp(dir / d.file);
    out += FormatDiagnostic(d, src);
    if (out.empty() || out.back() != '\n') out += '\n';
  }
  if (rs) {
    out += "== plan ==\n" + DumpPlan(rs->plan);
  }
  if (loaded) *loaded = std::move(rs);
  return out;
}

std::vector<fs::path> Cases() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(GoldenRoot())) {
    if (e.is_directory() && fs::exists(e.path() / "main.tos")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("golden: every case matches expected.txt", "[golden]") {
  bool update = std::getenv("TOSGUARD_UPDATE_GOLDEN") != nullptr;
  auto cases = Cases();
  REQUIRE(!cases.empty());
  for (const auto& dir : cases) {
    INFO("case " << dir.filename().string());
    std::string got = RunCase(dir);
    fs::path expected = dir / "expected.txt";
    if (update) {
      std::ofstream(expected, std::ios::binary) << got;
      continue;
    }
    REQUIRE(fs::exists(expected));
    CHECK(got == Slurp(expected));
  }
}

TEST_CASE("golden: fmt is idempotent and meaning-preserving on every case", "[golden][fmt]") {
  for (const auto& dir : Cases()) {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".tos") continue;
      INFO("file " << e.path().string());
      std::string text = Slurp(e.path());
      Diagnostics d1;
      auto once = FormatSource(text, e.path().filename().string(), &d1);
      if (!once) continue;  // cases with syntax errors
      Diagnostics d2;
      auto twice = FormatSource(*once, e.path().filename().string(), &d2);
      REQUIRE(twice);
      CHECK(*twice == *once);
    }
    // The formatted pack compiles to the same plan.
    std::optional<RuleSet> original;
    RunCase(dir, &original);
    if (!original) continue;
    fs::path tmp = fs::temp_directory_path() / ("tosguard_fmt_" + dir.filename().string());
    fs::remove_all(tmp);
    fs::create_directories(tmp);
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".tos") {
        if (e.path().filename() == "detectors.txt") fs::copy_file(e.path(), tmp / "detectors.txt");
        continue;
      }
      Diagnostics d;
      auto f = FormatSource(Slurp(e.path()), e.path().filename().string(), &d);
      REQUIRE(f);
      std::ofstream(tmp / e.path().filename(), std::ios::binary) << *f;
    }
    std::optional<RuleSet> formatted;
    RunCase(tmp, &formatted);
    REQUIRE(formatted);
    CHECK(DumpPlan(formatted->plan) == DumpPlan(original->plan));
    fs::remove_all(tmp);
  }
}
