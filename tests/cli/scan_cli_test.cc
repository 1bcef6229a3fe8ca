// End-to-end tests of `tosguard scan` and `tosguard explain`, run as a user would.
#include <catch2/catch.hpp>

#include <glob.h>

#include <cstdio>

#include <sstream>

#include "tests/cli/cli_harness.h"

using namespace tosguard::testing;

namespace {

std::vector<std::string> AcmeRules() {
  glob_t g{};
  const std::string pattern = SourceDir() + "/rules/acme/*.tos";
  ::glob(pattern.c_str(), 0, nullptr, &g);
  std::vector<std::string> out(g.gl_pathv, g.gl_pathv + g.gl_pathc);
  globfree(&g);
  return out;
}

// `tosguard scan` (or explain) over the bundled sample and the shipped pack; the
// quarantine goes to a temporary directory, not into the source tree.
CommandResult OnSample(const std::string& sub, std::vector<std::string> extra) {
  std::vector<std::string> args = {sub, "-c", SourceDir() + "/examples/tosguard.yaml", "--quarantine",
                                   MakeTempDir("tosguard-scan") + "/q.jsonl", "-r"};
  for (const std::string& r : AcmeRules()) args.push_back(r);
  for (std::string& e : extra) args.push_back(std::move(e));
  if (sub == "scan") args.push_back("--no-store");  // the sample's store is scripts/sample.sh's
  return RunTosguard(args);
}

std::size_t Lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) {
    if (c == '\n') ++n;
  }
  return n;
}

const char* kConfig = R"(version: 1
linking:
  identifiers: [account.payment_fingerprint]
sources:
  - {name: accounts, kind: account, paths: accounts.jsonl, preset: canonical}
  - {name: events, kind: event, paths: events.jsonl, preset: canonical}
)";

const char* kRule = R"(rule busy {
  severity low
  window 1d
  let n = count()
  violation when n >= 2
  evidence {
    show model
  }
}
)";

std::string Event(const std::string& id, const std::string& account, const std::string& ts,
                  const std::string& model = "m1") {
  return R"({"event_id":")" + id + R"(","ts":")" + ts + R"(","account_id":")" + account +
         R"(","model":")" + model + R"(","status":"success"})" + "\n";
}

// A small case in a temporary directory: a configuration, accounts, events and a rule.
std::string MakeCase(const std::string& events, const std::string& rule = kRule) {
  const std::string dir = MakeTempDir("tosguard-scan");
  WriteFile(dir + "/tosguard.yaml", kConfig);
  WriteFile(dir + "/accounts.jsonl",
            "{\"account_id\":\"a1\",\"payment_fingerprint\":\"pf-1\"}\n"
            "{\"account_id\":\"a2\",\"payment_fingerprint\":\"pf-1\"}\n");
  WriteFile(dir + "/events.jsonl", events);
  WriteFile(dir + "/rules.tos", rule);
  return dir;
}

}  // namespace

TEST_CASE("scan: the bundled sample's planted campaigns are found, and --out holds every finding") {
  const std::string out = MakeTempDir("tosguard-scan") + "/findings.jsonl";
  CommandResult r = OnSample("scan", {"--out", out, "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // One campaign of each kind (examples/README.md), by the scope its rule looks at.
  for (const char* scope : {"cluster:acct-000197", "cluster:acct-000236", "cluster:acct-000265", "account:acct-000234",
                            "account:acct-000172", "org:org-6d20a031"}) {
    INFO(scope);
    CHECK(r.out.find(scope) != std::string::npos);
  }
  // Heavy legitimate users are not findings of the distillation rules.
  CHECK(r.out.find("account:acct-000043") == std::string::npos);
  CHECK(r.out.find("account:acct-000068") == std::string::npos);
  const std::string jsonl = ReadFile(out);
  std::size_t findings = 0;
  std::istringstream table(r.out);
  for (std::string line; std::getline(table, line);) if (line.rfind("F-", 0) == 0) ++findings;
  CHECK(findings > 10);
  CHECK(Lines(jsonl) == findings);
  CHECK(jsonl.rfind("{\"id\":\"F-", 0) == 0);
  CHECK(jsonl.find("\"line_sha256\":\"") != std::string::npos);
  CHECK(jsonl.find("\"file\":\"data/events.jsonl\"") != std::string::npos);  // relative, not a machine path
  CHECK(r.err.find("\r[") == std::string::npos);  // no progress display when stderr is not a terminal
}

TEST_CASE("scan: one thread or two, table or json, the findings are the same bytes") {
  const std::string dir = MakeTempDir("tosguard-scan");
  CommandResult one = OnSample("scan", {"--threads", "1", "-q", "--out", dir + "/1.jsonl"});
  CommandResult two = OnSample("scan", {"--threads", "2", "-q", "--out", dir + "/2.jsonl", "--format", "json"});
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  CHECK(ReadFile(dir + "/1.jsonl") == ReadFile(dir + "/2.jsonl"));
  CHECK(two.out.rfind("{\"summary\":{\"events\":5795,", 0) == 0);
  CHECK(two.out.find("\"findings\":[") != std::string::npos);
}

TEST_CASE("scan: the debug log times the evaluation indexes and each rule") {
  const std::string dir = MakeTempDir("tosguard-scan");
  auto scan = [&](std::vector<std::string> args, const std::string& quarantine) {
    for (const std::string& a :
         {std::string("scan"), std::string("-c"), SourceDir() + "/examples/tosguard.yaml",
          std::string("--quarantine"), dir + "/" + quarantine, std::string("--no-store"),
          std::string("-q"), std::string("--format"), std::string("json"), std::string("-r"),
          SourceDir() + "/rules/acme/api_key_sharing.tos", SourceDir() + "/rules/acme/ban_evasion.tos"})
      args.push_back(a);
    return RunTosguard(args);
  };
  CommandResult r = scan({"--log-level", "debug"}, "q.jsonl");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("debug: evaluation indexes built in ") != std::string::npos);
  for (const char* rule : {"api_key_sharing", "ban_evasion"}) {
    INFO(rule << "\n" << r.err);
    CHECK(r.err.find(std::string("debug: rule ") + rule + " evaluated in ") != std::string::npos);
  }
  // The durations stay out of the results: stdout is the same bytes at the default level.
  CommandResult quiet = scan({}, "q2.jsonl");
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.out == r.out);
  CHECK(quiet.err.find("evaluated in") == std::string::npos);
}

