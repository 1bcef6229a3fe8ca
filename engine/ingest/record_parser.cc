// JSONL and CSV line parsing into typed rows.
#include "engine/ingest/record_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "base/utf8.h"
#include "dsl/compiler/regex.h"

namespace tosguard::engine {
namespace {

namespace od = simdjson::ondemand;

std::size_t KeyHash(std::string_view k) {
  // Cheap and good enough for the handful of keys of one object level.
  std::size_t h = k.size() * 0x9E3779B1u;
  if (!k.empty()) {
    h ^= static_cast<unsigned char>(k.front()) * 31u;
    h ^= static_cast<unsigned char>(k.back()) * 131u;
    h ^= static_cast<unsigned char>(k[k.size() / 2]) * 7919u;
  }
  return h;
}

void BuildTable(std::vector<KeyNode>& trie, std::uint32_t node) {
  KeyNode& n = trie[node];
  std::size_t size = 8;
  while (size < n.children.size() * 4) size *= 2;
  n.table.assign(size, -1);
  for (std::uint32_t child : n.children) {
    std::size_t i = KeyHash(trie[child].key) & (size - 1);
    while (n.table[i] != -1) i = (i + 1) & (size - 1);
    n.table[i] = static_cast<std::int32_t>(child);
  }
}

// The error of one line: reason and detail.
struct LineError {
  QuarantineReason reason;
  std::string detail;
};

std::string_view JsonTypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::object: return "an object";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
  }
  return "a value";
}

std::string_view Expected(FieldType t) {
  switch (t) {
    case FieldType::kBool: return "a bool";
    case FieldType::kInt: return "an int";
    case FieldType::kNumber: return "a number";
    case FieldType::kString: return "a string";
    case FieldType::kText: return "a string";
    case FieldType::kTimestamp: return "a timestamp";
    case FieldType::kStringSet: return "an array of strings";
  }
  return "a value";
}

LineError SimdjsonError(simdjson::error_code e) {
  if (e == simdjson::UTF8_ERROR) return {QuarantineReason::kInvalidUtf8, "invalid UTF-8"};
  return {QuarantineReason::kMalformedJson, simdjson::error_message(e)};
}

