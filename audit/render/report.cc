// Reading the canonical report JSON into typed values, with errors that name the field.
#include "audit/render/report.h"

#include <simdjson.h>

#include <utility>

#include "base/json_writer.h"
#include "base/utf8.h"

namespace tosguard::audit::render {
namespace {

namespace dom = simdjson::dom;

bool IsInteger(dom::element e) { return e.is_int64() || e.is_uint64(); }

std::string_view TypeName(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64: return "an integer";
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

// The fields of one JSON object of the report. The first error is kept in the shared
// status and every later read returns a default value, so a whole object can be read
// without a check after each field; `Finish` rejects keys that were never read.
class Fields {
 public:
  Fields(dom::object object, std::string path, Status& status)
      : object_(object), path_(std::move(path)), status_(status) {}

  std::string String(std::string_view key) {
    auto e = Get(key);
    return e ? AsString(*e, Path(key)) : std::string();
  }

  // A string that may be absent (but not null).
  std::optional<std::string> OptionalString(std::string_view key) {
    read_.push_back(key);
    if (!status_.ok() || object_.at_key(key).error() != simdjson::SUCCESS) return std::nullopt;
    return String(key);
  }

  std::optional<std::string> NullableString(std::string_view key) {
    auto e = Get(key);
    if (!e || e->is_null()) return std::nullopt;
    return AsString(*e, Path(key));
  }

  bool Bool(std::string_view key) {
    auto e = Get(key);
    bool b = false;
    if (e && e->get(b) != simdjson::SUCCESS) Mistyped(*e, Path(key), "a boolean");
    return b;
  }

  std::int64_t Int(std::string_view key) {
    auto e = Get(key);
    std::int64_t v = 0;
    if (e && (!IsInteger(*e) || e->get(v) != simdjson::SUCCESS)) {
      Mistyped(*e, Path(key), "an integer");
    }
    return v;
  }

  std::uint64_t Uint(std::string_view key) {
    auto e = Get(key);
    std::uint64_t v = 0;
    if (e && (!IsInteger(*e) || e->get(v) != simdjson::SUCCESS)) {
      Mistyped(*e, Path(key), "a non-negative integer");
    }
    return v;
  }

  std::optional<Number> NullableNumber(std::string_view key) {
    auto e = Get(key);
    if (!e || e->is_null()) return std::nullopt;
    if (std::int64_t i = 0; e->is_int64() && e->get(i) == simdjson::SUCCESS) {
      return Number{std::to_string(i)};
    }
    if (std::uint64_t u = 0; e->is_uint64() && e->get(u) == simdjson::SUCCESS) {
      return Number{std::to_string(u)};
    }
    if (double d = 0; e->is_double() && e->get(d) == simdjson::SUCCESS) {
      return Number{ShortestNumber(d)};
    }
    Mistyped(*e, Path(key), "a number or null");
    return std::nullopt;
  }

  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    ForEach(key,
            [&](dom::element e, const std::string& path) { out.push_back(AsString(e, path)); });
    return out;
  }

  // Calls `read(Fields&)` for the object at `key`.
  template <typename F>
  void Object(std::string_view key, F&& read) {
    auto e = Get(key);
    if (e) ReadObject(*e, Path(key), read);
  }

  // Like Object, but null is allowed and gives false without calling `read`.
  template <typename F>
  bool NullableObject(std::string_view key, F&& read) {
    auto e = Get(key);
    if (!e || e->is_null()) return false;
    ReadObject(*e, Path(key), read);
    return true;
  }

  // Calls `read(Fields&)` for each object of the array at `key`, in order.
  template <typename F>
  void Objects(std::string_view key, F&& read) {
    ForEach(key, [&](dom::element e, const std::string& path) { ReadObject(e, path, read); });
  }

  // Every (key, value) pair of the object at `key`, whose values must be strings.
  std::vector<std::pair<std::string, std::string>> StringMap(std::string_view key) {
    std::vector<std::pair<std::string, std::string>> out;
    auto e = Get(key);
    if (!e) return out;
    dom::object object;
    if (e->get(object) != simdjson::SUCCESS) {
      Mistyped(*e, Path(key), "an object");
      return out;
    }
    for (auto field : object) {
      if (!status_.ok()) break;
      const std::string path = Path(key) + "." + SafeExcerpt(field.key, 80);
      out.emplace_back(std::string(field.key), AsString(field.value, path));
    }
    return out;
  }

  // Rejects keys that appear twice or that no read asked for.
  void Finish() {
    if (!status_.ok()) return;
    std::vector<std::string_view> seen;
    for (auto field : object_) {
      for (std::string_view s : seen) {
        if (s == field.key)
          return Fail(Quoted(Path(SafeExcerpt(field.key, 80))) + " appears twice");
      }
      seen.push_back(field.key);
      bool known = false;
      for (std::string_view k : read_) known = known || k == field.key;
      if (!known) {
        return Fail(Quoted(Path(SafeExcerpt(field.key, 80))) + " is not a field of schema " +
                    std::string(kReportSchema));
      }
    }
  }

  void Fail(std::string message) {
    if (status_.ok()) status_ = Status::InvalidArgument("report field " + std::move(message));
  }

 private:
  static std::string Quoted(std::string_view path) { return "'" + std::string(path) + "'"; }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  std::optional<dom::element> Get(std::string_view key) {
    read_.push_back(key);
    if (!status_.ok()) return std::nullopt;
    dom::element e;
    if (object_.at_key(key).get(e) != simdjson::SUCCESS) {
      Fail(Quoted(Path(key)) + " is missing");
      return std::nullopt;
    }
    return e;
  }

  std::string AsString(dom::element e, const std::string& path) {
    std::string_view s;
    if (!status_.ok()) return {};
    if (e.get(s) != simdjson::SUCCESS) {
      Mistyped(e, path, "a string");
      return {};
    }
    return std::string(s);
  }

  void Mistyped(dom::element e, const std::string& path, std::string_view expected) {
    Fail(Quoted(path) + ": expected " + std::string(expected) + ", found " +
         std::string(TypeName(e.type())));
  }

  template <typename F>
  void ForEach(std::string_view key, F&& each) {
    auto e = Get(key);
    if (!e) return;
    dom::array array;
    if (e->get(array) != simdjson::SUCCESS) return Mistyped(*e, Path(key), "an array");
    std::size_t i = 0;
    for (dom::element item : array) {
      if (!status_.ok()) return;
      each(item, Path(key) + "[" + std::to_string(i++) + "]");
    }
  }

  template <typename F>
  void ReadObject(dom::element e, const std::string& path, F&& read) {
    if (!status_.ok()) return;
    dom::object object;
    if (e.get(object) != simdjson::SUCCESS) return Mistyped(e, path, "an object");
    Fields fields(object, path, status_);
    read(fields);
    fields.Finish();
  }

  dom::object object_;
  std::string path_;
  Status& status_;
  std::vector<std::string_view> read_;  // keys asked for (literals of this file)
};

SourceSpan ReadSpan(Fields& f) {
  SourceSpan s;
  s.file = f.String("file");
  s.offset = f.Uint("offset");
  s.length = f.Uint("length");
  return s;
}

void ReadCase(Fields& f, Case& c) {
  c.finding = f.String("finding");
  c.revision = f.Int("revision");
  c.rule = f.String("rule");
  c.title = f.String("title");
  c.severity = f.String("severity");
  c.tags = f.Strings("tags");
  c.scope_kind = f.String("scope_kind");
  c.scope = f.String("scope");
  c.level = f.String("level");
  c.first = f.String("first");
  c.last = f.String("last");
  c.peak = f.String("peak");
  c.days = f.Int("days");
  c.window = f.String("window");
  c.status = f.String("status");
}

void ReadClause(Fields& f, Clause& c) {
  c.policy = f.String("policy");
  c.policy_title = f.String("policy_title");
  c.section = f.String("section");
  c.since = f.String("since");
  c.until = f.NullableString("until");
  c.versions = f.Strings("versions");
  c.text = f.String("text");
  c.text_sha256 = f.String("text_sha256");
}

void ReadEvidence(Fields& f, Evidence& ev) {
  ev.total = f.Uint("total");
  ev.shown = f.Uint("shown");
  ev.method = f.String("method");
  f.Objects("items", [&](Fields& g) {
    EvidenceItem it;
    it.n = g.Uint("n");
    it.event = g.String("event");
    it.time = g.String("time");
    it.account = g.String("account");
    it.source = ReadSpan(g);
    it.file_sha256 = g.String("file_sha256");
    it.line_sha256 = g.String("line_sha256");
    it.sort_key = g.String("sort_key");
    g.Objects("shown", [&](Fields& h) {
      ShownValue v;
      v.name = h.String("name");
      v.value = h.NullableString("value");
      v.hidden = h.Bool("hidden");
      if (!v.hidden && !v.value) h.Fail("'value' of a shown value that is not hidden is null");
      it.shown.push_back(std::move(v));
    });
    it.excerpt = g.NullableString("excerpt");
    ev.items.push_back(std::move(it));
  });
}

void ReadReproduce(Fields& f, Reproduce& r) {
  r.run = f.String("run");
  r.command = f.String("command");
  r.by = f.OptionalString("by");
  r.config_sha256 = f.String("config_sha256");
  r.rules_sha256 = f.OptionalString("rules_sha256");
  f.Objects("rules", [&](Fields& g) {
    HashedFile h;
    h.file = g.String("file");
    h.sha256 = g.String("sha256");
    r.rules.push_back(std::move(h));
  });
  f.Objects("inputs", [&](Fields& g) {
    Input in;
    in.file = g.String("file");
    in.sha256 = g.String("sha256");
    in.lines = g.Uint("lines");
    r.inputs.push_back(std::move(in));
  });
}

void ReadIntegrity(Fields& f, Integrity& in) {
  in.origin = f.String("origin");
  f.Object("checkpoint", [&](Fields& g) {
    Checkpoint& c = in.checkpoint;
    c.tree_size = g.Uint("tree_size");
    c.root = g.String("root");
    c.time = g.String("time");
    c.text = g.String("text");
    c.signature = g.String("signature");
    c.key_id = g.String("key_id");
    c.public_key = g.String("public_key");
  });
  f.Objects("leaves", [&](Fields& g) {
    Leaf l;
    l.kind = g.String("kind");
    l.index = g.Uint("index");
    l.record = g.String("record");
    l.leaf_hash = g.String("leaf_hash");
    l.proof = g.Strings("proof");
    in.leaves.push_back(std::move(l));
  });
}

void ReadReport(Fields& f, Report& r) {
  r.schema = f.String("schema");
  if (r.schema != kReportSchema) {
    return f.Fail("'schema': expected \"" + std::string(kReportSchema) + "\", found \"" +
                  SafeExcerpt(r.schema, 80) + "\"");
  }
  r.generated_at = f.String("generated_at");
  f.Object("tool", [&](Fields& g) {
    r.tool.name = g.String("name");
    r.tool.version = g.String("version");
    r.tool.revision = g.String("revision");
  });
  r.examiner = f.String("examiner");
  f.Object("options", [&](Fields& g) {
    r.options.pseudonymised = g.Bool("pseudonymised");
    r.options.include_text = g.Bool("include_text");
  });
  f.Object("case", [&](Fields& g) { ReadCase(g, r.case_); });
  Clause clause;
  if (f.NullableObject("clause", [&](Fields& g) { ReadClause(g, clause); })) {
    r.clause = std::move(clause);
  }
  f.Objects("acceptances", [&](Fields& g) {
    Acceptance a;
    a.account = g.String("account");
    a.policy = g.String("policy");
    a.version = g.String("version");
    a.accepted_at = g.String("accepted_at");
    a.method = g.String("method");
    a.source = g.String("source");
    a.record = ReadSpan(g);
    r.acceptances.push_back(std::move(a));
  });
  r.narrative = f.Strings("narrative");
  f.Objects("facts", [&](Fields& g) {
    Fact x;
    x.level = g.String("level");
    x.fired = g.Bool("fired");
    x.condition = g.String("condition");
    x.value = g.String("value");
    x.threshold = g.String("threshold");
    x.held = g.String("held");
    r.facts.push_back(std::move(x));
  });
  f.Objects("metrics", [&](Fields& g) {
    Metric m;
    m.name = g.String("name");
    m.kind = g.String("kind");
    m.type = g.String("type");
    m.value = g.String("value");
    r.metrics.push_back(std::move(m));
  });
  f.Objects("detectors", [&](Fields& g) {
    Detector d;
    d.name = g.String("name");
    d.description = g.String("description");
    d.versions = g.Strings("versions");
    d.threshold = g.NullableNumber("threshold");
    d.false_positive_rate = g.NullableNumber("false_positive_rate");
    r.detectors.push_back(std::move(d));
  });
  f.Object("accounts", [&](Fields& g) {
    r.accounts.involved = g.Strings("involved");
    r.accounts.members = g.Strings("members");
    g.Objects("links", [&](Fields& h) {
      Link l;
      l.identifier = h.String("identifier");
      l.value = h.String("value");
      l.accounts = h.Strings("accounts");
      r.accounts.links.push_back(std::move(l));
    });
  });
  f.Objects("timeline", [&](Fields& g) {
    Day d;
    d.day = g.String("day");
    d.events = g.Uint("events");
    d.outcome = g.String("outcome");
    r.timeline.push_back(std::move(d));
  });
  f.Object("evidence", [&](Fields& g) { ReadEvidence(g, r.evidence); });
  f.Objects("waivers", [&](Fields& g) {
    Waiver w;
    w.id = g.String("id");
    w.rule = g.String("rule");
    w.scope = g.String("scope");
    w.approver = g.String("approver");
    w.basis = g.String("basis");
    w.from = g.String("from");
    w.until = g.NullableString("until");
    r.waivers.push_back(std::move(w));
  });
  r.exemption = f.NullableString("exemption");
  r.methodology = f.Strings("methodology");
  r.limitations = f.Strings("limitations");
  f.Objects("reviews", [&](Fields& g) {
    Review v;
    v.at = g.String("at");
    v.decision = g.String("decision");
    v.by = g.String("by");
    v.reason = g.String("reason");
    r.reviews.push_back(std::move(v));
  });
  f.Objects("custody", [&](Fields& g) {
    Custody c;
    c.at = g.String("at");
    c.action = g.String("action");
    c.what = g.String("what");
    c.by = g.String("by");
    c.why = g.String("why");
    r.custody.push_back(std::move(c));
  });
  f.Object("reproduce", [&](Fields& g) { ReadReproduce(g, r.reproduce); });
  for (auto& [pseudonym, real] : f.StringMap("revealed")) {
    r.revealed.emplace(std::move(pseudonym), std::move(real));
  }
  f.Object("integrity", [&](Fields& g) { ReadIntegrity(g, r.integrity); });
}

}  // namespace

const std::string* Report::Revealed(std::string_view id) const {
  if (auto it = revealed.find(id); it != revealed.end()) return &it->second;
  if (auto colon = id.find(':'); colon != std::string_view::npos) {
    if (auto it = revealed.find(id.substr(colon + 1)); it != revealed.end()) return &it->second;
  }
  return nullptr;
}

Result<Report> ParseReport(std::string_view json) {
  dom::parser parser;
  dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root); error) {
    return Status::InvalidArgument(std::string("report is not valid JSON: ") +
                                   simdjson::error_message(error));
  }
  dom::object object;
  if (root.get(object) != simdjson::SUCCESS) {
    return Status::InvalidArgument("report is not a JSON object (found " +
                                   std::string(TypeName(root.type())) + ")");
  }
  Status status;
  Report report;
  Fields fields(object, "", status);
  ReadReport(fields, report);
  fields.Finish();
  if (!status.ok()) return status;
  return report;
}

}  // namespace tosguard::audit::render
