// The evidence store: one SQLite file holding runs, findings, evidence references,
// cluster links, acceptances and waivers that applied, review decisions, a custody log,
// and the transparency log over them (leaves and signed checkpoints). docs/evidence.md
// describes the schema and what each record commits to.
//
// The store is opened in WAL mode with synchronous=FULL and refuses to work otherwise.
// Every write (a run, a review, a custody entry) is one transaction that ends with a
// signed checkpoint: a crash leaves all of it or none of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/ed25519.h"
#include "audit/finding_id.h"
#include "audit/keyed_hash.h"
#include "audit/merkle.h"
#include "audit/records.h"
#include "audit/sqlite.h"
#include "base/status.h"
#include "base/time.h"
#include "engine/eval/finding.h"

namespace tosguard::audit {

// The schema version this build writes; older stores are migrated on open.
inline constexpr std::int64_t kStoreSchemaVersion = 3;

// What a write needs: the key that signs checkpoints, the key of pseudonyms and keyed
// hashes, the log's name, and the time to record (UTC).
struct LogWriter {
  const PrivateKey* signing_key = nullptr;
  const KeyedHasher* hasher = nullptr;
  std::string origin;
  TimestampUs now = 0;
  // Earlier signing keys (a rotation): the last checkpoint may be signed by one of them.
  std::vector<PublicKey> earlier_keys;
};

struct StoredCheckpoint {
  std::int64_t seq = 0;
  Checkpoint checkpoint;
  std::string text;       // CheckpointText as signed
  std::string signature;  // 64 raw bytes
  std::string key_id;
  std::string public_key;  // 32 raw bytes: the Ed25519 key that signed it
};

struct LeafRow {
  std::int64_t index = 0;
  std::string kind;  // run, finding, evidence, review, custody
  std::string record;
  std::string hash;  // 32 raw bytes
};

// What a run did to one finding: kind "new", "extended" (its last day moved later),
// "revised" (anything else changed), "unchanged" or "withdrawn"; `change` says what
// and why.
struct FindingChange {
  std::string finding_id;
  std::int64_t revision = 1;
  std::string kind;
  std::string change;
};

// What a run adds besides its findings: the input files a batch has now processed, and
// the cause recorded with each revision ("new input data/2025-06-24.jsonl").
struct RunExtras {
  std::vector<InputRow> processed;
  std::string cause;
  // A batch evaluates every rule over all of its sources: a stored finding of one of
  // the run's rules that lies within the run's period and that the run no longer
  // produces is withdrawn (kind "withdrawn" in the outcome). A scan, which may read
  // other data into the same store, leaves such findings alone.
  bool withdraw_missing = false;
};

struct RunOutcome {
  std::string run_id;
  std::vector<FindingChange> changes;  // one per finding of the run, in its order
  std::uint64_t new_findings = 0, revised_findings = 0, unchanged_findings = 0;
  std::uint64_t leaves_appended = 0;
  StoredCheckpoint checkpoint;
};

// One finding as listed: its latest revision and its review status.
struct FindingSummary {
  FindingRow row;         // body included
  std::string status;     // "open", or the latest review decision
  std::string first_run;  // the run that first recorded it
};

struct FindingFilter {
  std::optional<std::string> rule, level, status;
  std::optional<std::string> since;  // YYYY-MM-DD: findings whose last day is on or after it
};

// A finding with everything a report cites.
struct FindingDossier {
  FindingSummary summary;
  RunRow run;  // the run that recorded this revision
  std::vector<EvidenceRow> evidence;
  std::vector<ReviewRow> reviews;
  std::vector<CustodyRow> custody;
  std::vector<WithdrawalRow> withdrawals;
  std::vector<std::int64_t> revisions;  // every revision of the id, ascending
};

class Store {
 public:
  // Opens (and with `create`, creates) the store. NotFound when it does not exist and
  // `create` is false; FailedPrecondition when SQLite cannot give WAL with
  // synchronous=FULL, the file is not a tosguard store, or its schema is newer than
  // this build reads; Corruption when SQLite reports the file damaged.
  static Result<Store> Open(const std::string& path, bool create);

  Store(Store&&) noexcept = default;
  Store& operator=(Store&&) noexcept = default;

  const std::string& path() const { return path_; }
  sqlite::Db& db() { return db_; }

  // How this store names its findings: kKeyed for a store created with schema 3 or
  // later, kDigest for an older one (its findings keep their ids). The caller gives the
  // findings of a run these ids (AssignFindingIds) before it prints or records them.
  // Corruption when the record is missing or unknown.
  Result<FindingIdScheme> FindingIds();

