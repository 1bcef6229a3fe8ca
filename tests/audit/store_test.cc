// The evidence store: durability settings, migrations, runs and revisions, reviews and
// custody, and `verify` naming every kind of tampering.
#include "audit/store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "audit/report.h"
#include "audit/verify.h"
#include "base/sha256.h"
#include "engine/ingest/input_file.h"
#include "tests/support/temp_dir.h"

namespace tosguard::audit {
namespace {

using tosguard::testing::TempDir;

struct Keys {
  PrivateKey signing = PrivateKey::FromRawSeed(std::vector<std::uint8_t>(32, 7)).value();
  KeyedHasher hasher = KeyedHasher::Create(std::vector<std::uint8_t>(32, 9)).value();
  LogWriter Writer(TimestampUs now = 1764580000000000) const {
    return LogWriter{&signing, &hasher, "test.example/evidence", now, {}};
  }
};

// Three log lines in <dir>/data/events.jsonl, cited by the finding below.
struct Logs {
  explicit Logs(const TempDir& dir) {
    for (int i = 0; i < 3; ++i) {
      const std::string line =
          "{\"event_id\":\"e" + std::to_string(i) + "\",\"text\":\"<script>x</script>\"}";
      refs.push_back({0, static_cast<std::uint64_t>(i + 1), content.size(),
                      static_cast<std::uint32_t>(line.size())});
      line_sha.push_back(ToHex(Sha256::Of(line)));
      content += line + "\n";
    }
    path = dir.Write("data/events.jsonl", content);
    file_sha = ToHex(*engine::HashFile(path));
  }
  std::string content, path, file_sha;
  std::vector<SourceRef> refs;
  std::vector<std::string> line_sha;
};

engine::EvalValueOut Num(double v, std::string text) {
  return {"number", true, std::move(text), v};
}

// Keys' pseudonym key: the test findings are named by it, as a store names them.
const KeyedHasher& TestHasher() {
  static const KeyedHasher hasher = KeyedHasher::Create(std::vector<std::uint8_t>(32, 9)).value();
  return hasher;
}

// The keyed id of MakeFinding's finding about `scope` whose first day is `first_day`.
std::string IdOf(const std::string& scope, std::int64_t first_day = 20100) {
  engine::Finding f;
  f.rule_id = "heavy_use";
  f.scope_kind = "account";
  f.scope_value = scope;
  f.level = engine::Outcome::kViolation;
  f.first_day = first_day;
  return KeyedFindingId(TestHasher(), f);
}

const std::string kA1 = IdOf("acct-1"), kB2 = IdOf("acct-2"), kC3 = IdOf("acct-3");

engine::Finding MakeFinding(const Logs& logs, const std::string& scope, std::uint64_t total) {
  engine::Finding f;
  f.rule_id = "heavy_use";
  f.scope_kind = "account";
  f.scope_value = scope;
  f.level = engine::Outcome::kViolation;
  f.first_day = 20100;
  f.last_day = 20102;
  f.peak_day = 20101;
  f.days = 3;
  f.window = 7 * 86400000000LL;
  f.metrics = {{"requests", "let", Num(static_cast<double>(total), std::to_string(total))}};
  engine::ExplainNode cond{"requests >= 2", ">=", {"bool", true, "true", 0}, {}};
  cond.children.push_back(
      {"requests", "let", Num(static_cast<double>(total), std::to_string(total)), {}});
  cond.children.push_back({"2", "const", Num(2, "2"), {}});
  f.explanation = {{"violation", cond}};
  f.accounts = {scope};
  f.evidence_total = total;
  f.sample_method = "first 3 by time, ties by event_id";
  for (int i = 0; i < 3; ++i) {
    engine::EvidenceItem e;
    e.event_id = "e" + std::to_string(i);
    e.ts = (20101LL * 86400 + 3600 * (i + 1)) * 1000000;
    e.account_id = scope;
    e.file = "data/events.jsonl";
    e.file_sha256 = logs.file_sha;
    e.ref = logs.refs[static_cast<std::size_t>(i)];
    e.line_sha256 = logs.line_sha[static_cast<std::size_t>(i)];
    e.sort_key = {"timestamp", true, FormatRfc3339(e.ts), static_cast<double>(e.ts)};
    f.evidence.push_back(e);
  }
  engine::AcceptanceUse accepted;
  accepted.account_id = scope;
  accepted.policy = "terms";
  accepted.version = "2024-01";
  accepted.method = "clickwrap";
  accepted.source = "web";
  accepted.accepted_at = 20000LL * 86400 * 1000000;
  accepted.file = "data/acceptances.jsonl";
  accepted.ref = {1, 1, 0, 80};
  f.acceptances.push_back(accepted);
  f.timeline = {{20100, 1, engine::Outcome::kViolation},
                {20101, 2, engine::Outcome::kViolation},
                {20102, 0, engine::Outcome::kViolation}};
  f.id = KeyedFindingId(TestHasher(), f);
  return f;
}

RunRow MakeRun() {
  RunRow run;
  run.command = "tosguard scan --config tosguard.yaml rules";
  run.tool_version = "0.1.0";
  run.revision = "test";
  run.started_at = "2026-12-01T00:00:00Z";
  run.finished_at = "2026-12-01T00:00:01Z";
  run.config_sha256 = std::string(64, 'c');
  run.rules = {
      {"heavy_use", "rules/heavy.tos", std::string(64, 'a'), "rule heavy_use { }",
       RuleMetaJson(
           {"Heavy use",
            "high",
            "account",
            "7d",
            {"volume"},
            RuleClause{"terms", "Terms", "4.1", "2024-01", "", "Do not overuse.", {"2024-01"}},
            {"account.contract has \"bulk\""}})}};
  run.rules_sha256 = RulesDigest(run.rules);
  run.from_day = "2025-01-12";
  run.to_day = "2025-01-14";
  run.inputs = {{"data/events.jsonl", std::string(64, 'e'), 3, 3, 0}};
  return run;
}

// Runs SQL against the store file with its own connection (the tampering under test).
void Tamper(const std::string& path, const std::string& sql) {
  auto db = sqlite::Db::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  REQUIRE(db->Exec(sql).ok());
}

template <typename Verification>
bool HasProblem(const Verification& v, const std::string& record_part,
                const std::string& reason_part) {
  for (const auto& p : v.problems) {
    if (p.record.find(record_part) != std::string::npos &&
        p.reason.find(reason_part) != std::string::npos)
      return true;
  }
  return false;
}

std::string Describe(const std::vector<Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.record + ": " + p.reason + "\n";
  return out;
}

// A store with one run of two findings, a review and a custody entry.
struct Fixture {
  TempDir dir{"tosguard-store"};
  Keys keys;
  Logs logs{dir};
  std::string path = (dir.path() / "evidence.db").string();
  // A store of two findings (acct-1, acct-2), a review and a custody entry of the first.
  // `by`: who ran the first run; `ids`: how the store names findings. An older store
  // is made with "" and kDigest, then taken back to its schema.
  explicit Fixture(const std::string& by = "ops@audit-host",
                   FindingIdScheme ids = FindingIdScheme::kKeyed) {
    auto store = Store::Open(path, true);
    REQUIRE(store.ok());
    if (ids == FindingIdScheme::kDigest) {
      REQUIRE(store->db().Exec("UPDATE meta SET value = 'sha256' WHERE key = 'finding_ids'").ok());
    }
    RunRow first = MakeRun();
    first.by = by;
    std::vector<engine::Finding> findings = {MakeFinding(logs, "acct-1", 40),
                                             MakeFinding(logs, "acct-2", 12)};
    AssignFindingIds(ids, &TestHasher(), &findings);
    auto run = store->RecordRun(first, findings, keys.Writer());
    REQUIRE(run.ok());
    REQUIRE(store->AddReview(findings[0].id, "confirmed", "J. Doe", "clear pattern", keys.Writer())
                .ok());
    CustodyRow c;
    c.action = "export";
    c.finding_id = findings[0].id;
    c.what = "report html";
    c.by = "J. Doe";
    c.why = "legal hold";
    c.report_sha256 = std::string(64, 'f');
    REQUIRE(store->AddCustody(c, keys.Writer()).ok());
  }
  StoreVerification Verify() {
    auto v = VerifyStore(path, {keys.signing.public_key()}, keys.hasher);
    REQUIRE(v.ok());
    return *v;
  }
};

}  // namespace

TEST_CASE(
    "store: opened in WAL mode with synchronous=FULL, schema versioned, foreign files refused",
    "[store]") {
  TempDir dir("tosguard-store");
  const std::string path = (dir.path() / "e.db").string();
  CHECK(Store::Open(path, false).status().code() == StatusCode::kNotFound);
  {
    auto store = Store::Open(path, true);
    REQUIRE(store.ok());
    CHECK(*store->db().QueryText("PRAGMA journal_mode") == "wal");
    CHECK(*store->db().QueryInt("PRAGMA synchronous") == 2);
    CHECK(*store->db().QueryInt("PRAGMA user_version") == kStoreSchemaVersion);
    CHECK(*store->FindingIds() == FindingIdScheme::kKeyed);  // a new store names findings keyed
  }
  CHECK(Store::Open(path, false).ok());  // reopening needs no migration
  CHECK(*Store::Open(path, false)->FindingIds() == FindingIdScheme::kKeyed);

  // A scheme this build does not know, or none, is damage: nothing is named by a guess.
  Tamper(path, "UPDATE meta SET value = 'md5' WHERE key = 'finding_ids'");
  auto unknown = Store::Open(path, false)->FindingIds();
  CHECK(unknown.status().code() == StatusCode::kCorruption);
  CHECK_THAT(unknown.status().message(), Catch::Contains("unknown scheme 'md5'"));
  Tamper(path, "DELETE FROM meta WHERE key = 'finding_ids'");
  CHECK(Store::Open(path, false)->FindingIds().status().code() == StatusCode::kCorruption);

  // A newer schema is refused, not guessed at.
  Tamper(path, "PRAGMA user_version = 99");
  auto newer = Store::Open(path, false);
  CHECK(newer.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(newer.status().message(), Catch::Contains("newer tosguard"));

  // Another application's SQLite file, a directory, a file that is not SQLite at all.
  const std::string other = (dir.path() / "other.db").string();
  Tamper(other.c_str(), "CREATE TABLE t(x)");
  CHECK_THAT(Store::Open(other, true).status().message(),
             Catch::Contains("not a tosguard evidence store"));
  CHECK(Store::Open(dir.str(), true).status().code() == StatusCode::kInvalidArgument);
  dir.Write("junk.db", std::string(4096, 'x'));
  CHECK(Store::Open((dir.path() / "junk.db").string(), false).status().code() ==
        StatusCode::kCorruption);
}

TEST_CASE(
    "store: a run records findings, evidence and a signed checkpoint, a re-run adds no duplicate",
    "[store]") {
  Fixture fx;
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  // run + 2 findings x (1 + 3 evidence) + review + custody
  auto leaves = store->Leaves();
  REQUIRE(leaves.ok());
  CHECK(leaves->size() == 1 + 2 * 4 + 1 + 1);
  auto checkpoints = store->Checkpoints();
  REQUIRE(checkpoints.ok());
  REQUIRE(checkpoints->size() == 3);  // the run, the review, the custody entry
  CHECK(checkpoints->back().checkpoint.tree_size == leaves->size());

  // The same findings again: noted as seen, not stored twice.
  auto again = store->RecordRun(
      MakeRun(), {MakeFinding(fx.logs, "acct-1", 40)}, fx.keys.Writer());
  REQUIRE(again.ok());
  CHECK(again->run_id == "R-000002");
  CHECK(again->new_findings == 0);
  CHECK(again->unchanged_findings == 1);
  CHECK(again->leaves_appended == 1);  // the run's own record
  // A changed finding is a new revision, never an overwrite.
  auto changed = store->RecordRun(
      MakeRun(), {MakeFinding(fx.logs, "acct-1", 41)}, fx.keys.Writer());
  REQUIRE(changed.ok());
  CHECK(changed->revised_findings == 1);
  auto d = store->GetFinding(kA1);
  REQUIRE(d.ok());
  CHECK(d->revisions == std::vector<std::int64_t>{1, 2});
  CHECK(d->summary.row.evidence_total == 41);
  CHECK(d->summary.status == "confirmed");
  CHECK(d->summary.first_run == "R-000001");
  CHECK(d->run.run_id == "R-000003");
  CHECK(d->evidence.size() == 3);
  CHECK(d->reviews.size() == 1);
  CHECK(d->custody.size() == 1);
  CHECK(store->GetFinding("F-ffffffffffffffff").status().code() == StatusCode::kNotFound);
  CHECK(fx.Verify().ok());
}

TEST_CASE("store: findings are listed by rule, level, status and last day", "[store]") {
  Fixture fx;
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  auto all = store->ListFindings({});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].row.scope_value == "acct-1");
  CHECK((*all)[0].status == "confirmed");
  CHECK((*all)[1].status == "open");
  FindingFilter open;
  open.status = "open";
  CHECK(store->ListFindings(open)->size() == 1);
  FindingFilter level;
  level.level = "review";
  CHECK(store->ListFindings(level)->empty());
  FindingFilter since;
  since.since = "2025-01-14";
  CHECK(store->ListFindings(since)->size() == 2);
  since.since = "2025-01-15";
  CHECK(store->ListFindings(since)->empty());
  FindingFilter rule;
  rule.rule = "other";
  CHECK(store->ListFindings(rule)->empty());
  CHECK(store->AddReview("F-0000000000000000", "confirmed", "x", "y", fx.keys.Writer())
            .status()
            .code() == StatusCode::kNotFound);
}

