#include "audit/verify.h"

#include <simdjson.h>

#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "audit/checkpoint.h"
#include "audit/encoding.h"
#include "audit/finding_id.h"
#include "audit/merkle.h"
#include "audit/records.h"
#include "audit/store.h"
#include "base/sha256.h"
#include "base/time.h"
#include "engine/eval/finding.h"
#include "engine/ingest/input_file.h"

namespace tosguard::audit {
namespace {

std::string LeafName(std::int64_t index, const std::string& kind) {
  return "leaf " + std::to_string(index) + (kind.empty() ? "" : " (" + kind + ")");
}

Digest ToDigest(const std::string& bytes) {
  Digest d{};
  if (bytes.size() == d.size()) std::memcpy(d.data(), bytes.data(), d.size());
  return d;
}

// Checks rows against the leaves they claim; records which leaves were claimed.
class RowChecker {
 public:
  RowChecker(const std::vector<LeafRow>& leaves, StoreVerification* out)
      : leaves_(leaves), out_(out) {}

  void Check(const std::string& name, const std::string& kind, std::int64_t leaf,
             const std::string& record) {
    ++out_->rows.total;
    if (leaf < 0 || static_cast<std::size_t>(leaf) >= leaves_.size() ||
        leaves_[static_cast<std::size_t>(leaf)].index != leaf) {
      out_->problems.push_back(
          {name, "points at leaf " + std::to_string(leaf) + ", which the log does not have"});
      return;
    }
    const LeafRow& l = leaves_[static_cast<std::size_t>(leaf)];
    if (!claimed_.insert(leaf).second) {
      out_->problems.push_back(
          {name, "claims leaf " + std::to_string(leaf) + ", which another row claims too"});
      return;
    }
    if (l.kind != kind) {
      out_->problems.push_back(
          {name, "points at " + LeafName(leaf, l.kind) + ", a leaf of another kind"});
      return;
    }
    if (l.record != record) {
      out_->problems.push_back({name, "the stored row no longer matches its log record (" +
                                          LeafName(leaf, kind) +
                                          "): the row was changed after it was logged"});
      return;
    }
    ++out_->rows.valid;
  }

  void Unclaimed() {
    for (const LeafRow& l : leaves_) {
      if (claimed_.count(l.index) == 0) {
        out_->problems.push_back({LeafName(l.index, l.kind),
                                  "no stored row matches this log record: the row was deleted"});
      }
    }
  }

