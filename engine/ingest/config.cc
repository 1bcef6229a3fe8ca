// Reading and validating tosguard.yaml: every user mistake becomes a diagnostic with
// its line and column, all reported at once; yaml-cpp's exceptions stop here.
#include "engine/ingest/config.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "base/utf8.h"
#include "engine/eval/waiver.h"
#include "engine/ingest/coerce.h"
#include "engine/ingest/yaml_reader.h"

namespace tosguard::engine {

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kJsonl: return "jsonl";
    case InputFormat::kCsv: return "csv";
  }
  return "jsonl";
}

std::string_view TimeFormatName(TimeFormat format) {
  switch (format) {
    case TimeFormat::kAuto: return "auto";
    case TimeFormat::kRfc3339: return "rfc3339";
    case TimeFormat::kEpochSeconds: return "epoch_s";
    case TimeFormat::kEpochMillis: return "epoch_ms";
  }
  return "auto";
}

std::string_view TransformName(Transform transform) {
  switch (transform) {
    case Transform::kNone: return "none";
    case Transform::kToString: return "to_string";
    case Transform::kParse: return "parse";
    case Transform::kSize: return "size";
    case Transform::kUserMessages: return "user_messages";
    case Transform::kJson: return "json";
  }
  return "none";
}

namespace {

constexpr InputFormat kAllFormats[] = {InputFormat::kJsonl, InputFormat::kCsv};
constexpr TimeFormat kAllTimeFormats[] = {TimeFormat::kAuto, TimeFormat::kRfc3339,
                                          TimeFormat::kEpochSeconds, TimeFormat::kEpochMillis};
constexpr Transform kAllTransforms[] = {Transform::kNone,  Transform::kToString,
                                        Transform::kParse, Transform::kSize,
                                        Transform::kUserMessages, Transform::kJson};
constexpr RecordKind kAllKinds[] = {RecordKind::kEvent, RecordKind::kAccount,
                                    RecordKind::kAcceptance, RecordKind::kSignal};
constexpr FieldType kAllTypes[] = {FieldType::kBool,   FieldType::kInt,       FieldType::kNumber,
                                   FieldType::kString, FieldType::kText,      FieldType::kTimestamp,
                                   FieldType::kStringSet};

}  // namespace

std::optional<InputFormat> ParseInputFormat(std::string_view name) {
  for (InputFormat f : kAllFormats) {
    if (InputFormatName(f) == name) return f;
  }
  return std::nullopt;
}

std::optional<TimeFormat> ParseTimeFormat(std::string_view name) {
  for (TimeFormat f : kAllTimeFormats) {
    if (TimeFormatName(f) == name) return f;
  }
  return std::nullopt;
}

std::optional<Transform> ParseTransform(std::string_view name) {
  for (Transform t : kAllTransforms) {
    if (TransformName(t) == name) return t;
  }
  return std::nullopt;
}

bool TransformFitsType(Transform transform, FieldType type) {
  using T = FieldType;
  switch (transform) {
    case Transform::kNone: return true;
    // Ingest turns numbers and booleans into text for string fields only.
    case Transform::kToString: return type == T::kString;
    // Timestamps and string sets read strings anyway (time_format, ';'); parse adds nothing.
    case Transform::kParse: return type == T::kBool || type == T::kInt || type == T::kNumber;
    case Transform::kSize: return type == T::kInt;
    case Transform::kUserMessages:
    case Transform::kJson: return type == T::kString || type == T::kText;
  }
  return false;
}

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxConfigBytes = 16u << 20;
constexpr std::uint64_t kMaxLineBytesLimit = 1u << 30;

template <typename E, std::size_t N, typename NameFn>
std::vector<std::string> NamesOf(const E (&values)[N], NameFn name) {
  std::vector<std::string> out;
  for (const E& v : values) out.emplace_back(name(v));
  return out;
}

// "an int", "a string": the type name with its article.
std::string TypeWithArticle(FieldType type) {
  std::string name(FieldTypeName(type));
  return (type == FieldType::kInt ? "an " : "a ") + name;
}

std::string KindArticle(RecordKind kind) {
  std::string name(RecordKindName(kind));
  return (name == "event" || name == "account" || name == "acceptance" ? "an " : "a ") + name;
}

class Parser : public YamlReader {
 public:
  using YamlReader::YamlReader;

  IngestConfig Parse(const YAML::Node& root, IngestConfig config);

 private:
  void ParseLimits(const Entry& e, IngestConfig* config);
  void ParseAccounts(const Entry& e, IngestConfig* config);
  void ParseSignals(const Entry& e, IngestConfig* config);
  void ParseEvidence(const Entry& e, IngestConfig* config);
  void ParseLinking(const Entry& e, IngestConfig* config);
  void ParseSources(const Entry& e, IngestConfig* config);
  std::optional<SourceConfig> ParseSource(const YAML::Node& item, Pos item_pos,
                                          const IngestConfig& config);
  bool CheckPathConflicts(const std::vector<std::optional<FieldMapping>>& by_slot,
                          const std::string& preset, const std::string& label);
  void ParseFields(const Entry& fields, const RecordSchema& schema, SourceConfig* source,
                   std::vector<std::optional<FieldMapping>>* by_slot,
                   std::vector<std::optional<Pos>>* removed);
  std::optional<FieldMapping> ParseMapping(const Entry& e, const FieldDef& def,
                                           InputFormat format);
  std::optional<std::vector<std::string>> ParsePath(const YAML::Node& node, Pos pos,
                                                    const std::string& field,
                                                    InputFormat format);
};