TEST_CASE("store: log records hold pseudonyms and keyed hashes, never identifiers or text",
          "[store]") {
  Fixture fx;
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  auto leaves = store->Leaves();
  REQUIRE(leaves.ok());
  for (const LeafRow& l : *leaves) {
    INFO(l.record);
    CHECK(l.record.find("acct-1") == std::string::npos);
    CHECK(l.record.find("\"e0\"") == std::string::npos);
    CHECK(l.record.find("J. Doe") == std::string::npos);
    CHECK(l.record.find("clear pattern") == std::string::npos);
    CHECK(l.record.find("legal hold") == std::string::npos);
    CHECK(l.record.find("ops@") == std::string::npos);
  }
  // Who ran a run: its pseudonym in the run's record, the name in its row.
  CHECK_THAT((*leaves)[0].record,
             Catch::EndsWith(",\"by\":\"" + Pseudonym(fx.keys.hasher, "ops@audit-host") + "\"}"));
  CHECK(LoadRun(store->db(), "R-000001")->by == "ops@audit-host");
  // A run without one (recorded before schema 3) has no such key: its record stays as signed.
  RunRow unnamed = MakeRun();
  unnamed.by.clear();
  CHECK(RunRecord(unnamed, fx.keys.hasher).find("\"by\"") == std::string::npos);
  CHECK(Pseudonym(fx.keys.hasher, "acct-1") == Pseudonym(fx.keys.hasher, "acct-1"));
  CHECK(Pseudonym(fx.keys.hasher, "acct-1") != Pseudonym(fx.keys.hasher, "acct-2"));
  auto other = KeyedHasher::Create(std::vector<std::uint8_t>(32, 1));
  CHECK(Pseudonym(*other, "acct-1") != Pseudonym(fx.keys.hasher, "acct-1"));
}

