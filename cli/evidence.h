// What the evidence commands share: the store path, the keys named in the
// configuration's `evidence:` section, the clock, and a run's record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/ed25519.h"
#include "audit/keyed_hash.h"
#include "audit/records.h"
#include "audit/store.h"
#include "dsl/loader.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"

namespace tosguard::cli {

// The current time, UTC, to the microsecond (or TOSGUARD_NOW's, a test hook). The only
// clock the evidence commands read.
TimestampUs Now();

// Who runs this process, as run records name it: the effective user's name (or "uid N"
// when it has none) and the host name, "name@host".
std::string Operator();

// The pseudonym key: a file of at least 64 hex digits (32 bytes), as `keygen` writes it.
Result<audit::KeyedHasher> LoadPseudonymKey(const std::string& path);

// The keys of `config`'s evidence section; each error names the setting to fix.
struct EvidenceKeys {
  std::optional<audit::PrivateKey> signing;
  std::optional<audit::KeyedHasher> hasher;
  std::vector<audit::PublicKey> earlier;  // evidence.trusted_keys
  // The writer of the store's log with these keys, at `now`.
  audit::LogWriter Writer(const engine::IngestConfig& config, TimestampUs now) const;
};

// An Ed25519 public key from a PEM file; InvalidArgument naming the file.
Result<audit::PublicKey> ReadPublicKeyFile(const std::string& path);
Result<EvidenceKeys> LoadEvidenceKeys(const engine::IngestConfig& config, bool need_signing);

// The store given on the command line, else the configuration's; "" when neither.
std::string StorePath(const std::string& option, const engine::IngestConfig& config);

// Opens the store, logging an error and setting `exit_code` on failure.
std::optional<audit::Store> OpenStoreOrReport(const std::string& path, bool create, int* exit_code);

// The rules of a pack as the store records them (source, metadata for reports).
std::vector<audit::RuleRow> RuleRows(const dsl::RuleSet& rules);

// The run row of a scan: command line, tool, hashes of configuration, rules and inputs.
Result<audit::RunRow> ScanRunRow(const std::vector<std::string>& argv,
                                 const engine::IngestConfig& config, const dsl::RuleSet& rules,
                                 const engine::IngestResult& ingest, TimestampUs started,
                                 TimestampUs finished);

// The command line as given, for run records (argv is kept by main).
const std::vector<std::string>& CommandLine();
void SetCommandLine(int argc, char** argv);

// The exit code for a failed Status of the evidence side.
int ExitCodeFor(const Status& s);

}  // namespace tosguard::cli