 private:
  const std::vector<LeafRow>& leaves_;
  StoreVerification* out_;
  std::set<std::int64_t> claimed_;
};

void CheckLog(const std::vector<LeafRow>& leaves, const std::vector<StoredCheckpoint>& checkpoints,
              const KeyRing& keys, StoreVerification* out) {
  MerkleTree tree;
  std::int64_t expected = 0;
  for (const LeafRow& l : leaves) {
    ++out->leaves.total;
    if (l.index != expected) {
      out->problems.push_back({LeafName(expected, ""), "missing: the log jumps from leaf " +
                                                           std::to_string(expected - 1) +
                                                           " to leaf " + std::to_string(l.index)});
      expected = l.index;
    }
    ++expected;
    const Digest computed = LeafHash(l.record);
    if (l.hash.size() != 32 || ToDigest(l.hash) != computed) {
      out->problems.push_back(
          {LeafName(l.index, l.kind), "its stored hash does not match its record"});
    } else {
      ++out->leaves.valid;
    }
    tree.Append(computed);  // the tree of the records as they are now
  }
  const StoredCheckpoint* previous = nullptr;
  for (const StoredCheckpoint& c : checkpoints) {
    ++out->checkpoints.total;
    const std::string name = "checkpoint " + std::to_string(c.seq) + " (tree size " +
                             std::to_string(c.checkpoint.tree_size) + ")";
    const std::size_t before = out->problems.size();
    auto parsed = ParseCheckpoint(c.text);
    if (!parsed.ok()) {
      out->problems.push_back({name, "its text is not a checkpoint: " + parsed.status().message()});
      continue;
    }
    if (parsed->tree_size != c.checkpoint.tree_size || parsed->root != c.checkpoint.root ||
        parsed->time != c.checkpoint.time) {
      out->problems.push_back({name, "its size, root or time columns differ from its signed text"});
    }
    const PublicKey* key = FindKey(keys, c.key_id);
    const auto* sig = reinterpret_cast<const std::uint8_t*>(c.signature.data());
    if (key == nullptr) {
      out->problems.push_back({name, "signed by key " + c.key_id + ", which is not a trusted key"});
    } else if (Status s = VerifyCheckpoint(*parsed, {sig, c.signature.size()}, *key); !s.ok()) {
      out->problems.push_back({name, "bad signature: " + s.message()});
    }
    if (parsed->tree_size > tree.size()) {
      out->problems.push_back({name, "covers " + std::to_string(parsed->tree_size) +
                                         " leaves but the log has " + std::to_string(tree.size()) +
                                         ": leaves were deleted"});
    } else if (auto root = tree.RootAt(parsed->tree_size); !root.ok() || *root != parsed->root) {
      out->problems.push_back({name, "its root does not match the log's first " +
                                         std::to_string(parsed->tree_size) +
                                         " leaves: leaves were changed, removed or reordered"});
    }
    if (previous != nullptr) {
      if (parsed->tree_size < previous->checkpoint.tree_size) {
        out->problems.push_back({name, "is smaller than the checkpoint before it: the log shrank"});
      } else if (parsed->time < previous->checkpoint.time) {
        out->problems.push_back({name, "is older than the checkpoint before it"});
      } else if (parsed->tree_size <= tree.size()) {
        auto proof = tree.ConsistencyProof(previous->checkpoint.tree_size, parsed->tree_size);
        if (!proof.ok() || !VerifyConsistency(previous->checkpoint.tree_size, parsed->tree_size,
                                              previous->checkpoint.root, parsed->root, *proof)
                                .ok()) {
          out->problems.push_back({name, "is not consistent with checkpoint " +
                                             std::to_string(previous->seq) +
                                             ": the log was rewritten between them"});
        }
      }
    }
    if (out->problems.size() == before) ++out->checkpoints.valid;
    previous = &c;
    out->tree_size = parsed->tree_size;
    out->root = ToHex(parsed->root);
  }
  if (checkpoints.empty() && !leaves.empty()) {
    out->problems.push_back(
        {"log", "has " + std::to_string(leaves.size()) + " leaves and no signed checkpoint"});
  } else if (previous != nullptr && previous->checkpoint.tree_size < tree.size()) {
    out->problems.push_back({"log", "leaves " + std::to_string(previous->checkpoint.tree_size) +
                                        " to " + std::to_string(tree.size() - 1) +
                                        " are not covered by a signed checkpoint"});
  }
}

// Reads every row of a query; a failing step becomes a problem.
template <typename Fn>
void Scan(sqlite::Db& db, const std::string& sql, StoreVerification* out, Fn fn) {
  auto st = sqlite::Stmt::Prepare(db, sql);
  Status s = st.ok() ? sqlite::ForEachRow(*st, fn) : st.status();
  if (!s.ok()) out->problems.push_back({"store file", s.message()});
}

// The rows of every list as one text per row, to compare with what the JSON derives.
std::vector<std::string> RowTexts(sqlite::Db& db, const std::string& sql, const FindingRow& f,
                                  StoreVerification* out) {
  std::vector<std::string> texts;
  auto st = sqlite::Stmt::Prepare(db, sql);
  if (!st.ok()) {
    out->problems.push_back({"store file", st.status().message()});
    return texts;
  }
  st->Bind(1, f.finding_id).Bind(2, f.revision);
  Status s = sqlite::ForEachRow(*st, [&](const sqlite::Stmt& row) {
    std::string text;
    for (int c = 0; c < row.Columns(); ++c) {
      text += (row.IsNull(c) ? std::string("\x01null") : row.Text(c)) + '\x1f';
    }
    texts.push_back(std::move(text));
  });
  if (!s.ok()) out->problems.push_back({"store file", s.message()});
  return texts;
}

std::string Join(std::initializer_list<std::string> fields) {
  std::string text;
  for (const auto& f : fields) text += f + '\x1f';
  return text;
}

// A finding's own tables (evidence, links, acceptances, waivers) and columns must say
// what its canonical JSON says: the JSON is bound to the log by the record's keyed hash.
void CheckFindingTables(sqlite::Db& db, const FindingRow& stored, const KeyedHasher& hasher,
                        std::optional<FindingIdScheme> scheme, StoreVerification* out) {
  const std::string name =
      "finding " + stored.finding_id + " revision " + std::to_string(stored.revision);
  auto f = engine::ParseFindingJson(stored.body);
  if (!f.ok()) {
    out->problems.push_back({name, "its canonical JSON cannot be read: " + f.status().message()});
    return;
  }
  FindingRow derived =
      FindingRowOf(*f, stored.revision, stored.run_id, stored.rule_sha256, stored.body);
  derived.change = stored.change;  // said by the run, not derived from the JSON
  if (FindingRecord(derived, hasher) != FindingRecord(stored, hasher)) {
    out->problems.push_back(
        {name, "its columns (rule, level, scope, days or evidence counts) differ from its JSON"});
  }
  // The id names the rule, scope, first day and level of the JSON under the store's scheme.
  if (scheme) {
    const std::string id = *scheme == FindingIdScheme::kKeyed ? KeyedFindingId(hasher, *f)
                                                              : engine::DigestFindingId(*f);
    if (id != stored.finding_id || f->id != stored.finding_id) {
      out->problems.push_back({name, "its id is not the " +
                                         std::string(FindingIdSchemeName(*scheme)) +
                                         " id of its rule, scope, first day and level (" + id +
                                         ")"});
    }
  }
  std::vector<std::string> evidence;
  for (const EvidenceRow& e : EvidenceRowsOf(*f, stored.revision)) {
    evidence.push_back(Join({std::to_string(e.n), e.event_id, e.account_id, e.time, e.file,
                             e.file_sha256, std::to_string(e.line), std::to_string(e.offset),
                             std::to_string(e.length), e.line_sha256}));
  }
  if (evidence != RowTexts(db,
                           "SELECT n, event_id, account_id, time, file, file_sha256, line, offset, "
                           "length, line_sha256"
                           " FROM evidence WHERE finding_id = ? AND revision = ? ORDER BY n",
                           stored, out)) {
    out->problems.push_back({name, "its evidence rows differ from the evidence of its JSON"});
  }
  std::vector<std::string> links;
  for (std::size_t i = 0; i < f->links.size(); ++i) {
    const auto& l = f->links[i];
    links.push_back(
        Join({std::to_string(i + 1), l.identifier, l.value, LinkAccountsJson(l.accounts)}));
  }
  if (links != RowTexts(db,
                        "SELECT n, identifier, value, accounts FROM finding_links WHERE finding_id "
                        "= ? AND revision = ?"
                        " ORDER BY n",
                        stored, out)) {
    out->problems.push_back({name, "its cluster links differ from the links of its JSON"});
  }
  std::vector<std::string> acceptances;
  for (std::size_t i = 0; i < f->acceptances.size(); ++i) {
    const auto& a = f->acceptances[i];
    acceptances.push_back(Join({std::to_string(i + 1), a.account_id, a.policy, a.version,
                                FormatRfc3339(a.accepted_at), a.method, a.source, a.file,
                                std::to_string(a.ref.offset), std::to_string(a.ref.length)}));
  }
  if (acceptances !=
      RowTexts(
          db,
          "SELECT n, account_id, policy, version, accepted_at, method, source, file, offset, length"
          " FROM finding_acceptances WHERE finding_id = ? AND revision = ? ORDER BY n",
          stored, out)) {
    out->problems.push_back({name, "its acceptance records differ from those of its JSON"});
  }
  std::vector<std::string> waivers;
  for (std::size_t i = 0; i < f->waivers.size(); ++i) {
    const auto& w = f->waivers[i];
    waivers.push_back(
        Join({std::to_string(i + 1), w.id, w.rule, w.scope, w.approver, w.basis,
              FormatRfc3339(w.from), w.until ? FormatRfc3339(*w.until) : std::string("\x01null")}));
  }
  if (waivers != RowTexts(db,
                          "SELECT n, waiver_id, rule, scope, approver, basis, from_time, "
                          "until_time FROM finding_waivers"
                          " WHERE finding_id = ? AND revision = ? ORDER BY n",
                          stored, out)) {
    out->problems.push_back({name, "its waivers differ from those of its JSON"});
  }
}

void CheckRows(sqlite::Db& db, const std::vector<LeafRow>& leaves, const KeyedHasher& hasher,
               std::optional<FindingIdScheme> scheme, StoreVerification* out) {
  RowChecker rows(leaves, out);
  std::vector<FindingRow> findings;
  std::vector<std::string> run_ids;
  Scan(db, "SELECT run_id FROM runs ORDER BY seq", out,
       [&](const sqlite::Stmt& st) { run_ids.push_back(st.Text(0)); });
  for (const std::string& id : run_ids) {
    auto run = LoadRun(db, id);
    if (!run.ok()) {
      out->problems.push_back({"run " + id, run.status().message()});
      continue;
    }
    rows.Check("run " + id, "run", run->leaf, RunRecord(*run, hasher));
  }
  const std::string select = "SELECT ";
  Scan(db, select + kFindingColumns + ", body_sha256 FROM findings ORDER BY finding_id, revision",
       out, [&](const sqlite::Stmt& st) {
         FindingRow r = ReadFindingRow(st);
         const std::string name =
             "finding " + r.finding_id + " revision " + std::to_string(r.revision);
         if (ToHex(Sha256::Of(r.body)) != st.Text(17)) {
           out->problems.push_back({name, "its canonical JSON does not match its stored SHA-256"});
         }
         rows.Check(name, "finding", r.leaf, FindingRecord(r, hasher));
         findings.push_back(std::move(r));
       });
  Scan(db, select + kEvidenceColumns + " FROM evidence ORDER BY finding_id, revision, n", out,
       [&](const sqlite::Stmt& st) {
         const EvidenceRow e = ReadEvidenceRow(st);
         rows.Check("evidence " + std::to_string(e.n) + " of finding " + e.finding_id +
                        " revision " + std::to_string(e.revision),
                    "evidence", e.leaf, EvidenceRecord(e, hasher));
       });
  Scan(db, select + kReviewColumns + " FROM reviews ORDER BY seq", out,
       [&](const sqlite::Stmt& st) {
         const ReviewRow r = ReadReviewRow(st);
         rows.Check("review " + std::to_string(r.seq) + " of finding " + r.finding_id, "review",
                    r.leaf, ReviewRecord(r, hasher));
       });
  Scan(db, select + kCustodyColumns + " FROM custody ORDER BY seq", out,
       [&](const sqlite::Stmt& st) {
         const CustodyRow c = ReadCustodyRow(st);
         rows.Check("custody entry " + std::to_string(c.seq), "custody", c.leaf,
                    CustodyRecord(c, hasher));
       });
  Scan(db, select + kWithdrawalColumns + " FROM withdrawals ORDER BY seq", out,
       [&](const sqlite::Stmt& st) {
         const WithdrawalRow w = ReadWithdrawalRow(st);
         rows.Check("withdrawal " + std::to_string(w.seq) + " of finding " + w.finding_id,
                    "withdrawal", w.leaf, WithdrawalRecord(w));
       });
  rows.Unclaimed();
  for (const FindingRow& r : findings) CheckFindingTables(db, r, hasher, scheme, out);
  // A file marked processed must be an input its run read (and logged): otherwise a
  // batch would skip it without it ever being evaluated.
  Scan(db,
       "SELECT b.file, b.sha256, b.run_id, (SELECT count(*) FROM run_inputs i WHERE i.run_id = "
       "b.run_id"
       " AND i.sha256 = b.sha256) FROM batch_inputs b ORDER BY b.sha256",
       out, [&](const sqlite::Stmt& st) {
         ++out->rows.total;
         if (st.Int(3) == 0) {
           out->problems.push_back(
               {"processed input " + st.Text(0) + " (" + st.Text(1).substr(0, 16) + ")",
                "marked processed by " + st.Text(2) + ", which did not read it"});
         } else {
           ++out->rows.valid;
         }
       });
}

}  // namespace

const PublicKey* FindKey(const KeyRing& ring, const std::string& key_id) {
  for (const PublicKey& k : ring) {
    if (k.KeyId() == key_id) return &k;
  }
  return nullptr;
}

Result<StoreVerification> VerifyStore(const std::string& path, const KeyRing& keys,
                                      const KeyedHasher& hasher) {
  StoreVerification out;
  auto store = Store::Open(path, /*create=*/false);
  if (!store.ok()) {
    if (store.status().code() == StatusCode::kNotFound ||
        store.status().code() == StatusCode::kInvalidArgument) {
      return store.status();
    }
    out.problems.push_back({"store file", store.status().message()});
    return out;
  }
  bool damaged = false;
  Scan(store->db(), "PRAGMA integrity_check", &out, [&](const sqlite::Stmt& st) {
    if (st.Text(0) != "ok") {
      out.problems.push_back({"store file", "SQLite integrity check: " + st.Text(0)});
      damaged = true;
    }
  });
  auto leaves = store->Leaves();
  auto checkpoints = store->Checkpoints();
  if (!leaves.ok() || !checkpoints.ok()) {
    out.problems.push_back(
        {"store file", (!leaves.ok() ? leaves.status() : checkpoints.status()).message()});
    return out;
  }
  CheckLog(*leaves, *checkpoints, keys, &out);
  std::optional<FindingIdScheme> scheme;
  if (auto s = store->FindingIds(); s.ok()) {
    scheme = *s;
  } else {
    out.problems.push_back({"store file", s.status().message()});
  }
  if (!damaged) CheckRows(store->db(), *leaves, hasher, scheme, &out);
  return out;
}

namespace {

using simdjson::dom::element;

// Field access that records what is missing instead of throwing.
class Reader {
 public:
  explicit Reader(std::vector<Problem>* problems) : problems_(problems) {}
  std::string Str(element e, const char* key, const std::string& where) {
    std::string_view v;
    if (e[key].get_string().get(v) != simdjson::SUCCESS) {
      Missing(where, key, "a string");
      return {};
    }
    return std::string(v);
  }
  std::int64_t Int(element e, const char* key, const std::string& where) {
    std::int64_t v = 0;
    if (e[key].get_int64().get(v) != simdjson::SUCCESS) Missing(where, key, "an integer");
    return v;
  }
  // The elements of an array (none, recorded as a problem, when it is missing).
  std::vector<element> Arr(element e, const char* key, const std::string& where) {
    std::vector<element> out;
    simdjson::dom::array a;
    if (e[key].get_array().get(a) != simdjson::SUCCESS) {
      Missing(where, key, "an array");
      return out;
    }
    for (element x : a) out.push_back(x);
    return out;
  }
  bool failed() const { return failed_; }

