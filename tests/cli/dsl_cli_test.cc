// End-to-end tests of `tosguard check` and `tosguard fmt`.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/cli/cli_harness.h"

using namespace tosguard::testing;

namespace {

const char* kGood =
    "policy p \"P\" {\n"
    "  version \"v1\" effective 2024-01-01\n"
    "}\n"
    "\n"
    "rule r {\n"
    "  clause p \"1\" since \"v1\"\n"
    "  severity low\n"
    "  window 7d\n"
    "  require accepted(p)\n"
    "  violation when max(signal(\"distill\")) > 0.9\n"
    "}\n";

const char* kBad =
    "rule r {\n"
    "  severity low\n"
    "  window 7d\n"
    "  where modle == \"x\"\n"
    "  violation when max_gap() > 3\n"
    "}\n";

}  // namespace

TEST_CASE("cli check: clean rules exit 0, errors exit 1 with carets", "[cli][dsl]") {
  std::string dir = MakeTempDir("tosguard-check");
  WriteFile(dir + "/good.tos", kGood);
  WriteFile(dir + "/bad.tos", kBad);

  auto ok = RunTosguard({"check", "--detectors", "distill", "good.tos"}, "", dir);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.find("1 file, 1 rule: ok") != std::string::npos);

  auto bad = RunTosguard({"check", "bad.tos"}, "", dir);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("bad.tos:4:9: error: unknown name 'modle' (did you mean 'model'?)\n"
                     "    where modle == \"x\"\n"
                     "          ^") != std::string::npos);
  CHECK(bad.err.find("bad.tos:5:28: error: cannot compare a duration and a number") !=
        std::string::npos);

  auto undeclared = RunTosguard({"check", "--detectors", "template_reuse", "good.tos"}, "", dir);
  CHECK(undeclared.exit_code == 1);
  CHECK(undeclared.err.find("unknown detector 'distill'") != std::string::npos);

  auto json = RunTosguard({"check", "--format", "json", "bad.tos"}, "", dir);
  CHECK(json.exit_code == 1);
  CHECK(json.out.rfind("[{", 0) == 0);
  CHECK(json.out.find("\"line\":4") != std::string::npos);

  auto plan = RunTosguard({"check", "--plan", "--detectors", "distill", "good.tos"}, "", dir);
  CHECK(plan.exit_code == 0);
  CHECK(plan.out.find("require accepted(p) versions [\"v1\"]") != std::string::npos);

  auto missing = RunTosguard({"check", "nope.tos"}, "", dir);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("cannot read 'nope.tos'") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli check: an import cannot read a file outside the pack, by .. or a symbolic link",
          "[cli][dsl][security]") {
  const std::string dir = MakeTempDir("tosguard-check-imports");
  WriteFile(dir + "/secret.txt", "password hunter2\n");
  WriteFile(dir + "/pack/up.tos", std::string("import \"../secret.txt\"\n") + kGood);
  std::filesystem::create_symlink("../secret.txt", dir + "/pack/link.tos");
  WriteFile(dir + "/pack/via_link.tos", std::string("import \"link.tos\"\n") + kGood);
  WriteFile(dir + "/pack/lib/common.tos", "list l = [\"x\"]\n");
  WriteFile(dir + "/pack/fine.tos", std::string("import \"lib/common.tos\"\n") + kGood);

  for (const char* file : {"up.tos", "via_link.tos"}) {
    auto r = RunTosguard({"check", "--detectors", "distill", std::string("pack/") + file}, "", dir);
    INFO(file << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("imports stay inside the folders of the rule files given") != std::string::npos);
    CHECK(r.err.find("hunter2") == std::string::npos);
  }
  auto fine = RunTosguard({"check", "--detectors", "distill", "pack/fine.tos"}, "", dir);
  INFO(fine.err);
  CHECK(fine.exit_code == 0);
  // Given on the command line, the file outside is the user's choice, and is read.
  auto given = RunTosguard({"check", "pack/up.tos", "secret.txt"}, "", dir);
  CHECK(given.exit_code == 1);
  CHECK(given.err.find("imports stay inside") == std::string::npos);
}

TEST_CASE("cli fmt: stdout, --check and --write", "[cli][dsl]") {
  std::string dir = MakeTempDir("tosguard-fmt");
  std::string messy = "rule r{severity low window 7d violation when count()>1}\n";
  std::string canonical =
      "rule r {\n  severity low\n\n  window 7d\n\n  violation when count() > 1\n}\n";
  WriteFile(dir + "/r.tos", messy);

  auto out = RunTosguard({"fmt", "r.tos"}, "", dir);
  CHECK(out.exit_code == 0);
  CHECK(out.out == canonical);
  CHECK(ReadFile(dir + "/r.tos") == messy);

  auto check = RunTosguard({"fmt", "--check", "r.tos"}, "", dir);
  CHECK(check.exit_code == 1);
  CHECK(check.out == "r.tos\n");

  auto write = RunTosguard({"fmt", "-w", "r.tos"}, "", dir);
  CHECK(write.exit_code == 0);
  CHECK(ReadFile(dir + "/r.tos") == canonical);
  CHECK(RunTosguard({"fmt", "--check", "r.tos"}, "", dir).exit_code == 0);

  auto stdin_fmt = RunTosguard({"fmt", "-"}, messy, dir);
  CHECK(stdin_fmt.out == canonical);

  auto broken = RunTosguard({"fmt", "-"}, "rule {", dir);
  CHECK(broken.exit_code == 1);
  CHECK(broken.err.find("<stdin>:1:6: error: expected identifier") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("cli check: --config declares detectors and account attributes", "[cli][dsl]") {
  std::string dir = MakeTempDir("tosguard-check-config");
  WriteFile(dir + "/tosguard.yaml",
            "version: 1\n"
            "accounts:\n  attributes:\n    risk_score: number\n"
            "signals:\n  detectors:\n    - distill\n"
            "sources:\n  - name: events\n    kind: event\n    format: jsonl\n"
            "    paths: [events.jsonl]\n    preset: canonical\n");
  WriteFile(dir + "/r.tos",
            "rule r {\n  severity low\n  window 7d\n  unless account.risk_score < 0.1\n"
            "  violation when max(signal(\"distill\")) > 0.9\n}\n");
  WriteFile(dir + "/typo.tos",
            "rule r {\n  severity low\n  window 7d\n"
            "  violation when max(signal(\"distil\")) > 0.9\n}\n");
  auto ok = RunTosguard({"check", "--config", "tosguard.yaml", "--plan", "r.tos"}, "", dir);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("reads accounts [risk_score]") != std::string::npos);
  auto typo = RunTosguard({"check", "--config", "tosguard.yaml", "typo.tos"}, "", dir);
  CHECK(typo.exit_code == 1);
  CHECK(typo.err.find("unknown detector 'distil' (did you mean 'distill'?)") != std::string::npos);
  // Without the configuration, the attribute is unknown.
  auto bare = RunTosguard({"check", "r.tos"}, "", dir);
  CHECK(bare.exit_code == 1);
  CHECK(bare.err.find("unknown account attribute 'risk_score'") != std::string::npos);
  std::filesystem::remove_all(dir);
}
