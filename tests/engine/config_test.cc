// Tests of the ingest configuration parser (tosguard.yaml): options, presets, and the
// exact position and wording of each diagnostic.
#include <catch2/catch.hpp>

#include <string>

#include "engine/ingest/config.h"

using namespace tosguard;
using namespace tosguard::engine;

namespace {

struct Parsed {
  Result<IngestConfig> result;
  Diagnostics diags;
};

Parsed Parse(const std::string& text, const std::string& path = "cfg/tosguard.yaml") {
  Diagnostics d;
  auto r = ParseIngestConfig(text, path, &d);
  return {std::move(r), std::move(d)};
}

// "line:col: message" of every diagnostic, one a line, for compact checks.
std::string Summary(const Diagnostics& d) {
  std::string out;
  for (const Diagnostic& x : d.items()) {
    out += std::to_string(x.line) + ":" + std::to_string(x.column) + ": " + x.message + "\n";
  }
  return out;
}

const FieldMapping* Find(const SourceConfig& s, const std::string& field) {
  for (const FieldMapping& m : s.fields) {
    if (m.field == field) return &m;
  }
  return nullptr;
}

const std::string kMinimal =
    "version: 1\n"
    "sources:\n"
    "  - {name: events, kind: event, paths: e.jsonl}\n";

}  // namespace

TEST_CASE("a minimal configuration takes every default") {
  auto p = Parse(kMinimal);
  REQUIRE(p.result.ok());
  CHECK(p.diags.empty());
  const IngestConfig& c = *p.result;
  CHECK(c.path == "cfg/tosguard.yaml");
  CHECK(c.base_dir == "cfg");
  CHECK(c.max_line_bytes == (1u << 20));
  CHECK_FALSE(c.quarantine_limit.max_count);
  CHECK_FALSE(c.quarantine_limit.max_fraction);
  CHECK(c.quarantine_path.empty());
  CHECK(c.detectors.empty());
  CHECK(c.account_schema.size() == CanonicalSchema(RecordKind::kAccount).size());
  REQUIRE(c.sources.size() == 1);
  const SourceConfig& s = c.sources[0];
  CHECK(s.name == "events");
  CHECK(s.kind == RecordKind::kEvent);
  CHECK(s.format == InputFormat::kJsonl);
  CHECK(s.paths == std::vector<std::string>{"e.jsonl"});
  CHECK(s.preset == "canonical");
  CHECK(s.line == 3);
  // The canonical preset maps every field, in schema order.
  REQUIRE(s.fields.size() == CanonicalSchema(RecordKind::kEvent).size());
  for (std::size_t i = 0; i < s.fields.size(); ++i) {
    CHECK(s.fields[i].field == CanonicalSchema(RecordKind::kEvent).field(i).name);
    CHECK(s.fields[i].line == 0);
  }
  CHECK(Find(s, "params.logprobs")->path == std::vector<std::string>{"params", "logprobs"});
  CHECK(Find(s, "status")->transform == Transform::kToString);
  CHECK(Find(s, "ts")->time_format == TimeFormat::kAuto);
  CHECK(Find(s, "model")->transform == Transform::kNone);
}

TEST_CASE("base_dir of a bare file name is the current directory") {
  auto p = Parse(kMinimal, "tosguard.yaml");
  REQUIRE(p.result.ok());
  CHECK(p.result->base_dir == ".");
}