IngestConfig Parser::Parse(const YAML::Node& root, IngestConfig config) {
  Pos root_pos = PosOf(root, {1, 1});
  if (!root.IsMap()) {
    Error(root_pos, "the configuration must be a map with the keys version, sources, ...; "
                    "found " + NodeKindText(root));
    return config;
  }
  static const std::vector<std::string> kTop = {"version", "limits",  "quarantine", "accounts",
                                                "signals", "sources", "linking",   "waivers",
                                                "evidence", "rules"};
  std::vector<Entry> entries = Entries(root, &kTop, "at the top level");
  auto find = [&](std::string_view key) -> const Entry* {
    for (const Entry& e : entries) {
      if (e.key == key) return &e;
    }
    return nullptr;
  };

  if (const Entry* v = find("version")) {
    if (!v->value.IsScalar() || v->value.Scalar() != "1") {
      Error(v->value_pos, "unsupported version " +
                              (v->value.IsScalar() ? Quote(v->value.Scalar()) : NodeKindText(v->value)) +
                              "; this tosguard reads version 1");
    }
  } else {
    Error(root_pos, "missing 'version: 1' (the format version of this file)");
  }
  if (const Entry* e = find("limits")) ParseLimits(*e, &config);
  if (const Entry* e = find("quarantine")) {
    if (auto path = FilePath(*e, config.base_dir)) config.quarantine_path = *path;
  }
  // Accounts before sources: attributes extend the schema account sources map onto.
  if (const Entry* e = find("accounts")) ParseAccounts(*e, &config);
  if (const Entry* e = find("signals")) ParseSignals(*e, &config);
  if (const Entry* e = find("linking")) ParseLinking(*e, &config);
  if (const Entry* e = find("waivers")) {
    if (auto path = FilePath(*e, config.base_dir)) config.waivers_path = *path;
  }
  if (const Entry* e = find("evidence")) ParseEvidence(*e, &config);
  if (const Entry* e = find("rules")) {
    auto add = [&](const YAML::Node& n, Pos pos) {
      if (!n.IsScalar() || n.Scalar().empty()) {
        Error(pos, "a rule path must be a non-empty file name or glob, not " + NodeKindText(n));
      } else {
        config.rules.push_back(n.Scalar());
      }
    };
    if (e->value.IsSequence()) {
      for (const YAML::Node& n : e->value) add(n, PosOf(n, e->value_pos));
    } else {
      add(e->value, e->value_pos);
    }
  }
  if (const Entry* e = find("sources")) {
    ParseSources(*e, &config);
  } else {
    Error(root_pos, "missing 'sources' (the list of input files to read)");
  }
  return config;
}

void Parser::ParseLimits(const Entry& e, IngestConfig* config) {
  if (!ExpectMap(e, "max_line_bytes, max_quarantine")) return;
  static const std::vector<std::string> kKeys = {"max_line_bytes", "max_quarantine"};
  for (const Entry& l : Entries(e.value, &kKeys, "in 'limits'")) {
    if (l.key == "max_line_bytes") {
      if (auto n = UintInRange(l, 1, kMaxLineBytesLimit)) config->max_line_bytes = *n;
    } else {
      const std::string kWant = "an integer >= 0 (a count of lines) or a percentage like \"5%\"";
      auto s = Scalar(l, kWant);
      if (!s) continue;
      if (!s->empty() && s->back() == '%') {
        auto pct = ParseFiniteDouble(std::string_view(*s).substr(0, s->size() - 1));
        if (!pct || *pct < 0 || *pct > 100) {
          Error(l.value_pos, "'max_quarantine' percentage must be from 0% to 100%, not " + Quote(*s));
          continue;
        }
        config->quarantine_limit.max_fraction = *pct / 100.0;
      } else if (auto n = ParseUint64(*s)) {
        config->quarantine_limit.max_count = *n;
      } else {
        Error(l.value_pos, "'max_quarantine' must be " + kWant + ", not " + Quote(*s));
      }
    }
  }
}

void Parser::ParseAccounts(const Entry& e, IngestConfig* config) {
  if (!ExpectMap(e, "with the key attributes")) return;
  static const std::vector<std::string> kKeys = {"attributes"};
  for (const Entry& a : Entries(e.value, &kKeys, "in 'accounts'")) {
    if (!ExpectMap(a, "attribute name: type")) continue;
    const std::vector<std::string> type_names =
        NamesOf(kAllTypes, [](FieldType t) { return FieldTypeName(t); });
    for (const Entry& attr : Entries(a.value, nullptr, "in 'attributes'")) {
      if (!IsIdentifier(attr.key)) {
        Error(attr.key_pos, "attribute name " + Quote(attr.key) +
                                " must be an identifier: letters, digits and '_', not starting "
                                "with a digit");
        continue;
      }
      const RecordSchema& canonical = CanonicalSchema(RecordKind::kAccount);
      if (canonical.Slot(attr.key)) {
        Error(attr.key_pos, "attribute " + Quote(attr.key) +
                                " clashes with the canonical account field of that name; "
                                "map the canonical field under a source's 'fields' instead");
        continue;
      }
      auto type = Choice(attr, type_names, "type");
      if (!type) continue;
      config->account_schema.AddField(
          {attr.key, *ParseFieldType(*type), false, "attribute declared in the configuration"});
    }
  }
}