std::string_view TrimWs(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

std::vector<std::size_t> RecordKeySlots(RecordKind kind) {
  switch (kind) {
    case RecordKind::kEvent: return {event_slot::kEventId};
    case RecordKind::kAccount: return {account_slot::kAccountId};
    case RecordKind::kAcceptance:
      return {acceptance_slot::kAccountId, acceptance_slot::kPolicy, acceptance_slot::kVersion,
              acceptance_slot::kAcceptedAt};
    case RecordKind::kSignal:
      return {signal_slot::kDetector, signal_slot::kSubjectKind, signal_slot::kSubject,
              signal_slot::kTs};
  }
  return {};
}

Result<CompiledSource> CompiledSource::Compile(
    const SourceConfig& source, const RecordSchema& schema, const std::vector<bool>& needed,
    bool check_unneeded, const std::vector<std::pair<std::size_t, const dsl::Regex*>>& matches) {
  CompiledSource cs;
  cs.source_ = &source;
  cs.schema_ = &schema;
  cs.derived_ = matches.size();
  cs.materialised_.assign(schema.size() + matches.size(), false);
  for (std::size_t k = 0; k < matches.size(); ++k) cs.materialised_[schema.size() + k] = true;
  const std::vector<std::size_t> keys = RecordKeySlots(schema.kind());
  cs.trie_.push_back(KeyNode{});
  for (const FieldMapping& m : source.fields) {
    auto slot = schema.Slot(m.field);
    if (!slot) {
      return Status::InvalidArgument("source '" + source.name + "': unknown field '" + m.field + "'");
    }
    const FieldDef& def = schema.field(*slot);
    const bool is_key = std::find(keys.begin(), keys.end(), *slot) != keys.end();
    const bool want = needed.empty() || (*slot < needed.size() && needed[*slot]);
    const bool keep = want || def.required || is_key;
    std::vector<std::pair<const dsl::Regex*, std::size_t>> field_matches;
    for (std::size_t k = 0; k < matches.size(); ++k) {
      if (matches[k].first == *slot) field_matches.emplace_back(matches[k].second, schema.size() + k);
    }
    if (!keep && field_matches.empty() && !check_unneeded) continue;
    CompiledField f;
    f.name = m.field;
    f.slot = *slot;
    f.type = def.type;
    f.transform = m.transform;
    f.time_format = m.time_format;
    f.assume_utc = m.assume_utc;
    f.required = def.required;
    f.materialise = keep;
    f.as_text = def.type == FieldType::kString && KeptAsText(schema.kind(), *slot);
    f.path = m.path;
    f.matches = std::move(field_matches);
    if (m.default_value) {
      CoerceResult d = CoerceText(*m.default_value, def.type, m.time_format, m.assume_utc);
      if (!d.value) {
        return Status::InvalidArgument("source '" + source.name + "': default of field '" +
                                       m.field + "': " + d.detail);
      }
      f.default_value = std::move(d.value);
    }
    if (f.path.empty()) {
      return Status::InvalidArgument("source '" + source.name + "': field '" + m.field +
                                     "' has an empty path");
    }
    cs.materialised_[*slot] = keep;
    const int index = static_cast<int>(cs.fields_.size());
    cs.fields_.push_back(std::move(f));
    // Insert the path into the trie.
    std::uint32_t node = 0;
    for (std::size_t depth = 0; depth < m.path.size(); ++depth) {
      std::uint32_t next = 0;
      bool found = false;
      for (std::uint32_t c : cs.trie_[node].children) {
        if (cs.trie_[c].key == m.path[depth]) {
          next = c;
          found = true;
          break;
        }
      }
      if (!found) {
        next = static_cast<std::uint32_t>(cs.trie_.size());
        cs.trie_.push_back(KeyNode{m.path[depth], -1, {}, {}});
        cs.trie_[node].children.push_back(next);
      }
      node = next;
    }
    if (cs.trie_[node].field != -1 || !cs.trie_[node].children.empty()) {
      return Status::InvalidArgument("source '" + source.name + "': field '" + m.field +
                                     "' reads a path that another field reads too");
    }
    cs.trie_[node].field = index;
  }
  for (std::uint32_t n = 0; n < cs.trie_.size(); ++n) {
    if (cs.trie_[n].field != -1 && !cs.trie_[n].children.empty()) {
      return Status::InvalidArgument("source '" + source.name +
                                     "': a path is both a value and an object");
    }
    BuildTable(cs.trie_, n);
  }
  return cs;
}

std::unique_ptr<RecordTable> CompiledSource::NewTable() const {
  auto t = std::make_unique<RecordTable>(*schema_, derived_);
  t->Materialise(materialised_);
  return t;
}

int CompiledSource::FindChild(std::uint32_t node, std::string_view key) const {
  const KeyNode& n = trie_[node];
  const std::size_t mask = n.table.size() - 1;
  std::size_t i = KeyHash(key) & mask;
  while (n.table[i] != -1) {
    const auto c = static_cast<std::uint32_t>(n.table[i]);
    if (trie_[c].key == key) return static_cast<int>(c);
    i = (i + 1) & mask;
  }
  return -1;
}

bool SplitCsvLine(std::string_view line, char delimiter, std::vector<std::string>* cells) {
  cells->clear();
  std::string cell;
  std::size_t i = 0;
  for (;;) {
    cell.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return false;  // unterminated quote
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            cell += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        cell += line[i++];
      }
      if (i < line.size() && line[i] != delimiter) return false;  // text after the closing quote
    } else {
      while (i < line.size() && line[i] != delimiter) {
        if (line[i] == '"') return false;  // a quote inside an unquoted cell
        cell += line[i++];
      }
    }
    cells->push_back(cell);
    if (i >= line.size()) return true;
    ++i;  // the delimiter
  }
}