 private:
  void Missing(const std::string& where, const char* key, const char* what) {
    failed_ = true;
    problems_->push_back({where, std::string("'") + key + "' is missing or not " + what});
  }
  std::vector<Problem>* problems_;
  bool failed_ = false;
};

std::optional<Digest> HexDigest(const std::string& hex) {
  auto bytes = HexDecode(hex);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  return ToDigest(*bytes);
}

// A cited file's path, relative or absolute, must not climb with `..`: either way it is
// read from inside the logs directory.
bool SafeCitedPath(const std::string& file) {
  if (file.empty() || file == "/" || file.find('\0') != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= file.size()) {
    const std::size_t slash = file.find('/', start);
    const std::string part =
        file.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

void Expect(std::vector<Problem>* problems, const std::string& where, const std::string& what,
            const std::string& report, const std::string& record) {
  if (report != record) {
    problems->push_back({where, "the report says " + what + " " + report +
                                    " but the logged record says " + record});
  }
}

}  // namespace

Result<ReportVerification> VerifyReport(std::string_view report_json, const KeyRing& trusted,
                                        const std::string& logs_dir) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(report_json.data(), report_json.size()).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return Status::InvalidArgument("not a JSON report");
  }
  std::string_view schema;
  if (root["schema"].get_string().get(schema) != simdjson::SUCCESS ||
      schema != "tosguard.report/1") {
    return Status::InvalidArgument("not a tosguard report (schema tosguard.report/1)");
  }
  ReportVerification out;
  Reader rd(&out.problems);
  element integrity, cpe, kase, evidence, reproduce;
  if (root["integrity"].get(integrity) != simdjson::SUCCESS ||
      integrity["checkpoint"].get(cpe) != simdjson::SUCCESS ||
      root["case"].get(kase) != simdjson::SUCCESS ||
      root["evidence"].get(evidence) != simdjson::SUCCESS ||
      root["reproduce"].get(reproduce) != simdjson::SUCCESS) {
    return Status::InvalidArgument(
        "the report lacks its case, evidence, reproduce or integrity section");
  }