TEST_CASE("every option of the format is read") {
  const std::string text = R"(version: 1
limits:
  max_line_bytes: 4096
  max_quarantine: 12
quarantine: out/q.jsonl
accounts:
  attributes:
    risk_score: number
    flags: string_set
signals:
  detectors:
    - name: distill
      description: "Distillation classifier"
      threshold: 0.95
      false_positive_rate: 0.001
    - template_reuse
sources:
  - name: events
    kind: event
    format: jsonl
    paths: [data/events.jsonl, "data/day-*.jsonl.zst"]
    preset: canonical
    fields:
      account_id: team_id
      user_id: [metadata, "user.id"]
      ts: {path: startTime, time_format: epoch_ms, assume_utc: true}
      status: {path: status, transform: to_string}
      params.logit_bias_size: {path: logit_bias, transform: size}
      country: {path: geo.country, default: "ZZ"}
      text: {path: messages, transform: user_messages}
      endpoint: {path: req, transform: json}
      input_tokens: {path: usage.in, transform: parse, default: "0"}
      org_id: null
  - name: accounts
    kind: account
    format: csv
    csv: {delimiter: "\t", header: true}
    paths: accounts.tsv
    fields:
      risk_score: {path: risk, default: "0.5"}
)";
  auto p = Parse(text, "tosguard.yaml");
  INFO(Summary(p.diags));
  REQUIRE(p.result.ok());
  const IngestConfig& c = *p.result;
  CHECK(c.max_line_bytes == 4096);
  CHECK(c.quarantine_limit.max_count == std::optional<std::uint64_t>(12));
  CHECK(c.quarantine_path == "out/q.jsonl");
  REQUIRE(c.account_schema.Slot("risk_score"));
  CHECK(c.account_schema.field(*c.account_schema.Slot("risk_score")).type == FieldType::kNumber);
  CHECK(c.account_schema.field(*c.account_schema.Slot("flags")).type == FieldType::kStringSet);
  REQUIRE(c.detectors.size() == 2);
  CHECK(c.detectors[0].name == "distill");
  CHECK(c.detectors[0].description == "Distillation classifier");
  CHECK(c.detectors[0].threshold == Approx(0.95));
  CHECK(c.detectors[0].false_positive_rate == Approx(0.001));
  CHECK(c.detectors[1].name == "template_reuse");
  CHECK_FALSE(c.detectors[1].threshold);

  REQUIRE(c.sources.size() == 2);
  const SourceConfig& e = c.sources[0];
  CHECK(e.paths == std::vector<std::string>{"data/events.jsonl", "data/day-*.jsonl.zst"});
  CHECK(Find(e, "account_id")->path == std::vector<std::string>{"team_id"});
  CHECK(Find(e, "account_id")->line == 24);
  CHECK(Find(e, "account_id")->column == 7);
  CHECK(Find(e, "user_id")->path == std::vector<std::string>{"metadata", "user.id"});
  const FieldMapping* ts = Find(e, "ts");
  CHECK(ts->path == std::vector<std::string>{"startTime"});
  CHECK(ts->time_format == TimeFormat::kEpochMillis);
  CHECK(ts->assume_utc);
  CHECK(Find(e, "params.logit_bias_size")->transform == Transform::kSize);
  CHECK(Find(e, "country")->path == std::vector<std::string>{"geo", "country"});
  CHECK(Find(e, "country")->default_value == std::optional<std::string>("ZZ"));
  CHECK(Find(e, "text")->transform == Transform::kUserMessages);
  CHECK(Find(e, "endpoint")->transform == Transform::kJson);
  CHECK(Find(e, "input_tokens")->transform == Transform::kParse);
  CHECK(Find(e, "input_tokens")->default_value == std::optional<std::string>("0"));
  CHECK(Find(e, "org_id") == nullptr);  // removed by null
  CHECK(Find(e, "model")->path == std::vector<std::string>{"model"});  // preset kept

  const SourceConfig& a = c.sources[1];
  CHECK(a.kind == RecordKind::kAccount);
  CHECK(a.format == InputFormat::kCsv);
  CHECK(a.csv.delimiter == '\t');
  CHECK(a.csv.header);
  // The canonical preset maps attributes by their own names too.
  CHECK(Find(a, "flags")->path == std::vector<std::string>{"flags"});
  CHECK(Find(a, "risk_score")->path == std::vector<std::string>{"risk"});
  CHECK(a.fields.back().field == "flags");  // schema order: attributes after canonical fields
}

TEST_CASE("max_quarantine as a percentage") {
  auto p = Parse("version: 1\nlimits: {max_quarantine: \"2.5%\"}\n"
                 "sources: [{name: a, kind: event, paths: a}]\n");
  REQUIRE(p.result.ok());
  CHECK(p.result->quarantine_limit.max_fraction == Approx(0.025));
  CHECK_FALSE(p.result->quarantine_limit.max_count);

  auto zero = Parse("version: 1\nlimits: {max_quarantine: 0}\n"
                    "sources: [{name: a, kind: event, paths: a}]\n");
  REQUIRE(zero.result.ok());
  CHECK(zero.result->quarantine_limit.max_count == std::optional<std::uint64_t>(0));

  auto all = Parse("version: 1\nlimits: {max_quarantine: 100%}\n"
                   "sources: [{name: a, kind: event, paths: a}]\n");
  REQUIRE(all.result.ok());
  CHECK(all.result->quarantine_limit.max_fraction == Approx(1.0));
}