Result<CsvLayout> ReadCsvHeader(std::string_view line, const CompiledSource& source,
                                const std::string& file) {
  std::vector<std::string> names;
  if (!SplitCsvLine(line, source.source().csv.delimiter, &names)) {
    return Status::InvalidArgument("'" + file + "': the CSV header line has a misplaced quote");
  }
  if (!names.empty() && names[0].size() >= 3 && names[0].compare(0, 3, "\xEF\xBB\xBF") == 0) {
    names[0].erase(0, 3);  // a UTF-8 byte order mark
  }
  CsvLayout layout;
  layout.columns = names.size();
  layout.column_field.assign(names.size(), -1);
  for (std::size_t f = 0; f < source.fields().size(); ++f) {
    const CompiledField& field = source.fields()[f];
    const std::string& column = field.path.front();
    auto it = std::find(names.begin(), names.end(), column);
    if (it == names.end()) {
      if (field.required && !field.default_value) {
        return Status::InvalidArgument("'" + file + "': the CSV header has no column '" + column +
                                       "' for required field '" + field.name + "'");
      }
      continue;
    }
    layout.column_field[static_cast<std::size_t>(it - names.begin())] = static_cast<int>(f);
  }
  return layout;
}

struct ChunkParser::Impl {
  const CompiledSource& src;
  od::parser parser;
  simdjson::dom::parser text_parser;  // for JSON held in string values
  // Scratch of one row, one entry per schema slot.
  std::vector<std::int64_t> ints;
  std::vector<double> nums;
  std::vector<std::uint8_t> present;
  std::vector<std::uint8_t> seen;  // per compiled field: already read in this record
  std::vector<std::string> cells;
  std::string scratch;
  Dictionaries* dict = nullptr;

  explicit Impl(const CompiledSource& s) : src(s) {
    const std::size_t n = s.materialised().size();  // the schema's slots and the derived ones
    ints.assign(n, 0);
    nums.assign(n, 0);
    present.assign(n, 0);
    seen.assign(s.fields().size(), 0);
  }

  // The derived columns of a string or text value: each of the field's expressions.
  void Match(const CompiledField& f, std::string_view text) {
    for (const auto& [re, slot] : f.matches) {
      present[slot] = 1;
      ints[slot] = re->PartialMatch(text) ? 1 : 0;
    }
  }

  void Store(const CompiledField& f, const TypedValue& v) {
    const std::size_t slot = f.slot;
    present[slot] = 1;
    if ((f.type == FieldType::kString || f.type == FieldType::kText) && !f.matches.empty()) Match(f, v.s);
    if (!f.materialise) return;  // checked, not kept
    switch (f.type) {
      case FieldType::kBool:
      case FieldType::kInt:
      case FieldType::kTimestamp: ints[slot] = v.i; break;
      case FieldType::kNumber: nums[slot] = v.d; break;
      case FieldType::kString:
        ints[slot] = f.as_text ? static_cast<std::int64_t>(dict->texts.Add(v.s)) : dict->strings.Intern(v.s);
        break;
      case FieldType::kText: ints[slot] = static_cast<std::int64_t>(dict->texts.Add(v.s)); break;
      case FieldType::kStringSet: {
        std::vector<SymbolId> ids;
        ids.reserve(v.items.size());
        for (const std::string& item : v.items) ids.push_back(dict->strings.Intern(item));
        ints[slot] = dict->sets.Intern(std::move(ids));
        break;
      }
    }
  }

  std::optional<LineError> StoreText(const CompiledField& f, std::string_view text) {
    if (f.type == FieldType::kString && !f.as_text) {
      present[f.slot] = 1;
      if (!f.matches.empty()) Match(f, text);
      if (f.materialise) ints[f.slot] = dict->strings.Intern(text);
      return std::nullopt;
    }
    if (f.type == FieldType::kText || f.type == FieldType::kString) {
      present[f.slot] = 1;
      if (!f.matches.empty()) Match(f, text);
      if (f.materialise) ints[f.slot] = static_cast<std::int64_t>(dict->texts.Add(text));
      return std::nullopt;
    }
    CoerceResult r = CoerceText(text, f.type, f.time_format, f.assume_utc);
    if (!r.value) {
      return LineError{r.error == CoerceError::kBadTimestamp ? QuarantineReason::kBadTimestamp
                                                             : QuarantineReason::kWrongType,
                       "field '" + f.name + "': " + r.detail};
    }
    Store(f, *r.value);
    return std::nullopt;
  }

