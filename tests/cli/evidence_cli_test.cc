// End-to-end: keygen, scan --store, findings, review, report, verify, as a user runs them.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "base/sha256.h"
#include "tests/cli/cli_harness.h"

namespace tosguard::testing {
namespace {

const char* kConfig = R"(version: 1
sources:
  - {name: accounts, kind: account, paths: data/accounts.jsonl, preset: canonical}
  - {name: events, kind: event, paths: data/events.jsonl, preset: canonical}
evidence:
  store: evidence.db
  signing_key: keys/signing.key
  pseudonym_key: keys/pseudonym.key
  examiner: "Compliance <team>"
  origin: test.example/evidence
)";

const char* kRule = R"(rule busy {
  title "Busy account"
  severity low
  window 1d
  let n = count()
  violation when n >= 2
  evidence {
    show model
  }
}
)";

// A case whose account "acct-7" makes 3 requests on one day, one with a hostile prompt.
std::string MakeCase() {
  const std::string dir = MakeTempDir("tosguard-evidence");
  WriteFile(dir + "/tosguard.yaml", kConfig);
  WriteFile(dir + "/rules.tos", kRule);
  WriteFile(dir + "/data/accounts.jsonl", "{\"account_id\":\"acct-7\"}\n");
  std::string events;
  for (int i = 1; i <= 3; ++i) {
    events +=
        R"({"event_id":"e)" + std::to_string(i) + R"(","ts":"2025-03-0)" + "3T1" +
        std::to_string(i) +
        R"(:00:00Z","account_id":"acct-7","model":"m<b>1</b>","status":"success","text":"<script>alert(1)</script>\u001b[31m"})" +
        "\n";
  }
  WriteFile(dir + "/data/events.jsonl", events);
  std::filesystem::create_directories(dir + "/keys");
  return dir;
}

CommandResult In(const std::string& dir, std::vector<std::string> args) {
  const auto at = args.begin() + (args[0] == "findings" ? 2 : 1);  // after the (sub)subcommand
  args.insert(at, {"--config", dir + "/tosguard.yaml"});
  return RunTosguard(args, "", dir);
}

std::string FirstFinding(const std::string& dir) {
  CommandResult list = In(dir, {"findings", "list", "--format", "json"});
  REQUIRE(list.exit_code == 0);
  const auto at = list.out.find("\"id\":\"F-");
  REQUIRE(at != std::string::npos);
  return list.out.substr(at + 6, 18);
}

// The evaluator's digest of the case's finding (rule, scope kind, scope, first day,
// level): what anyone can compute for a guessed account.
std::string DigestId() {
  using namespace std::string_literals;
  return "F-" + ToHex(Sha256::Of("busy\0account\0acct-7\0"
                                 "2025-03-03\0violation"s))
                    .substr(0, 16);
}

}  // namespace