TEST_CASE("verify: a store as written is valid", "[store][verify]") {
  Fixture fx;
  const StoreVerification v = fx.Verify();
  INFO(Describe(v.problems));
  CHECK(v.ok());
  CHECK(v.leaves.valid == 11);
  CHECK(v.leaves.total == 11);
  CHECK(v.checkpoints.valid == 3);
  CHECK(v.rows.valid == 11);
}

TEST_CASE("verify: every kind of tampering is detected and named", "[store][verify]") {
  Fixture fx;
  SECTION("one byte of a finding's stored JSON") {
    Tamper(fx.path,
           "UPDATE findings SET body = replace(body, '\"days\":3', '\"days\":4') "
           "WHERE finding_id = '" + kA1 + "'");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "finding " + kA1 + " revision 1", "stored SHA-256"));
    CHECK(
        HasProblem(v, "finding " + kA1 + " revision 1", "no longer matches its log record"));
  }
  SECTION("one byte of an evidence reference") {
    Tamper(fx.path,
           "UPDATE evidence SET offset = offset + 1 WHERE finding_id = '" + kB2 + "' AND n "
           "= 2");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "evidence 2 of finding " + kB2, "no longer matches"));
    CHECK(HasProblem(v, "finding " + kB2 + " revision 1",
                     "evidence rows differ from the evidence of its JSON"));
    CHECK(v.problems.size() == 2);
  }
  SECTION("a row of a finding's own tables (an acceptance record)") {
    Tamper(fx.path, "UPDATE finding_acceptances SET version = '2025-06'");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "finding " + kA1 + " revision 1", "acceptance records differ"));
    CHECK(v.problems.size() == 2);  // both findings cite the acceptance
  }
  SECTION("how findings are named: a keyed store turned to unkeyed ids") {
    Tamper(fx.path, "UPDATE meta SET value = 'sha256' WHERE key = 'finding_ids'");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "finding " + kA1 + " revision 1", "its id is not the sha256 id"));
    CHECK(HasProblem(v, "finding " + kB2 + " revision 1", "its id is not the sha256 id"));
    CHECK(v.problems.size() == 2);
    Tamper(fx.path, "UPDATE meta SET value = 'md5' WHERE key = 'finding_ids'");
    CHECK(HasProblem(fx.Verify(), "store file", "unknown scheme 'md5'"));
  }
  SECTION("who ran a run") {
    Tamper(fx.path, "UPDATE runs SET by = 'someone@else'");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "run R-000001", "no longer matches"));
    CHECK(v.problems.size() == 1);
  }
  SECTION("a review's reason") {
    Tamper(fx.path, "UPDATE reviews SET reason = 'clear pattern!'");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "review 1 of finding " + kA1, "no longer matches"));
  }
  SECTION("one byte of a log record") {
    Tamper(fx.path,
           "UPDATE leaves SET record = replace(record, '\"n\":1', '\"n\":7') WHERE idx = 2");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "leaf 2 (evidence)", "stored hash does not match"));
    CHECK(HasProblem(v, "checkpoint", "root does not match"));
  }
  SECTION("a record and its hash rewritten together") {
    Tamper(fx.path,
           "UPDATE leaves SET record = 'x', hash = X'" + ToHex(LeafHash("x")) + "' WHERE idx = 3");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "checkpoint", "root does not match"));
    CHECK(HasProblem(v, "evidence 2 of finding " + kA1, "no longer matches"));
  }
  SECTION("a deleted row") {
    Tamper(fx.path, "DELETE FROM evidence WHERE finding_id = '" + kA1 + "' AND n = 3");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "leaf 4 (evidence)", "row was deleted"));
  }
  SECTION("a deleted log leaf") {
    Tamper(fx.path, "DELETE FROM leaves WHERE idx = 10");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "checkpoint 3", "leaves were deleted"));
    CHECK(HasProblem(v, "custody entry 1", "does not have"));
  }
  SECTION("reordered rows") {
    Tamper(fx.path,
           "UPDATE leaves SET idx = -1 WHERE idx = 2; UPDATE leaves SET idx = 2 WHERE idx = 3;"
           "UPDATE leaves SET idx = 3 WHERE idx = -1;");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "checkpoint 1", "root does not match"));
    CHECK(HasProblem(v, "evidence 1 of finding " + kA1, "no longer matches"));
  }
  SECTION("a replaced checkpoint signature") {
    Tamper(fx.path,
           "UPDATE checkpoints SET signature = X'" + std::string(128, '0') + "' WHERE seq = 2");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "checkpoint 2", "bad signature"));
    CHECK(v.checkpoints.valid == 2);
  }
  SECTION("a checkpoint re-signed by another key") {
    auto other = VerifyStore(
        fx.path, {PrivateKey::FromRawSeed(std::vector<std::uint8_t>(32, 8))->public_key()},
        fx.keys.hasher);
    REQUIRE(other.ok());
    CHECK(HasProblem(*other, "checkpoint 1", "which is not a trusted key"));
  }
  SECTION("the wrong pseudonym key") {
    auto v = VerifyStore(fx.path, {fx.keys.signing.public_key()},
                         *KeyedHasher::Create(std::vector<std::uint8_t>(32, 1)));
    REQUIRE(v.ok());
    CHECK(HasProblem(*v, "finding " + kA1, "no longer matches"));
  }
  SECTION("a truncated file") {
    std::filesystem::resize_file(fx.path, std::filesystem::file_size(fx.path) / 2);
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    REQUIRE(!v.ok());
    CHECK(HasProblem(v, "store file", ""));
  }
  SECTION("a file cut to a few bytes") {
    std::filesystem::resize_file(fx.path, 100);
    const auto v = fx.Verify();
    CHECK(HasProblem(v, "store file", "truncated"));
  }
  SECTION("a view in place of a table, whose query never ends") {
    // Reading reviews would join the real rows with an endless sequence: refused on
    // open, before any query could run it.
    Tamper(fx.path,
           "ALTER TABLE reviews RENAME TO reviews_old; CREATE VIEW reviews AS WITH RECURSIVE "
           "c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT r.* FROM reviews_old r, c");
    const auto v = fx.Verify();
    INFO(Describe(v.problems));
    CHECK(HasProblem(v, "store file", "holds a view 'reviews', which no evidence store has"));
    CHECK_FALSE(v.ok());
  }
  SECTION("a trigger that rewrites what is inserted") {
    Tamper(fx.path,
           "CREATE TRIGGER quiet AFTER INSERT ON reviews BEGIN "
           "UPDATE reviews SET decision = 'dismissed' WHERE seq = new.seq; END");
    const auto v = fx.Verify();
    CHECK(HasProblem(v, "store file", "holds a trigger 'quiet'"));
  }
}

