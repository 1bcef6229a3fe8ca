// End-to-end tests of `tosguard test`: the shipped packs' fixtures, failures, fixture
// errors and the coverage policy, run as a rule author would.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "tests/cli/cli_harness.h"

using namespace tosguard::testing;

namespace {

// A one-rule pack in a fresh folder; returns the folder.
std::string Pack(const std::string& fixture) {
  const std::string dir = MakeTempDir("tosguard-test-cli");
  WriteFile(dir + "/r.tos", R"(rule r {
  severity low
  scope account
  window 2d
  let requests = count()
  violation when requests >= 3
}
)");
  if (!fixture.empty()) WriteFile(dir + "/r.test.yaml", fixture);
  return dir;
}

const char* kFires = R"(cases:
  - name: three requests fire
    to: 2025-03-02
    events:
      - {repeat: 3, ts: 2025-03-01T08:00:00Z, every: 1h, account_id: a, model: m, status: ok}
    expect:
      - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-02, metrics: {requests: 3}}
)";

}  // namespace

TEST_CASE("test: every shipped pack passes its fixtures and the coverage policy", "[cli][test]") {
  auto r = RunTosguard({"test", "--config", SourceDir() + "/examples/tosguard.yaml", "--require-coverage",
                        SourceDir() + "/rules"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(" 0 failed, 0 todo; coverage complete\n") != std::string::npos);
  // Each of the nine rules has cases, and the summary counts true and false results.
  for (const char* rule : {"distillation_account", "distillation_cluster", "automated_extraction",
                           "rate_limit_circumvention", "api_key_sharing", "unsupported_region_access",
                           "logprob_probing", "ban_evasion", "automated_account_creation"}) {
    INFO(rule);
    CHECK(r.out.find("\n" + std::string(rule) + " ") != std::string::npos);
  }
  auto json = RunTosguard({"test", "--config", SourceDir() + "/examples/tosguard.yaml", "--format", "json",
                           SourceDir() + "/rules/acme"});
  CHECK(json.exit_code == 0);
  CHECK(json.out.rfind(R"({"version":1,"ok":true,"cases":[)", 0) == 0);
}

TEST_CASE("test: a failing case prints the difference and exits 1", "[cli][test]") {
  const std::string wrong = R"(cases:
  - name: expects the wrong last day
    to: 2025-03-03
    events:
      - {repeat: 3, ts: 2025-03-01T08:00:00Z, every: 1h, account_id: a, model: m, status: ok}
    expect:
      - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-03}
)";
  const std::string dir = Pack(wrong);
  auto r = RunTosguard({"test", dir});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("  FAIL  expects the wrong last day  (" + dir + "/r.test.yaml:2)\n") != std::string::npos);
  CHECK(r.out.find("        - expected account:a violation 2025-03-01..2025-03-03\n") != std::string::npos);
  CHECK(r.out.find("        + actual   account:a violation 2025-03-01..2025-03-02 (peak 2025-03-01)\n") !=
        std::string::npos);
  CHECK(r.out.find("1 case: 0 passed, 1 failed, 0 todo\n") != std::string::npos);

  // The same case as a known gap passes the run.
  std::string todo_fixture = wrong;
  todo_fixture.replace(todo_fixture.find("    to:"), 0, "    todo: the window edge is still open\n");
  WriteFile(dir + "/r.test.yaml", todo_fixture);
  auto todo = RunTosguard({"test", dir + "/r.tos"});
  INFO(todo.out << todo.err);
  CHECK(todo.exit_code == 0);
  CHECK(todo.out.find("  todo  expects the wrong last day") != std::string::npos);
}

TEST_CASE("test: fixture mistakes are file:line:col errors and exit 2", "[cli][test]") {
  const std::string dir = Pack(R"(cases:
  - name: bad
    events:
      - {event_id: e, ts: 2025-03-01T00:00:00Z, account_id: a, model: m, status: ok, max_tokens: lots}
    expect: sometimes
)");
  auto r = RunTosguard({"test", dir});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir + "/r.test.yaml:4:") != std::string::npos);
  CHECK(r.err.find("error: 'max_tokens' must be int, not 'lots'") != std::string::npos);
  CHECK(r.err.find(dir + "/r.test.yaml:5:13: error: 'expect' must be a list of findings") != std::string::npos);
  CHECK(r.out.empty());

  // A broken rule file stops the run before any fixture.
  WriteFile(dir + "/r.tos", "rule r {\n  scope galaxy\n}\n");
  auto broken = RunTosguard({"test", dir});
  CHECK(broken.exit_code == 2);
  CHECK(broken.err.find("r.tos:2:") != std::string::npos);

  auto missing = RunTosguard({"test", dir + "/nothing-here"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("does not exist") != std::string::npos);
}

