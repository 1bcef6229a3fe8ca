#include "audit/store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "base/fault.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "base/utf8.h"

namespace tosguard::audit {
namespace {

// 'tosg': marks the file as a tosguard store (PRAGMA application_id).
constexpr std::int64_t kApplicationId = 0x746f7367;

// Migrations: kMigrations[v] brings a store from schema v to v + 1.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE runs(
  seq INTEGER PRIMARY KEY, run_id TEXT NOT NULL UNIQUE, command TEXT NOT NULL,
  tool_version TEXT NOT NULL, revision TEXT NOT NULL, started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL, config_sha256 TEXT NOT NULL, rules_sha256 TEXT NOT NULL,
  from_day TEXT NOT NULL, to_day TEXT NOT NULL, new_findings INTEGER NOT NULL,
  revised_findings INTEGER NOT NULL, unchanged_findings INTEGER NOT NULL,
  leaf INTEGER NOT NULL UNIQUE) STRICT;
CREATE TABLE run_rules(
  run_id TEXT NOT NULL, rule_id TEXT NOT NULL, file TEXT NOT NULL, file_sha256 TEXT NOT NULL,
  source TEXT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY(run_id, rule_id)) STRICT;
CREATE TABLE run_inputs(
  run_id TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL, lines INTEGER NOT NULL,
  records INTEGER NOT NULL, quarantined INTEGER NOT NULL, PRIMARY KEY(run_id, file)) STRICT;
CREATE TABLE run_quarantine(
  run_id TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY(run_id, reason)) STRICT;
CREATE TABLE findings(
  finding_id TEXT NOT NULL, revision INTEGER NOT NULL, run_id TEXT NOT NULL,
  rule_id TEXT NOT NULL, rule_sha256 TEXT NOT NULL, level TEXT NOT NULL,
  scope_kind TEXT NOT NULL, scope_value TEXT NOT NULL, first_day TEXT NOT NULL,
  last_day TEXT NOT NULL, peak_day TEXT NOT NULL, days INTEGER NOT NULL,
  evidence_total INTEGER NOT NULL, evidence_shown INTEGER NOT NULL, body TEXT NOT NULL,
  body_sha256 TEXT NOT NULL, leaf INTEGER NOT NULL UNIQUE,
  PRIMARY KEY(finding_id, revision)) STRICT;
CREATE INDEX findings_rule ON findings(rule_id, level);
CREATE TABLE finding_runs(
  run_id TEXT NOT NULL, finding_id TEXT NOT NULL, revision INTEGER NOT NULL,
  PRIMARY KEY(run_id, finding_id)) STRICT;
CREATE TABLE evidence(
  finding_id TEXT NOT NULL, revision INTEGER NOT NULL, n INTEGER NOT NULL,
  event_id TEXT NOT NULL, account_id TEXT NOT NULL, time TEXT NOT NULL, file TEXT NOT NULL,
  file_sha256 TEXT NOT NULL, line INTEGER NOT NULL, offset INTEGER NOT NULL,
  length INTEGER NOT NULL, line_sha256 TEXT NOT NULL, leaf INTEGER NOT NULL UNIQUE,
  PRIMARY KEY(finding_id, revision, n)) STRICT;
CREATE TABLE finding_links(
  finding_id TEXT NOT NULL, revision INTEGER NOT NULL, n INTEGER NOT NULL,
  identifier TEXT NOT NULL, value TEXT NOT NULL, accounts TEXT NOT NULL,
  PRIMARY KEY(finding_id, revision, n)) STRICT;
CREATE TABLE finding_acceptances(
  finding_id TEXT NOT NULL, revision INTEGER NOT NULL, n INTEGER NOT NULL,
  account_id TEXT NOT NULL, policy TEXT NOT NULL, version TEXT NOT NULL,
  accepted_at TEXT NOT NULL, method TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
  offset INTEGER NOT NULL, length INTEGER NOT NULL, PRIMARY KEY(finding_id, revision, n)) STRICT;
CREATE TABLE finding_waivers(
  finding_id TEXT NOT NULL, revision INTEGER NOT NULL, n INTEGER NOT NULL,
  waiver_id TEXT NOT NULL, rule TEXT NOT NULL, scope TEXT NOT NULL, approver TEXT NOT NULL,
  basis TEXT NOT NULL, from_time TEXT NOT NULL, until_time TEXT,
  PRIMARY KEY(finding_id, revision, n)) STRICT;
CREATE TABLE reviews(
  seq INTEGER PRIMARY KEY, finding_id TEXT NOT NULL, decision TEXT NOT NULL,
  by TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL, leaf INTEGER NOT NULL UNIQUE) STRICT;
CREATE TABLE custody(
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL, finding_id TEXT NOT NULL,
  what TEXT NOT NULL, by TEXT NOT NULL, why TEXT NOT NULL, report_sha256 TEXT NOT NULL,
  leaf INTEGER NOT NULL UNIQUE) STRICT;
CREATE TABLE leaves(
  idx INTEGER PRIMARY KEY, kind TEXT NOT NULL, record TEXT NOT NULL, hash BLOB NOT NULL) STRICT;
CREATE TABLE checkpoints(
  seq INTEGER PRIMARY KEY, tree_size INTEGER NOT NULL, root BLOB NOT NULL, time TEXT NOT NULL,
  text TEXT NOT NULL, signature BLOB NOT NULL, key_id TEXT NOT NULL, public_key BLOB NOT NULL) STRICT;
)sql",
    // 2: the input files a batch has processed (by content), and why a revision differs.
    R"sql(
CREATE TABLE batch_inputs(
  sha256 TEXT PRIMARY KEY, file TEXT NOT NULL, run_id TEXT NOT NULL, lines INTEGER NOT NULL) STRICT;
ALTER TABLE findings ADD COLUMN change TEXT NOT NULL DEFAULT '';
CREATE TABLE withdrawals(
  seq INTEGER PRIMARY KEY, finding_id TEXT NOT NULL, revision INTEGER NOT NULL, run_id TEXT NOT NULL,
  reason TEXT NOT NULL, leaf INTEGER NOT NULL UNIQUE, UNIQUE(finding_id, revision)) STRICT;
)sql",
    // 3: how findings are named (a store made before this schema keeps the unkeyed ids it
    // has; Open() marks a store it creates as keyed), and who ran each run.
    R"sql(
INSERT INTO meta(key, value) VALUES('finding_ids', 'sha256');
ALTER TABLE runs ADD COLUMN by TEXT NOT NULL DEFAULT '';
)sql",
};
constexpr std::int64_t kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kStoreSchemaVersion);