TEST_CASE("store: a crash before commit leaves none of the run", "[store]") {
  Fixture fx;
  const auto before = fx.Verify();
  REQUIRE(before.ok());
  for (const char* point : {"store.run.before_checkpoint", "store.run.before_commit"}) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::setenv("TOSGUARD_FAULT", point, 1);
      auto store = Store::Open(fx.path, false);
      if (!store.ok()) ::_exit(1);
      (void)store->RecordRun(MakeRun(), {MakeFinding(fx.logs, "acct-3", 5)},
                             fx.keys.Writer());
      ::_exit(0);  // not reached when the fault fires
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    INFO(point);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 86);
    const auto after = fx.Verify();
    CHECK(after.ok());
    CHECK(after.leaves.total == before.leaves.total);
    auto store = Store::Open(fx.path, false);
    CHECK(store->GetFinding(kC3).status().code() == StatusCode::kNotFound);
  }
}

TEST_CASE("report: the JSON verifies offline, names tampering, and is the same bytes twice",
          "[store][report]") {
  Fixture fx;
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  auto dossier = store->GetFinding(kA1);
  REQUIRE(dossier.ok());
  ReportOptions options;
  options.generated_at = 1764583200000000;
  options.examiner = "Compliance";
  options.tool_version = "0.1.0";
  options.revision = "test";
  options.logs_dir = fx.dir.str();
  auto json = BuildReportJson(*store, *dossier, fx.keys.hasher, options);
  REQUIRE(json.ok());
  CHECK(*BuildReportJson(*store, *dossier, fx.keys.hasher, options) == *json);
  CHECK(json->find("acct-1") == std::string::npos);  // pseudonymised by default
  CHECK(json->find(Pseudonym(fx.keys.hasher, "acct-1")) != std::string::npos);
  CHECK(json->find("u003cscript") == std::string::npos);  // no text without include_text

  const PublicKey key = fx.keys.signing.public_key();
  auto v = VerifyReport(*json, {key}, fx.dir.str());
  REQUIRE(v.ok());
  INFO(Describe(v->problems));
  CHECK(v->ok());
  CHECK(v->signature_ok);
  CHECK(v->leaves.total == 1 + 1 + 3 + 1 + 1);
  CHECK(v->lines.valid == 3);

  // A signed report that cites files outside the logs directory gets nothing read for
  // them, even when the file it names exists and would match: "../data/..." from a
  // subdirectory is refused, and the same file by its absolute path is looked for below
  // the logs directory, where it is not.
  std::filesystem::create_directories(fx.dir.path() / "logs");
  const std::string absolute = fx.dir.str() + "/data/events.jsonl";
  for (const std::string& outside : {std::string("../data/events.jsonl"), absolute}) {
    engine::Finding f = MakeFinding(fx.logs, "acct-9", 3);
    for (auto& e : f.evidence) e.file = outside;
    REQUIRE(store->RecordRun(MakeRun(), {f}, fx.keys.Writer()).ok());
    auto d = store->GetFinding(f.id);
    REQUIRE(d.ok());
    const std::string report = *BuildReportJson(*store, *d, fx.keys.hasher, options);
    auto r = VerifyReport(report, {key}, (fx.dir.path() / "logs").string());
    REQUIRE(r.ok());
    INFO(outside << "\n" << Describe(r->problems));
    CHECK(r->signature_ok);
    CHECK(r->lines.valid == 0);
    if (outside == absolute) {
      CHECK(HasProblem(*r, outside, (fx.dir.path() / "logs").string() + absolute));
      CHECK(r->problems.size() == 4);  // the file's digest, and one per cited line
      // Sources outside the configuration's directory are cited by absolute path: with
      // `--logs /` they are read where they were scanned.
      auto at_root = VerifyReport(report, {key}, "/");
      REQUIRE(at_root.ok());
      INFO(Describe(at_root->problems));
      CHECK(at_root->ok());
      CHECK(at_root->lines.valid == 3);
    } else {
      CHECK(HasProblem(*r, outside + " line 1", "climbs out of the logs directory with '..'"));
      CHECK(r->problems.size() == 3);  // one per cited line, nothing else
    }
  }

  auto tampered = [&](const std::string& from, const std::string& to) {
    std::string t = *json;
    const auto at = t.find(from);
    REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    auto r = VerifyReport(t, {key}, "");
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(!tampered("\"level\":\"violation\"", "\"level\":\"review\"").ok());
  CHECK(!tampered("\"first\":\"2025-01-12\"", "\"first\":\"2025-01-11\"").ok());
  CHECK(!tampered("\"total\":40", "\"total\":400").ok());
  CHECK(!tampered("\"decision\":\"confirmed\"", "\"decision\":\"dismissed\"").ok());
  const auto proof = json->find("\"proof\":[\"");
  REQUIRE(proof != std::string::npos);
  std::string bad_proof = *json;
  bad_proof[proof + 10] = bad_proof[proof + 10] == '0' ? '1' : '0';
  CHECK(!VerifyReport(bad_proof, {key}, "")->ok());
  // Hostile reports: cut short anywhere, or with a byte changed, never crash the verifier.
  for (std::size_t at = 0; at < json->size(); at += 7) {
    std::string cut = json->substr(0, at);
    auto r = VerifyReport(cut, {key}, "");
    CHECK((!r.ok() || !r->ok()));
    std::string flipped = *json;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x20);
    auto f = VerifyReport(flipped, {key}, "");
    (void)f;
  }
  for (const char* section :
       {"\"integrity\":", "\"leaves\":", "\"proof\":", "\"items\":", "\"checkpoint\":"}) {
    std::string renamed = *json;
    const auto pos = renamed.find(section);
    REQUIRE(pos != std::string::npos);
    renamed[pos + 1] = 'X';
    auto r = VerifyReport(renamed, {key}, "");
    CHECK((!r.ok() || !r->ok()));
  }
  // Another key, or the log files changed since the scan.
  const PublicKey other = PrivateKey::FromRawSeed(std::vector<std::uint8_t>(32, 8))->public_key();
  CHECK(!VerifyReport(*json, {other}, "")->signature_ok);
  std::string changed = fx.logs.content;
  changed[5] = 'E';
  fx.dir.Write("data/events.jsonl", changed);
  auto lines = VerifyReport(*json, {key}, fx.dir.str());
  REQUIRE(lines.ok());
  CHECK(lines->lines.valid == 2);
  CHECK(!lines->ok());

  // Revealed identifiers and quoted text only on request.
  fx.dir.Write("data/events.jsonl", fx.logs.content);
  options.reveal = true;
  options.include_text = true;
  auto revealed = BuildReportJson(*store, *dossier, fx.keys.hasher, options);
  REQUIRE(revealed.ok());
  CHECK(revealed->find("\"acct-1\"") != std::string::npos);
  CHECK(revealed->find("\\u003cscript\\u003ex\\u003c/script\\u003e") !=
        std::string::npos);  // JSON escapes <, >
  CHECK(VerifyReport(*revealed, {key}, fx.dir.str())->ok());
}

}  // namespace tosguard::audit