void Parser::ParseSignals(const Entry& e, IngestConfig* config) {
  if (!ExpectMap(e, "with the key detectors")) return;
  static const std::vector<std::string> kKeys = {"detectors"};
  for (const Entry& d : Entries(e.value, &kKeys, "in 'signals'")) {
    if (!d.value.IsSequence()) {
      Error(d.value_pos, "'detectors' must be a list of detectors (a name, or a map with name, "
                         "description, threshold, false_positive_rate), not " +
                             NodeKindText(d.value));
      continue;
    }
    std::map<std::string, Pos> seen;
    for (const YAML::Node& item : d.value) {
      Pos pos = PosOf(item, d.value_pos);
      DetectorConfig det;
      Pos name_pos = pos;
      if (item.IsScalar()) {
        det.name = item.Scalar();
      } else if (item.IsMap()) {
        static const std::vector<std::string> kDet = {"name", "description", "threshold",
                                                      "false_positive_rate"};
        bool has_name = false;
        bool ok = true;
        for (const Entry& f : Entries(item, &kDet, "in a detector")) {
          if (f.key == "name") {
            auto s = Scalar(f, "a detector name");
            if (!s) {
              ok = false;
              continue;
            }
            det.name = *s;
            name_pos = f.value_pos;
            has_name = true;
          } else if (f.key == "description") {
            if (auto s = Scalar(f, "text")) det.description = *s;
          } else if (f.key == "threshold") {
            det.threshold = Number(f, "a number");
          } else {
            det.false_positive_rate = Number(f, "a number from 0 to 1");
            if (det.false_positive_rate &&
                (*det.false_positive_rate < 0 || *det.false_positive_rate > 1)) {
              Error(f.value_pos, "'false_positive_rate' must be from 0 to 1, not " +
                                     Quote(f.value.Scalar()));
              det.false_positive_rate.reset();
            }
          }
        }
        if (!has_name) {
          if (ok) Error(pos, "a detector needs a 'name'");
          continue;
        }
      } else {
        Error(pos, "a detector must be a name or a map with a 'name', not " + NodeKindText(item));
        continue;
      }
      if (!IsValidName(det.name)) {
        Error(name_pos, "detector name " + Quote(det.name) +
                            " must be 1 to 128 letters, digits, '_', '-' or '.'");
        continue;
      }
      auto [first, inserted] = seen.emplace(det.name, name_pos);
      if (!inserted) {
        Error(name_pos, "detector " + Quote(det.name) + " is declared twice (first at line " +
                            std::to_string(first->second.line) + ")");
        continue;
      }
      config->detectors.push_back(std::move(det));
    }
  }
  std::sort(config->detectors.begin(), config->detectors.end(),
            [](const DetectorConfig& a, const DetectorConfig& b) { return a.name < b.name; });
}

void Parser::ParseEvidence(const Entry& e, IngestConfig* config) {
  if (!ExpectMap(e, "with the keys store, signing_key, pseudonym_key, examiner, origin")) return;
  static const std::vector<std::string> kKeys = {"store",    "signing_key", "pseudonym_key",
                                                 "examiner", "origin",      "trusted_keys"};
  EvidenceConfig& ev = config->evidence;
  for (const Entry& l : Entries(e.value, &kKeys, "in 'evidence'")) {
    if (l.key == "trusted_keys") {
      if (!l.value.IsSequence()) {
        Error(l.value_pos, "'trusted_keys' must be a list of public key files (PEM), not " +
                               NodeKindText(l.value));
        continue;
      }
      for (const YAML::Node& item : l.value) {
        Pos pos = PosOf(item, l.value_pos);
        if (!item.IsScalar() || item.Scalar().empty()) {
          Error(pos, "a trusted key must be a public key file (PEM), not " + NodeKindText(item));
        } else {
          ev.trusted_keys.push_back((fs::path(config->base_dir) / item.Scalar()).lexically_normal().string());
        }
      }
      continue;
    }
    if (l.key == "examiner" || l.key == "origin") {
      auto s = Scalar(l, l.key == "examiner" ? "a name (the examiner named in reports)"
                                             : "a log name such as acme.example/tosguard-evidence");
      if (!s) continue;
      if (l.key == "examiner") {
        ev.examiner = *s;
      } else if (s->empty() || s->size() > 255 ||
                 std::any_of(s->begin(), s->end(), [](char c) { return c < 0x21 || c > 0x7e; })) {
        Error(l.value_pos, "'origin' names the log in its checkpoints: 1 to 255 visible ASCII "
                           "characters without spaces, such as acme.example/tosguard-evidence");
      } else {
        ev.origin = *s;
      }
      continue;
    }
    auto path = FilePath(l, config->base_dir);
    if (!path) continue;
    if (l.key == "store") ev.store = *path;
    if (l.key == "signing_key") ev.signing_key = *path;
    if (l.key == "pseudonym_key") ev.pseudonym_key = *path;
  }
}

void Parser::ParseLinking(const Entry& e, IngestConfig* config) {
  if (!ExpectMap(e, "with the keys identifiers, max_accounts_per_value")) return;
  static const std::vector<std::string> kKeys = {"identifiers", "max_accounts_per_value"};
  for (const Entry& l : Entries(e.value, &kKeys, "in 'linking'")) {
    if (l.key == "max_accounts_per_value") {
      if (auto n = UintInRange(l, 2, 1000000)) config->linking.max_accounts_per_value = static_cast<std::uint32_t>(*n);
      continue;
    }
    if (!l.value.IsSequence()) {
      Error(l.value_pos, "'identifiers' must be a list like [account.payment_fingerprint, "
                         "event.device_id], not " + NodeKindText(l.value));
      continue;
    }
    std::map<std::string, Pos> seen;
    for (const YAML::Node& item : l.value) {
      Pos pos = PosOf(item, l.value_pos);
      if (!item.IsScalar()) {
        Error(pos, "a linking identifier must be account.<attribute> or event.<field>, not " +
                       NodeKindText(item));
        continue;
      }
      const std::string& name = item.Scalar();
      const std::size_t dot = name.find('.');
      const std::string prefix = dot == std::string::npos ? "" : name.substr(0, dot);
      if (prefix != "account" && prefix != "event") {
        Error(pos, "linking identifier " + Quote(name) +
                       " must start with 'account.' or 'event.' (e.g. account.payment_fingerprint)");
        continue;
      }
      const RecordKind kind = prefix == "account" ? RecordKind::kAccount : RecordKind::kEvent;
      const RecordSchema& schema =
          kind == RecordKind::kAccount ? config->account_schema : CanonicalSchema(RecordKind::kEvent);
      const std::string field = name.substr(dot + 1);
      auto slot = schema.Slot(field);
      if (!slot) {
        std::vector<std::string> names;
        for (const FieldDef& f : schema.fields()) names.push_back(f.name);
        Error(pos, "unknown " + prefix + " field " + Quote(field) + " in linking identifier " +
                       Quote(name) + Hint(field, names, "fields"));
        continue;
      }
      const FieldType type = schema.field(*slot).type;
      if (type != FieldType::kString) {
        Error(pos, "linking identifier " + Quote(name) + " must be a string field, not " +
                       TypeWithArticle(type));
        continue;
      }
      if (*slot == (kind == RecordKind::kAccount ? account_slot::kAccountId : event_slot::kAccountId)) {
        Error(pos, Quote(name) + " is the account itself; name a shared identifier instead");
        continue;
      }
      auto [first, inserted] = seen.emplace(name, pos);
      if (!inserted) {
        Error(pos, "linking identifier " + Quote(name) + " is listed twice (first at line " +
                       std::to_string(first->second.line) + ")");
        continue;
      }
      config->linking.identifiers.push_back({kind, *slot, name});
    }
  }
}