std::span<const std::uint8_t> Bytes(const Digest& d) { return {d.data(), d.size()}; }
std::span<const std::uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string Day(std::int64_t d) { return FormatDate(DayStart(d)); }

std::string RunId(std::int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "R-%06lld", static_cast<long long>(seq));
  return buf;
}

Status Migrate(sqlite::Db& db, std::int64_t from) {
  for (std::int64_t v = from; v < kStoreSchemaVersion; ++v) {
    Status s = db.Exec(kMigrations[v]);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (!s.ok())
      return Status::IoError("cannot migrate the store to schema " + std::to_string(v + 1) + ": " +
                             s.message());
  }
  return Status::Ok();
}

}  // namespace

FindingRow FindingRowOf(const engine::Finding& f, std::int64_t revision, const std::string& run_id,
                        const std::string& rule_sha256, std::string body) {
  FindingRow row;
  row.finding_id = f.id;
  row.revision = revision;
  row.run_id = run_id;
  row.rule_id = f.rule_id;
  row.rule_sha256 = rule_sha256;
  row.level = engine::OutcomeName(f.level);
  row.scope_kind = f.scope_kind;
  row.scope_value = f.scope_value;
  row.first_day = Day(f.first_day);
  row.last_day = Day(f.last_day);
  row.peak_day = Day(f.peak_day);
  row.days = f.days;
  row.evidence_total = static_cast<std::int64_t>(f.evidence_total);
  row.evidence_shown = static_cast<std::int64_t>(f.evidence.size());
  row.body = std::move(body);
  return row;
}

std::string LinkAccountsJson(const std::vector<std::string>& accounts) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& s : accounts) w.String(s);
  w.EndArray();
  return w.Take();
}

