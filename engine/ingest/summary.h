// Renderings of an ingest result: canonical JSON and a table for people.
#pragma once

#include <string>

#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"

namespace tosguard::engine {

// The ingest summary as canonical JSON (keys in a fixed order, no timing): sources
// with their files (path, compression, SHA-256, sizes, line/record/quarantine counts by
// reason, time range), record counts per kind, cross-kind link counts, totals and the
// quarantine limit outcome. Documented in docs/cli.md.
std::string IngestSummaryJson(const IngestConfig& config, const IngestResult& result);

// The same for a terminal: aligned columns, one file per row, then totals.
std::string IngestSummaryTable(const IngestConfig& config, const IngestResult& result);

// `path` relative to the configuration's directory when it lies below it, else absolute
// (never climbing out with `..`). Cited lines name their files this way.
std::string DisplayPath(const IngestConfig& config, const std::string& path);

}  // namespace tosguard::engine