TEST_CASE("test: --require-coverage fails a pack without quiet and window-edge cases", "[cli][test]") {
  const std::string dir = Pack(kFires);
  auto relaxed = RunTosguard({"test", dir});
  INFO(relaxed.out << relaxed.err);
  CHECK(relaxed.exit_code == 0);
  CHECK(relaxed.out.find("coverage (not required):\n  r has no case where it must not fire\n") != std::string::npos);
  auto strict = RunTosguard({"test", "--require-coverage", dir});
  CHECK(strict.exit_code == 1);
  CHECK(strict.out.find("coverage (required):\n") != std::string::npos);
  CHECK(strict.out.find("; coverage incomplete\n") != std::string::npos);

  const std::string bare = Pack("");
  auto none = RunTosguard({"test", "--require-coverage", bare});
  CHECK(none.exit_code == 1);
  CHECK(none.out.find("  r has no fixtures\n") != std::string::npos);
}

TEST_CASE("test: hostile names in fixtures reach the terminal escaped", "[cli][test]") {
  const std::string dir = Pack(std::string(kFires) + R"(  - name: "evil \e[31mred\e[0m <script>"
    events:
      - {repeat: 3, ts: 2025-03-01T08:00:00Z, every: 1h, account_id: "\e]0;pwned\a", model: m, status: ok}
    expect: none
)");
  auto r = RunTosguard({"test", dir});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find('\a') == std::string::npos);
  auto json = RunTosguard({"test", "--format", "json", dir});
  CHECK(json.out.find('\x1b') == std::string::npos);
  CHECK(json.out.find("<script>") == std::string::npos);
}

// docs/authoring.md is runnable: the blocks that start with a `file:` comment are the
// tutorial's files (a "(continued)" block appends to its file), and they do what the
// page says.
TEST_CASE("test: the authoring tutorial's rule and fixtures check and pass with coverage", "[cli][test]") {
  const std::string doc = ReadFile(SourceDir() + "/docs/authoring.md");
  const std::string dir = MakeTempDir("tosguard-tutorial");
  std::map<std::string, std::string> files;
  std::size_t at = 0;
  while ((at = doc.find("\n```", at)) != std::string::npos) {
    const std::size_t body = doc.find('\n', at + 4);
    const std::size_t end = doc.find("\n```", body);
    REQUIRE(end != std::string::npos);
    const std::string block = doc.substr(body + 1, end - body);
    at = end + 4;
    const std::size_t marker = block.find("file: ");
    if (marker == std::string::npos || marker > 3) continue;
    const std::size_t eol = block.find('\n');
    std::string name = block.substr(marker + 6, eol - marker - 6);
    const bool continued = name.find(" (continued)") != std::string::npos;
    name = name.substr(0, name.find(' '));
    files[name] += continued ? block.substr(eol + 1) : block;
  }
  REQUIRE(files.size() == 2);
  for (const auto& [name, text] : files) WriteFile(dir + "/" + name, text);
  CHECK(RunTosguard({"check", dir + "/bulk_export.tos"}).exit_code == 0);
  CHECK(RunTosguard({"fmt", "--check", dir + "/bulk_export.tos"}).exit_code == 0);
  auto r = RunTosguard({"test", "--require-coverage", dir + "/bulk_export.tos"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("5 cases: 5 passed, 0 failed, 0 todo; coverage complete\n") != std::string::npos);
  // The table the page shows is the one the run prints.
  const std::string table = "rule         cases  pass  fail  todo    TP    FP    FN    TN\n"
                            "bulk_export      5     5     0     0     3     0     0     2\n";
  CHECK(r.out.find(table) != std::string::npos);
  CHECK(doc.find(table) != std::string::npos);
}

// Golden cases: tests/golden/test/<case>/ holds a rule folder `rules/` with fixtures and
// `expected.txt`, the exit code, stdout and stderr of `tosguard test rules` run in the
// case's folder. TOSGUARD_UPDATE_GOLDEN=1 rewrites the expected files.
TEST_CASE("test: golden runs of tosguard test", "[cli][test][golden]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(SourceDir()) / "tests/golden/test";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 2);
  const bool update = std::getenv("TOSGUARD_UPDATE_GOLDEN") != nullptr;
  for (const fs::path& dir : cases) {
    auto r = RunTosguard({"test", "rules"}, "", dir.string());
    const std::string actual =
        "exit: " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
    const fs::path expected = dir / "expected.txt";
    if (update) WriteFile(expected.string(), actual);
    INFO(dir.filename().string());
    CHECK(actual == ReadFile(expected.string()));
  }
}