TEST_CASE("scan: --from and --to bound the evaluation points") {
  const std::string dir = MakeCase(Event("e1", "a1", "2025-06-01T10:00:00Z") + Event("e2", "a1", "2025-06-01T11:00:00Z") +
                                   Event("e3", "a1", "2025-06-03T10:00:00Z") + Event("e4", "a1", "2025-06-03T11:00:00Z"));
  CommandResult all = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--format", "json"});
  REQUIRE(all.exit_code == 0);
  CHECK(all.out.find("\"first_day\":\"2025-06-01\"") != std::string::npos);
  CHECK(all.out.find("\"first_day\":\"2025-06-03\"") != std::string::npos);
  CommandResult later = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--format",
                                     "json", "--from", "2025-06-02", "--to", "2025-06-03"});
  REQUIRE(later.exit_code == 0);
  CHECK(later.out.find("\"first_day\":\"2025-06-01\"") == std::string::npos);
  CHECK(later.out.find("\"first_day\":\"2025-06-03\"") != std::string::npos);
  CommandResult reversed = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--from",
                                        "2025-06-03", "--to", "2025-06-01"});
  CHECK(reversed.exit_code == 2);
  CHECK(reversed.err.find("before it starts") != std::string::npos);
  CommandResult bad = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--from", "June"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--from takes a date") != std::string::npos);
}

TEST_CASE("scan: broken rules, waivers and configurations name the file, line and reason") {
  const std::string dir = MakeCase(Event("e1", "a1", "2025-06-01T10:00:00Z"));
  WriteFile(dir + "/broken.tos", "rule busy {\n  severity low\n  window 1d\n  violation when count( >= 2\n}\n");
  CommandResult rules = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/broken.tos"});
  CHECK(rules.exit_code == 2);
  CHECK(rules.err.find("broken.tos:4:") != std::string::npos);
  CHECK(rules.err.find("nothing was evaluated") != std::string::npos);

  WriteFile(dir + "/waivers.yaml", "waivers:\n  - id: W-1\n    rule: busy\n    scope: acct:a1\n    approver: x\n"
                                   "    basis: y\n    from: 2025-06-01\n");
  CommandResult waivers =
      RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--waivers", dir + "/waivers.yaml"});
  CHECK(waivers.exit_code == 2);
  CHECK(waivers.err.find("waivers.yaml:4:12: error: 'scope' must be KIND:VALUE") != std::string::npos);

  WriteFile(dir + "/bad.yaml", std::string(kConfig) + "linking2: {}\n");
  CommandResult config = RunTosguard({"scan", "-c", dir + "/bad.yaml", "-r", dir + "/rules.tos"});
  CHECK(config.exit_code == 2);
  CHECK(config.err.find("bad.yaml:7:1: error: unknown key 'linking2'") != std::string::npos);

  CommandResult missing = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/none.tos"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("none.tos") != std::string::npos);
}

TEST_CASE("scan: a waiver exempts the events of its period and is named on the finding") {
  const std::string dir = MakeCase(Event("e1", "a1", "2025-06-01T10:00:00Z") + Event("e2", "a1", "2025-06-01T11:00:00Z") +
                                   Event("e3", "a1", "2025-06-01T12:00:00Z"));
  WriteFile(dir + "/waivers.yaml", "waivers:\n  - id: W-1\n    rule: busy\n    scope: account:a1\n"
                                   "    approver: \"Legal\"\n    basis: \"test account\"\n"
                                   "    from: 2025-06-01T11:30:00Z\n");
  CommandResult r = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--waivers",
                                 dir + "/waivers.yaml", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"waived\":1") != std::string::npos);  // e3 only
  CHECK(r.out.find("\"waivers\":[{\"id\":\"W-1\"") != std::string::npos);
  CHECK(r.out.find("\"evidence_total\":2") != std::string::npos);
}