  // The checkpoint and its signature.
  const std::string text = rd.Str(cpe, "text", "checkpoint");
  auto checkpoint = ParseCheckpoint(text);
  if (!checkpoint.ok()) {
    out.problems.push_back(
        {"checkpoint", "its text is not a checkpoint: " + checkpoint.status().message()});
    return out;
  }
  if (static_cast<std::uint64_t>(rd.Int(cpe, "tree_size", "checkpoint")) != checkpoint->tree_size ||
      rd.Str(cpe, "root", "checkpoint") != ToHex(checkpoint->root)) {
    out.problems.push_back({"checkpoint", "its tree size or root differ from its signed text"});
  }
  std::optional<PublicKey> embedded;
  if (auto raw = Base64Decode(rd.Str(cpe, "public_key", "checkpoint")); raw) {
    auto k = PublicKey::FromRaw({reinterpret_cast<const std::uint8_t*>(raw->data()), raw->size()});
    if (k.ok()) embedded = *k;
  }
  const PublicKey* key = nullptr;
  if (trusted.empty()) {
    out.key_from_report = true;
    if (!embedded) {
      out.problems.push_back({"checkpoint", "the report's public key is not a base64 Ed25519 key"});
      return out;
    }
    key = &*embedded;
  } else {
    const std::string named = embedded ? embedded->KeyId() : rd.Str(cpe, "key_id", "checkpoint");
    key = FindKey(trusted, named);
    if (key == nullptr) {
      out.problems.push_back(
          {"checkpoint", "signed by key " + named + ", which is not a trusted key"});
      key = &trusted.front();  // the signature check below then names the failure too
    }
  }
  out.key_id = key->KeyId();
  auto signature = Base64Decode(rd.Str(cpe, "signature", "checkpoint"));
  if (!signature) {
    out.problems.push_back({"checkpoint", "its signature is not base64"});
  } else if (Status s = VerifyCheckpoint(
                 *checkpoint,
                 {reinterpret_cast<const std::uint8_t*>(signature->data()), signature->size()},
                 *key);
             !s.ok()) {
    out.problems.push_back({"checkpoint", "bad signature: " + s.message()});
  } else {
    out.signature_ok = true;
  }