TEST_CASE("max_quarantine rejects what is neither a count nor a percentage") {
  for (const char* bad : {"-1", "1.5", "abc", "101%", "-1%", "\"%\"", "x%"}) {
    auto p = Parse(std::string("version: 1\nlimits:\n  max_quarantine: ") + bad +
                   "\nsources: [{name: a, kind: event, paths: a}]\n");
    INFO(bad);
    CHECK_FALSE(p.result.ok());
    REQUIRE(p.diags.items().size() == 1);
    CHECK(p.diags.items()[0].line == 3);
    CHECK(p.diags.items()[0].column == 19);
    CHECK(p.diags.items()[0].message.find("max_quarantine") != std::string::npos);
  }
}

TEST_CASE("the litellm preset maps LiteLLM spend-log columns, overridable field by field") {
  auto preset = PresetMappings("litellm", RecordKind::kEvent);
  REQUIRE(preset);
  auto col = [&](const std::string& field) -> std::string {
    for (const FieldMapping& m : *preset) {
      if (m.field == field) return m.path.at(0);
    }
    return "";
  };
  CHECK(col("event_id") == "request_id");
  CHECK(col("ts") == "startTime");
  CHECK(col("account_id") == "user");
  CHECK(col("org_id") == "organization_id");
  CHECK(col("api_key_id") == "api_key");
  CHECK(col("user_id") == "end_user");
  CHECK(col("model") == "model");
  CHECK(col("endpoint") == "call_type");
  CHECK(col("input_tokens") == "prompt_tokens");
  CHECK(col("output_tokens") == "completion_tokens");
  CHECK(col("client_ip") == "requester_ip_address");
  CHECK(col("status") == "status");
  CHECK(col("text") == "messages");
  CHECK(col("tags") == "request_tags");
  CHECK(col("country") == "");
  CHECK_FALSE(PresetMappings("litellm", RecordKind::kAccount));
  CHECK_FALSE(PresetMappings("helicone", RecordKind::kEvent));
  CHECK(PresetMappings("none", RecordKind::kSignal)->empty());
  CHECK(PresetNames() == std::vector<std::string>{"canonical", "litellm", "none"});
  CHECK(PresetKinds("litellm") == std::vector<RecordKind>{RecordKind::kEvent});

  auto p = Parse("version: 1\nsources:\n  - name: spend\n    kind: event\n    preset: litellm\n"
                 "    paths: spend.jsonl\n    fields:\n      org_id: team_id\n"
                 "      text: null\n      country: geo\n");
  INFO(Summary(p.diags));
  REQUIRE(p.result.ok());
  const SourceConfig& s = p.result->sources[0];
  CHECK(s.preset == "litellm");
  CHECK(Find(s, "org_id")->path == std::vector<std::string>{"team_id"});
  CHECK(Find(s, "text") == nullptr);
  CHECK(Find(s, "country")->path == std::vector<std::string>{"geo"});
  const FieldMapping* ts = Find(s, "ts");
  CHECK(ts->time_format == TimeFormat::kRfc3339);
  CHECK(ts->assume_utc);
  CHECK(Find(s, "text_hash") == nullptr);
}

TEST_CASE("a map entry replaces the preset's mapping entirely") {
  auto p = Parse("version: 1\nsources:\n  - name: spend\n    kind: event\n    preset: litellm\n"
                 "    paths: spend.jsonl\n    fields:\n      ts: {path: created}\n");
  REQUIRE(p.result.ok());
  const FieldMapping* ts = Find(p.result->sources[0], "ts");
  CHECK(ts->path == std::vector<std::string>{"created"});
  CHECK(ts->time_format == TimeFormat::kAuto);
  CHECK_FALSE(ts->assume_utc);
}

TEST_CASE("preset none maps only what fields name") {
  auto p = Parse(R"(version: 1
sources:
  - name: s
    kind: signal
    preset: none
    paths: s.jsonl
    fields:
      detector: d
      subject_kind: {path: k, default: account}
      subject: s
      ts: t
      score: {path: score, transform: parse}
)");
  INFO(Summary(p.diags));
  REQUIRE(p.result.ok());
  const SourceConfig& s = p.result->sources[0];
  CHECK(s.preset.empty());
  REQUIRE(s.fields.size() == 5);
  CHECK(s.fields[0].field == "detector");
  CHECK(s.fields[4].field == "score");
}