TEST_CASE("scan: hostile log content never reaches the terminal raw") {
  const std::string hostile = "<script>alert(1)</script>\\u001b[31m";
  const std::string dir = MakeCase(Event("e1", "a1", "2025-06-01T10:00:00Z", hostile) +
                                   Event("e2", "a1", "2025-06-01T11:00:00Z", hostile));
  CommandResult json = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--format", "json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find("<script>") == std::string::npos);
  CHECK(json.out.find('\x1b') == std::string::npos);
  CHECK(json.out.find("\\u003cscript\\u003e") != std::string::npos);
  CommandResult text = RunTosguard({"explain", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos", "--rule",
                                    "busy", "--scope", "account:a1", "--at", "2025-06-01"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find('\x1b') == std::string::npos);
}

TEST_CASE("scan: a hostile scope value cannot recolour or reorder the table on a terminal") {
  // An account id holding an escape sequence, a right-to-left override and a C1 CSI.
  const std::string account = "a\\u001b[31m\\u202Eb\\u009B2J";
  const std::string dir = MakeCase(Event("e1", account, "2025-06-01T10:00:00Z") +
                                   Event("e2", account, "2025-06-01T11:00:00Z"));
  CommandResult table = RunTosguard({"scan", "-c", dir + "/tosguard.yaml", "-r", dir + "/rules.tos"});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  for (const std::string& raw : {std::string("\x1b"), std::string("\u202E"), std::string("\u009B")}) {
    CHECK(table.out.find(raw) == std::string::npos);
    CHECK(table.err.find(raw) == std::string::npos);
  }
  CHECK(table.out.find("account:a\\x1B[31m\\u202Eb\\u009B2J") != std::string::npos);
}

TEST_CASE("explain: why a rule fired or did not, for one scope and day") {
  CommandResult r = OnSample("explain", {"--rule", "ban_evasion", "--scope", "cluster:acct-000263", "--at", "2025-05-20"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("rule ban_evasion, cluster:acct-000197, at the end of 2025-05-20") != std::string::npos);
  CHECK(r.out.find("outcome: review") != std::string::npos);
  CHECK(r.out.find("violation when:") != std::string::npos);

  CommandResult json = OnSample("explain", {"--rule", "ban_evasion", "--scope", "cluster:acct-000197", "--at",
                                            "2025-06-01", "--format", "json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.rfind("{\"rule\":\"ban_evasion\",\"scope\":{\"kind\":\"cluster\",\"value\":\"acct-000197\"}", 0) == 0);
  CHECK(json.out.find("\"outcome\":\"violation\"") != std::string::npos);

  CommandResult kind = OnSample("explain", {"--rule", "ban_evasion", "--scope", "account:acct-000197", "--at", "2025-06-01"});
  CHECK(kind.exit_code == 2);
  CHECK(kind.err.find("has cluster scope") != std::string::npos);
  CommandResult rule = OnSample("explain", {"--rule", "nope", "--scope", "account:acct-000197", "--at", "2025-06-01"});
  CHECK(rule.exit_code == 2);
  CHECK(rule.err.find("no rule 'nope'") != std::string::npos);
  CommandResult idle = OnSample("explain", {"--rule", "ban_evasion", "--scope", "cluster:acct-000197", "--at", "2024-01-01"});
  CHECK(idle.exit_code == 0);
  CHECK(idle.out.find("outcome: not_evaluated (no counted event in the window") != std::string::npos);
}

TEST_CASE("scan: on a terminal a progress bar shows the rules done, --quiet hides it") {
  // `script` (util-linux, Debian's essential bsdutils) runs the scan on a pseudo-terminal.
  auto on_terminal = [](const std::string& extra) {
    std::string command = "script -q -e -c '" + TosguardBinary() + " scan -c " + SourceDir() +
                          "/examples/tosguard.yaml --no-store --quarantine " + MakeTempDir("tosguard-scan") +
                          "/q.jsonl" + extra + " -r";
    for (const std::string& r : AcmeRules()) command += " " + r;
    command += "' /dev/null 2>&1";
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    CHECK(::pclose(p) == 0);
    return out;
  };
  const std::string shown = on_terminal("");
  CHECK(shown.find("] rules 1/9") != std::string::npos);
  CHECK(shown.find("] rules 9/9") != std::string::npos);
  CHECK(shown.find("F-") != std::string::npos);  // the findings still print
  const std::string quiet = on_terminal(" -q");
  CHECK(quiet.find("] rules") == std::string::npos);
  CHECK(quiet.find("F-") != std::string::npos);
}
