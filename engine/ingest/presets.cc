// Mapping presets: the field mappings of common exports, applied before a source's own
// `fields`. Keep the tables in docs/configuration.md in step with this file.
#include <algorithm>

#include "engine/ingest/config.h"

namespace tosguard::engine {
namespace {

std::vector<std::string> SplitDotted(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

// "canonical": every field reads the key path of its own name, so records already in
// the canonical shape need no mapping at all. `status` goes through to_string because
// logs often carry HTTP codes as numbers (429), and the canonical status is a string.
std::vector<FieldMapping> CanonicalMappings(const RecordSchema& schema) {
  std::vector<FieldMapping> out;
  for (const FieldDef& def : schema.fields()) {
    FieldMapping m;
    m.field = def.name;
    m.path = SplitDotted(def.name);
    if (schema.kind() == RecordKind::kEvent && def.name == "status") {
      m.transform = Transform::kToString;
    }
    out.push_back(std::move(m));
  }
  return out;
}

// "litellm": rows of the LiteLLM proxy's spend log (Prisma model LiteLLM_SpendLogs in
// BerriAI/litellm, schema.prisma), as exported to JSON or CSV. startTime is a DateTime
// stored without an offset (Postgres TIMESTAMP(3), written in UTC), hence assume_utc.
std::vector<FieldMapping> LiteLlmEventMappings() {
  struct Row {
    const char* field;
    const char* column;
    Transform transform;
  };
  static constexpr Row kRows[] = {
      {"event_id", "request_id", Transform::kNone},
      {"ts", "startTime", Transform::kNone},
      {"account_id", "user", Transform::kNone},
      {"org_id", "organization_id", Transform::kNone},
      {"api_key_id", "api_key", Transform::kNone},
      {"user_id", "end_user", Transform::kNone},
      {"model", "model", Transform::kNone},
      {"endpoint", "call_type", Transform::kNone},
      {"input_tokens", "prompt_tokens", Transform::kNone},
      {"output_tokens", "completion_tokens", Transform::kNone},
      {"status", "status", Transform::kToString},
      {"client_ip", "requester_ip_address", Transform::kNone},
      {"text", "messages", Transform::kUserMessages},
      {"tags", "request_tags", Transform::kNone},
  };
  const RecordSchema& schema = CanonicalSchema(RecordKind::kEvent);
  std::vector<FieldMapping> out;
  // In schema order, as SourceConfig::fields promises.
  for (const FieldDef& def : schema.fields()) {
    for (const Row& row : kRows) {
      if (def.name != row.field) continue;
      FieldMapping m;
      m.field = row.field;
      m.path = {row.column};
      m.transform = row.transform;
      if (def.name == "ts") {
        m.time_format = TimeFormat::kRfc3339;
        m.assume_utc = true;
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace

std::optional<std::vector<FieldMapping>> PresetMappingsForSchema(const std::string& preset,
                                                                 const RecordSchema& schema) {
  if (preset == "none") return std::vector<FieldMapping>{};
  if (preset == "canonical") return CanonicalMappings(schema);
  if (preset == "litellm" && schema.kind() == RecordKind::kEvent) return LiteLlmEventMappings();
  return std::nullopt;
}

std::optional<std::vector<FieldMapping>> PresetMappings(const std::string& preset,
                                                        RecordKind kind) {
  return PresetMappingsForSchema(preset, CanonicalSchema(kind));
}

std::vector<std::string> PresetNames() { return {"canonical", "litellm", "none"}; }

std::vector<RecordKind> PresetKinds(const std::string& preset) {
  std::vector<RecordKind> kinds;
  for (RecordKind k : {RecordKind::kEvent, RecordKind::kAccount, RecordKind::kAcceptance,
                       RecordKind::kSignal}) {
    if (PresetMappings(preset, k)) kinds.push_back(k);
  }
  return kinds;
}

}  // namespace tosguard::engine
