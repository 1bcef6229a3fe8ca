// The canonical report of one finding (schema tosguard.report/1, docs/reports.md):
// everything a legal reviewer needs, with the records and proofs that let them check it
// against the signed log without tosguard. HTML and Markdown render this JSON.
#pragma once

#include <map>
#include <string>

#include "audit/keyed_hash.h"
#include "audit/store.h"
#include "base/status.h"
#include "base/time.h"

namespace tosguard::audit {

inline constexpr const char* kReportSchema = "tosguard.report/1";

struct ReportOptions {
  TimestampUs generated_at = 0;
  std::string examiner;
  std::string tool_version, revision;
  bool reveal = false;        // show identifiers beside their pseudonyms
  bool include_text = false;  // quote the cited log lines (truncated) and shown strings
  std::size_t excerpt_bytes = 300;
  // Where the cited files' relative paths resolve (the configuration's directory);
  // needed for include_text.
  std::string logs_dir;
  std::map<std::string, std::string> detector_descriptions;
};

// Builds the report of the latest revision of a finding from the store. The proofs are
// against the store's latest checkpoint. Same store, same options: same bytes.
Result<std::string> BuildReportJson(Store& store, const FindingDossier& dossier,
                                    const KeyedHasher& hasher, const ReportOptions& options);

}  // namespace tosguard::audit
