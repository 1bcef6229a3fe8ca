// Helpers for ingest tests: a temporary directory with a configuration and inputs.
#pragma once

#include <string>

#include "base/diagnostic.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"
#include "tests/support/temp_dir.h"

namespace tosguard::engine::testing {

using tosguard::testing::TempDir;

// Parses `yaml` as if it were `dir`/tosguard.yaml; fails the test on diagnostics.
inline IngestConfig MustConfig(const TempDir& dir, const std::string& yaml) {
  Diagnostics diags;
  auto cfg = ParseIngestConfig(yaml, dir.str() + "/tosguard.yaml", &diags);
  std::string shown;
  for (const auto& d : diags.items()) shown += FormatDiagnostic(d);
  INFO(shown);
  REQUIRE(cfg.ok());
  return std::move(*cfg);
}

// A configuration with one event source reading `events.jsonl`.
inline const char* kEventsOnly = R"(version: 1
quarantine: q.jsonl
sources:
  - name: events
    kind: event
    paths: [events.jsonl]
)";

// The invariant of loss-free ingest, per file and in total.
inline void CheckNothingLost(const IngestResult& r) {
  std::uint64_t lines = 0, kept = 0;
  for (const InputFile& f : r.data.files) {
    INFO(f.path);
    CHECK(f.stats.lines == f.stats.records + f.stats.quarantined + f.stats.header_lines);
    std::uint64_t by_reason = 0;
    for (auto n : f.stats.by_reason) by_reason += n;
    CHECK(by_reason == f.stats.quarantined);
    lines += f.stats.lines;
    kept += f.stats.records;
  }
  CHECK(r.totals.lines == lines);
  CHECK(r.totals.records == kept);
  CHECK(r.totals.records == r.data.events.rows() + r.data.accounts.rows() +
                                r.data.acceptances.rows() + r.data.signals.rows());
}

inline std::uint64_t Reason(const IngestResult& r, QuarantineReason reason) {
  return r.totals.by_reason[static_cast<std::size_t>(reason)];
}

}  // namespace tosguard::engine::testing