  static LineError WrongType(const CompiledField& f, od::json_type got) {
    std::string d = "field '" + f.name + "': expected " + std::string(Expected(f.type)) + ", got " +
                    std::string(JsonTypeName(got));
    if (f.type == FieldType::kTimestamp) return {QuarantineReason::kBadTimestamp, std::move(d)};
    return {QuarantineReason::kWrongType, std::move(d)};
  }

  // Reads one JSON value for field `f`.
  std::optional<LineError> ReadJson(od::value v, const CompiledField& f) {
    od::json_type t{};
    if (auto e = v.type().get(t); e) return SimdjsonError(e);
    if (t == od::json_type::null) return std::nullopt;  // absent; the default applies
    // Transforms that change the shape come first.
    if (f.transform == Transform::kSize) {
      std::size_t n = 0;
      if (t == od::json_type::array) {
        od::array a;
        if (auto e = v.get_array().get(a); e) return SimdjsonError(e);
        if (auto e = a.count_elements().get(n); e) return SimdjsonError(e);
      } else if (t == od::json_type::object) {
        od::object o;
        if (auto e = v.get_object().get(o); e) return SimdjsonError(e);
        if (auto e = o.count_fields().get(n); e) return SimdjsonError(e);
      } else {
        return WrongType(f, t);
      }
      TypedValue tv;
      tv.type = f.type;
      tv.i = static_cast<std::int64_t>(n);
      tv.d = static_cast<double>(n);
      Store(f, tv);
      return std::nullopt;
    }
    if (f.transform == Transform::kJson) {
      std::string_view raw;
      if (t == od::json_type::array) {
        od::array a;
        if (auto e = v.get_array().get(a); e) return SimdjsonError(e);
        if (auto e = a.raw_json().get(raw); e) return SimdjsonError(e);
      } else if (t == od::json_type::object) {
        od::object o;
        if (auto e = v.get_object().get(o); e) return SimdjsonError(e);
        if (auto e = o.raw_json().get(raw); e) return SimdjsonError(e);
      } else {
        raw = TrimWs(v.raw_json_token());
      }
      return StoreText(f, raw);
    }
    if (f.transform == Transform::kUserMessages) {
      // Gateways write "{}" or an empty object when they did not log the messages:
      // that is absent text, not a broken record.
      if (t == od::json_type::object || t == od::json_type::string) return std::nullopt;
      if (t != od::json_type::array) return WrongType(f, t);
      return ReadUserMessages(v, f);
    }
    switch (t) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s); e) return SimdjsonError(e);
        if (f.type == FieldType::kTimestamp) {
          auto ts = TimestampFromText(s, f.time_format, f.assume_utc);
          if (!ts) {
            return LineError{QuarantineReason::kBadTimestamp,
                             "field '" + f.name + "': cannot read '" + SafeExcerpt(s, 40) +
                                 "' as a timestamp"};
          }
          present[f.slot] = 1;
          ints[f.slot] = *ts;
          return std::nullopt;
        }
        if (f.type == FieldType::kStringSet) {
          TypedValue tv;
          tv.type = f.type;
          // Some exports write a JSON array as text ('["a","b"]'); read it as the array.
          if (!ReadJsonTextArray(s, &tv.items)) tv.items = SplitSet(s);
          Store(f, tv);
          return std::nullopt;
        }
        if (f.type == FieldType::kString || f.type == FieldType::kText ||
            f.transform == Transform::kParse) {
          return StoreText(f, s);
        }
        return WrongType(f, t);
      }
      case od::json_type::number: {
        if (f.type == FieldType::kString && f.transform == Transform::kToString) {
          return StoreText(f, TrimWs(v.raw_json_token()));
        }
        od::number_type nt{};
        if (auto e = v.get_number_type().get(nt); e) return SimdjsonError(e);
        if (f.type == FieldType::kInt) {
          if (nt == od::number_type::signed_integer) {
            std::int64_t i = 0;
            if (auto e = v.get_int64().get(i); e) return SimdjsonError(e);
            present[f.slot] = 1;
            ints[f.slot] = i;
            return std::nullopt;
          }
          double d = 0;
          if (auto e = v.get_double().get(d); e) return SimdjsonError(e);
          if (std::trunc(d) != d || std::fabs(d) > 9.0e18) {
            return LineError{QuarantineReason::kWrongType,
                             "field '" + f.name + "': expected an int, got " +
                                 std::string(TrimWs(v.raw_json_token()))};
          }
          present[f.slot] = 1;
          ints[f.slot] = static_cast<std::int64_t>(d);
          return std::nullopt;
        }
        if (f.type == FieldType::kNumber || f.type == FieldType::kTimestamp) {
          double d = 0;
          if (auto e = v.get_double().get(d); e) return SimdjsonError(e);
          if (f.type == FieldType::kNumber) {
            present[f.slot] = 1;
            nums[f.slot] = d;
            return std::nullopt;
          }
          auto ts = TimestampFromNumber(d, f.time_format);
          if (!ts) {
            return LineError{QuarantineReason::kBadTimestamp,
                             "field '" + f.name + "': number " +
                                 std::string(TrimWs(v.raw_json_token())) +
                                 " is not a timestamp under its time_format"};
          }
          present[f.slot] = 1;
          ints[f.slot] = *ts;
          return std::nullopt;
        }
        return WrongType(f, t);
      }
      case od::json_type::boolean: {
        bool b = false;
        if (auto e = v.get_bool().get(b); e) return SimdjsonError(e);
        if (f.type == FieldType::kBool) {
          present[f.slot] = 1;
          ints[f.slot] = b ? 1 : 0;
          return std::nullopt;
        }
        if (f.type == FieldType::kString && f.transform == Transform::kToString) {
          return StoreText(f, b ? "true" : "false");
        }
        return WrongType(f, t);
      }
      case od::json_type::array: {
        if (f.type != FieldType::kStringSet) return WrongType(f, t);
        od::array a;
        if (auto e = v.get_array().get(a); e) return SimdjsonError(e);
        TypedValue tv;
        tv.type = f.type;
        for (auto item : a) {
          std::string_view s;
          if (auto e = item.get_string().get(s); e) {
            if (e == simdjson::INCORRECT_TYPE) {
              return LineError{QuarantineReason::kWrongType,
                               "field '" + f.name + "': expected an array of strings"};
            }
            return SimdjsonError(e);
          }
          tv.items.emplace_back(s);
        }
        Store(f, tv);
        return std::nullopt;
      }
      default: return WrongType(f, t);
    }
  }

  // True when `s` is a JSON array of strings (the items go to `items`).
  bool ReadJsonTextArray(std::string_view s, std::vector<std::string>* items) {
    if (s.empty() || s.front() != '[') return false;
    simdjson::dom::element doc;
    if (text_parser.parse(s.data(), s.size()).get(doc)) return false;
    simdjson::dom::array arr;
    if (doc.get_array().get(arr)) return false;
    std::vector<std::string> out;
    for (simdjson::dom::element e : arr) {
      std::string_view item;
      if (e.get_string().get(item)) return false;
      out.emplace_back(item);
    }
    *items = std::move(out);
    return true;
  }

  // Chat messages: [{"role": "user", "content": "..." | [{"type":"text","text":"..."}]}].
  std::optional<LineError> ReadUserMessages(od::value v, const CompiledField& f) {
    od::array a;
    if (auto e = v.get_array().get(a); e) return SimdjsonError(e);
    scratch.clear();
    for (auto item : a) {
      od::object m;
      if (item.get_object().get(m)) continue;  // not a message: ignored, not an error
      std::string_view role;
      std::string content;
      bool is_user = false;
      for (auto field : m) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key); e) return SimdjsonError(e);
        if (key == "role") {
          if (field.value().get_string().get(role)) continue;
          is_user = role == "user";
        } else if (key == "content") {
          od::value c;
          if (auto e = field.value().get(c); e) return SimdjsonError(e);
          od::json_type ct{};
          if (auto e = c.type().get(ct); e) return SimdjsonError(e);
          if (ct == od::json_type::string) {
            std::string_view s;
            if (auto e = c.get_string().get(s); e) return SimdjsonError(e);
            content.assign(s);
          } else if (ct == od::json_type::array) {
            od::array parts;
            if (auto e = c.get_array().get(parts); e) return SimdjsonError(e);
            for (auto part : parts) {
              od::object po;
              if (part.get_object().get(po)) continue;
              std::string_view text;
              if (!po.find_field_unordered("text").get_string().get(text)) {
                if (!content.empty()) content += '\n';
                content.append(text);
              }
            }
          }
        }
      }
      if (is_user && !content.empty()) {
        if (!scratch.empty()) scratch += '\n';
        scratch += content;
      }
    }
    return StoreText(f, scratch);
  }

  // Walks an object level of the key trie.
  std::optional<LineError> ReadObject(od::object obj, std::uint32_t node) {
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e) return SimdjsonError(e);
      const int child = src.FindChild(node, key);
      if (child < 0) continue;
      const KeyNode& kn = src.trie()[static_cast<std::size_t>(child)];
      if (kn.field >= 0) {
        const auto fi = static_cast<std::size_t>(kn.field);
        if (seen[fi] != 0) {
          return LineError{QuarantineReason::kMalformedJson,
                           "key '" + SafeExcerpt(key, 60) + "' appears twice"};
        }
        seen[fi] = 1;
        od::value v;
        if (auto e = field.value().get(v); e) return SimdjsonError(e);
        if (auto err = ReadJson(v, src.fields()[fi])) return err;
      } else {
        od::value v;
        if (auto e = field.value().get(v); e) return SimdjsonError(e);
        od::json_type t{};
        if (auto e = v.type().get(t); e) return SimdjsonError(e);
        if (t == od::json_type::null) continue;  // the nested fields are absent
        if (t != od::json_type::object) {
          return LineError{QuarantineReason::kWrongType,
                           "key '" + SafeExcerpt(key, 60) + "': expected an object, got " +
                               std::string(JsonTypeName(t))};
        }
        od::object inner;
        if (auto e = v.get_object().get(inner); e) return SimdjsonError(e);
        if (auto err = ReadObject(inner, static_cast<std::uint32_t>(child))) return err;
      }
    }
    return std::nullopt;
  }

  std::optional<LineError> ParseJsonLine(const char* data, std::size_t len, std::size_t capacity) {
    od::document doc;
    if (auto e = parser.iterate(data, len, capacity).get(doc); e) return SimdjsonError(e);
    od::json_type t{};
    if (auto e = doc.type().get(t); e) return SimdjsonError(e);
    if (t != od::json_type::object) {
      // The first byte only says what the document claims to be: read it to know.
      simdjson::error_code e = simdjson::SUCCESS;
      switch (t) {
        case od::json_type::null: {
          bool is_null = false;
          e = doc.is_null().get(is_null);
          if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
          break;
        }
        case od::json_type::boolean: e = doc.get_bool().error(); break;
        case od::json_type::number: e = doc.get_double().error(); break;
        case od::json_type::string: e = doc.get_string().error(); break;
        case od::json_type::array: {
          od::array a;
          e = doc.get_array().get(a);
          if (!e) e = a.count_elements().error();
          break;
        }
        default: break;
      }
      if (e) return SimdjsonError(e);
      return LineError{QuarantineReason::kNotAnObject,
                       "a record must be a JSON object, got " + std::string(JsonTypeName(t))};
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj); e) return SimdjsonError(e);
    if (auto err = ReadObject(obj, 0)) return err;
    // current_location() is OUT_OF_BOUNDS exactly when nothing follows the record.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
      return LineError{QuarantineReason::kMalformedJson, "trailing content after the record"};
    }
    return std::nullopt;
  }

  std::optional<LineError> ParseCsvLine(std::string_view line, const CsvLayout& layout) {
    if (!IsValidUtf8(line)) return LineError{QuarantineReason::kInvalidUtf8, "invalid UTF-8"};
    if (!SplitCsvLine(line, src.source().csv.delimiter, &cells)) {
      return LineError{QuarantineReason::kCsvQuote, "unterminated or misplaced quote"};
    }
    if (cells.size() != layout.columns) {
      return LineError{QuarantineReason::kCsvColumnCount,
                       std::to_string(cells.size()) + " cells, the header has " +
                           std::to_string(layout.columns)};
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const int fi = layout.column_field[c];
      if (fi < 0 || cells[c].empty()) continue;  // an empty cell is absent
      if (auto err = StoreText(src.fields()[static_cast<std::size_t>(fi)], cells[c])) return err;
    }
    return std::nullopt;
  }

  // Applies defaults and checks required fields after a record was read.
  std::optional<LineError> Finish() {
    for (const CompiledField& f : src.fields()) {
      if (present[f.slot] != 0) continue;
      if (f.default_value) {
        Store(f, *f.default_value);
      } else if (f.required) {
        return LineError{QuarantineReason::kMissingField,
                         "required field '" + f.name + "' is absent"};
      }
    }
    return std::nullopt;
  }

  void Reset() {
    std::fill(present.begin(), present.end(), 0);
    std::fill(seen.begin(), seen.end(), 0);
  }
};