  // Records a run and the findings it produced. A finding whose canonical JSON equals
  // its latest stored revision is only noted as seen by the run; a changed one becomes
  // a new revision, with what changed and `extras.cause`. Corruption (and nothing
  // written) when the log does not match its last checkpoint. Appends the run, each new revision
  // and its evidence references to the log and signs a checkpoint, all in one transaction.
  // `run.run_id` and the counts are filled in by the store.
  Result<RunOutcome> RecordRun(RunRow run, const std::vector<engine::Finding>& findings,
                               const LogWriter& log, const RunExtras& extras = {});

  // Corruption when the log no longer matches its last checkpoint, or the checkpoint is
  // not signed by `log`'s key: what every write checks first, for a caller that wants
  // to know before it starts.
  Status CheckLogHead(const LogWriter& log);

  // The input files batches have processed, by content (file as first seen, sha256,
  // lines).
  Result<std::vector<InputRow>> ProcessedInputs();

  // Records a review decision (confirmed, dismissed, escalated) on a finding.
  Result<ReviewRow> AddReview(const std::string& finding_id, const std::string& decision,
                              const std::string& by, const std::string& reason,
                              const LogWriter& log);

  // Appends a custody entry (an export or a reveal).
  Result<CustodyRow> AddCustody(CustodyRow row, const LogWriter& log);

  Result<std::vector<FindingSummary>> ListFindings(const FindingFilter& filter);
  // The latest revision of `finding_id`; NotFound when the store has no such finding.
  Result<FindingDossier> GetFinding(const std::string& finding_id);

  Result<std::vector<LeafRow>> Leaves();
  Result<std::vector<StoredCheckpoint>> Checkpoints();
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint();
  // The tree over every leaf hash, in order.
  Result<MerkleTree> Tree();

 private:
  Store(std::string path, sqlite::Db db) : path_(std::move(path)), db_(std::move(db)) {}
  // Runs `body` in one write transaction: rolled back when it fails, committed (after
  // the fault hook named `fault_point`) when it succeeds.
  template <typename T, typename Fn>
  Result<T> Transaction(const char* fault_point, Fn body);
  Status Begin();
  // Refuses to extend a log whose leaves no longer match its last checkpoint, or whose
  // last checkpoint neither the writer's key nor one of its earlier keys signed:
  // appending would re-sign tampering.
  Status CheckHead(const MerkleTree& tree, const LogWriter& log);
  // RunExtras::withdraw_missing: withdraws the findings `findings` no longer holds.
  Result<std::vector<FindingChange>> WithdrawMissing(MerkleTree* tree, const RunRow& run,
                                                     const std::vector<engine::Finding>& findings);
  Result<std::int64_t> AppendLeaf(MerkleTree* tree, const std::string& kind,
                                  const std::string& record);
  Result<StoredCheckpoint> SignCheckpointRow(const MerkleTree& tree, const LogWriter& log);

  std::string path_;
  sqlite::Db db_;
};

// The columns of each kind of row, in the order its reader expects them (a SELECT of
// these from the row's table, optionally followed by more columns).
extern const char* const kFindingColumns;     // FROM findings
extern const char* const kEvidenceColumns;    // FROM evidence
extern const char* const kReviewColumns;      // FROM reviews
extern const char* const kCustodyColumns;     // FROM custody
extern const char* const kWithdrawalColumns;  // FROM withdrawals
FindingRow ReadFindingRow(const sqlite::Stmt& st);
EvidenceRow ReadEvidenceRow(const sqlite::Stmt& st);
ReviewRow ReadReviewRow(const sqlite::Stmt& st);
CustodyRow ReadCustodyRow(const sqlite::Stmt& st);
WithdrawalRow ReadWithdrawalRow(const sqlite::Stmt& st);

// Reads a run row with its rules, inputs and quarantine counts.
Result<RunRow> LoadRun(sqlite::Db& db, const std::string& run_id);

// The rows a finding becomes, as the store writes them.
FindingRow FindingRowOf(const engine::Finding& f, std::int64_t revision, const std::string& run_id,
                        const std::string& rule_sha256, std::string body);
std::vector<EvidenceRow> EvidenceRowsOf(const engine::Finding& f, std::int64_t revision);
// What differs between a stored revision's JSON and a finding ("last day 2025-06-22 ->
// 2025-06-23; counted requests 700 -> 731").
std::string DescribeChange(const std::string& before_json, const engine::Finding& after);
// A cluster link's accounts as stored in finding_links (a JSON array).
std::string LinkAccountsJson(const std::vector<std::string>& accounts);

}  // namespace tosguard::audit