void Parser::ParseSources(const Entry& e, IngestConfig* config) {
  if (!e.value.IsSequence()) {
    Error(e.value_pos, "'sources' must be a list of sources, not " + NodeKindText(e.value));
    return;
  }
  if (e.value.size() == 0) {
    Error(e.value_pos, "'sources' is empty; declare at least one source");
    return;
  }
  std::map<std::string, std::uint32_t> seen;
  for (const YAML::Node& item : e.value) {
    Pos pos = PosOf(item, e.value_pos);
    auto source = ParseSource(item, pos, *config);
    if (!source) continue;
    auto [first, inserted] = seen.emplace(source->name, source->line);
    if (!inserted) {
      // Point at the name of the second declaration.
      Pos name_pos = pos;
      for (auto it = item.begin(); it != item.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == "name") name_pos = PosOf(it->second, pos);
      }
      Error(name_pos, "duplicate source name " + Quote(source->name) + " (first at line " +
                          std::to_string(first->second) + "); source names must be unique");
      continue;
    }
    config->sources.push_back(std::move(*source));
  }
}

std::optional<SourceConfig> Parser::ParseSource(const YAML::Node& item, Pos item_pos,
                                                const IngestConfig& config) {
  if (!item.IsMap()) {
    Error(item_pos, "a source must be a map with name, kind, paths, ...; not " + NodeKindText(item));
    return std::nullopt;
  }
  static const std::vector<std::string> kKeys = {"name",   "kind", "format", "paths",
                                                 "preset", "csv",  "fields"};
  std::vector<Entry> entries = Entries(item, &kKeys, "in a source");
  auto find = [&](std::string_view key) -> const Entry* {
    for (const Entry& en : entries) {
      if (en.key == key) return &en;
    }
    return nullptr;
  };
  SourceConfig source;
  source.line = item_pos.line;
  bool ok = true;
  std::string label = "a source";

  if (const Entry* n = find("name")) {
    auto s = Scalar(*n, "a name");
    if (s && IsValidName(*s)) {
      source.name = *s;
      label = "source " + Quote(*s);
    } else {
      if (s) Error(n->value_pos, "source name " + Quote(*s) + " must be 1 to 128 letters, digits, '_', '-' or '.'");
      ok = false;
    }
  } else {
    Error(item_pos, "a source needs a 'name'");
    ok = false;
  }

  bool kind_ok = false;
  if (const Entry* k = find("kind")) {
    auto s = Choice(*k, NamesOf(kAllKinds, [](RecordKind r) { return RecordKindName(r); }), "kind");
    if (s) {
      source.kind = *ParseRecordKind(*s);
      kind_ok = true;
    }
  } else {
    Error(item_pos, label + " needs a 'kind' (event, account, acceptance or signal)");
  }
  if (!kind_ok) ok = false;

  if (const Entry* f = find("format")) {
    auto s = Choice(*f, NamesOf(kAllFormats, [](InputFormat x) { return InputFormatName(x); }),
                    "format");
    if (s) {
      source.format = *ParseInputFormat(*s);
    } else {
      ok = false;
    }
  }

  if (const Entry* p = find("paths")) {
    auto add = [&](const YAML::Node& n, Pos pos) {
      if (!n.IsScalar() || n.Scalar().empty()) {
        Error(pos, "a path in 'paths' must be a non-empty file name or glob, not " + NodeKindText(n));
        ok = false;
        return;
      }
      source.paths.push_back(n.Scalar());
    };
    if (p->value.IsSequence()) {
      if (p->value.size() == 0) {
        Error(p->value_pos, "'paths' is empty; name at least one file or glob");
        ok = false;
      }
      for (const YAML::Node& n : p->value) add(n, PosOf(n, p->value_pos));
    } else {
      add(p->value, p->value_pos);
    }
  } else {
    Error(item_pos, label + " needs 'paths' (a file, a glob, or a list of them)");
    ok = false;
  }

  if (const Entry* c = find("csv")) {
    if (source.format != InputFormat::kCsv) {
      Error(c->key_pos, "'csv' options apply only to a source with 'format: csv'");
      ok = false;
    } else if (ExpectMap(*c, "delimiter, header")) {
      static const std::vector<std::string> kCsv = {"delimiter", "header"};
      for (const Entry& o : Entries(c->value, &kCsv, "in 'csv'")) {
        if (o.key == "delimiter") {
          auto s = Scalar(o, "a single character");
          if (!s) continue;
          if (s->size() != 1 || (*s)[0] == '"' || (*s)[0] == '\n' || (*s)[0] == '\r') {
            Error(o.value_pos, "'delimiter' must be one single-byte character other than '\"' "
                               "and line breaks, not " + Quote(*s));
            continue;
          }
          source.csv.delimiter = (*s)[0];
        } else if (auto b = Bool(o)) {
          if (!*b) {
            Error(o.value_pos, "'header: false' is not supported; the first line of a CSV file "
                               "must name the columns");
            continue;
          }
          source.csv.header = true;
        }
      }
    }
  }

  std::string preset = "canonical";
  Pos preset_pos = item_pos;
  bool preset_ok = true;
  if (const Entry* p = find("preset")) {
    preset_pos = p->value_pos;
    auto s = Choice(*p, PresetNames(), "preset");
    if (s) {
      preset = *s;
    } else {
      preset_ok = false;
    }
  }
  if (!kind_ok || !preset_ok) return std::nullopt;

  const RecordSchema& schema =
      source.kind == RecordKind::kAccount ? config.account_schema : CanonicalSchema(source.kind);
  auto preset_fields = PresetMappingsForSchema(preset, schema);
  if (!preset_fields) {
    std::string kinds;
    for (RecordKind k : PresetKinds(preset)) kinds += (kinds.empty() ? "" : ", ") + std::string(RecordKindName(k));
    Error(preset_pos, "the preset " + Quote(preset) + " has no mappings for " +
                          KindArticle(source.kind) + " source; it maps " + kinds +
                          " records (use preset: canonical or none)");
    return std::nullopt;
  }
  source.preset = preset == "none" ? "" : preset;

  std::vector<std::optional<FieldMapping>> by_slot(schema.size());
  std::vector<std::optional<Pos>> removed(schema.size());
  for (FieldMapping& m : *preset_fields) {
    auto slot = schema.Slot(m.field);
    if (!slot) continue;
    if (source.format == InputFormat::kCsv && m.path.size() > 1) {
      // A CSV column is named like the dotted canonical field, e.g. "params.logprobs".
      std::string column;
      for (const std::string& part : m.path) column += (column.empty() ? "" : ".") + part;
      m.path = {column};
    }
    by_slot[*slot] = std::move(m);
  }
  const Entry* fields = find("fields");
  if (fields != nullptr) {
    if (fields->value.IsMap()) {
      ParseFields(*fields, schema, &source, &by_slot, &removed);
    } else if (!fields->value.IsNull()) {
      Error(fields->value_pos, "'fields' must be a map of canonical field names to mappings, not " +
                                   NodeKindText(fields->value));
      ok = false;
    }
  }

  // Every required field must be read from somewhere.
  Pos required_pos = fields != nullptr ? fields->key_pos : item_pos;
  for (std::size_t slot = 0; slot < schema.size(); ++slot) {
    const FieldDef& def = schema.field(slot);
    if (!def.required || by_slot[slot]) continue;
    std::string why;
    if (removed[slot]) {
      why = "removed by '" + def.name + ": null' at line " + std::to_string(removed[slot]->line);
    } else if (preset == "none") {
      why = "the preset 'none' maps nothing";
    } else {
      why = "the preset " + Quote(preset) + " does not map it";
    }
    Error(required_pos, "required field " + Quote(def.name) + " has no mapping in " + label +
                            " (" + why + ")");
    ok = false;
  }
  if (!CheckPathConflicts(by_slot, preset, label)) ok = false;
  for (auto& m : by_slot) {
    if (m) source.fields.push_back(std::move(*m));
  }
  if (!ok) return std::nullopt;
  return source;
}