  // Each record: its leaf hash and its inclusion proof.
  struct Logged {
    std::string kind;
    element record;
  };
  std::vector<Logged> logged;
  std::vector<simdjson::dom::parser> record_parsers;
  record_parsers.reserve(rd.Arr(integrity, "leaves", "integrity").size());
  for (element leaf : rd.Arr(integrity, "leaves", "integrity")) {
    ++out.leaves.total;
    const std::int64_t index = rd.Int(leaf, "index", "integrity leaf");
    const std::string kind = rd.Str(leaf, "kind", "integrity leaf");
    const std::string name = LeafName(index, kind);
    const std::string record = rd.Str(leaf, "record", name);
    const Digest hash = LeafHash(record);
    if (rd.Str(leaf, "leaf_hash", name) != ToHex(hash)) {
      out.problems.push_back({name, "its leaf hash does not match its record"});
      continue;
    }
    std::vector<Digest> proof;
    bool proof_ok = true;
    for (element h : rd.Arr(leaf, "proof", name)) {
      std::string_view hex;
      auto d =
          h.get_string().get(hex) == simdjson::SUCCESS ? HexDigest(std::string(hex)) : std::nullopt;
      if (!d) proof_ok = false;
      if (d) proof.push_back(*d);
    }
    if (!proof_ok || index < 0 ||
        !VerifyInclusion(static_cast<std::uint64_t>(index), checkpoint->tree_size, hash, proof,
                         checkpoint->root)
             .ok()) {
      out.problems.push_back({name, "its inclusion proof does not lead to the signed root"});
      continue;
    }
    record_parsers.emplace_back();
    element parsed;
    if (record_parsers.back().parse(record).get(parsed) != simdjson::SUCCESS) {
      out.problems.push_back({name, "its record is not JSON"});
      continue;
    }
    if (rd.Str(parsed, "type", name) != kind) {
      out.problems.push_back({name, "its record is of another kind"});
      continue;
    }
    ++out.leaves.valid;
    logged.push_back({kind, parsed});
  }