TEST_CASE("CSV sources read single columns") {
  auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    format: csv
    paths: e.csv
    fields:
      country: geo.country
      user_id: ["user.id"]
)");
  INFO(Summary(p.diags));
  REQUIRE(p.result.ok());
  const SourceConfig& s = p.result->sources[0];
  CHECK(s.csv.delimiter == ',');
  // A short path is one column name, dots and all; preset paths become dotted names.
  CHECK(Find(s, "country")->path == std::vector<std::string>{"geo.country"});
  CHECK(Find(s, "user_id")->path == std::vector<std::string>{"user.id"});
  CHECK(Find(s, "params.logprobs")->path == std::vector<std::string>{"params.logprobs"});

  auto bad = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    format: csv
    paths: e.csv
    fields:
      user_id: [metadata, user]
)");
  CHECK_FALSE(bad.result.ok());
  CHECK(Summary(bad.diags) ==
        "8:16: for a CSV source the path of 'user_id' must be a single column name; this list "
        "has 2 keys\n");
}

TEST_CASE("diagnostics name the place and what is allowed") {
  SECTION("unknown field with a suggestion") {
    auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      acount_id: x
)");
    CHECK_FALSE(p.result.ok());
    CHECK(p.result.status().code() == StatusCode::kInvalidArgument);
    CHECK(Summary(p.diags) ==
          "7:7: unknown field 'acount_id' for an event source; did you mean 'account_id'?\n");
    CHECK(p.diags.items()[0].file == "cfg/tosguard.yaml");
  }
  SECTION("time_format on a string field") {
    auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      model: {path: model, time_format: epoch_s}
)");
    CHECK(Summary(p.diags) ==
          "7:28: time_format applies only to timestamp fields; 'model' is a string\n");
  }
  SECTION("required field without a mapping") {
    auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: acceptance
    preset: none
    paths: e.jsonl
    fields:
      account_id: a
      policy: p
      version: v
)");
    CHECK(Summary(p.diags) == "7:5: required field 'accepted_at' has no mapping in source 'e' "
                              "(the preset 'none' maps nothing)\n");
  }
  SECTION("null removes a required mapping") {
    auto p = Parse("version: 1\nsources:\n  - name: e\n    kind: event\n    paths: e\n"
                   "    fields:\n      ts: null\n");
    CHECK(Summary(p.diags) == "6:5: required field 'ts' has no mapping in source 'e' "
                              "(removed by 'ts: null' at line 7)\n");
  }
  SECTION("empty value removes a mapping like null") {
    auto p = Parse("version: 1\nsources:\n  - name: e\n    kind: event\n    paths: e\n"
                   "    fields:\n      org_id:\n      tags: ~\n");
    REQUIRE(p.result.ok());
    CHECK(Find(p.result->sources[0], "org_id") == nullptr);
    CHECK(Find(p.result->sources[0], "tags") == nullptr);
  }
  SECTION("unknown preset") {
    auto p = Parse("version: 1\nsources:\n  - {name: e, kind: event, paths: e, preset: helicone}\n");
    CHECK(Summary(p.diags) ==
          "3:46: unknown preset 'helicone'; presets: canonical, litellm, none\n");
  }
  SECTION("preset without mappings for the kind") {
    auto p = Parse("version: 1\nsources:\n  - {name: a, kind: account, paths: a, preset: litellm}\n");
    CHECK(Summary(p.diags) ==
          "3:48: the preset 'litellm' has no mappings for an account source; it maps event "
          "records (use preset: canonical or none)\n");
  }
  SECTION("duplicate source name") {
    auto p = Parse("version: 1\nsources:\n  - {name: e, kind: event, paths: a}\n"
                   "  - {name: e, kind: event, paths: b}\n");
    CHECK(Summary(p.diags) ==
          "4:12: duplicate source name 'e' (first at line 3); source names must be unique\n");
  }
  SECTION("duplicate keys") {
    auto p = Parse("version: 1\nsources:\n  - {name: e, kind: event, paths: a, paths: b}\n");
    CHECK(Summary(p.diags) == "3:38: duplicate key 'paths' in a source (first at line 3)\n");
  }
  SECTION("unknown top-level key") {
    auto p = Parse(kMinimal + "limit: {}\n");
    CHECK(Summary(p.diags) == "4:1: unknown key 'limit' at the top level; did you mean 'limits'?\n");
  }
  SECTION("unknown key without a near name lists the allowed ones") {
    auto p = Parse(kMinimal + "zzz: 1\n");
    CHECK(Summary(p.diags) == "4:1: unknown key 'zzz' at the top level; allowed keys: version, "
                              "limits, quarantine, accounts, signals, sources, linking, waivers, evidence, rules\n");
  }
  SECTION("the evidence section: paths against the configuration's directory, a checked origin") {
    auto ok = Parse(kMinimal + "evidence:\n  store: out/e.db\n  signing_key: k/s.key\n  pseudonym_key: k/p.key\n"
                               "  examiner: Team\n  origin: acme.example/log\n  trusted_keys: [k/old.pub]\n");
    CHECK(Summary(ok.diags).empty());
    REQUIRE(ok.result.ok());
    CHECK(ok.result->evidence.store.size() > std::string("out/e.db").size());
    CHECK(ok.result->evidence.store.substr(ok.result->evidence.store.size() - 9) == "/out/e.db");
    CHECK(ok.result->evidence.examiner == "Team");
    CHECK(ok.result->evidence.origin == "acme.example/log");
    REQUIRE(ok.result->evidence.trusted_keys.size() == 1);
    CHECK(ok.result->evidence.trusted_keys[0] == "cfg/k/old.pub");
    auto bad = Parse(kMinimal + "evidence:\n  origin: has space\n  stor: x\n");
    CHECK(Summary(bad.diags) == "5:11: 'origin' names the log in its checkpoints: 1 to 255 visible ASCII characters "
                                "without spaces, such as acme.example/tosguard-evidence\n"
                                "6:3: unknown key 'stor' in 'evidence'; did you mean 'store'?\n");
  }
  SECTION("version") {
    auto p = Parse("version: 2\nsources:\n  - {name: e, kind: event, paths: a}\n");
    CHECK(Summary(p.diags) == "1:10: unsupported version '2'; this tosguard reads version 1\n");
    auto missing = Parse("sources:\n  - {name: e, kind: event, paths: a}\n");
    CHECK(Summary(missing.diags) == "1:1: missing 'version: 1' (the format version of this file)\n");
  }
  SECTION("YAML syntax errors carry yaml-cpp's mark, 1-based") {
    auto p = Parse("version: 1\nsources: [\n");
    REQUIRE(p.diags.items().size() == 1);
    CHECK(p.diags.items()[0].line >= 2);
    CHECK(p.diags.items()[0].message.rfind("YAML syntax error: ", 0) == 0);
  }
  SECTION("transforms that cannot give the field's type") {
    auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      model: {path: m, transform: size}
)");
    CHECK(Summary(p.diags) ==
          "7:35: transform 'size' cannot give a string; 'model' is a string (transforms for a "
          "string field: none, to_string, user_messages, json)\n");
  }
  SECTION("all errors are reported at once, in file order") {
    auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      modle: m
      ts: {path: ts, time_format: unix}
limits: {max_line_bytes: -3}
)");
    CHECK(Summary(p.diags) ==
          "7:7: unknown field 'modle' for an event source; did you mean 'model'?\n"
          "8:35: unknown time_format 'unix'; time_formats: auto, rfc3339, epoch_s, epoch_ms\n"
          "9:26: 'max_line_bytes' must be an integer from 1 to 1073741824, not '-3'\n");
    CHECK(p.result.status().message() == "3 errors in cfg/tosguard.yaml");
  }
  SECTION("attribute clashes and detector duplicates") {
    auto p = Parse(kMinimal + "accounts:\n  attributes:\n    tier: string\n"
                              "signals:\n  detectors: [a, {name: a}]\n");
    CHECK(Summary(p.diags) ==
          "6:5: attribute 'tier' clashes with the canonical account field of that name; map the "
          "canonical field under a source's 'fields' instead\n"
          "8:25: detector 'a' is declared twice (first at line 8)\n");
  }
}