bool Parser::CheckPathConflicts(const std::vector<std::optional<FieldMapping>>& by_slot,
                                const std::string& preset, const std::string& label) {
  // Ingest reads each key path into at most one field, and a key is either a value or
  // an object holding other keys; say so here, where the mapping can be pointed at.
  auto is_prefix = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
  };
  auto shown = [](const std::vector<std::string>& path) {
    std::string out;
    for (const std::string& k : path) out += (out.empty() ? "" : ".") + k;
    return Quote(out);
  };
  auto origin = [&](const FieldMapping& m) {
    return m.line == 0 ? " (from the preset " + Quote(preset) + ")"
                       : " (line " + std::to_string(m.line) + ")";
  };
  auto later = [](const FieldMapping& x, const FieldMapping& y) {
    return x.line > y.line || (x.line == y.line && x.column > y.column);
  };
  // One diagnostic per written mapping, naming the first field it collides with; between
  // two written mappings, the later one is reported.
  bool ok = true;
  for (std::size_t j = 0; j < by_slot.size(); ++j) {
    if (!by_slot[j] || by_slot[j]->line == 0) continue;
    const FieldMapping& here = *by_slot[j];
    for (std::size_t i = 0; i < by_slot.size(); ++i) {
      if (i == j || !by_slot[i]) continue;
      const FieldMapping& other = *by_slot[i];
      if (!is_prefix(here.path, other.path) && !is_prefix(other.path, here.path)) continue;
      if (other.line != 0 && later(other, here)) continue;
      std::string what;
      if (here.path == other.path) {
        what = "reads " + shown(here.path) + ", which " + Quote(other.field) + origin(other) +
               " reads too; a key can feed only one field";
      } else {
        const auto& outer = here.path.size() < other.path.size() ? here.path : other.path;
        what = "reads " + shown(here.path) + ", but " + Quote(other.field) + origin(other) +
               " reads " + shown(other.path) + "; " + shown(outer) +
               " cannot be both a value and an object";
      }
      Error({here.line, here.column},
            Quote(here.field) + " in " + label + " " + what +
                (other.line == 0 ? " (remove the preset's mapping with '" + other.field + ": null')"
                                 : ""));
      ok = false;
      break;
    }
  }
  return ok;
}