ChunkParser::ChunkParser(const CompiledSource& source) : impl_(std::make_unique<Impl>(source)) {}
ChunkParser::~ChunkParser() = default;

namespace {

// Splits the chunk's bytes at each '\n'; a final line without one is a line too.
void SplitLines(Chunk& chunk) {
  chunk.lines.clear();
  const char* base = chunk.data.data();
  std::size_t pos = 0;
  std::uint64_t line = 0;
  while (pos < chunk.size) {
    const void* nl = std::memchr(base + pos, '\n', chunk.size - pos);
    const std::size_t end = nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - base)
                                          : chunk.size;
    std::size_t len = end - pos;
    if (len > 0 && base[pos + len - 1] == '\r') --len;
    LineSpan span;
    span.begin = static_cast<std::uint32_t>(pos);
    span.length = static_cast<std::uint32_t>(len);
    span.ref = SourceRef{chunk.file, ++line, chunk.base_offset + pos, static_cast<std::uint32_t>(len)};
    chunk.lines.push_back(span);
    pos = end + 1;
  }
}

}  // namespace

ParsedChunk ChunkParser::Parse(std::unique_ptr<Chunk> owned) {
  static_assert(kChunkPadding >= simdjson::SIMDJSON_PADDING);
  Impl& p = *impl_;
  Chunk& chunk = *owned;
  SplitLines(chunk);
  ParsedChunk out;
  out.table = p.src.NewTable();
  out.table->Reserve(chunk.lines.size());
  out.lines = chunk.lines.size();
  p.dict = &out.dict;
  const bool csv = p.src.source().format == InputFormat::kCsv;
  for (std::size_t li = 0; li < chunk.lines.size(); ++li) {
    const LineSpan& span = chunk.lines[li];
    std::string_view line(chunk.data.data() + span.begin, span.length);
    std::optional<LineError> err;
    p.Reset();
    if (line.size() > chunk.max_line_bytes) {
      err = LineError{QuarantineReason::kLineTooLong,
                      "line of " + std::to_string(line.size()) +
                          " bytes, longer than max_line_bytes " + std::to_string(chunk.max_line_bytes)};
    } else if (IsBlank(line)) {
      err = LineError{QuarantineReason::kBlankLine, "empty line"};
    } else if (csv) {
      err = p.ParseCsvLine(line, *chunk.csv);
    } else {
      // simdjson reads up to SIMDJSON_PADDING bytes past the line; the chunk buffer
      // holds them (the following lines, then zeroed padding).
      const std::size_t capacity = chunk.data.size() - span.begin;
      err = p.ParseJsonLine(line.data(), line.size(), capacity);
    }
    if (!err) err = p.Finish();
    if (err) {
      const bool last = li + 1 == chunk.lines.size() && chunk.ends_unterminated;
      if (last && err->reason != QuarantineReason::kBlankLine &&
          err->reason != QuarantineReason::kLineTooLong) {
        err = LineError{QuarantineReason::kTruncatedLine,
                        "the file's last line has no newline and is incomplete: " + err->detail};
      }
      out.quarantine.push_back(
          QuarantineEntry{span.ref, err->reason, std::move(err->detail), SafeExcerpt(line, kExcerptBytes)});
      continue;
    }
    out.table->AppendRow(span.ref, p.ints.data(), p.nums.data(), p.present.data());
  }
  p.dict = nullptr;
  out.chunk = std::move(owned);
  return out;
}

}  // namespace tosguard::engine
