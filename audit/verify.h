// Independent checks of the evidence: a whole store, or one report offline.
//
// Every check that fails is a Problem naming the record and the reason; nothing stops
// at the first failure, so one run lists all that is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/ed25519.h"
#include "audit/keyed_hash.h"
#include "base/status.h"

namespace tosguard::audit {

// The public keys trusted to have signed checkpoints: the current signing key and the
// earlier ones of a rotation.
using KeyRing = std::vector<PublicKey>;

// The key of `ring` with this key id, or nullptr.
const PublicKey* FindKey(const KeyRing& ring, const std::string& key_id);

struct Problem {
  std::string
      record;  // "leaf 12 (finding)", "checkpoint 3", "finding F-... revision 1", "store file"
  std::string reason;
};

struct Tally {
  std::uint64_t valid = 0, total = 0;
};

struct StoreVerification {
  Tally leaves, checkpoints, rows;
  std::uint64_t tree_size = 0;  // of the last checkpoint
  std::string root;             // of the last checkpoint, hex; "" when there is none
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

// Verifies the store at `path`: SQLite's own integrity check; every leaf's hash against
// its record; every checkpoint's text, signature (with `key`), root and size, and its
// consistency with the one before; that the last checkpoint covers every leaf; and that
// every stored row rebuilds exactly the record of its leaf (with `hasher`, the
// pseudonym key), every leaf has its row, and each finding's tables agree with its
// canonical JSON. NotFound when there is no store; a damaged file is a Problem.
Result<StoreVerification> VerifyStore(const std::string& path, const KeyRing& keys,
                                      const KeyedHasher& hasher);

struct ReportVerification {
  Tally leaves, lines;
  bool signature_ok = false;
  std::string key_id;            // of the key the signature was checked with
  bool key_from_report = false;  // no trusted key given: the report's own key was used
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

// Verifies a report (tosguard.report/1 JSON) offline: its checkpoint's signature (with
// the key of `trusted` it names; with the key the report embeds when `trusted` is empty), each
// embedded record's leaf hash and inclusion proof against the checkpoint, and that the report's
// facts agree with the records. With `logs_dir` non-empty, re-reads every cited line from the log
// files under that directory (relative paths only; nothing outside it is read) and
// checks each line's SHA-256. InvalidArgument when the JSON is not a report.
Result<ReportVerification> VerifyReport(std::string_view report_json, const KeyRing& trusted,
                                        const std::string& logs_dir);

}  // namespace tosguard::audit