void Parser::ParseFields(const Entry& fields, const RecordSchema& schema, SourceConfig* source,
                         std::vector<std::optional<FieldMapping>>* by_slot,
                         std::vector<std::optional<Pos>>* removed) {
  std::vector<std::string> names;
  for (const FieldDef& def : schema.fields()) names.push_back(def.name);
  for (const Entry& f : Entries(fields.value, nullptr, "in 'fields'")) {
    auto slot = schema.Slot(f.key);
    if (!slot) {
      Error(f.key_pos, "unknown field " + Quote(f.key) + " for " + KindArticle(source->kind) +
                           " source" + Hint(f.key, names, "fields"));
      continue;
    }
    if (f.value.IsNull()) {
      (*by_slot)[*slot].reset();
      (*removed)[*slot] = f.key_pos;
      continue;
    }
    auto m = ParseMapping(f, schema.field(*slot), source->format);
    if (m) (*by_slot)[*slot] = std::move(*m);
  }
}

std::optional<std::vector<std::string>> Parser::ParsePath(const YAML::Node& node, Pos pos,
                                                          const std::string& field,
                                                          InputFormat format) {
  const bool csv = format == InputFormat::kCsv;
  std::vector<std::string> path;
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (text.empty()) {
      Error(pos, "the path of " + Quote(field) + " is empty");
      return std::nullopt;
    }
    if (csv) return std::vector<std::string>{text};  // a column name, dots and all
    std::size_t start = 0;
    while (true) {
      std::size_t dot = text.find('.', start);
      path.push_back(text.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    if (std::any_of(path.begin(), path.end(), [](const std::string& p) { return p.empty(); })) {
      Error(pos, "the path " + Quote(text) + " of " + Quote(field) +
                     " has an empty part; write keys that contain dots as a list, "
                     "e.g. [metadata, \"user.id\"]");
      return std::nullopt;
    }
    return path;
  }
  if (node.IsSequence()) {
    if (node.size() == 0) {
      Error(pos, "the path of " + Quote(field) + " is an empty list; name at least one key");
      return std::nullopt;
    }
    for (const YAML::Node& k : node) {
      if (!k.IsScalar()) {
        Error(PosOf(k, pos), "a key in the path of " + Quote(field) + " must be a scalar, not " +
                                 NodeKindText(k));
        return std::nullopt;
      }
      path.push_back(k.Scalar());
    }
    if (csv && path.size() != 1) {
      Error(pos, "for a CSV source the path of " + Quote(field) +
                     " must be a single column name; this list has " +
                     std::to_string(path.size()) + " keys");
      return std::nullopt;
    }
    return path;
  }
  Error(pos, "the path of " + Quote(field) + " must be a dotted path or a list of keys, not " +
                 NodeKindText(node));
  return std::nullopt;
}

std::optional<FieldMapping> Parser::ParseMapping(const Entry& e, const FieldDef& def,
                                                 InputFormat format) {
  FieldMapping m;
  m.field = def.name;
  m.line = e.key_pos.line;
  m.column = e.key_pos.column;
  if (e.value.IsScalar() || e.value.IsSequence()) {
    auto path = ParsePath(e.value, e.value_pos, def.name, format);
    if (!path) return std::nullopt;
    m.path = std::move(*path);
    return m;
  }
  if (!e.value.IsMap()) {
    Error(e.value_pos, "the mapping of " + Quote(def.name) +
                           " must be a path, a list of keys, a map with 'path', or null; not " +
                           NodeKindText(e.value));
    return std::nullopt;
  }
  static const std::vector<std::string> kKeys = {"path", "transform", "time_format", "assume_utc",
                                                 "default"};
  const std::string where = "in the mapping of " + Quote(def.name);
  const std::string type_article = TypeWithArticle(def.type);
  const bool is_ts = def.type == FieldType::kTimestamp;
  bool ok = true;
  bool has_path = false;
  const Entry* default_entry = nullptr;
  std::vector<Entry> entries = Entries(e.value, &kKeys, where);
  for (const Entry& o : entries) {
    if (o.key == "path") {
      auto path = ParsePath(o.value, o.value_pos, def.name, format);
      if (path) {
        m.path = std::move(*path);
        has_path = true;
      } else {
        ok = false;
      }
    } else if (o.key == "transform") {
      auto s = Choice(o, NamesOf(kAllTransforms, [](Transform t) { return TransformName(t); }),
                      "transform");
      if (!s) {
        ok = false;
        continue;
      }
      Transform t = *ParseTransform(*s);
      if (!TransformFitsType(t, def.type)) {
        std::vector<std::string> fitting;
        for (Transform x : kAllTransforms) {
          if (TransformFitsType(x, def.type)) fitting.emplace_back(TransformName(x));
        }
        Error(o.value_pos, "transform " + Quote(*s) + " cannot give " + type_article + "; " +
                               Quote(def.name) + " is " + type_article + " (transforms for " +
                               type_article + " field: " + JoinNames(fitting) + ")");
        ok = false;
        continue;
      }
      m.transform = t;
    } else if (o.key == "time_format") {
      if (!is_ts) {
        Error(o.key_pos, "time_format applies only to timestamp fields; " + Quote(def.name) +
                             " is " + type_article);
        ok = false;
        continue;
      }
      auto s = Choice(o, NamesOf(kAllTimeFormats, [](TimeFormat t) { return TimeFormatName(t); }),
                      "time_format");
      if (s) {
        m.time_format = *ParseTimeFormat(*s);
      } else {
        ok = false;
      }
    } else if (o.key == "assume_utc") {
      if (!is_ts) {
        Error(o.key_pos, "assume_utc applies only to timestamp fields; " + Quote(def.name) +
                             " is " + type_article);
        ok = false;
        continue;
      }
      if (auto b = Bool(o)) {
        m.assume_utc = *b;
      } else {
        ok = false;
      }
    } else {
      default_entry = &o;
    }
  }
  if (default_entry != nullptr) {
    // Checked after time_format and assume_utc, which decide how a timestamp reads.
    const Entry& o = *default_entry;
    auto s = Scalar(o, "a scalar value written as text");
    if (!s) return std::nullopt;
    // Checked with the very function ingest uses, so a default accepted here reads there.
    CoerceResult typed = CoerceText(*s, def.type, m.time_format, m.assume_utc);
    std::string want;
    if (!typed.value) {
      switch (def.type) {
        case FieldType::kBool: want = "true or false (or 1 or 0)"; break;
        case FieldType::kInt: want = "a decimal integer"; break;
        case FieldType::kNumber: want = "a finite decimal number"; break;
        case FieldType::kTimestamp:
          want = "a timestamp in time_format '" + std::string(TimeFormatName(m.time_format)) + "'";
          break;
        case FieldType::kString:
        case FieldType::kText:
        case FieldType::kStringSet: want = "text"; break;
      }
    }
    if (!want.empty()) {
      Error(o.value_pos, "default " + Quote(*s) + " of " + Quote(def.name) + " is not " + want +
                             " (" + Quote(def.name) + " is " + type_article + ")");
      ok = false;
    } else {
      m.default_value = *s;
    }
  }
  if (!has_path && ok) {
    Error(e.key_pos, "the mapping of " + Quote(def.name) +
                         " needs a 'path' (a map entry replaces the preset's mapping entirely)");
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  return m;
}

}  // namespace


Result<IngestConfig> ParseIngestConfig(const std::string& text, const std::string& path,
                                       Diagnostics* diags) {
  IngestConfig config;
  config.path = path;
  fs::path dir = fs::path(path).parent_path();
  config.base_dir = dir.empty() ? "." : dir.string();

  Diagnostics found;  // sorted by position before they join the caller's
  Parser parser(path, &found);
  if (auto root = LoadYamlDocument(text, parser, "the configuration")) {
    if (root->IsNull()) {
      parser.Error({0, 0}, "the configuration is empty; it needs at least 'version: 1' and "
                           "'sources'");
    } else {
      config = parser.Parse(*root, std::move(config));
    }
  }
  TOSGUARD_RETURN_IF_ERROR(HandOver(&found, diags, path));
  return config;
}

Result<IngestConfig> LoadIngestConfig(const std::string& path, Diagnostics* diags) {
  auto text = ReadBoundedFile(path, "configuration", kMaxConfigBytes);
  if (!text.ok()) return text.status();
  return ParseIngestConfig(*text, path, diags);
}

namespace {

bool HasGlobChars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// Escapes glob metacharacters so a directory name is taken literally.
std::string EscapeGlob(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

Status CheckFile(const std::string& shown, const std::string& full, const std::string& what) {
  struct stat st {};
  if (::stat(full.c_str(), &st) != 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) {
      return Status::NotFound(what + ": file '" + shown + "' does not exist (looked for '" + full + "')");
    }
    return Status::IoError(what + ": cannot examine '" + full + "': " + std::strerror(err));
  }
  if (S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(what + ": '" + full +
                                   "' is a directory; name the files in it (e.g. with a glob)");
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> ExpandSourcePaths(const SourceConfig& source,
                                                   const std::string& base_dir) {
  return ExpandPaths(source.paths, base_dir, "source '" + source.name + "'");
}

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns, const std::string& base_dir,
                                             const std::string& what) {
  std::vector<std::string> out;
  std::map<std::string, std::string> named_by;  // file -> the pattern that named it first
  auto add = [&](const std::string& file, const std::string& pattern) -> Status {
    auto [it, inserted] = named_by.emplace(file, pattern);
    if (!inserted) {
      // Reading a file twice would count its records twice.
      return Status::InvalidArgument(what + ": file '" + file + "' is named twice (by '" + it->second +
                                     "' and '" + pattern + "')");
    }
    out.push_back(file);
    return Status::Ok();
  };
  for (const std::string& written : patterns) {
    const bool absolute = !written.empty() && written[0] == '/';
    const std::string dir = base_dir.empty() ? "." : base_dir;
    if (!HasGlobChars(written)) {
      std::string full = absolute ? written : (fs::path(dir) / written).lexically_normal().string();
      TOSGUARD_RETURN_IF_ERROR(CheckFile(written, full, what));
      TOSGUARD_RETURN_IF_ERROR(add(full, written));
      continue;
    }
    std::string dir_prefix = EscapeGlob(fs::path(dir).lexically_normal().string());
    std::string pattern = absolute ? written : dir_prefix + "/" + written;
    glob_t g{};
    int rc = ::glob(pattern.c_str(), GLOB_NOSORT | GLOB_ERR, nullptr, &g);
    if (rc == GLOB_NOMATCH) {
      globfree(&g);
      return Status::NotFound(what + ": no file matches '" + written + "' (in '" + dir + "')");
    }
    if (rc != 0) {
      globfree(&g);
      return Status::IoError(what + ": cannot expand '" + written + "'");
    }
    std::vector<std::string> matches;
    for (std::size_t i = 0; i < g.gl_pathc; ++i) matches.emplace_back(g.gl_pathv[i]);
    globfree(&g);
    // Byte order, whatever the locale, so runs list files identically everywhere.
    std::sort(matches.begin(), matches.end());
    for (const std::string& m : matches) {
      std::string full = fs::path(m).lexically_normal().string();
      TOSGUARD_RETURN_IF_ERROR(CheckFile(full, full, what));
      TOSGUARD_RETURN_IF_ERROR(add(full, written));
    }
  }
  return out;
}

}  // namespace tosguard::engine

// Waivers (engine/eval/waiver.h) are read here: they share the configuration's YAML
// reading and its diagnostics.
namespace tosguard::engine {

const char* WaiverScopeName(WaiverScope s) {
  switch (s) {
    case WaiverScope::kAccount: return "account";
    case WaiverScope::kOrg: return "org";
    case WaiverScope::kApiKey: return "api_key";
    case WaiverScope::kCluster: return "cluster";
  }
  return "?";
}

std::string WaiverScopeText(const Waiver& w) { return std::string(WaiverScopeName(w.kind)) + ":" + w.value; }

namespace {

std::optional<TimestampUs> ParseWaiverTime(const std::string& s) {
  if (auto d = ParseDate(s)) return d;
  return ParseRfc3339(s);
}

void ParseWaiverList(YamlReader& parser, const YAML::Node& root, std::vector<Waiver>* out) {
  Pos root_pos = PosOf(root, {1, 1});
  if (!root.IsMap()) {
    parser.Error(root_pos, "a waiver file must be a map with the key 'waivers' (a list), not " +
                               NodeKindText(root));
    return;
  }
  static const std::vector<std::string> kTop = {"waivers"};
  std::vector<Entry> top = parser.Entries(root, &kTop, "at the top level");
  if (top.empty()) {
    parser.Error(root_pos, "missing 'waivers' (the list of waivers)");
    return;
  }
  const Entry& list = top.front();
  ParseWaiverItems(parser, list.value, list.value_pos, out);
}

}  // namespace

void ParseWaiverItems(YamlReader& parser, const YAML::Node& list, Pos list_pos,
                      std::vector<Waiver>* out) {
  if (list.IsNull()) return;  // an empty list written as `waivers:`
  if (!list.IsSequence()) {
    parser.Error(list_pos, "'waivers' must be a list of waivers, not " + NodeKindText(list));
    return;
  }
  static const std::vector<std::string> kKeys = {"id",    "rule", "scope", "approver",
                                                 "basis", "from", "until"};
  static const std::vector<std::string> kKinds = {"account", "org", "api_key", "cluster"};
  std::map<std::string, Pos> seen;
  for (const YAML::Node& item : list) {
    Pos pos = PosOf(item, list_pos);
    if (!item.IsMap()) {
      parser.Error(pos, "a waiver must be a map with id, rule, scope, approver, basis, from and "
                        "until, not " + NodeKindText(item));
      continue;
    }
    Waiver w;
    w.file = parser.file();
    w.line = pos.line;
    bool ok = true;
    std::map<std::string, Pos> have;
    for (const Entry& f : parser.Entries(item, &kKeys, "in a waiver")) {
      auto s = parser.Scalar(f, "text");
      if (!s) {
        ok = false;
        continue;
      }
      have.emplace(f.key, f.value_pos);
      if (f.key == "id") {
        if (!IsValidName(*s)) {
          parser.Error(f.value_pos, "waiver id " + Quote(*s) +
                                        " must be 1 to 128 letters, digits, '_', '-' or '.'");
          ok = false;
        }
        w.id = *s;
      } else if (f.key == "rule") {
        if (*s != "*" && !IsIdentifier(*s)) {
          parser.Error(f.value_pos, "'rule' must be a rule id or \"*\" (every rule), not " + Quote(*s));
          ok = false;
        }
        w.rule = *s;
      } else if (f.key == "scope") {
        const std::size_t colon = s->find(':');
        const std::string kind = colon == std::string::npos ? "" : s->substr(0, colon);
        auto it = std::find(kKinds.begin(), kKinds.end(), kind);
        if (it == kKinds.end() || colon + 1 >= s->size()) {
          parser.Error(f.value_pos, "'scope' must be KIND:VALUE with KIND one of " +
                                        JoinNames(kKinds) + " (e.g. account:acct-1), not " + Quote(*s));
          ok = false;
          continue;
        }
        w.kind = static_cast<WaiverScope>(it - kKinds.begin());
        w.value = s->substr(colon + 1);
      } else if (f.key == "approver") {
        w.approver = *s;
      } else if (f.key == "basis") {
        w.basis = *s;
      } else {
        auto t = ParseWaiverTime(*s);
        if (!t) {
          parser.Error(f.value_pos, Quote(f.key) + " must be a date (2025-06-01) or an RFC 3339 "
                                        "time with an offset, not " + Quote(*s));
          ok = false;
          continue;
        }
        if (f.key == "from") w.from = *t; else w.until = *t;
      }
    }
    for (const char* key : {"id", "rule", "scope", "approver", "basis", "from"}) {
      if (!have.count(key)) {
        parser.Error(pos, std::string("a waiver needs '") + key + "'");
        ok = false;
      }
    }
    for (const auto& [key, text] : {std::pair<const char*, const std::string*>{"approver", &w.approver},
                                    {"basis", &w.basis}}) {
      if (have.count(key) && text->empty()) {
        parser.Error(have[key], std::string("'") + key + "' must not be empty: a waiver is governed");
        ok = false;
      }
    }
    if (ok && w.until && *w.until <= w.from) {
      parser.Error(have["until"], "'until' must be after 'from' (the waiver would cover nothing)");
      ok = false;
    }
    if (!ok) continue;
    auto [first, inserted] = seen.emplace(w.id, pos);
    if (!inserted) {
      parser.Error(have["id"], "waiver id " + Quote(w.id) + " is used twice (first at line " +
                                   std::to_string(first->second.line) + ")");
      continue;
    }
    out->push_back(std::move(w));
  }
}

Result<std::vector<Waiver>> ParseWaivers(const std::string& text, const std::string& path,
                                         Diagnostics* diags) {
  std::vector<Waiver> out;
  Diagnostics found;
  YamlReader parser(path, &found);
  if (auto root = LoadYamlDocument(text, parser, "a waiver file")) {
    if (root->IsNull()) {
      parser.Error({1, 1}, "the waiver file is empty; it needs 'waivers:' and a list");
    } else {
      ParseWaiverList(parser, *root, &out);
    }
  }
  TOSGUARD_RETURN_IF_ERROR(HandOver(&found, diags, path));
  std::sort(out.begin(), out.end(), [](const Waiver& a, const Waiver& b) { return a.id < b.id; });
  return out;
}

Result<std::vector<Waiver>> LoadWaivers(const std::string& path, Diagnostics* diags) {
  auto text = ReadBoundedFile(path, "waiver file", kMaxConfigBytes);
  if (!text.ok()) return text.status();
  return ParseWaivers(*text, path, diags);
}

}  // namespace tosguard::engine