TEST_CASE("defaults are checked against the field's type") {
  auto ok = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      ts: {path: ts, default: "2025-01-01T00:00:00Z"}
      max_tokens: {path: mt, default: "-1"}
      params.temperature: {path: t, default: "0.7"}
      params.logprobs: {path: lp, default: "false"}
      tags: {path: tags, default: "a;b"}
  - name: f
    kind: event
    paths: f.jsonl
    fields:
      ts: {path: ts, time_format: rfc3339, assume_utc: true, default: "2025-01-01 00:00:00"}
  - name: g
    kind: event
    paths: g.jsonl
    fields:
      ts: {path: ts, time_format: epoch_s, default: 1700000000}
)");
  INFO(Summary(ok.diags));
  REQUIRE(ok.result.ok());
  CHECK(Find(ok.result->sources[0], "tags")->default_value == std::optional<std::string>("a;b"));

  auto bad = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      ts: {path: ts, time_format: epoch_ms, default: "yesterday"}
      max_tokens: {path: mt, default: "1e3"}
)");
  CHECK(Summary(bad.diags) ==
        "7:54: default 'yesterday' of 'ts' is not a timestamp in time_format 'epoch_ms' ('ts' is a "
        "timestamp)\n"
        "8:39: default '1e3' of 'max_tokens' is not a decimal integer ('max_tokens' is an int)\n");
}