std::vector<EvidenceRow> EvidenceRowsOf(const engine::Finding& f, std::int64_t revision) {
  std::vector<EvidenceRow> rows;
  rows.reserve(f.evidence.size());
  for (std::size_t i = 0; i < f.evidence.size(); ++i) {
    const engine::EvidenceItem& e = f.evidence[i];
    EvidenceRow r;
    r.finding_id = f.id;
    r.revision = revision;
    r.n = static_cast<std::int64_t>(i + 1);
    r.event_id = e.event_id;
    r.account_id = e.account_id;
    r.time = FormatRfc3339(e.ts);
    r.file = e.file;
    r.file_sha256 = e.file_sha256;
    r.line = static_cast<std::int64_t>(e.ref.line);
    r.offset = static_cast<std::int64_t>(e.ref.offset);
    r.length = static_cast<std::int64_t>(e.ref.length);
    r.line_sha256 = e.line_sha256;
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<Store> Store::Open(const std::string& path, bool create) {
  struct stat st {};
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    return Status::InvalidArgument("the store '" + path + "' is a directory");
  if (!exists && !create) {
    return Status::NotFound("no evidence store at '" + path + "' (scan --store creates one)");
  }
  if (exists && st.st_size > 0 && st.st_size < 512) {
    return Status::Corruption("the store '" + path + "' is damaged: " + std::to_string(st.st_size) +
                              " bytes is shorter than a SQLite header page (truncated?)");
  }
  auto db = sqlite::Db::Open(
      path, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOFOLLOW);
  if (!db.ok()) return db.status();
  auto fail = [&](StatusCode code, const std::string& why) {
    return Status(code, "the store '" + path + "' " + why);
  };
  // Reading the header first tells a damaged or foreign file from a store.
  auto app = db->QueryInt("PRAGMA application_id");
  if (!app.ok())
    return fail(StatusCode::kCorruption,
                "is not a readable SQLite file: " + app.status().message());
  auto version = db->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  auto tables = db->QueryInt("SELECT count(*) FROM sqlite_schema");
  if (!tables.ok())
    return fail(StatusCode::kCorruption, "is damaged: " + tables.status().message());
  if (*app != kApplicationId && !(*app == 0 && *tables == 0)) {
    return fail(StatusCode::kFailedPrecondition,
                "is a SQLite file but not a tosguard evidence store");
  }
  // A store has tables and indexes only. A view or trigger was put there by someone
  // else: a view in place of a table could feed any rows, or a query that never ends, to
  // every command, and a trigger could rewrite what is inserted.
  {
    auto objects = sqlite::Stmt::Prepare(
        *db, "SELECT type, name FROM sqlite_schema WHERE type NOT IN ('table', 'index') ORDER BY name");
    if (!objects.ok()) return fail(StatusCode::kCorruption, "is damaged: " + objects.status().message());
    std::string foreign;
    Status listed = sqlite::ForEachRow(*objects, [&](const sqlite::Stmt& row) {
      if (foreign.empty()) foreign = row.Text(0) + " '" + SafeExcerpt(row.Text(1), 80) + "'";
    });
    if (!listed.ok()) return fail(StatusCode::kCorruption, "is damaged: " + listed.message());
    if (!foreign.empty()) {
      return fail(StatusCode::kCorruption,
                  "holds a " + foreign + ", which no evidence store has: it was changed outside tosguard");
    }
  }
  if (*version > kStoreSchemaVersion) {
    return fail(StatusCode::kFailedPrecondition,
                "has schema version " + std::to_string(*version) +
                    ", written by a newer tosguard; this one reads up to " +
                    std::to_string(kStoreSchemaVersion));
  }
  // Durability: WAL with a sync at every commit, or nothing.
  auto mode = db->QueryText("PRAGMA journal_mode = WAL");
  if (!mode.ok() || *mode != "wal") {
    return fail(StatusCode::kFailedPrecondition,
                "cannot use write-ahead logging (journal_mode is '" +
                    (mode.ok() ? *mode : mode.status().message()) +
                    "'); the store needs WAL with synchronous=FULL so that no commit can be lost");
  }
  Status s = db->Exec(
      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;"
      "PRAGMA cell_size_check = ON;");
  if (!s.ok()) return fail(StatusCode::kIoError, "refused its settings: " + s.message());
  auto sync = db->QueryInt("PRAGMA synchronous");
  if (!sync.ok() || *sync != 2) {
    return fail(StatusCode::kFailedPrecondition,
                "does not keep synchronous=FULL; refusing a store that could lose commits");
  }
  if (*version < kStoreSchemaVersion) {
    s = db->Exec("BEGIN IMMEDIATE");
    if (s.ok()) s = Migrate(*db, *version);
    if (s.ok() && *version == 0) {
      s = db->Exec("UPDATE meta SET value = '" +
                   std::string(FindingIdSchemeName(FindingIdScheme::kKeyed)) +
                   "' WHERE key = 'finding_ids'");
    }
    if (s.ok() && *app == 0)
      s = db->Exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    if (s.ok()) s = db->Exec("COMMIT");
    if (!s.ok()) {
      (void)db->Exec("ROLLBACK");
      return fail(StatusCode::kIoError, "could not be initialised: " + s.message());
    }
  }
  return Store(path, std::move(*db));
}

Result<FindingIdScheme> Store::FindingIds() {
  auto name = db_.QueryText("SELECT value FROM meta WHERE key = 'finding_ids'");
  if (!name.ok())
    return Status::Corruption(
        "the store '" + path_ +
        "' does not say how its findings are named: " + name.status().message());
  auto scheme = ParseFindingIdScheme(*name);
  if (!scheme)
    return Status::Corruption("the store '" + path_ +
                              "' names its findings by an unknown scheme '" + *name + "'");
  return *scheme;
}

Status Store::Begin() {
  Status s = db_.Exec("BEGIN IMMEDIATE");
  if (!s.ok()) {
    if (s.message().find("locked") != std::string::npos ||
        s.message().find("busy") != std::string::npos) {
      return Status::FailedPrecondition("the store '" + path_ +
                                        "' is busy: another tosguard is writing to it");
    }
    return s;
  }
  return Status::Ok();
}

template <typename T, typename Fn>
Result<T> Store::Transaction(const char* fault_point, Fn body) {
  if (Status s = Begin(); !s.ok()) return s;
  Result<T> result = body();
  if (result.ok()) {
    FaultPoint(fault_point);
    Status s = db_.Exec("COMMIT");
    if (s.ok()) return result;
    result = s;
  }
  (void)db_.Exec("ROLLBACK");
  return result.status();
}

Result<MerkleTree> Store::Tree() {
  // Each leaf is re-hashed from its record: a write never builds on a changed record.
  auto stmt = sqlite::Stmt::Prepare(db_, "SELECT idx, record, hash FROM leaves ORDER BY idx");
  if (!stmt.ok()) return stmt.status();
  MerkleTree tree;
  bool damaged = false;
  Status s = sqlite::ForEachRow(*stmt, [&](const sqlite::Stmt& row) {
    const Digest d = LeafHash(row.Text(1));
    const std::string hash = row.Blob(2);
    if (damaged || row.Int(0) != static_cast<std::int64_t>(tree.size()) ||
        hash.size() != d.size() || std::memcmp(hash.data(), d.data(), d.size()) != 0) {
      damaged = true;
      return;
    }
    tree.Append(d);
  });
  if (!s.ok()) return s;
  if (damaged) {
    return Status::Corruption("the store's log is damaged at leaf " + std::to_string(tree.size()) +
                              " (run tosguard verify; nothing was written)");
  }
  return tree;
}

Result<std::int64_t> Store::AppendLeaf(MerkleTree* tree, const std::string& kind,
                                       const std::string& record) {
  const Digest hash = LeafHash(record);
  const auto index = static_cast<std::int64_t>(tree->size());
  auto stmt =
      sqlite::Stmt::Prepare(db_, "INSERT INTO leaves(idx, kind, record, hash) VALUES(?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, index).Bind(2, kind).Bind(3, record).BindBlob(4, Bytes(hash));
  if (Status s = stmt->Run(); !s.ok()) return s;
  tree->Append(hash);
  return index;
}

Result<StoredCheckpoint> Store::SignCheckpointRow(const MerkleTree& tree, const LogWriter& log) {
  StoredCheckpoint out;
  out.checkpoint.origin = log.origin;
  out.checkpoint.tree_size = tree.size();
  out.checkpoint.root = tree.Root();
  out.checkpoint.time = log.now;
  auto text = CheckpointText(out.checkpoint);
  if (!text.ok()) return text.status();
  auto sig = SignCheckpoint(out.checkpoint, *log.signing_key);
  if (!sig.ok()) return sig.status();
  out.text = *text;
  out.signature.assign(reinterpret_cast<const char*>(sig->data()), sig->size());
  out.key_id = log.signing_key->public_key().KeyId();
  const auto& raw = log.signing_key->public_key().raw();
  out.public_key.assign(reinterpret_cast<const char*>(raw.data()), raw.size());
  auto stmt = sqlite::Stmt::Prepare(
      db_,
      "INSERT INTO checkpoints(tree_size, root, time, text, signature, key_id, public_key)"
      " VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, static_cast<std::int64_t>(out.checkpoint.tree_size))
      .BindBlob(2, Bytes(out.checkpoint.root))
      .Bind(3, FormatRfc3339(log.now))
      .Bind(4, out.text)
      .BindBlob(5, Bytes(out.signature))
      .Bind(6, out.key_id)
      .BindBlob(7, Bytes(out.public_key));
  if (Status s = stmt->Run(); !s.ok()) return s;
  out.seq = sqlite3_last_insert_rowid(db_.get());
  return out;
}

Status Store::CheckHead(const MerkleTree& tree, const LogWriter& log) {
  auto latest = LatestCheckpoint();
  if (!latest.ok()) return latest.status();
  const char* kAdvice = " (run tosguard verify; nothing was written)";
  if (!*latest) {
    if (tree.size() == 0) return Status::Ok();
    return Status::Corruption("the store's log has leaves but no signed checkpoint" +
                              std::string(kAdvice));
  }
  const StoredCheckpoint& c = **latest;
  if (c.checkpoint.tree_size != tree.size() || c.checkpoint.root != tree.Root()) {
    return Status::Corruption("the store's log no longer matches its last signed checkpoint" +
                              std::string(kAdvice));
  }
  auto parsed = ParseCheckpoint(c.text);
  const auto* sig = reinterpret_cast<const std::uint8_t*>(c.signature.data());
  const PublicKey* key = nullptr;
  if (c.key_id == log.signing_key->public_key().KeyId()) key = &log.signing_key->public_key();
  for (const PublicKey& k : log.earlier_keys) {
    if (key == nullptr && c.key_id == k.KeyId()) key = &k;
  }
  if (key == nullptr || !parsed.ok() || !(*parsed == c.checkpoint) ||
      !VerifyCheckpoint(*parsed, {sig, c.signature.size()}, *key).ok()) {
    return Status::Corruption(
        "the store's last checkpoint is not signed by this configuration's signing key or one of "
        "its "
        "trusted_keys" +
        std::string(kAdvice));
  }
  return Status::Ok();
}

Status Store::CheckLogHead(const LogWriter& log) {
  auto tree = Tree();
  if (!tree.ok()) return tree.status();
  return CheckHead(*tree, log);
}

Result<std::vector<InputRow>> Store::ProcessedInputs() {
  auto st =
      sqlite::Stmt::Prepare(db_, "SELECT file, sha256, lines FROM batch_inputs ORDER BY sha256");
  if (!st.ok()) return st.status();
  std::vector<InputRow> out;
  Status s = sqlite::ForEachRow(*st, [&](const sqlite::Stmt& row) {
    out.push_back({row.Text(0), row.Text(1), static_cast<std::uint64_t>(row.Int(2)), 0, 0});
  });
  if (!s.ok()) return s;
  return out;
}

std::string DescribeChange(const std::string& before_json, const engine::Finding& after) {
  auto before = engine::ParseFindingJson(before_json);
  if (!before.ok()) return "content changed";
  std::vector<std::string> parts;
  auto day = [](std::int64_t d) { return FormatDate(DayStart(d)); };
  auto differ = [&](const char* what, const std::string& a, const std::string& b) {
    if (a != b) parts.push_back(std::string(what) + " " + a + " -> " + b);
  };
  differ("level", engine::OutcomeName(before->level), engine::OutcomeName(after.level));
  differ("last day", day(before->last_day), day(after.last_day));
  differ("peak day", day(before->peak_day), day(after.peak_day));
  differ("counted requests", std::to_string(before->evidence_total),
         std::to_string(after.evidence_total));
  std::size_t metrics = 0;
  for (const engine::Metric& m : after.metrics) {
    for (const engine::Metric& b : before->metrics) {
      if (b.name == m.name && b.value.text != m.value.text && metrics++ < 3) {
        parts.push_back(m.name + " " + b.value.text + " -> " + m.value.text);
      }
    }
  }
  {
    std::vector<std::string> a, b;
    for (const auto& e : before->evidence) a.push_back(e.event_id + e.line_sha256);
    for (const auto& e : after.evidence) b.push_back(e.event_id + e.line_sha256);
    if (a != b) parts.push_back("evidence sample changed");
  }
  if (parts.empty())
    parts.push_back("details changed (accounts, links, acceptances, waivers or timeline)");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
  return out;
}

Result<std::vector<FindingChange>> Store::WithdrawMissing(
    MerkleTree* tree, const RunRow& run, const std::vector<engine::Finding>& findings) {
  std::set<std::string> rules, produced;
  for (const RuleRow& r : run.rules) rules.insert(r.rule_id);
  for (const engine::Finding& f : findings) produced.insert(f.id);
  auto st = sqlite::Stmt::Prepare(db_, std::string("SELECT ") + kFindingColumns +
                                           " FROM findings f WHERE f.revision = (SELECT "
                                           "max(revision) FROM findings g WHERE g.finding_id ="
                                           " f.finding_id) AND NOT EXISTS (SELECT 1 FROM "
                                           "withdrawals w WHERE w.finding_id = f.finding_id"
                                           " AND w.revision = f.revision) AND f.first_day >= ? AND "
                                           "f.last_day <= ? ORDER BY f.finding_id");
  if (!st.ok()) return st.status();
  st->Bind(1, run.from_day).Bind(2, run.to_day);
  std::vector<FindingRow> stale;
  Status s = sqlite::ForEachRow(*st, [&](const sqlite::Stmt& row) {
    FindingRow r = ReadFindingRow(row);
    if (rules.count(r.rule_id) > 0 && produced.count(r.finding_id) == 0)
      stale.push_back(std::move(r));
  });
  if (!s.ok()) return s;
  auto seq = db_.QueryInt("SELECT coalesce(max(seq), 0) FROM withdrawals");
  if (!seq.ok()) return seq.status();
  auto ins = sqlite::Stmt::Prepare(db_, "INSERT INTO withdrawals VALUES(?,?,?,?,?,?)");
  if (!ins.ok()) return ins.status();
  std::vector<FindingChange> out;
  for (const FindingRow& r : stale) {
    WithdrawalRow w{++*seq,
                    r.finding_id,
                    r.revision,
                    run.run_id,
                    "not found again by " + run.run_id + ", which evaluated " + run.from_day +
                        " .. " + run.to_day,
                    -1};
    for (const engine::Finding& f : findings) {
      const std::string first = FormatDate(DayStart(f.first_day)),
                        last = FormatDate(DayStart(f.last_day));
      if (f.rule_id == r.rule_id && f.scope_kind == r.scope_kind &&
          f.scope_value == r.scope_value && first <= r.last_day && last >= r.first_day) {
        w.reason +=
            "; superseded by " + f.id + " (same rule and scope, " + first + " .. " + last + ")";
      }
    }
    auto leaf = AppendLeaf(tree, "withdrawal", WithdrawalRecord(w));
    if (!leaf.ok()) return leaf.status();
    w.leaf = *leaf;
    ins->Bind(1, w.seq)
        .Bind(2, w.finding_id)
        .Bind(3, w.revision)
        .Bind(4, w.run_id)
        .Bind(5, w.reason)
        .Bind(6, w.leaf);
    if (Status r2 = ins->Run(); !r2.ok()) return r2;
    out.push_back({w.finding_id, w.revision, "withdrawn", w.reason});
  }
  return out;
}

Result<RunOutcome> Store::RecordRun(RunRow run, const std::vector<engine::Finding>& findings,
                                    const LogWriter& log, const RunExtras& extras) {
  return Transaction<RunOutcome>("store.run.before_commit", [&]() -> Result<RunOutcome> {
    auto tree = Tree();
    if (!tree.ok()) return tree.status();
    if (Status s = CheckHead(*tree, log); !s.ok()) return s;
    RunOutcome out;
    const std::uint64_t before = tree->size();
    auto seq = db_.QueryInt("SELECT coalesce(max(seq), 0) + 1 FROM runs");
    if (!seq.ok()) return seq.status();
    run.run_id = RunId(*seq);
    std::map<std::string, std::string> rule_sha;
    for (const RuleRow& r : run.rules) rule_sha[r.rule_id] = r.file_sha256;

    // Which findings are new, which revise a stored one, which are unchanged.
    auto latest =
        sqlite::Stmt::Prepare(db_,
                              "SELECT revision, body_sha256, body, last_day, (SELECT count(*) FROM"
                              " withdrawals w WHERE w.finding_id = f.finding_id AND w.revision ="
                              " f.revision) FROM findings f WHERE finding_id = ? ORDER BY revision"
                              " DESC LIMIT 1");
    if (!latest.ok()) return latest.status();
    struct Pending {
      const engine::Finding* finding;
      std::int64_t revision;
      std::string body;
      bool changed;
      std::string change;
    };
    std::vector<Pending> pending;
    for (const engine::Finding& f : findings) {
      std::string body = engine::FindingJson(f);
      latest->Bind(1, f.id);
      auto row = latest->Step();
      if (!row.ok()) return row.status();
      std::int64_t revision = 1;
      bool changed = true;
      FindingChange c{f.id, 1, "new", ""};
      if (*row) {
        revision = latest->Int(0);
        if (latest->Int(4) > 0) {  // withdrawn, and found again
          ++revision;
          ++run.revised_findings;
          c = {f.id, revision, "revised", "found again after its withdrawal"};
          if (!extras.cause.empty()) c.change += " (" + extras.cause + ")";
        } else if (latest->Text(1) == ToHex(Sha256::Of(body))) {
          changed = false;
          ++run.unchanged_findings;
          c = {f.id, revision, "unchanged", ""};
        } else {
          ++revision;
          ++run.revised_findings;
          c = {f.id, revision,
               latest->Text(3) < FormatDate(DayStart(f.last_day)) ? "extended" : "revised",
               DescribeChange(latest->Text(2), f)};
          if (!extras.cause.empty()) c.change += " (" + extras.cause + ")";
        }
      } else {
        ++run.new_findings;
      }
      latest->Reset();
      pending.push_back({&f, revision, std::move(body), changed, c.change});
      out.changes.push_back(std::move(c));
    }

    // The run first: its leaf commits to the inputs, rules and counts.
    auto run_leaf = AppendLeaf(&*tree, "run", RunRecord(run, *log.hasher));
    if (!run_leaf.ok()) return run_leaf.status();
    run.leaf = *run_leaf;
    auto ins_run = sqlite::Stmt::Prepare(
        db_,
        "INSERT INTO runs(seq, run_id, command, tool_version, revision, started_at, finished_at, "
        "config_sha256,"
        " rules_sha256, from_day, to_day, new_findings, revised_findings, unchanged_findings, leaf,"
        " by) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!ins_run.ok()) return ins_run.status();
    ins_run->Bind(1, *seq)
        .Bind(2, run.run_id)
        .Bind(3, run.command)
        .Bind(4, run.tool_version)
        .Bind(5, run.revision);
    ins_run->Bind(6, run.started_at)
        .Bind(7, run.finished_at)
        .Bind(8, run.config_sha256)
        .Bind(9, run.rules_sha256);
    ins_run->Bind(10, run.from_day).Bind(11, run.to_day);
    ins_run->Bind(12, static_cast<std::int64_t>(run.new_findings));
    ins_run->Bind(13, static_cast<std::int64_t>(run.revised_findings));
    ins_run->Bind(14, static_cast<std::int64_t>(run.unchanged_findings)).Bind(15, run.leaf);
    ins_run->Bind(16, run.by);
    if (Status s = ins_run->Run(); !s.ok()) return s;
    {
      auto st = sqlite::Stmt::Prepare(db_, "INSERT INTO run_rules VALUES(?,?,?,?,?,?)");
      if (!st.ok()) return st.status();
      for (const RuleRow& r : run.rules) {
        st->Bind(1, run.run_id)
            .Bind(2, r.rule_id)
            .Bind(3, r.file)
            .Bind(4, r.file_sha256)
            .Bind(5, r.source);
        st->Bind(6, r.meta);
        if (Status s = st->Run(); !s.ok()) return s;
      }
      auto si = sqlite::Stmt::Prepare(db_, "INSERT INTO run_inputs VALUES(?,?,?,?,?,?)");
      if (!si.ok()) return si.status();
      for (const InputRow& i : run.inputs) {
        si->Bind(1, run.run_id)
            .Bind(2, i.file)
            .Bind(3, i.sha256)
            .Bind(4, static_cast<std::int64_t>(i.lines));
        si->Bind(5, static_cast<std::int64_t>(i.records))
            .Bind(6, static_cast<std::int64_t>(i.quarantined));
        if (Status s = si->Run(); !s.ok()) return s;
      }
      auto sq = sqlite::Stmt::Prepare(db_, "INSERT INTO run_quarantine VALUES(?,?,?)");
      if (!sq.ok()) return sq.status();
      for (const QuarantineRow& q : run.quarantine) {
        sq->Bind(1, run.run_id).Bind(2, q.reason).Bind(3, static_cast<std::int64_t>(q.count));
        if (Status s = sq->Run(); !s.ok()) return s;
      }
    }

    auto ins_seen = sqlite::Stmt::Prepare(db_, "INSERT INTO finding_runs VALUES(?,?,?)");
    auto ins_finding = sqlite::Stmt::Prepare(
        db_, "INSERT INTO findings VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    auto ins_evidence =
        sqlite::Stmt::Prepare(db_, "INSERT INTO evidence VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
    auto ins_link = sqlite::Stmt::Prepare(db_, "INSERT INTO finding_links VALUES(?,?,?,?,?,?)");
    auto ins_accept = sqlite::Stmt::Prepare(
        db_, "INSERT INTO finding_acceptances VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    auto ins_waiver =
        sqlite::Stmt::Prepare(db_, "INSERT INTO finding_waivers VALUES(?,?,?,?,?,?,?,?,?,?)");
    for (auto* st : {&ins_seen, &ins_finding, &ins_evidence, &ins_link, &ins_accept, &ins_waiver}) {
      if (!st->ok()) return st->status();
    }
    for (Pending& p : pending) {
      const engine::Finding& f = *p.finding;
      ins_seen->Bind(1, run.run_id).Bind(2, f.id).Bind(3, p.revision);
      if (Status s = ins_seen->Run(); !s.ok()) return s;
      if (!p.changed) continue;
      FindingRow row =
          FindingRowOf(f, p.revision, run.run_id, rule_sha[f.rule_id], std::move(p.body));
      row.change = std::move(p.change);
      auto leaf = AppendLeaf(&*tree, "finding", FindingRecord(row, *log.hasher));
      if (!leaf.ok()) return leaf.status();
      row.leaf = *leaf;
      ins_finding->Bind(1, row.finding_id)
          .Bind(2, row.revision)
          .Bind(3, row.run_id)
          .Bind(4, row.rule_id);
      ins_finding->Bind(5, row.rule_sha256)
          .Bind(6, row.level)
          .Bind(7, row.scope_kind)
          .Bind(8, row.scope_value);
      ins_finding->Bind(9, row.first_day)
          .Bind(10, row.last_day)
          .Bind(11, row.peak_day)
          .Bind(12, row.days);
      ins_finding->Bind(13, row.evidence_total).Bind(14, row.evidence_shown).Bind(15, row.body);
      ins_finding->Bind(16, ToHex(Sha256::Of(row.body))).Bind(17, row.leaf).Bind(18, row.change);
      if (Status s = ins_finding->Run(); !s.ok()) return s;
      for (EvidenceRow& e : EvidenceRowsOf(f, p.revision)) {
        auto eleaf = AppendLeaf(&*tree, "evidence", EvidenceRecord(e, *log.hasher));
        if (!eleaf.ok()) return eleaf.status();
        ins_evidence->Bind(1, e.finding_id).Bind(2, e.revision).Bind(3, e.n).Bind(4, e.event_id);
        ins_evidence->Bind(5, e.account_id).Bind(6, e.time).Bind(7, e.file).Bind(8, e.file_sha256);
        ins_evidence->Bind(9, e.line).Bind(10, e.offset).Bind(11, e.length).Bind(12, e.line_sha256);
        ins_evidence->Bind(13, *eleaf);
        if (Status s = ins_evidence->Run(); !s.ok()) return s;
      }
      for (std::size_t k = 0; k < f.links.size(); ++k) {
        const auto& l = f.links[k];
        ins_link->Bind(1, f.id).Bind(2, p.revision).Bind(3, static_cast<std::int64_t>(k + 1));
        ins_link->Bind(4, l.identifier).Bind(5, l.value).Bind(6, LinkAccountsJson(l.accounts));
        if (Status s = ins_link->Run(); !s.ok()) return s;
      }
      for (std::size_t k = 0; k < f.acceptances.size(); ++k) {
        const auto& a = f.acceptances[k];
        ins_accept->Bind(1, f.id).Bind(2, p.revision).Bind(3, static_cast<std::int64_t>(k + 1));
        ins_accept->Bind(4, a.account_id)
            .Bind(5, a.policy)
            .Bind(6, a.version)
            .Bind(7, FormatRfc3339(a.accepted_at));
        ins_accept->Bind(8, a.method).Bind(9, a.source).Bind(10, a.file);
        ins_accept->Bind(11, static_cast<std::int64_t>(a.ref.offset))
            .Bind(12, static_cast<std::int64_t>(a.ref.length));
        if (Status s = ins_accept->Run(); !s.ok()) return s;
      }
      for (std::size_t k = 0; k < f.waivers.size(); ++k) {
        const auto& w = f.waivers[k];
        ins_waiver->Bind(1, f.id).Bind(2, p.revision).Bind(3, static_cast<std::int64_t>(k + 1));
        ins_waiver->Bind(4, w.id)
            .Bind(5, w.rule)
            .Bind(6, w.scope)
            .Bind(7, w.approver)
            .Bind(8, w.basis);
        ins_waiver->Bind(9, FormatRfc3339(w.from));
        if (w.until) {
          ins_waiver->Bind(10, FormatRfc3339(*w.until));
        } else {
          ins_waiver->BindNull(10);
        }
        if (Status s = ins_waiver->Run(); !s.ok()) return s;
      }
    }
    if (extras.withdraw_missing && !run.from_day.empty()) {
      auto withdrawn = WithdrawMissing(&*tree, run, findings);
      if (!withdrawn.ok()) return withdrawn.status();
      for (auto& c : *withdrawn) out.changes.push_back(std::move(c));
    }
    {
      auto st = sqlite::Stmt::Prepare(db_, "INSERT OR IGNORE INTO batch_inputs VALUES(?,?,?,?)");
      if (!st.ok()) return st.status();
      for (const InputRow& i : extras.processed) {
        st->Bind(1, i.sha256)
            .Bind(2, i.file)
            .Bind(3, run.run_id)
            .Bind(4, static_cast<std::int64_t>(i.lines));
        if (Status s = st->Run(); !s.ok()) return s;
      }
    }
    FaultPoint("store.run.before_checkpoint");
    auto checkpoint = SignCheckpointRow(*tree, log);
    if (!checkpoint.ok()) return checkpoint.status();
    out.run_id = run.run_id;
    out.new_findings = run.new_findings;
    out.revised_findings = run.revised_findings;
    out.unchanged_findings = run.unchanged_findings;
    out.leaves_appended = tree->size() - before;
    out.checkpoint = std::move(*checkpoint);
    return out;
  });
}

Result<ReviewRow> Store::AddReview(const std::string& finding_id, const std::string& decision,
                                   const std::string& by, const std::string& reason,
                                   const LogWriter& log) {
  return Transaction<ReviewRow>("store.review.before_commit", [&]() -> Result<ReviewRow> {
    auto exists = sqlite::Stmt::Prepare(db_, "SELECT 1 FROM findings WHERE finding_id = ? LIMIT 1");
    if (!exists.ok()) return exists.status();
    exists->Bind(1, finding_id);
    auto row = exists->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("the store has no finding " + finding_id);
    auto tree = Tree();
    if (!tree.ok()) return tree.status();
    if (Status s = CheckHead(*tree, log); !s.ok()) return s;
    auto seq = db_.QueryInt("SELECT coalesce(max(seq), 0) + 1 FROM reviews");
    if (!seq.ok()) return seq.status();
    ReviewRow r{*seq, finding_id, decision, by, reason, FormatRfc3339(log.now), -1};
    auto leaf = AppendLeaf(&*tree, "review", ReviewRecord(r, *log.hasher));
    if (!leaf.ok()) return leaf.status();
    r.leaf = *leaf;
    auto ins = sqlite::Stmt::Prepare(db_, "INSERT INTO reviews VALUES(?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(1, r.seq)
        .Bind(2, r.finding_id)
        .Bind(3, r.decision)
        .Bind(4, r.by)
        .Bind(5, r.reason)
        .Bind(6, r.at);
    ins->Bind(7, r.leaf);
    if (Status s = ins->Run(); !s.ok()) return s;
    auto checkpoint = SignCheckpointRow(*tree, log);
    if (!checkpoint.ok()) return checkpoint.status();
    return r;
  });
}

Result<CustodyRow> Store::AddCustody(CustodyRow r, const LogWriter& log) {
  return Transaction<CustodyRow>("store.custody.before_commit", [&]() -> Result<CustodyRow> {
    auto tree = Tree();
    if (!tree.ok()) return tree.status();
    if (Status s = CheckHead(*tree, log); !s.ok()) return s;
    auto seq = db_.QueryInt("SELECT coalesce(max(seq), 0) + 1 FROM custody");
    if (!seq.ok()) return seq.status();
    r.seq = *seq;
    r.at = FormatRfc3339(log.now);
    auto leaf = AppendLeaf(&*tree, "custody", CustodyRecord(r, *log.hasher));
    if (!leaf.ok()) return leaf.status();
    r.leaf = *leaf;
    auto ins = sqlite::Stmt::Prepare(db_, "INSERT INTO custody VALUES(?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(1, r.seq)
        .Bind(2, r.at)
        .Bind(3, r.action)
        .Bind(4, r.finding_id)
        .Bind(5, r.what)
        .Bind(6, r.by);
    ins->Bind(7, r.why).Bind(8, r.report_sha256).Bind(9, r.leaf);
    if (Status s = ins->Run(); !s.ok()) return s;
    auto checkpoint = SignCheckpointRow(*tree, log);
    if (!checkpoint.ok()) return checkpoint.status();
    return r;
  });
}

const char* const kFindingColumns =
    "finding_id, revision, run_id, rule_id, rule_sha256, level, scope_kind, scope_value, first_day,"
    " last_day, peak_day, days, evidence_total, evidence_shown, body, leaf, change";
const char* const kEvidenceColumns =
    "finding_id, revision, n, event_id, account_id, time, file, file_sha256, line, offset, length,"
    " line_sha256, leaf";
const char* const kReviewColumns = "seq, finding_id, decision, by, reason, at, leaf";
const char* const kCustodyColumns =
    "seq, at, action, finding_id, what, by, why, report_sha256, leaf";
const char* const kWithdrawalColumns = "seq, finding_id, revision, run_id, reason, leaf";

FindingRow ReadFindingRow(const sqlite::Stmt& st) {
  FindingRow r;
  r.finding_id = st.Text(0);
  r.revision = st.Int(1);
  r.run_id = st.Text(2);
  r.rule_id = st.Text(3);
  r.rule_sha256 = st.Text(4);
  r.level = st.Text(5);
  r.scope_kind = st.Text(6);
  r.scope_value = st.Text(7);
  r.first_day = st.Text(8);
  r.last_day = st.Text(9);
  r.peak_day = st.Text(10);
  r.days = st.Int(11);
  r.evidence_total = st.Int(12);
  r.evidence_shown = st.Int(13);
  r.body = st.Text(14);
  r.leaf = st.Int(15);
  r.change = st.Text(16);
  return r;
}

EvidenceRow ReadEvidenceRow(const sqlite::Stmt& st) {
  EvidenceRow e;
  e.finding_id = st.Text(0);
  e.revision = st.Int(1);
  e.n = st.Int(2);
  e.event_id = st.Text(3);
  e.account_id = st.Text(4);
  e.time = st.Text(5);
  e.file = st.Text(6);
  e.file_sha256 = st.Text(7);
  e.line = st.Int(8);
  e.offset = st.Int(9);
  e.length = st.Int(10);
  e.line_sha256 = st.Text(11);
  e.leaf = st.Int(12);
  return e;
}

ReviewRow ReadReviewRow(const sqlite::Stmt& st) {
  return {st.Int(0), st.Text(1), st.Text(2), st.Text(3), st.Text(4), st.Text(5), st.Int(6)};
}

CustodyRow ReadCustodyRow(const sqlite::Stmt& st) {
  return {st.Int(0),  st.Text(1), st.Text(2), st.Text(3), st.Text(4),
          st.Text(5), st.Text(6), st.Text(7), st.Int(8)};
}

WithdrawalRow ReadWithdrawalRow(const sqlite::Stmt& st) {
  return {st.Int(0), st.Text(1), st.Int(2), st.Text(3), st.Text(4), st.Int(5)};
}

namespace {

// A finding's columns, then its review status and the run that first recorded it.
std::string SummarySelect() {
  return std::string("SELECT ") + kFindingColumns +
         ", coalesce((SELECT 'withdrawn' FROM withdrawals w WHERE w.finding_id = f.finding_id"
         " AND w.revision = f.revision), (SELECT decision FROM reviews r WHERE r.finding_id = "
         "f.finding_id"
         " ORDER BY seq DESC LIMIT 1), 'open'),"
         " (SELECT run_id FROM findings g WHERE g.finding_id = f.finding_id AND g.revision = 1)"
         " FROM findings f";
}

FindingSummary SummaryOf(const sqlite::Stmt& st) {
  return {ReadFindingRow(st), st.Text(17), st.Text(18)};
}

}  // namespace

Result<std::vector<FindingSummary>> Store::ListFindings(const FindingFilter& filter) {
  std::string sql = SummarySelect() +
                    " WHERE f.revision = (SELECT max(revision) FROM findings g"
                    " WHERE g.finding_id = f.finding_id)";
  if (filter.rule) sql += " AND f.rule_id = ?1";
  if (filter.level) sql += " AND f.level = ?2";
  if (filter.since) sql += " AND f.last_day >= ?3";
  sql += " ORDER BY f.rule_id, f.scope_value, f.first_day, f.finding_id";
  auto st = sqlite::Stmt::Prepare(db_, sql);
  if (!st.ok()) return st.status();
  if (filter.rule) st->Bind(1, *filter.rule);
  if (filter.level) st->Bind(2, *filter.level);
  if (filter.since) st->Bind(3, *filter.since);
  std::vector<FindingSummary> out;
  Status s = sqlite::ForEachRow(*st, [&](const sqlite::Stmt& row) {
    FindingSummary f = SummaryOf(row);
    if (!filter.status || f.status == *filter.status) out.push_back(std::move(f));
  });
  if (!s.ok()) return s;
  return out;
}

Result<RunRow> LoadRun(sqlite::Db& db, const std::string& run_id) {
  auto st = sqlite::Stmt::Prepare(db,
                                  "SELECT command, tool_version, revision, started_at, "
                                  "finished_at, config_sha256, rules_sha256, from_day,"
                                  " to_day, new_findings, revised_findings, unchanged_findings, "
                                  "leaf, by FROM runs WHERE run_id = ?");
  if (!st.ok()) return st.status();
  st->Bind(1, run_id);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("the store has no run " + run_id);
  RunRow r;
  r.run_id = run_id;
  r.command = st->Text(0);
  r.tool_version = st->Text(1);
  r.revision = st->Text(2);
  r.started_at = st->Text(3);
  r.finished_at = st->Text(4);
  r.config_sha256 = st->Text(5);
  r.rules_sha256 = st->Text(6);
  r.from_day = st->Text(7);
  r.to_day = st->Text(8);
  r.new_findings = static_cast<std::uint64_t>(st->Int(9));
  r.revised_findings = static_cast<std::uint64_t>(st->Int(10));
  r.unchanged_findings = static_cast<std::uint64_t>(st->Int(11));
  r.leaf = st->Int(12);
  r.by = st->Text(13);
  auto rules = sqlite::Stmt::Prepare(
      db,
      "SELECT rule_id, file, file_sha256, source, meta FROM run_rules WHERE run_id = ?"
      " ORDER BY rowid");
  if (!rules.ok()) return rules.status();
  rules->Bind(1, run_id);
  for (;;) {
    auto more = rules->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    r.rules.push_back(
        {rules->Text(0), rules->Text(1), rules->Text(2), rules->Text(3), rules->Text(4)});
  }
  auto inputs = sqlite::Stmt::Prepare(db,
                                      "SELECT file, sha256, lines, records, quarantined FROM "
                                      "run_inputs WHERE run_id = ? ORDER BY rowid");
  if (!inputs.ok()) return inputs.status();
  inputs->Bind(1, run_id);
  for (;;) {
    auto more = inputs->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    r.inputs.push_back(
        {inputs->Text(0), inputs->Text(1), static_cast<std::uint64_t>(inputs->Int(2)),
         static_cast<std::uint64_t>(inputs->Int(3)), static_cast<std::uint64_t>(inputs->Int(4))});
  }
  auto quarantine = sqlite::Stmt::Prepare(
      db, "SELECT reason, count FROM run_quarantine WHERE run_id = ? ORDER BY rowid");
  if (!quarantine.ok()) return quarantine.status();
  quarantine->Bind(1, run_id);
  for (;;) {
    auto more = quarantine->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    r.quarantine.push_back({quarantine->Text(0), static_cast<std::uint64_t>(quarantine->Int(1))});
  }
  return r;
}

Result<FindingDossier> Store::GetFinding(const std::string& finding_id) {
  FindingDossier d;
  auto st =
      sqlite::Stmt::Prepare(db_, SummarySelect() + " WHERE f.finding_id = ? ORDER BY f.revision");
  if (!st.ok()) return st.status();
  st->Bind(1, finding_id);
  Status s = sqlite::ForEachRow(*st, [&](const sqlite::Stmt& row) {
    d.summary = SummaryOf(row);
    d.revisions.push_back(d.summary.row.revision);
  });
  if (!s.ok()) return s;
  if (d.revisions.empty()) return Status::NotFound("the store has no finding " + finding_id);
  auto run = LoadRun(db_, d.summary.row.run_id);
  if (!run.ok()) return run.status();
  d.run = std::move(*run);
  auto ev = sqlite::Stmt::Prepare(
      db_, std::string("SELECT ") + kEvidenceColumns +
               " FROM evidence WHERE finding_id = ? AND revision = ? ORDER BY n");
  auto rv = sqlite::Stmt::Prepare(db_, std::string("SELECT ") + kReviewColumns +
                                           " FROM reviews WHERE finding_id = ? ORDER BY seq");
  auto cu = sqlite::Stmt::Prepare(db_, std::string("SELECT ") + kCustodyColumns +
                                           " FROM custody WHERE finding_id = ? ORDER BY seq");
  auto wd = sqlite::Stmt::Prepare(db_, std::string("SELECT ") + kWithdrawalColumns +
                                           " FROM withdrawals WHERE finding_id = ? ORDER BY seq");
  for (auto* q : {&ev, &rv, &cu, &wd}) {
    if (!q->ok()) return q->status();
  }
  ev->Bind(1, finding_id).Bind(2, d.summary.row.revision);
  rv->Bind(1, finding_id);
  cu->Bind(1, finding_id);
  wd->Bind(1, finding_id);
  for (Status step :
       {sqlite::ForEachRow(
            *ev, [&](const sqlite::Stmt& row) { d.evidence.push_back(ReadEvidenceRow(row)); }),
        sqlite::ForEachRow(
            *rv, [&](const sqlite::Stmt& row) { d.reviews.push_back(ReadReviewRow(row)); }),
        sqlite::ForEachRow(
            *cu, [&](const sqlite::Stmt& row) { d.custody.push_back(ReadCustodyRow(row)); }),
        sqlite::ForEachRow(*wd, [&](const sqlite::Stmt& row) {
          d.withdrawals.push_back(ReadWithdrawalRow(row));
        })}) {
    if (!step.ok()) return step;
  }
  return d;
}

Result<std::vector<LeafRow>> Store::Leaves() {
  auto st = sqlite::Stmt::Prepare(db_, "SELECT idx, kind, record, hash FROM leaves ORDER BY idx");
  if (!st.ok()) return st.status();
  std::vector<LeafRow> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Int(0), st->Text(1), st->Text(2), st->Blob(3)});
  }
  return out;
}

Result<std::vector<StoredCheckpoint>> Store::Checkpoints() {
  auto st = sqlite::Stmt::Prepare(
      db_,
      "SELECT seq, tree_size, root, time, text, signature, key_id, public_key FROM checkpoints"
      " ORDER BY seq");
  if (!st.ok()) return st.status();
  std::vector<StoredCheckpoint> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredCheckpoint c;
    c.seq = st->Int(0);
    c.checkpoint.tree_size = static_cast<std::uint64_t>(st->Int(1));
    const std::string root = st->Blob(2);
    if (root.size() == 32) std::memcpy(c.checkpoint.root.data(), root.data(), 32);
    c.checkpoint.time = ParseRfc3339(st->Text(3)).value_or(0);
    c.text = st->Text(4);
    c.signature = st->Blob(5);
    c.key_id = st->Text(6);
    c.public_key = st->Blob(7);
    if (auto parsed = ParseCheckpoint(c.text); parsed.ok()) c.checkpoint.origin = parsed->origin;
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::optional<StoredCheckpoint>> Store::LatestCheckpoint() {
  auto all = Checkpoints();
  if (!all.ok()) return all.status();
  if (all->empty()) return std::optional<StoredCheckpoint>();
  return std::optional<StoredCheckpoint>(std::move(all->back()));
}

}  // namespace tosguard::audit