  // The report's facts against the records.
  std::vector<element> items;
  for (element item : rd.Arr(evidence, "items", "evidence")) items.push_back(item);
  std::size_t findings = 0, runs = 0, evidence_records = 0;
  struct Cited {
    std::string file, file_sha256, line_sha256;
    SourceRef ref;
  };
  std::vector<Cited> cited;
  for (const Logged& l : logged) {
    element r = l.record;
    if (l.kind == "finding") {
      ++findings;
      const std::string where = "finding record";
      Expect(&out.problems, where, "finding", rd.Str(kase, "finding", "case"),
             rd.Str(r, "finding", where));
      Expect(&out.problems, where, "revision", std::to_string(rd.Int(kase, "revision", "case")),
             std::to_string(rd.Int(r, "revision", where)));
      for (const char* k : {"rule", "level", "scope_kind", "scope", "first", "last", "peak"}) {
        Expect(&out.problems, where, k, rd.Str(kase, k, "case"), rd.Str(r, k, where));
      }
      Expect(&out.problems, where, "days", std::to_string(rd.Int(kase, "days", "case")),
             std::to_string(rd.Int(r, "days", where)));
      Expect(&out.problems, where, "evidence total",
             std::to_string(rd.Int(evidence, "total", "evidence")),
             std::to_string(rd.Int(r, "evidence_total", where)));
      Expect(&out.problems, where, "evidence shown", std::to_string(items.size()),
             std::to_string(rd.Int(r, "evidence_shown", where)));
    } else if (l.kind == "run") {
      ++runs;
      const std::string where = "run record";
      for (const char* k : {"run", "command", "config_sha256", "rules_sha256"}) {
        Expect(&out.problems, where, k, rd.Str(reproduce, k, "reproduce"), rd.Str(r, k, where));
      }
      std::vector<std::string> listed, recorded;
      for (element i : rd.Arr(reproduce, "inputs", "reproduce")) {
        listed.push_back(rd.Str(i, "file", "reproduce") + " " + rd.Str(i, "sha256", "reproduce") +
                         " " + std::to_string(rd.Int(i, "lines", "reproduce")));
      }
      for (element i : rd.Arr(r, "inputs", where)) {
        recorded.push_back(rd.Str(i, "file", where) + " " + rd.Str(i, "sha256", where) + " " +
                           std::to_string(rd.Int(i, "lines", where)));
      }
      if (listed != recorded)
        out.problems.push_back({where, "the report's input files differ from the run's"});
    } else if (l.kind == "evidence") {
      ++evidence_records;
      const std::int64_t n = rd.Int(r, "n", "evidence record");
      const std::string where = "evidence record " + std::to_string(n);
      if (n < 1 || static_cast<std::size_t>(n) > items.size()) {
        out.problems.push_back({where, "the report lists no evidence item " + std::to_string(n)});
        continue;
      }
      element item = items[static_cast<std::size_t>(n - 1)];
      for (const char* k : {"event", "account", "time", "file", "file_sha256", "line_sha256"}) {
        Expect(&out.problems, where, k, rd.Str(item, k, "evidence item"), rd.Str(r, k, where));
      }
      for (const char* k : {"offset", "length"}) {
        Expect(&out.problems, where, k, std::to_string(rd.Int(item, k, "evidence item")),
               std::to_string(rd.Int(r, k, where)));
      }
      Cited c;
      c.file = rd.Str(r, "file", where);
      c.file_sha256 = rd.Str(r, "file_sha256", where);
      c.line_sha256 = rd.Str(r, "line_sha256", where);
      c.ref.line = static_cast<std::uint64_t>(rd.Int(r, "line", where));
      c.ref.offset = static_cast<std::uint64_t>(rd.Int(r, "offset", where));
      c.ref.length = static_cast<std::uint32_t>(rd.Int(r, "length", where));
      cited.push_back(std::move(c));
    }
  }
  std::size_t reviews = 0, custody = 0;
  {
    std::vector<element> rv, cu;
    for (element e : rd.Arr(root, "reviews", "report")) rv.push_back(e);
    for (element e : rd.Arr(root, "custody", "report")) cu.push_back(e);
    for (const Logged& l : logged) {
      if (l.kind == "review") {
        const std::string where = "review record " + std::to_string(reviews + 1);
        if (reviews < rv.size()) {
          for (const char* k : {"decision", "at"}) {
            Expect(&out.problems, where, k, rd.Str(rv[reviews], k, "review"),
                   rd.Str(l.record, k, where));
          }
        }
        ++reviews;
      } else if (l.kind == "custody") {
        const std::string where = "custody record " + std::to_string(custody + 1);
        if (custody < cu.size()) {
          for (const char* k : {"action", "what", "at"}) {
            Expect(&out.problems, where, k, rd.Str(cu[custody], k, "custody"),
                   rd.Str(l.record, k, where));
          }
        }
        ++custody;
      }
    }
    if (reviews != rv.size()) {
      out.problems.push_back({"reviews", "the report lists " + std::to_string(rv.size()) +
                                             " decisions but carries " + std::to_string(reviews) +
                                             " logged records of them"});
    }
    if (custody != cu.size()) {
      out.problems.push_back({"custody", "the report lists " + std::to_string(cu.size()) +
                                             " custody entries but carries " +
                                             std::to_string(custody) + " logged records of them"});
    }
  }
  if (findings != 1)
    out.problems.push_back(
        {"integrity", "the report must carry exactly one logged finding record"});
  if (runs != 1)
    out.problems.push_back({"integrity", "the report must carry exactly one logged run record"});
  if (evidence_records != items.size()) {
    out.problems.push_back({"integrity", "the report cites " + std::to_string(items.size()) +
                                             " evidence items but carries " +
                                             std::to_string(evidence_records) +
                                             " logged evidence records"});
  }

