#include "audit/records.h"

#include <simdjson.h>

#include <algorithm>
#include <map>

#include "base/json_writer.h"
#include "base/sha256.h"

namespace tosguard::audit {

std::string Pseudonym(const KeyedHasher& hasher, std::string_view id) {
  const Digest d = hasher.Hash("tosguard/pseudonym", id);
  return "ps-" + BytesToHex(d.data(), 8);
}

std::string KeyedHex(const KeyedHasher& hasher, std::string_view domain, std::string_view text) {
  return ToHex(hasher.Hash(domain, text));
}

std::string RulesDigest(const std::vector<RuleRow>& rules) {
  std::map<std::string, std::string> files;
  for (const RuleRow& r : rules) files.emplace(r.file, r.file_sha256);
  std::string listing;
  for (const auto& [file, sha] : files) listing += sha + "  " + file + "\n";
  return ToHex(Sha256::Of(listing));
}

std::string RuleMetaJson(const RuleMeta& m) {
  JsonWriter w;
  auto strings = [&](const std::vector<std::string>& v) {
    w.BeginArray();
    for (const auto& s : v) w.String(s);
    w.EndArray();
  };
  w.BeginObject();
  w.Key("title").String(m.title);
  w.Key("severity").String(m.severity);
  w.Key("scope").String(m.scope);
  w.Key("window").String(m.window);
  w.Key("tags");
  strings(m.tags);
  w.Key("clause");
  if (m.clause) {
    const RuleClause& c = *m.clause;
    w.BeginObject();
    w.Key("policy")
        .String(c.policy)
        .Key("policy_title")
        .String(c.policy_title)
        .Key("section")
        .String(c.section);
    w.Key("since").String(c.since).Key("until").String(c.until).Key("text").String(c.text);
    w.Key("versions");
    strings(c.versions);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("exemptions");
  strings(m.exemptions);
  w.EndObject();
  return w.Take();
}

Result<RuleMeta> ParseRuleMeta(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return Status::InvalidArgument("rule metadata is not JSON");
  }
  RuleMeta m;
  auto text = [](simdjson::dom::element e, const char* key, std::string* out) {
    std::string_view v;
    if (e[key].get_string().get(v) != simdjson::SUCCESS) return false;
    *out = std::string(v);
    return true;
  };
  auto strings = [](simdjson::dom::element e, const char* key, std::vector<std::string>* out) {
    simdjson::dom::array a;
    if (e[key].get_array().get(a) != simdjson::SUCCESS) return false;
    for (simdjson::dom::element x : a) {
      std::string_view v;
      if (x.get_string().get(v) != simdjson::SUCCESS) return false;
      out->emplace_back(v);
    }
    return true;
  };
  bool ok = text(root, "title", &m.title) && text(root, "severity", &m.severity) &&
            text(root, "scope", &m.scope) && text(root, "window", &m.window) &&
            strings(root, "tags", &m.tags) && strings(root, "exemptions", &m.exemptions);
  simdjson::dom::element clause;
  if (ok && root["clause"].get(clause) == simdjson::SUCCESS && !clause.is_null()) {
    RuleClause c;
    ok = text(clause, "policy", &c.policy) && text(clause, "policy_title", &c.policy_title) &&
         text(clause, "section", &c.section) && text(clause, "since", &c.since) &&
         text(clause, "until", &c.until) && text(clause, "text", &c.text) &&
         strings(clause, "versions", &c.versions);
    m.clause = std::move(c);
  }
  if (!ok)
    return Status::InvalidArgument("rule metadata lacks a field or has one of the wrong type");
  return m;
}

void WriteReviewFields(JsonWriter& w, const ReviewRow& r) {
  w.Key("at").String(r.at).Key("decision").String(r.decision).Key("by").String(r.by);
  w.Key("reason").String(r.reason);
}

void WriteCustodyFields(JsonWriter& w, const CustodyRow& c) {
  w.Key("at").String(c.at).Key("action").String(c.action).Key("what").String(c.what);
  w.Key("by").String(c.by).Key("why").String(c.why);
}

std::string RunRecord(const RunRow& run, const KeyedHasher& hasher) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("run");
  w.Key("run").String(run.run_id);
  w.Key("command").String(run.command);
  w.Key("tool_version").String(run.tool_version);
  w.Key("revision").String(run.revision);
  w.Key("started_at").String(run.started_at);
  w.Key("finished_at").String(run.finished_at);
  w.Key("config_sha256").String(run.config_sha256);
  w.Key("rules_sha256").String(run.rules_sha256);
  w.Key("from").String(run.from_day);
  w.Key("to").String(run.to_day);
  w.Key("rules").BeginArray();
  for (const RuleRow& r : run.rules) {
    w.BeginObject().Key("rule").String(r.rule_id).Key("file").String(r.file);
    w.Key("file_sha256")
        .String(r.file_sha256)
        .Key("source_sha256")
        .String(ToHex(Sha256::Of(r.source)));
    w.Key("meta_sha256").String(ToHex(Sha256::Of(r.meta)));
    w.EndObject();
  }
  w.EndArray();
  w.Key("inputs").BeginArray();
  for (const InputRow& i : run.inputs) {
    w.BeginObject().Key("file").String(i.file).Key("sha256").String(i.sha256);
    w.Key("lines")
        .Uint(i.lines)
        .Key("records")
        .Uint(i.records)
        .Key("quarantined")
        .Uint(i.quarantined);
    w.EndObject();
  }
  w.EndArray();
  w.Key("quarantine").BeginObject();
  for (const QuarantineRow& q : run.quarantine) w.Key(q.reason).Uint(q.count);
  w.EndObject();
  w.Key("findings").BeginObject();
  w.Key("new").Uint(run.new_findings).Key("revised").Uint(run.revised_findings);
  w.Key("unchanged").Uint(run.unchanged_findings);
  w.EndObject();
  // Runs recorded before schema 3 say nothing of who ran them; their records stay as signed.
  if (!run.by.empty()) w.Key("by").String(Pseudonym(hasher, run.by));
  w.EndObject();
  return w.Take();
}