namespace tosguard::audit {

TEST_CASE("store: a schema 1 store is migrated on open, keeps its finding ids and still verifies",
          "[store]") {
  Fixture fx("", FindingIdScheme::kDigest);
  Tamper(fx.path,
         "DROP TABLE batch_inputs; DROP TABLE withdrawals; ALTER TABLE findings DROP COLUMN change;"
         " DELETE FROM meta; ALTER TABLE runs DROP COLUMN by; PRAGMA user_version = 1");
  {
    auto store = Store::Open(fx.path, false);
    REQUIRE(store.ok());
    CHECK(*store->db().QueryInt("PRAGMA user_version") == kStoreSchemaVersion);
    CHECK(store->ProcessedInputs()->empty());
    // Its findings were named by the unkeyed digest; later runs name them so too.
    CHECK(*store->FindingIds() == FindingIdScheme::kDigest);
  }
  const auto v = fx.Verify();
  INFO(Describe(v.problems));
  CHECK(v.ok());
}

TEST_CASE("store: a schema 2 store keeps its unkeyed finding ids and still verifies", "[store]") {
  Fixture fx("", FindingIdScheme::kDigest);
  Tamper(fx.path, "DELETE FROM meta; ALTER TABLE runs DROP COLUMN by; PRAGMA user_version = 2");
  {
    auto store = Store::Open(fx.path, false);
    REQUIRE(store.ok());
    CHECK(*store->db().QueryInt("PRAGMA user_version") == kStoreSchemaVersion);
    CHECK(*store->FindingIds() == FindingIdScheme::kDigest);
    CHECK(LoadRun(store->db(), "R-000001")->by.empty());  // nobody is named after the fact
  }
  const auto v = fx.Verify();
  INFO(Describe(v.problems));
  CHECK(v.ok());
}

TEST_CASE("store: a revision says what changed and why, processed inputs are recorded", "[store]") {
  Fixture fx;
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  engine::Finding longer = MakeFinding(fx.logs, "acct-1", 55);
  longer.last_day += 1;
  RunExtras extras;
  extras.processed = {{"data/events.jsonl", std::string(64, 'e'), 3, 3, 0}};
  extras.cause = "new input data/day-2.jsonl";
  auto run = store->RecordRun(MakeRun(),
                              {longer, MakeFinding(fx.logs, "acct-2", 12)},
                              fx.keys.Writer(), extras);
  REQUIRE(run.ok());
  REQUIRE(run->changes.size() == 2);
  CHECK(run->changes[0].kind == "extended");
  CHECK(run->changes[0].revision == 2);
  CHECK(run->changes[0].change ==
        "last day 2025-01-14 -> 2025-01-15; counted requests 40 -> 55; requests 40 -> 55 (new "
        "input data/day-2.jsonl)");
  CHECK(run->changes[1].kind == "unchanged");
  auto d = store->GetFinding(kA1);
  REQUIRE(d.ok());
  CHECK(d->summary.row.change == run->changes[0].change);
  auto processed = store->ProcessedInputs();
  REQUIRE(processed.ok());
  REQUIRE(processed->size() == 1);
  CHECK((*processed)[0].file == "data/events.jsonl");
  CHECK(fx.Verify().ok());

  // A file marked processed that its run never read is named.
  Tamper(fx.path, "INSERT INTO batch_inputs VALUES('" + std::string(64, '1') +
                      "', 'data/hidden.jsonl', 'R-000001', 9)");
  const auto v = fx.Verify();
  CHECK(HasProblem(v, "processed input data/hidden.jsonl", "did not read it"));
}

TEST_CASE("store: a write refuses to extend a log that no longer matches its checkpoint",
          "[store]") {
  Fixture fx;
  Tamper(fx.path,
         "UPDATE leaves SET record = 'x', hash = X'" + ToHex(LeafHash("x")) + "' WHERE idx = 3");
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  const auto leaves = store->Leaves()->size();
  auto run = store->RecordRun(MakeRun(), {}, fx.keys.Writer());
  CHECK(run.status().code() == StatusCode::kCorruption);
  CHECK_THAT(run.status().message(),
             Catch::Contains("no longer matches its last signed checkpoint"));
  CHECK(store->AddReview(kA1, "dismissed", "x", "y", fx.keys.Writer())
            .status()
            .code() == StatusCode::kCorruption);
  CHECK(store->Leaves()->size() == leaves);
  // Nor does it sign on top of a checkpoint made with another key.
  Fixture other;
  auto again = Store::Open(other.path, false);
  const PrivateKey stranger = PrivateKey::FromRawSeed(std::vector<std::uint8_t>(32, 3)).value();
  LogWriter log = other.keys.Writer();
  log.signing_key = &stranger;
  CHECK_THAT(again->RecordRun(MakeRun(), {}, log).status().message(),
             Catch::Contains("not signed by this"));

  // A rotation: the new key writes on, trusting the earlier one; verify needs both keys.
  log.earlier_keys = {other.keys.signing.public_key()};
  REQUIRE(again->RecordRun(MakeRun(), {}, log).ok());
  auto both = VerifyStore(other.path, {other.keys.signing.public_key(), stranger.public_key()},
                          other.keys.hasher);
  REQUIRE(both.ok());
  INFO(Describe(both->problems));
  CHECK(both->ok());
  auto old_only = VerifyStore(other.path, {other.keys.signing.public_key()}, other.keys.hasher);
  REQUIRE(old_only.ok());
  CHECK(HasProblem(*old_only, "checkpoint 4", "which is not a trusted key"));
}

}  // namespace tosguard::audit