  // The cited lines, re-read from the original logs.
  if (!logs_dir.empty()) {
    std::map<std::string, bool> file_checked;
    for (const Cited& c : cited) {
      ++out.lines.total;
      const std::string where = c.file + " line " + std::to_string(c.ref.line) + " (offset " +
                                std::to_string(c.ref.offset) + ")";
      if (!SafeCitedPath(c.file)) {
        out.problems.push_back({where, "the cited path climbs out of the logs directory with '..'"});
        continue;
      }
      // A relative path starts from the logs directory; an absolute one (a file outside
      // the configuration's directory) is found below it too: `--logs /` reads it where
      // it was scanned, `--logs DIR` in a copy of the tree made under DIR.
      const std::string path =
          c.file[0] == '/' ? (logs_dir == "/" ? "" : logs_dir) + c.file : logs_dir + "/" + c.file;
      if (file_checked.emplace(c.file, true).second) {
        auto sha = engine::HashFile(path);
        if (!sha.ok()) {
          out.problems.push_back({c.file, sha.status().message()});
        } else if (ToHex(*sha) != c.file_sha256) {
          out.problems.push_back(
              {c.file, "the file's SHA-256 differs from the file that was scanned"});
        }
      }
      auto want = HexDigest(c.line_sha256);
      if (!want) {
        out.problems.push_back({where, "the record's line SHA-256 is not 64 hex digits"});
        continue;
      }
      auto line = engine::ReadCitedLine(path, c.ref, &*want);
      if (!line.ok()) {
        out.problems.push_back({where, line.status().message()});
        continue;
      }
      ++out.lines.valid;
    }
  }
  (void)rd.failed();
  return out;
}

}  // namespace tosguard::audit