std::string FindingRecord(const FindingRow& row, const KeyedHasher& hasher) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("finding");
  w.Key("finding").String(row.finding_id);
  w.Key("revision").Int(row.revision);
  w.Key("run").String(row.run_id);
  w.Key("rule").String(row.rule_id);
  w.Key("rule_sha256").String(row.rule_sha256);
  w.Key("level").String(row.level);
  w.Key("scope_kind").String(row.scope_kind);
  w.Key("scope").String(Pseudonym(hasher, row.scope_value));
  w.Key("first").String(row.first_day);
  w.Key("last").String(row.last_day);
  w.Key("peak").String(row.peak_day);
  w.Key("days").Int(row.days);
  w.Key("evidence_total").Int(row.evidence_total);
  w.Key("evidence_shown").Int(row.evidence_shown);
  w.Key("body_hmac").String(KeyedHex(hasher, "tosguard/finding-body", row.body));
  if (!row.change.empty()) w.Key("change").String(row.change);
  w.EndObject();
  return w.Take();
}

std::string EvidenceRecord(const EvidenceRow& row, const KeyedHasher& hasher) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("evidence");
  w.Key("finding").String(row.finding_id);
  w.Key("revision").Int(row.revision);
  w.Key("n").Int(row.n);
  w.Key("event").String(Pseudonym(hasher, row.event_id));
  w.Key("account").String(Pseudonym(hasher, row.account_id));
  w.Key("time").String(row.time);
  w.Key("file").String(row.file);
  w.Key("file_sha256").String(row.file_sha256);
  w.Key("line").Int(row.line);
  w.Key("offset").Int(row.offset);
  w.Key("length").Int(row.length);
  w.Key("line_sha256").String(row.line_sha256);
  w.EndObject();
  return w.Take();
}

std::string ReviewRecord(const ReviewRow& row, const KeyedHasher& hasher) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("review");
  w.Key("seq").Int(row.seq);
  w.Key("finding").String(row.finding_id);
  w.Key("decision").String(row.decision);
  w.Key("by").String(Pseudonym(hasher, row.by));
  w.Key("reason_hmac").String(KeyedHex(hasher, "tosguard/review-reason", row.reason));
  w.Key("at").String(row.at);
  w.EndObject();
  return w.Take();
}

std::string CustodyRecord(const CustodyRow& row, const KeyedHasher& hasher) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("custody");
  w.Key("seq").Int(row.seq);
  w.Key("at").String(row.at);
  w.Key("action").String(row.action);
  w.Key("finding").String(row.finding_id);
  w.Key("what").String(row.what);
  w.Key("by").String(Pseudonym(hasher, row.by));
  w.Key("why_hmac").String(KeyedHex(hasher, "tosguard/custody-why", row.why));
  w.Key("report_sha256").String(row.report_sha256);
  w.EndObject();
  return w.Take();
}

std::string WithdrawalRecord(const WithdrawalRow& row) {
  JsonWriter w;
  w.BeginObject();
  w.Key("type").String("withdrawal");
  w.Key("seq").Int(row.seq);
  w.Key("finding").String(row.finding_id);
  w.Key("revision").Int(row.revision);
  w.Key("run").String(row.run_id);
  w.Key("reason").String(row.reason);
  w.EndObject();
  return w.Take();
}

}  // namespace tosguard::audit
