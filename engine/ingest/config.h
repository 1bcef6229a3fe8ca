// The ingest configuration (tosguard.yaml): sources, formats and field mappings.
//
// A source names input files (paths or globs, relative to the configuration file),
// their record kind and format, and how each canonical field is read from a record.
// Mapping presets ("canonical", "litellm", ...) supply the field mappings of common
// exports; a source's own `fields` override the preset's field by field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/schema.h"
#include "base/status.h"

namespace tosguard::engine {

enum class InputFormat : std::uint8_t { kJsonl, kCsv };

// How a timestamp field is read.
enum class TimeFormat : std::uint8_t {
  kAuto,          // RFC 3339 string, or a number: epoch seconds below 1e11, else milliseconds
  kRfc3339,       // RFC 3339 with an offset
  kEpochSeconds,  // number or numeric string
  kEpochMillis,   // number or numeric string
};

// What to do with a value whose JSON type differs from the field's type.
enum class Transform : std::uint8_t {
  kNone,          // strict: the JSON type must fit the field's type (ints in numbers etc.)
  kToString,      // numbers and booleans become their text (e.g. HTTP status 429 -> "429")
  kParse,         // a string is parsed as the field's type ("12" -> 12, "true" -> true)
  kSize,          // an array or object becomes its element count (logit_bias -> size)
  kUserMessages,  // a chat "messages" array becomes the text of its user turns, joined by "\n"
  kJson,          // any value becomes its minified JSON text
};

struct FieldMapping {
  std::string field;               // canonical field name (a key of the record schema)
  std::vector<std::string> path;   // JSON: nested keys from the record root; CSV: one column
  Transform transform = Transform::kNone;
  TimeFormat time_format = TimeFormat::kAuto;
  bool assume_utc = false;         // accept RFC 3339 without an offset as UTC
  std::optional<std::string> default_value;  // used when the value is absent or null
  // Where this mapping was written (for diagnostics); line 0 when it came from a preset.
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct CsvOptions {
  char delimiter = ',';
  bool header = true;  // first line names the columns (the only supported layout)
};

struct SourceConfig {
  std::string name;                  // unique among sources
  RecordKind kind = RecordKind::kEvent;
  InputFormat format = InputFormat::kJsonl;
  std::vector<std::string> paths;    // as written (globs allowed), relative to the config dir
  std::string preset;                // preset whose mappings were applied, or ""
  std::vector<FieldMapping> fields;  // one per mapped canonical field, in schema order
  CsvOptions csv;
  std::uint32_t line = 0;            // where the source is declared
};

// When too much input is bad, ingest fails instead of going on.
struct QuarantineLimit {
  std::optional<std::uint64_t> max_count;   // more quarantined lines than this fails
  std::optional<double> max_fraction;       // a larger fraction of all lines fails, in [0, 1]
};

// A detector whose signals the rules may use, with its calibration when known.
struct DetectorConfig {
  std::string name;
  std::string description;
  std::optional<double> threshold;            // score at which the detector flags
  std::optional<double> false_positive_rate;  // measured at `threshold`, in [0, 1]
};

// An identifier that links accounts into clusters: an account attribute or an event
// field (docs/engine.md, "Clusters").
struct LinkIdentifier {
  RecordKind kind = RecordKind::kAccount;  // kAccount or kEvent
  std::size_t slot = 0;                     // in the account or event schema
  std::string name;                         // as written: "account.payment_fingerprint"
};

struct LinkingConfig {
  std::vector<LinkIdentifier> identifiers;  // in the order written
  // A value shared by more accounts than this links nobody (a common value).
  std::uint32_t max_accounts_per_value = 50;
};

// `evidence:`: where findings are recorded and with which keys (docs/evidence.md).
// Paths are resolved against the configuration's directory; "" when not given.
struct EvidenceConfig {
  std::string store;          // the SQLite evidence store
  std::string signing_key;    // Ed25519 private key (PEM) that signs checkpoints
  std::string pseudonym_key;  // key of the keyed hashes (HMAC-SHA256), at least 32 bytes
  std::string examiner;       // named in reports
  std::string origin = "tosguard/evidence";  // the log's name in its checkpoints
  std::vector<std::string> trusted_keys;  // public keys (PEM) of earlier signing keys
};

struct IngestConfig {
  std::string path;                  // the configuration file
  std::string base_dir;              // directory relative paths resolve against
  std::vector<SourceConfig> sources;
  RecordSchema account_schema = CanonicalSchema(RecordKind::kAccount);  // plus attributes
  std::vector<DetectorConfig> detectors;  // declared signal detectors, sorted by name
  std::uint64_t max_line_bytes = 1 << 20;
  QuarantineLimit quarantine_limit;  // default: none (report and go on)
  // Where quarantined lines are written ("" = none); already resolved against base_dir.
  std::string quarantine_path;
  LinkingConfig linking;             // `linking:`; no identifiers: every account alone
  std::string waivers_path;          // `waivers:` resolved against base_dir, or ""
  EvidenceConfig evidence;
  // `rules:`: the rule files (globs allowed, relative to base_dir) that `scan` and
  // `batch` evaluate when no --rules are given.
  std::vector<std::string> rules;
};

// Reads and validates a configuration file. User mistakes (unknown keys, unknown fields,
// bad types, duplicate source names, unknown presets) go to `diags` with file:line:col
// and the result is then an InvalidArgument status; I/O failures are a Status.
Result<IngestConfig> LoadIngestConfig(const std::string& path, Diagnostics* diags);
// The same from text already read; `path` names it in diagnostics and sets base_dir.
Result<IngestConfig> ParseIngestConfig(const std::string& text, const std::string& path,
                                       Diagnostics* diags);

// The field mappings of a preset for a record kind; nullopt when there is none.
// Known presets: "canonical" (every kind) and "litellm" (events: LiteLLM spend logs);
// "none" maps nothing (an empty list for every kind).
std::optional<std::vector<FieldMapping>> PresetMappings(const std::string& preset,
                                                        RecordKind kind);
// The same for a schema that may extend the canonical one (the account schema with the
// configuration's attributes): "canonical" maps every field of `schema` by its own name.
std::optional<std::vector<FieldMapping>> PresetMappingsForSchema(const std::string& preset,
                                                                 const RecordSchema& schema);
// Names of all presets, sorted ("canonical", "litellm", "none").
std::vector<std::string> PresetNames();
// The record kinds a preset has mappings for, in RecordKind order.
std::vector<RecordKind> PresetKinds(const std::string& preset);

// Stable names as written in tosguard.yaml ("jsonl", "epoch_ms", "user_messages"), and
// their inverses (nullopt for an unknown name).
std::string_view InputFormatName(InputFormat format);
std::string_view TimeFormatName(TimeFormat format);
std::string_view TransformName(Transform transform);
std::optional<InputFormat> ParseInputFormat(std::string_view name);
std::optional<TimeFormat> ParseTimeFormat(std::string_view name);
std::optional<Transform> ParseTransform(std::string_view name);
// Whether `transform` can produce a value of `type` (e.g. size only gives int).
bool TransformFitsType(Transform transform, FieldType type);

// Expands a source's paths (globs sorted by name) relative to `base_dir`. A pattern that
// matches nothing and a plain path that does not exist are NotFound errors naming it.
Result<std::vector<std::string>> ExpandSourcePaths(const SourceConfig& source,
                                                   const std::string& base_dir);
// The same for any list of paths and globs; errors begin with `what` ("rules").
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns, const std::string& base_dir,
                                             const std::string& what);

}  // namespace tosguard::engine
