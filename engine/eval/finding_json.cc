// Canonical JSON of findings and explanations, and the text form of an explanation.
#include <string>

#include "base/json_writer.h"
#include "base/time.h"
#include "engine/eval/evaluate.h"

namespace tosguard::engine {

namespace {

std::string Day(std::int64_t day) { return FormatDate(DayStart(day)); }

void WriteValue(JsonWriter& w, const EvalValueOut& v) {
  w.BeginObject();
  w.Key("type").String(v.type);
  w.Key("known").Bool(v.known);
  w.Key("text").String(v.text);
  if (v.known && v.type == "number") w.Key("value").Double(v.number);
  w.EndObject();
}

void WriteNode(JsonWriter& w, const ExplainNode& n) {
  w.BeginObject();
  w.Key("text").String(n.text);
  w.Key("op").String(n.op);
  w.Key("value");
  WriteValue(w, n.value);
  if (!n.children.empty()) {
    w.Key("children").BeginArray();
    for (const ExplainNode& c : n.children) WriteNode(w, c);
    w.EndArray();
  }
  w.EndObject();
}

void WriteMetrics(JsonWriter& w, const std::vector<Metric>& metrics) {
  w.BeginArray();
  for (const Metric& m : metrics) {
    w.BeginObject();
    w.Key("name").String(m.name);
    w.Key("kind").String(m.kind);
    w.Key("value");
    WriteValue(w, m.value);
    w.EndObject();
  }
  w.EndArray();
}

void WriteLevels(JsonWriter& w, const std::vector<LevelExplanation>& levels) {
  w.BeginArray();
  for (const LevelExplanation& l : levels) {
    w.BeginObject();
    w.Key("level").String(l.level);
    w.Key("condition");
    WriteNode(w, l.condition);
    w.EndObject();
  }
  w.EndArray();
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& v) {
  w.BeginArray();
  for (const std::string& s : v) w.String(s);
  w.EndArray();
}

void WriteRef(JsonWriter& w, const std::string& file, const SourceRef& ref) {
  w.BeginObject();
  w.Key("file").String(file);
  w.Key("line").Uint(ref.line);
  w.Key("offset").Uint(ref.offset);
  w.Key("length").Uint(ref.length);
  w.EndObject();
}

}  // namespace

std::string FindingJson(const Finding& f) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").String(f.id);
  w.Key("rule").String(f.rule_id);
  w.Key("scope").BeginObject().Key("kind").String(f.scope_kind).Key("value").String(f.scope_value).EndObject();
  w.Key("level").String(OutcomeName(f.level));
  w.Key("first_day").String(Day(f.first_day));
  w.Key("last_day").String(Day(f.last_day));
  w.Key("peak_day").String(Day(f.peak_day));
  w.Key("days").Uint(f.days);
  w.Key("window").String(FormatDuration(f.window));
  w.Key("metrics");
  WriteMetrics(w, f.metrics);
  w.Key("explanation");
  WriteLevels(w, f.explanation);
  w.Key("accounts");
  WriteStrings(w, f.accounts);
  if (f.scope_kind == "cluster") {
    w.Key("cluster_members");
    WriteStrings(w, f.cluster_members);
    w.Key("links").BeginArray();
    for (const ClusterLink& l : f.links) {
      w.BeginObject().Key("identifier").String(l.identifier).Key("value").String(l.value).Key("accounts");
      WriteStrings(w, l.accounts);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("acceptances").BeginArray();
  for (const AcceptanceUse& a : f.acceptances) {
    w.BeginObject();
    w.Key("account_id").String(a.account_id);
    w.Key("policy").String(a.policy);
    w.Key("version").String(a.version);
    w.Key("accepted_at").String(FormatRfc3339(a.accepted_at));
    w.Key("method").String(a.method);
    w.Key("source").String(a.source);
    w.Key("record");
    WriteRef(w, a.file, a.ref);
    w.EndObject();
  }
  w.EndArray();
  w.Key("waivers").BeginArray();
  for (const WaiverUse& x : f.waivers) {
    w.BeginObject();
    w.Key("id").String(x.id);
    w.Key("rule").String(x.rule);
    w.Key("scope").String(x.scope);
    w.Key("approver").String(x.approver);
    w.Key("basis").String(x.basis);
    w.Key("from").String(FormatRfc3339(x.from));
    w.Key("until");
    if (x.until) w.String(FormatRfc3339(*x.until)); else w.Null();
    w.EndObject();
  }
  w.EndArray();
  w.Key("detectors").BeginArray();
  for (const DetectorUse& d : f.detectors) {
    w.BeginObject();
    w.Key("name").String(d.name);
    w.Key("versions");
    WriteStrings(w, d.versions);
    w.Key("threshold");
    if (d.threshold) w.Double(*d.threshold); else w.Null();
    w.Key("false_positive_rate");
    if (d.false_positive_rate) w.Double(*d.false_positive_rate); else w.Null();
    w.EndObject();
  }
  w.EndArray();
  w.Key("evidence_total").Uint(f.evidence_total);
  w.Key("sample_method").String(f.sample_method);
  w.Key("evidence").BeginArray();
  for (const EvidenceItem& e : f.evidence) {
    w.BeginObject();
    w.Key("event_id").String(e.event_id);
    w.Key("ts").String(FormatRfc3339(e.ts));
    w.Key("account_id").String(e.account_id);
    w.Key("source");
    WriteRef(w, e.file, e.ref);
    w.Key("file_sha256").String(e.file_sha256);
    w.Key("line_sha256").String(e.line_sha256);
    w.Key("sort_key");
    WriteValue(w, e.sort_key);
    w.Key("shown").BeginArray();
    for (const auto& [name, v] : e.shown) {
      w.BeginObject().Key("expr").String(name).Key("value");
      WriteValue(w, v);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("timeline").BeginArray();
  for (const TimelineDay& t : f.timeline) {
    w.BeginObject().Key("day").String(Day(t.day)).Key("events").Uint(t.events);
    w.Key("outcome").String(OutcomeName(t.outcome)).EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string PointExplanationJson(const PointExplanation& e) {
  JsonWriter w;
  w.BeginObject();
  w.Key("rule").String(e.rule_id);
  w.Key("scope").BeginObject().Key("kind").String(e.scope_kind).Key("value").String(e.scope_value).EndObject();
  w.Key("day").String(Day(e.day));
  w.Key("outcome").String(OutcomeName(e.outcome));
  if (!e.reason.empty()) w.Key("reason").String(e.reason);
  w.Key("counted").Uint(e.counted);
  w.Key("active_days").Uint(e.active_days);
  w.Key("metrics");
  WriteMetrics(w, e.metrics);
  w.Key("levels");
  WriteLevels(w, e.levels);
  w.EndObject();
  return w.Take();
}

namespace {

void NodeText(const ExplainNode& n, int depth, std::string* out) {
  out->append(static_cast<std::size_t>(depth) * 2, ' ');
  *out += n.text;
  if (n.op != "const") *out += "  = " + n.value.text;
  *out += "\n";
  for (const ExplainNode& c : n.children) {
    if (c.op == "const" && n.op != "let") continue;  // the threshold is in the parent's text
    NodeText(c, depth + 1, out);
  }
}

}  // namespace

std::string PointExplanationText(const PointExplanation& e) {
  std::string out = "rule " + e.rule_id + ", " + e.scope_kind + ":" + e.scope_value + ", at the end of " +
                    Day(e.day) + "\n";
  out += "outcome: " + std::string(OutcomeName(e.outcome));
  if (!e.reason.empty()) out += " (" + e.reason + ")";
  out += "\ncounted events in the window: " + std::to_string(e.counted) + ", active days: " +
         std::to_string(e.active_days) + "\n";
  out += "values:\n";
  for (const Metric& m : e.metrics) out += "  " + m.name + " = " + m.value.text + "\n";
  for (const LevelExplanation& l : e.levels) {
    out += l.level + " when:\n";
    NodeText(l.condition, 1, &out);
  }
  return out;
}

}  // namespace tosguard::engine