TEST_CASE("names, formats and transforms round-trip") {
  for (auto f : {InputFormat::kJsonl, InputFormat::kCsv}) CHECK(ParseInputFormat(InputFormatName(f)) == f);
  for (auto t : {TimeFormat::kAuto, TimeFormat::kRfc3339, TimeFormat::kEpochSeconds,
                 TimeFormat::kEpochMillis}) {
    CHECK(ParseTimeFormat(TimeFormatName(t)) == t);
  }
  for (auto t : {Transform::kNone, Transform::kToString, Transform::kParse, Transform::kSize,
                 Transform::kUserMessages, Transform::kJson}) {
    CHECK(ParseTransform(TransformName(t)) == t);
    CHECK(TransformFitsType(t, FieldType::kInt) ==
          (t == Transform::kNone || t == Transform::kParse || t == Transform::kSize));
  }
  CHECK_FALSE(ParseTransform("ToString"));
  CHECK_FALSE(ParseTimeFormat("iso8601"));
}

TEST_CASE("hostile configurations never crash") {
  const char* inputs[] = {
      "",
      "\n\n",
      "~",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
      "version: 1\nsources: &a [*a]\n",
      "version: 1\nsources:\n  - &s {name: e, kind: event, paths: a}\n  - *s\n",
      "? [a, b]\n: 1\n",
      "version: !!binary aGVsbG8=\n",
      ("version: 1\nsources:\n  - name: e\n    kind: event\n    paths: a\n    fields: {ts: {path: "
       "{x: [1, 2]}}}\n"),
      "\xff\xfe\x00v",
      "version: 1\n\tsources: x\n",
      "version: 1\nsources:\n  - {name: e, kind: event, paths: a, fields: [1, 2]}\n",
      // yaml-cpp 0.7's LoadAll loops forever on these; the parser must not.
      ",",
      ",\nversion: 1\n",
      "# comment\n, x\n",
  };
  for (const char* text : inputs) {
    auto p = Parse(text);
    INFO(text);
    CHECK_FALSE(p.result.ok());
    CHECK(p.diags.HasErrors());
  }
  auto comma = Parse(",\nversion: 1\n");
  CHECK(Summary(comma.diags) == "1:1: YAML syntax error: no document could be read from here\n");
  auto second = Parse(kMinimal + "...\nversion: 1\n");
  CHECK(Summary(second.diags) ==
        "5:1: the configuration must be one YAML document; a second one starts here\n");
  CHECK(Parse(kMinimal + "---\n# end\n").result.ok());
  std::string deep(5000, '[');
  auto p = Parse("version: 1\nsources: " + deep + "\n");
  CHECK_FALSE(p.result.ok());
}

TEST_CASE("a key path feeds one field, and is a value or an object, not both") {
  auto p = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      account_id: org_id
      device_id: [client, id]
      user_agent: client
)");
  CHECK(Summary(p.diags) ==
        "7:7: 'account_id' in source 'e' reads 'org_id', which 'org_id' (from the preset "
        "'canonical') reads too; a key can feed only one field (remove the preset's mapping "
        "with 'org_id: null')\n"
        "9:7: 'user_agent' in source 'e' reads 'client', but 'device_id' (line 8) reads "
        "'client.id'; 'client' cannot be both a value and an object\n");
  auto fixed = Parse(R"(version: 1
sources:
  - name: e
    kind: event
    paths: e.jsonl
    fields:
      account_id: org_id
      org_id: null
)");
  INFO(Summary(fixed.diags));
  CHECK(fixed.result.ok());
}