namespace tosguard::audit {

TEST_CASE("store: a batch withdraws the findings it no longer finds, and says why", "[store]") {
  Fixture fx;
  auto store = Store::Open(fx.path, false);
  REQUIRE(store.ok());
  engine::Finding moved = MakeFinding(fx.logs, "acct-1", 44);
  moved.first_day -= 1;  // late data moved the start: another id
  moved.id = KeyedFindingId(TestHasher(), moved);
  const std::string kMoved = moved.id;
  RunExtras extras;
  extras.withdraw_missing = true;
  auto run = store->RecordRun(MakeRun(), {moved}, fx.keys.Writer(), extras);
  REQUIRE(run.ok());
  std::vector<std::string> kinds;
  for (const auto& c : run->changes) kinds.push_back(c.finding_id + " " + c.kind);
  CHECK(kinds == std::vector<std::string>{kMoved + " new", kA1 + " withdrawn",
                                          kB2 + " withdrawn"});
  CHECK_THAT(run->changes[1].change,
             Catch::Contains("not found again by R-000002, which evaluated 2025-01-12 .. "
                             "2025-01-14; superseded by " + kMoved));
  FindingFilter withdrawn;
  withdrawn.status = "withdrawn";
  CHECK(store->ListFindings(withdrawn)->size() == 2);
  auto d = store->GetFinding(kA1);
  REQUIRE(d.ok());
  CHECK(d->withdrawals.size() == 1);
  CHECK(fx.Verify().ok());
  // Found again later: a new revision, no longer withdrawn.
  auto back = store->RecordRun(
      MakeRun(), {MakeFinding(fx.logs, "acct-1", 40)}, fx.keys.Writer());
  REQUIRE(back.ok());
  CHECK(back->changes[0].kind == "revised");
  CHECK(back->changes[0].change == "found again after its withdrawal");
  CHECK(store->GetFinding(kA1)->summary.status == "confirmed");
  Tamper(fx.path, "UPDATE withdrawals SET reason = 'mistake' WHERE seq = 1");
  CHECK(HasProblem(fx.Verify(), "withdrawal 1 of finding " + kA1, "no longer matches"));
}

}  // namespace tosguard::audit