TEST_CASE("evidence: keygen, scan into a store, list, review, report and verify",
          "[cli][evidence]") {
  const std::string dir = MakeCase();
  CommandResult keys = In(dir, {"keygen"});
  INFO(keys.err);
  REQUIRE(keys.exit_code == 0);
  CHECK(std::filesystem::exists(dir + "/keys/signing.key.pub"));
  CHECK((std::filesystem::status(dir + "/keys/pseudonym.key").permissions() &
         std::filesystem::perms::others_read) == std::filesystem::perms::none);
  CommandResult again = In(dir, {"keygen"});
  CHECK(again.exit_code != 0);
  // Missing key directories are made, for their owner only.
  const std::string fresh = MakeTempDir("tosguard-keygen");
  REQUIRE(RunTosguard({"keygen", "--signing-key", "a/b/signing.key", "--pseudonym-key",
                       "a/c/pseudonym.key"},
                      "", fresh)
              .exit_code == 0);
  CHECK(std::filesystem::exists(fresh + "/a/b/signing.key.pub"));
  CHECK(std::filesystem::exists(fresh + "/a/c/pseudonym.key"));
  CHECK((std::filesystem::status(fresh + "/a/b").permissions() &
         (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
  CHECK_THAT(again.err, Catch::Contains("never"));

  CommandResult scan = In(dir, {"scan", "-r", "rules.tos", "-q"});
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK_THAT(scan.err, Catch::Contains("recorded run R-000001") && Catch::Contains("1 new"));
  CommandResult rescan = In(dir, {"scan", "-r", "rules.tos", "-q"});
  REQUIRE(rescan.exit_code == 0);
  CHECK_THAT(rescan.err,
             Catch::Contains("R-000002") && Catch::Contains("0 new, 0 revised, 1 unchanged"));

  const std::string id = FirstFinding(dir);
  CommandResult table = In(dir, {"findings", "list"});
  CHECK_THAT(table.out,
             Catch::Contains(id) && Catch::Contains("account:acct-7") && Catch::Contains("open"));
  CommandResult show = In(dir, {"findings", "show", id});
  REQUIRE(show.exit_code == 0);
  CHECK_THAT(show.out, Catch::Contains("evidence  3 of 3 cited") &&
                           Catch::Contains("first recorded by R-000001"));
  // Who ran the run: the effective user and the host, as the shell names them.
  REQUIRE(std::system(("{ id -un 2>/dev/null || echo \"uid $(id -u)\"; } | tr -d '\\n' > '" + dir +
                       "/who' && printf '@%s' \"$(uname -n)\" >> '" + dir + "/who'")
                          .c_str()) == 0);
  const std::string who = ReadFile(dir + "/who");
  CHECK_THAT(show.out, Catch::Contains("run       R-000001 by " + who + " (first recorded"));
  CommandResult show_json = In(dir, {"findings", "show", id, "--format", "json"});
  CHECK_THAT(show_json.out, Catch::Contains("\"finding\":{\"id\":\"" + id));

  CommandResult review = In(dir, {"review", id, "--decision", "confirmed", "--by", "J. Doe",
                                  "--reason", "three requests in an hour"});
  INFO(review.err);
  REQUIRE(review.exit_code == 0);
  CHECK(In(dir, {"findings", "list", "--status", "confirmed"}).out.find(id) != std::string::npos);
  CHECK(In(dir, {"findings", "list", "--status", "open"}).out == "no findings\n");
  CHECK(In(dir, {"review", id, "--decision", "maybe", "--by", "x", "--reason", "y"}).exit_code ==
        2);
  CHECK(In(dir, {"review", "F-0000000000000000", "--decision", "confirmed", "--by", "x", "--reason",
                 "y"})
            .exit_code == 2);

  // The report, checked offline against the signed log and the original lines.
  CommandResult report = In(
      dir, {"report", id, "--format", "json", "--out", dir + "/r.json", "--as-of", "2026-12-01"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const std::string json = ReadFile(dir + "/r.json");
  CHECK(json.find("acct-7") == std::string::npos);
  CHECK_THAT(json, Catch::Contains("\"command\":\"tosguard scan --config") &&
                       Catch::Contains("\"by\":\"" + who + "\""));
  CHECK_THAT(json, Catch::Contains("\"decision\":\"confirmed\"") &&
                       Catch::Contains("\"generated_at\":\"2026-12-01T00:00:00Z\""));
  CommandResult verify_report = RunTosguard({"verify", "--report", dir + "/r.json", "--logs", dir,
                                             "--public-key", dir + "/keys/signing.key.pub"});
  INFO(verify_report.out);
  CHECK(verify_report.exit_code == 0);
  CHECK_THAT(verify_report.out,
             Catch::Contains("3 of 3 cited lines match") && Catch::Contains("report valid"));
  // The log lines changed since: named, exit 4.
  std::string events = ReadFile(dir + "/data/events.jsonl");
  events[10] = 'X';
  WriteFile(dir + "/data/events.jsonl", events);
  CommandResult stale = RunTosguard({"verify", "--report", dir + "/r.json", "--logs", dir});
  CHECK(stale.exit_code == 4);
  CHECK_THAT(stale.out, Catch::Contains("FAIL data/events.jsonl"));

  // HTML and Markdown render the same report; hostile content stays text.
  for (const char* format : {"html", "md"}) {
    CommandResult r = In(dir, {"report", id, "--format", format});
    INFO(format << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("<script") == std::string::npos);
    CHECK(r.out.find("<b>1</b>") == std::string::npos);
    CHECK(r.out.find('\x1b') == std::string::npos);
  }
  CommandResult reveal = In(dir, {"report", id, "--format", "json", "--reveal"});
  CHECK(reveal.exit_code == 2);
  CHECK_THAT(reveal.err, Catch::Contains("--why"));
  CommandResult revealed =
      In(dir, {"report", id, "--format", "json", "--reveal", "--why", "court order 12"});
  REQUIRE(revealed.exit_code == 0);
  CHECK_THAT(revealed.out, Catch::Contains("\"acct-7\""));
  CommandResult custody = In(dir, {"findings", "show", id});
  CHECK_THAT(custody.out,
             Catch::Contains("reveal (report json --reveal) by Compliance <team>: court order 12"));

  CommandResult verify = In(dir, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out, Catch::Contains("store valid"));
  CommandResult verify_json = In(dir, {"verify", "--format", "json"});
  CHECK_THAT(verify_json.out, Catch::Contains("\"valid\":true"));
}

TEST_CASE("evidence: the same store gives the same report bytes", "[cli][evidence]") {
  const std::string dir = MakeCase();
  REQUIRE(In(dir, {"keygen"}).exit_code == 0);
  REQUIRE(In(dir, {"scan", "-r", "rules.tos", "-q"}).exit_code == 0);
  const std::string id = FirstFinding(dir);
  std::filesystem::copy_file(dir + "/evidence.db", dir + "/copy.db");
  for (const char* format : {"json", "html", "md"}) {
    CommandResult a = In(dir, {"report", id, "--format", format, "--as-of", "2026-12-01T09:00:00Z",
                               "--store", dir + "/copy.db"});
    std::filesystem::remove(dir + "/copy.db");
    std::filesystem::copy_file(dir + "/evidence.db", dir + "/copy.db");
    CommandResult b = In(dir, {"report", id, "--format", format, "--as-of", "2026-12-01T09:00:00Z",
                               "--store", dir + "/copy.db"});
    std::filesystem::remove(dir + "/copy.db");
    std::filesystem::copy_file(dir + "/evidence.db", dir + "/copy.db");
    INFO(format << a.err);
    REQUIRE(a.exit_code == 0);
    CHECK(a.out == b.out);
  }
}

TEST_CASE("evidence: tampering with the store is named and exits 4", "[cli][evidence]") {
  const std::string dir = MakeCase();
  REQUIRE(In(dir, {"keygen"}).exit_code == 0);
  REQUIRE(In(dir, {"scan", "-r", "rules.tos", "-q"}).exit_code == 0);
  REQUIRE(std::system(("sqlite3 '" + dir +
                       "/evidence.db' \"UPDATE evidence SET line_sha256 = 'x' WHERE n = 2\"")
                          .c_str()) == 0);
  CommandResult v = In(dir, {"verify"});
  CHECK(v.exit_code == 4);
  CHECK_THAT(v.out,
             Catch::Contains("FAIL evidence 2 of finding F-") && Catch::Contains("store INVALID"));
}

TEST_CASE("evidence: finding ids are keyed, so no guessed account can be tested against them",
          "[cli][evidence]") {
  const std::string dir = MakeCase();
  const std::string digest = DigestId();
  auto id_of = [](const CommandResult& r) {
    const auto at = r.out.find("\"id\":\"F-");
    return at == std::string::npos ? std::string() : r.out.substr(at + 6, 18);
  };
  // A dry run without a key, or with one not yet made: the digest, and a warning saying so.
  CommandResult unkeyed =
      In(dir, {"scan", "-r", "rules.tos", "-q", "--no-store", "--format", "json"});
  REQUIRE(unkeyed.exit_code == 0);
  CHECK(id_of(unkeyed) == digest);
  CHECK_THAT(unkeyed.err, Catch::Contains("unkeyed") && Catch::Contains("keys/pseudonym.key"));

  REQUIRE(In(dir, {"keygen"}).exit_code == 0);
  CommandResult dry = In(dir, {"scan", "-r", "rules.tos", "-q", "--no-store", "--format", "json"});
  CommandResult recorded = In(dir, {"scan", "-r", "rules.tos", "-q", "--format", "json"});
  INFO(recorded.err);
  REQUIRE(recorded.exit_code == 0);
  const std::string id = id_of(recorded);
  CHECK(id.size() == 18);
  CHECK(id != digest);
  CHECK(id_of(dry) == id);  // a dry run names findings as the store does
  CHECK(FirstFinding(dir) == id);
  CHECK(dry.err.find("unkeyed") == std::string::npos);

  // Neither the log's leaves nor a pseudonymised report hold the digest or the account.
  const std::string leaves = dir + "/leaves.txt";
  REQUIRE(std::system(
              ("sqlite3 '" + dir + "/evidence.db' 'SELECT record FROM leaves' > '" + leaves + "'")
                  .c_str()) == 0);
  const std::string log = ReadFile(leaves);
  CHECK_THAT(log, Catch::Contains(id));
  CHECK(log.find(digest) == std::string::npos);
  CHECK(log.find("acct-7") == std::string::npos);
  CHECK_THAT(log, Catch::Contains("\"by\":\"ps-"));  // who ran each run, pseudonymised
  for (const char* format : {"json", "html", "md"}) {
    CommandResult r = In(dir, {"report", id, "--format", format});
    INFO(format << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find(digest.substr(2)) == std::string::npos);
    CHECK(r.out.find("acct-7") == std::string::npos);
  }

  // Another key, other ids.
  const std::string other = MakeTempDir("tosguard-keygen");
  REQUIRE(RunTosguard({"keygen", "--signing-key", "s.key", "--pseudonym-key", "p.key"}, "", other)
              .exit_code == 0);
  std::filesystem::copy_file(other + "/p.key", dir + "/keys/pseudonym.key",
                             std::filesystem::copy_options::overwrite_existing);
  CommandResult rekeyed =
      In(dir, {"scan", "-r", "rules.tos", "-q", "--no-store", "--format", "json"});
  CHECK(id_of(rekeyed) != id);
  CHECK(id_of(rekeyed) != digest);
}

TEST_CASE("evidence: a store made before keyed ids keeps naming its findings by the digest",
          "[cli][evidence]") {
  const std::string dir = MakeCase();
  REQUIRE(In(dir, {"keygen"}).exit_code == 0);
  auto sql = [&](const std::string& statement) {
    return std::system(("sqlite3 '" + dir + "/evidence.db' \"" + statement + "\"").c_str());
  };
  // A store as migrating one of schema 2 leaves it, before the case's finding: the
  // scheme "sha256".
  REQUIRE(In(dir, {"scan", "-r", "rules.tos", "-q", "--from", "2025-01-01", "--to", "2025-01-02"})
              .exit_code == 0);
  REQUIRE(sql("UPDATE meta SET value = 'sha256' WHERE key = 'finding_ids'") == 0);
  CommandResult first = In(dir, {"scan", "-r", "rules.tos", "-q", "--format", "json"});
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("\"id\":\"" + DigestId() + "\""));
  CHECK_THAT(first.err, Catch::Contains("1 new"));
  CommandResult again = In(dir, {"scan", "-r", "rules.tos", "-q"});
  CHECK_THAT(again.err, Catch::Contains("0 new, 0 revised, 1 unchanged"));
  CHECK(FirstFinding(dir) == DigestId());
  CHECK(In(dir, {"verify"}).exit_code == 0);
  // An unknown scheme is damage: exit 4, nothing recorded.
  REQUIRE(sql("UPDATE meta SET value = 'md5' WHERE key = 'finding_ids'") == 0);
  CommandResult unknown = In(dir, {"scan", "-r", "rules.tos", "-q"});
  CHECK(unknown.exit_code == 4);
  CHECK_THAT(unknown.err, Catch::Contains("unknown scheme 'md5'"));
}

TEST_CASE("evidence: missing keys, stores and findings are clear errors", "[cli][evidence]") {
  const std::string dir = MakeCase();
  CommandResult scan = In(dir, {"scan", "-r", "rules.tos", "-q"});
  CHECK(scan.exit_code == 2);
  CHECK_THAT(scan.err, Catch::Contains("pseudonym key") && Catch::Contains("keygen"));
  CHECK(In(dir, {"scan", "-r", "rules.tos", "-q", "--no-store"}).exit_code == 0);
  CommandResult verify = In(dir, {"verify"});
  CHECK(verify.exit_code == 2);
  REQUIRE(In(dir, {"keygen"}).exit_code == 0);
  CommandResult none = In(dir, {"findings", "list"});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("no evidence store"));
  REQUIRE(In(dir, {"scan", "-r", "rules.tos", "-q"}).exit_code == 0);
  CommandResult unknown = In(dir, {"report", "F-0000000000000000"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("no finding F-0000000000000000"));
  CommandResult not_report = RunTosguard({"verify", "--report", dir + "/tosguard.yaml"});
  CHECK(not_report.exit_code == 2);
  WriteFile(dir + "/junk.db", std::string(2048, 'j'));
  CommandResult junk = In(dir, {"verify", "--store", dir + "/junk.db"});
  CHECK(junk.exit_code == 4);
  CHECK_THAT(junk.out, Catch::Contains("FAIL store file"));
}

TEST_CASE("evidence: logs outside the configuration's folder are cited by absolute path, "
          "quoted and verified", "[cli][evidence]") {
  // The case's logs stay in data/; the configuration moves to conf/ and names them as
  // ../data/..., as one kept apart from the logs (/etc/tosguard and /var/log) would.
  const std::string dir = MakeCase();
  WriteFile(dir + "/conf/tosguard.yaml", R"(version: 1
sources:
  - {name: accounts, kind: account, paths: ../data/accounts.jsonl, preset: canonical}
  - {name: events, kind: event, paths: ../data/events.jsonl, preset: canonical}
evidence:
  store: ../evidence.db
  signing_key: ../keys/signing.key
  pseudonym_key: ../keys/pseudonym.key
  examiner: "Compliance <team>"
  origin: test.example/evidence
)");
  const std::string cfg = dir + "/conf/tosguard.yaml";
  REQUIRE(RunTosguard({"keygen", "--config", cfg}).exit_code == 0);
  CommandResult scan = RunTosguard({"scan", "--config", cfg, "-r", dir + "/rules.tos", "-q"});
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CommandResult list = RunTosguard({"findings", "list", "--config", cfg, "--format", "json"});
  const auto at = list.out.find("\"id\":\"F-");
  REQUIRE(at != std::string::npos);
  const std::string id = list.out.substr(at + 6, 18);

  CommandResult report = RunTosguard({"report", id, "--config", cfg, "--format", "json", "--include-text",
                                      "--why", "test", "--out", dir + "/r.json"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const std::string json = ReadFile(dir + "/r.json");
  const std::string events = std::filesystem::canonical(dir + "/data/events.jsonl").string();
  CHECK_THAT(json, Catch::Contains("\"file\":\"" + events + "\"") && !Catch::Contains("../data"));
  CHECK_THAT(json, Catch::Contains("u003cscript"));  // the quoted line, escaped
  CommandResult here = RunTosguard({"verify", "--report", dir + "/r.json", "--logs", "/"});
  INFO(here.out);
  CHECK(here.exit_code == 0);
  CHECK_THAT(here.out, Catch::Contains("3 of 3 cited lines match"));
  // Elsewhere, a copy of the tree under another folder.
  const std::string copy = MakeTempDir("tosguard-evidence-copy");
  std::filesystem::create_directories(copy + std::filesystem::path(events).parent_path().string());
  std::filesystem::copy_file(events, copy + events);
  CommandResult there = RunTosguard({"verify", "--report", dir + "/r.json", "--logs", copy});
  INFO(there.out);
  CHECK(there.exit_code == 0);
}

}  // namespace tosguard::testing
