// Ingest summary rendering.
#include "engine/ingest/summary.h"

#include <cstdio>
#include <filesystem>

#include "base/json_writer.h"
#include "base/utf8.h"

namespace tosguard::engine {
namespace {

void WriteCounts(JsonWriter& w, const FileStats& s) {
  w.Key("lines").Uint(s.lines);
  w.Key("records").Uint(s.records);
  w.Key("header_lines").Uint(s.header_lines);
  w.Key("quarantined").Uint(s.quarantined);
  w.Key("quarantine_by_reason").BeginObject();
  for (std::size_t i = 0; i < kQuarantineReasonCount; ++i) {
    if (s.by_reason[i] == 0) continue;
    w.Key(QuarantineReasonName(static_cast<QuarantineReason>(i))).Uint(s.by_reason[i]);
  }
  w.EndObject();
  w.Key("out_of_order").Uint(s.out_of_order);
  w.Key("first_ts");
  s.min_ts ? w.String(FormatRfc3339(*s.min_ts)) : w.Null();
  w.Key("last_ts");
  s.max_ts ? w.String(FormatRfc3339(*s.max_ts)) : w.Null();
}

std::string Thousands(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Pad(std::string s, std::size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// The time range of the event records (other kinds have their own times: acceptances
// can be years older than the events they govern).
std::pair<std::optional<TimestampUs>, std::optional<TimestampUs>> EventRange(
    const IngestConfig& config, const IngestResult& r) {
  std::optional<TimestampUs> first, last;
  for (const InputFile& f : r.data.files) {
    if (config.sources[f.source].kind != RecordKind::kEvent) continue;
    if (f.stats.min_ts && (!first || *f.stats.min_ts < *first)) first = f.stats.min_ts;
    if (f.stats.max_ts && (!last || *f.stats.max_ts > *last)) last = f.stats.max_ts;
  }
  return {first, last};
}

}  // namespace

std::string DisplayPath(const IngestConfig& config, const std::string& path) {
  const std::string& base = config.base_dir;
  std::string shown = path;
  if (!base.empty() && base != "." && path.size() > base.size() + 1 &&
      path.compare(0, base.size(), base) == 0 && path[base.size()] == '/') {
    shown = path.substr(base.size() + 1);
  } else if (path.rfind("./", 0) == 0) {
    shown = path.substr(2);
  }
  // A file outside the configuration's directory is named by its absolute path, not by
  // one that climbs out with `..`, and one inside by a path without `..` or `.`: a cited
  // path is then either below the directory or absolute, and a report's verifier can
  // find either without following `..`.
  const std::filesystem::path p(shown);
  if (p.is_relative() && shown.find("..") != std::string::npos) {
    const std::filesystem::path normal = p.lexically_normal();
    if (normal.empty() || *normal.begin() != "..") return normal.generic_string();
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::absolute(path, ec);
    if (!ec) return abs.lexically_normal().generic_string();
  }
  return shown;
}

std::string IngestSummaryJson(const IngestConfig& config, const IngestResult& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("sources").BeginArray();
  for (std::uint32_t si = 0; si < config.sources.size(); ++si) {
    const SourceConfig& s = config.sources[si];
    w.BeginObject();
    w.Key("name").String(s.name);
    w.Key("kind").String(RecordKindName(s.kind));
    w.Key("format").String(s.format == InputFormat::kCsv ? "csv" : "jsonl");
    w.Key("files").BeginArray();
    for (const InputFile& f : r.data.files) {
      if (f.source != si) continue;
      w.BeginObject();
      w.Key("path").String(DisplayPath(config, f.path));
      w.Key("compression").String(CompressionName(f.compression));
      w.Key("sha256").String(ToHex(f.sha256));
      w.Key("stored_bytes").Uint(f.stored_bytes);
      w.Key("content_bytes").Uint(f.content_bytes);
      WriteCounts(w, f.stats);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("records").BeginObject();
  w.Key("event").Uint(r.data.events.rows());
  w.Key("account").Uint(r.data.accounts.rows());
  w.Key("acceptance").Uint(r.data.acceptances.rows());
  w.Key("signal").Uint(r.data.signals.rows());
  w.EndObject();
  const auto [first, last] = EventRange(config, r);
  w.Key("event_time_range").BeginObject();
  w.Key("first_ts");
  first ? w.String(FormatRfc3339(*first)) : w.Null();
  w.Key("last_ts");
  last ? w.String(FormatRfc3339(*last)) : w.Null();
  w.EndObject();
  w.Key("links").BeginObject();
  w.Key("event_accounts").Uint(r.links.event_accounts);
  w.Key("events_of_unknown_accounts").Uint(r.links.events_of_unknown_accounts);
  w.Key("unknown_accounts").Uint(r.links.unknown_accounts);
  w.Key("acceptances_of_unknown_accounts").Uint(r.links.acceptances_of_unknown_accounts);
  w.Key("signals_of_unknown_subjects").Uint(r.links.signals_of_unknown_subjects);
  w.EndObject();
  w.Key("totals").BeginObject();
  WriteCounts(w, r.totals);
  w.EndObject();
  w.Key("quarantine_file");
  r.quarantine_path.empty() ? w.Null() : w.String(DisplayPath(config, r.quarantine_path));
  w.Key("over_quarantine_limit").Bool(r.over_quarantine_limit);
  w.Key("limit_message").String(r.limit_message);
  w.EndObject();
  return w.Take();
}

std::string IngestSummaryTable(const IngestConfig& config, const IngestResult& r) {
  std::string out;
  out += Pad("SOURCE", 14, false) + Pad("KIND", 11, false) + Pad("LINES", 12, true) +
         Pad("RECORDS", 12, true) + Pad("QUARANTINED", 13, true) + "  FILE\n";
  for (const InputFile& f : r.data.files) {
    const SourceConfig& s = config.sources[f.source];
    out += Pad(SafeExcerpt(s.name, 13), 14, false) + Pad(std::string(RecordKindName(s.kind)), 11, false) +
           Pad(Thousands(f.stats.lines), 12, true) + Pad(Thousands(f.stats.records), 12, true) +
           Pad(Thousands(f.stats.quarantined), 13, true) + "  " +
           SafeExcerpt(DisplayPath(config, f.path), 200) + "\n";
  }
  out += "\n";
  out += "records:     " + Thousands(r.data.events.rows()) + " events, " +
         Thousands(r.data.accounts.rows()) + " accounts, " + Thousands(r.data.acceptances.rows()) +
         " acceptances, " + Thousands(r.data.signals.rows()) + " signals\n";
  const auto [events_first, events_last] = EventRange(config, r);
  if (events_first) {
    out += "events from: " + FormatRfc3339(*events_first) + " .. " + FormatRfc3339(*events_last) + "\n";
  }
  out += "accounts:    " + Thousands(r.links.event_accounts) + " active in events; " +
         Thousands(r.links.unknown_accounts) + " without an account record (" +
         Thousands(r.links.events_of_unknown_accounts) + " events kept, attributes unknown)\n";
  if (r.links.acceptances_of_unknown_accounts > 0 || r.links.signals_of_unknown_subjects > 0) {
    out += "unlinked:    " + Thousands(r.links.acceptances_of_unknown_accounts) +
           " acceptances of unknown accounts, " + Thousands(r.links.signals_of_unknown_subjects) +
           " signals of unknown subjects\n";
  }
  if (r.totals.out_of_order > 0) {
    out += "order:       " + Thousands(r.totals.out_of_order) +
           " records older than the one before them (kept; evaluation sorts by time)\n";
  }
  out += "quarantine:  " + Thousands(r.totals.quarantined) + " of " + Thousands(r.totals.lines) +
         " lines";
  if (r.totals.quarantined > 0) {
    out += " (";
    bool first = true;
    for (std::size_t i = 0; i < kQuarantineReasonCount; ++i) {
      if (r.totals.by_reason[i] == 0) continue;
      if (!first) out += ", ";
      first = false;
      out += std::string(QuarantineReasonName(static_cast<QuarantineReason>(i))) + " " +
             Thousands(r.totals.by_reason[i]);
    }
    out += ")";
  }
  if (!r.quarantine_path.empty()) out += " -> " + SafeExcerpt(DisplayPath(config, r.quarantine_path), 200);
  out += "\n";
  if (r.over_quarantine_limit) out += "LIMIT:       " + r.limit_message + "\n";
  return out;
}

}  // namespace tosguard::engine
