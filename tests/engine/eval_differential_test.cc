// Differential tests of the evaluator: engine::Evaluate (and ExplainPoint on a sample
// of points) against the independent reference evaluator (tests/engine/eval_reference.h)
// on seeded random cases, and both on cases computed by hand from docs/engine.md.
//
// TOSGUARD_DIFF_CASES sets the number of random rule packs of 5 rules (default 300, 200
// under ASan), TOSGUARD_DIFF_FIRST_SEED the first seed (default 1). TOSGUARD_DIFF_SEED
// replays one pack (TOSGUARD_DIFF_RULE=rK keeps only its rule rK), and the hidden test
// "eval: shrink ..." reduces it to a minimal case. A mismatch prints the seed, the rule
// text and the first field that differs.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "base/time.h"
#include "engine/eval/evaluate.h"
#include "tests/engine/eval_reference.h"

using namespace tosguard;
using namespace tosguard::engine;
namespace ref = tosguard::engine::reference;

namespace {

std::int64_t Day(const char* date) { return DayIndex(*ParseDate(date)); }

std::string Num(double d) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

bool Close(double a, double b) {
  if (a == b) return true;
  return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b));
}

std::string Describe(const Finding& f) {
  return f.rule_id + " " + f.scope_kind + ":" + f.scope_value + " " + ref::RefOutcomeName(f.level) +
         " " + FormatDate(DayStart(f.first_day)) + ".." + FormatDate(DayStart(f.last_day)) + " peak " +
         FormatDate(DayStart(f.peak_day));
}

std::string ValueText(const EvalValueOut& v) {
  if (!v.known) return v.type + " unknown";
  return v.type + " " + Num(v.number) + (v.text.empty() ? "" : " (" + v.text + ")");
}

// Whether two rendered values agree: numbers (and durations, timestamps) within the
// tolerance, other values by their text. The sort key's type is not compared: it is
// the key expression's type, which the reference only knows from the value.
bool SameValue(const EvalValueOut& a, const EvalValueOut& b) {
  if (a.known != b.known) return false;
  if (!a.known) return true;
  if (b.type == "bool" || b.type == "string") return a.text == b.text;
  return Close(a.number, b.number);
}

// The first difference between a finding of the engine and one of the reference, or "".
std::string DiffFinding(const Finding& e, const Finding& r) {
  std::ostringstream out;
  auto field = [&](const char* name, const std::string& a, const std::string& b) {
    if (a != b && out.str().empty()) out << name << ": engine " << a << ", reference " << b;
  };
  field("finding", Describe(e), Describe(r));
  field("days", std::to_string(e.days), std::to_string(r.days));
  field("window", std::to_string(e.window), std::to_string(r.window));
  field("id", e.id, r.id);
  field("metrics.size", std::to_string(e.metrics.size()), std::to_string(r.metrics.size()));
  if (out.str().empty()) {
    for (std::size_t i = 0; i < e.metrics.size(); ++i) {
      const Metric& a = e.metrics[i];
      const Metric& b = r.metrics[i];
      const std::string at = "metric " + std::to_string(i) + " " + b.name;
      field((at + " name").c_str(), a.name + "/" + a.kind, b.name + "/" + b.kind);
      field((at + " type").c_str(), a.value.type, b.value.type);
      field((at + " known").c_str(), a.value.known ? "known" : "unknown", b.value.known ? "known" : "unknown");
      if (!out.str().empty()) break;
      if (!a.value.known) continue;
      if (b.value.type == "bool" || b.value.type == "string") {
        field((at + " value").c_str(), a.value.text, b.value.text);
      } else if (!Close(a.value.number, b.value.number)) {
        field((at + " value").c_str(), ValueText(a.value), ValueText(b.value));
      }
      if (!out.str().empty()) break;
    }
  }
  field("explanation.size", std::to_string(e.explanation.size()), std::to_string(r.explanation.size()));
  for (std::size_t i = 0; out.str().empty() && i < e.explanation.size(); ++i) {
    const LevelExplanation& a = e.explanation[i];
    const LevelExplanation& b = r.explanation[i];
    field("explanation level", a.level, b.level);
    const std::string av = a.condition.value.known ? a.condition.value.text : "unknown";
    const std::string bv = b.condition.value.known ? b.condition.value.text : "unknown";
    field(("explanation " + b.level + " value").c_str(), av, bv);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ",") + x;
    return "[" + s + "]";
  };
  field("accounts", join(e.accounts), join(r.accounts));
  field("cluster_members", join(e.cluster_members), join(r.cluster_members));
  auto links = [&](const std::vector<ClusterLink>& ls) {
    std::vector<std::string> v;
    for (const ClusterLink& l : ls) v.push_back(l.identifier + "=" + l.value + join(l.accounts));
    std::sort(v.begin(), v.end());
    return join(v);
  };
  field("links", links(e.links), links(r.links));
  auto waivers = [&](const std::vector<WaiverUse>& ws) {
    std::vector<std::string> v;
    for (const WaiverUse& w : ws) v.push_back(w.id);
    std::sort(v.begin(), v.end());
    return join(v);
  };
  field("waivers", waivers(e.waivers), waivers(r.waivers));
  auto acceptances = [&](const std::vector<AcceptanceUse>& as) {
    std::vector<std::string> v;
    for (const AcceptanceUse& a : as) {
      v.push_back(a.account_id + "/" + a.policy + "/" + a.version + "@" + FormatRfc3339(a.accepted_at));
    }
    return join(v);
  };
  field("acceptances", acceptances(e.acceptances), acceptances(r.acceptances));
  auto detectors = [&](const std::vector<DetectorUse>& ds) {
    std::vector<std::string> v;
    for (const DetectorUse& d : ds) {
      v.push_back(d.name + join(d.versions) + (d.threshold ? Num(*d.threshold) : "-") + "/" +
                  (d.false_positive_rate ? Num(*d.false_positive_rate) : "-"));
    }
    return join(v);
  };
  field("detectors", detectors(e.detectors), detectors(r.detectors));
  field("evidence_total", std::to_string(e.evidence_total), std::to_string(r.evidence_total));
  auto evidence = [&](const std::vector<EvidenceItem>& items) {
    std::vector<std::string> v;
    for (const EvidenceItem& i : items) v.push_back(i.event_id);
    return join(v);
  };
  field("evidence", evidence(e.evidence), evidence(r.evidence));
  for (std::size_t i = 0; out.str().empty() && i < e.evidence.size(); ++i) {
    const EvidenceItem& a = e.evidence[i];
    const EvidenceItem& b = r.evidence[i];
    const std::string at = "evidence " + b.event_id + " ";
    field((at + "ts").c_str(), FormatRfc3339(a.ts), FormatRfc3339(b.ts));
    field((at + "account").c_str(), a.account_id, b.account_id);
    if (!SameValue(a.sort_key, b.sort_key)) {
      field((at + "sort key").c_str(), ValueText(a.sort_key), ValueText(b.sort_key));
    }
    field((at + "shown").c_str(), std::to_string(a.shown.size()), std::to_string(b.shown.size()));
    for (std::size_t k = 0; out.str().empty() && k < a.shown.size(); ++k) {
      field((at + "shown name").c_str(), a.shown[k].first, b.shown[k].first);
      if (!SameValue(a.shown[k].second, b.shown[k].second)) {
        field((at + "shown " + b.shown[k].first).c_str(), ValueText(a.shown[k].second),
              ValueText(b.shown[k].second));
      }
    }
  }
  auto timeline = [&](const std::vector<TimelineDay>& days) {
    std::vector<std::string> v;
    for (const TimelineDay& d : days) {
      v.push_back(FormatDate(DayStart(d.day)) + ":" + std::to_string(d.events) + ":" +
                  ref::RefOutcomeName(d.outcome));
    }
    return join(v);
  };
  field("timeline", timeline(e.timeline), timeline(r.timeline));
  return out.str();
}

std::string DiffStats(const EvalStats& e, const EvalStats& r) {
  std::ostringstream out;
  auto field = [&](const std::string& name, std::uint64_t a, std::uint64_t b) {
    if (a != b && out.str().empty()) out << "stats " << name << ": engine " << a << ", reference " << b;
  };
  field("events", e.events, r.events);
  field("accounts", e.accounts, r.accounts);
  field("clusters", e.clusters, r.clusters);
  field("common_values", e.common_values, r.common_values);
  // The audited period of a dataset without events is not defined: no points either way.
  if (r.events != 0 && (e.from_day != r.from_day || e.to_day != r.to_day)) {
    if (out.str().empty()) {
      out << "stats period: engine " << e.from_day << ".." << e.to_day << ", reference " << r.from_day
          << ".." << r.to_day;
    }
  }
  field("rules", e.rules.size(), r.rules.size());
  if (!out.str().empty()) return out.str();
  for (std::size_t i = 0; i < e.rules.size(); ++i) {
    const auto& a = e.rules[i];
    const auto& b = r.rules[i];
    const std::string p = b.rule_id + ".";
    field(p + "counted", a.counted, b.counted);
    field(p + "no_scope", a.no_scope, b.no_scope);
    field(p + "not_applicable", a.not_applicable, b.not_applicable);
    field(p + "exempted", a.exempted, b.exempted);
    field(p + "waived", a.waived, b.waived);
    field(p + "filtered", a.filtered, b.filtered);
    field(p + "scopes", a.scopes, b.scopes);
    field(p + "points", a.points, b.points);
    field(p + "findings", a.findings, b.findings);
  }
  return out.str();
}

// The first difference between the engine's result and the reference's, with the rule
// it concerns (or "" for a dataset-wide difference), or an empty `what`.
struct Difference {
  std::string what, rule_id;
};

Difference DiffResults(const EvalResult& e, const EvalResult& r) {
  const std::size_t n = std::min(e.findings.size(), r.findings.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::string d = DiffFinding(e.findings[i], r.findings[i]);
    if (!d.empty()) {
      return {"finding " + std::to_string(i) + " (reference: " + Describe(r.findings[i]) + "): " + d,
              r.findings[i].rule_id};
    }
  }
  if (e.findings.size() != r.findings.size()) {
    const bool engine_more = e.findings.size() > r.findings.size();
    const Finding& extra = engine_more ? e.findings[n] : r.findings[n];
    return {std::string(engine_more ? "the engine has an extra finding: "
                                    : "the engine lacks a finding: ") +
                Describe(extra) + " (engine " + std::to_string(e.findings.size()) + " findings, reference " +
                std::to_string(r.findings.size()) + ")",
            extra.rule_id};
  }
  std::string s = DiffStats(e.stats, r.stats);
  if (!s.empty()) {
    const std::size_t dot = s.find('.');
    const std::size_t sp = s.find(' ');
    std::string rule = dot != std::string::npos && dot < s.find(':') ? s.substr(sp + 1, dot - sp - 1) : "";
    return {s, rule};
  }
  return {};
}

// Explanations of a sample of points by the engine against the reference's.
Difference DiffExplanations(const ref::LoadedCase& l, const EvalOptions& options,
                            const std::vector<PointExplanation>& points, std::uint64_t seed,
                            std::uint64_t* explained) {
  const std::size_t step = std::max<std::size_t>(1, points.size() / 12);
  for (std::size_t i = static_cast<std::size_t>(seed % step); i < points.size(); i += step) {
    const PointExplanation& r = points[i];
    std::string value = r.scope_value;
    if (!r.reason.empty() && i % 2 == 1) {  // cluster scope: name it by its last member
      value = r.reason.substr(0, r.reason.size() - 1);
      value = value.substr(value.rfind('\n') + 1);
    }
    const std::string scope = r.scope_kind + ":" + value;
    const std::string where = "explain --rule " + r.rule_id + " --scope " + scope + " --at " +
                              FormatDate(DayStart(r.day)) + ": ";
    ++*explained;
    auto e = ExplainPoint(l.rules->plan, l.ingest.data, l.config, options, r.rule_id, scope, r.day);
    if (!e.ok()) return {where + e.status().ToString(), r.rule_id};
    if (e->outcome != r.outcome) {
      return {where + "outcome: engine " + ref::RefOutcomeName(e->outcome) + ", reference " +
                  ref::RefOutcomeName(r.outcome),
              r.rule_id};
    }
    if (e->counted != r.counted || e->active_days != r.active_days) {
      return {where + "counted/active days: engine " + std::to_string(e->counted) + "/" +
                  std::to_string(e->active_days) + ", reference " + std::to_string(r.counted) + "/" +
                  std::to_string(r.active_days),
              r.rule_id};
    }
    if (r.outcome == Outcome::kNotEvaluated) continue;
    if (e->metrics.size() != r.metrics.size()) {
      return {where + "metrics: engine " + std::to_string(e->metrics.size()) + ", reference " +
                  std::to_string(r.metrics.size()),
              r.rule_id};
    }
    for (std::size_t k = 0; k < r.metrics.size(); ++k) {
      if (e->metrics[k].name != r.metrics[k].name || !SameValue(e->metrics[k].value, r.metrics[k].value)) {
        return {where + "metric " + r.metrics[k].name + ": engine " + e->metrics[k].name + " = " +
                    ValueText(e->metrics[k].value) + ", reference " + ValueText(r.metrics[k].value),
                r.rule_id};
      }
    }
  }
  return {};
}

EvalOptions OptionsOf(const ref::RandomCase& c, unsigned threads = 1) {
  EvalOptions o;
  o.threads = threads;
  o.hash_evidence_lines = false;
  o.waivers = c.waivers;
  o.from_day = c.from_day;
  o.to_day = c.to_day;
  return o;
}

std::uint64_t EnvNumber(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

// A hand-written case: lines and one pack.
ref::RandomCase Hand(std::vector<std::string> accounts, std::vector<std::string> acceptances,
                     std::vector<std::string> events, std::vector<std::string> signals,
                     const std::string& rules) {
  ref::RandomCase c;
  c.accounts = std::move(accounts);
  c.acceptances = std::move(acceptances);
  c.events = std::move(events);
  c.signals = std::move(signals);
  c.pack = std::string("policy acme \"Acme AI Terms\" {\n  version \"2024-01\" effective 2024-01-15\n"
                       "  version \"2025-06\" effective 2025-06-01\n}\n") + rules;
  c.rules = {rules};
  return c;
}

std::string E(const std::string& id, const std::string& account, const std::string& ts,
              const std::string& extra = "") {
  return "{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"account_id\":\"" + account +
         "\",\"model\":\"m1\",\"status\":\"success\"" + extra + "}";
}

// The reference's result for a hand-written case, after checking that the engine
// agrees with it.
EvalResult RefRun(const ref::RandomCase& c, const ref::LoadedCase& l) {
  const EvalOptions o = OptionsOf(c);
  EvalResult expected = ref::Evaluate(l.rules->plan, l.ingest.data, l.config, o);
  auto engine = Evaluate(l.rules->plan, l.ingest.data, l.config, o);
  INFO(engine.status().ToString());
  REQUIRE(engine.ok());
  CHECK(DiffResults(*engine, expected).what == "");
  return expected;
}

ref::LoadedCase MustLoad(const ref::RandomCase& c) {
  ref::LoadedCase l = ref::LoadCase(c);
  INFO(l.error);
  REQUIRE(l.error.empty());
  return l;
}

}  // namespace

TEST_CASE("eval: reference: windows end at midnight, an event at t-W is out and one at t is in") {
  const auto c = Hand({}, {},
                      {E("e1", "a", "2025-06-02T00:00:00Z"), E("e2", "a", "2025-06-03T00:00:00Z"),
                       E("e3", "a", "2025-06-04T00:00:00Z")},
                      {}, "rule r {\n  severity low\n  window 2d\n  let n = count()\n"
                          "  violation when n >= 2\n}\n");
  const auto l = MustLoad(c);
  const EvalResult r = RefRun(c, l);
  CHECK(r.stats.from_day == Day("2025-06-01"));  // midnight belongs to the day that ends there
  CHECK(r.stats.to_day == Day("2025-06-03"));
  REQUIRE(r.findings.size() == 1);
  const Finding& f = r.findings[0];
  CHECK(f.scope_kind == "account");
  CHECK(f.scope_value == "a");
  CHECK(f.level == Outcome::kViolation);
  CHECK(f.first_day == Day("2025-06-02"));
  CHECK(f.last_day == Day("2025-06-03"));
  CHECK(f.days == 2);
  CHECK(f.peak_day == Day("2025-06-02"));  // both windows count 2: the earliest
  CHECK(f.evidence_total == 2);
  REQUIRE(f.evidence.size() == 2);
  CHECK(f.evidence[0].event_id == "e1");
  CHECK(f.evidence[1].event_id == "e2");
  REQUIRE(f.timeline.size() == 3);  // from the first window's start (06-01) to 06-03
  CHECK(f.timeline[0].outcome == Outcome::kCompliant);
  CHECK(f.timeline[0].events == 1);
  CHECK(f.timeline[1].outcome == Outcome::kViolation);
  CHECK(f.timeline[2].outcome == Outcome::kViolation);
  // The id: rule, kind, value, first day and outcome, NUL-separated.
  CHECK(f.id == ref::FindingId("r", "account", "a", Day("2025-06-02"), Outcome::kViolation));
  CHECK(f.id.size() == 18);
  CHECK(r.stats.rules.at(0).points == 3);
}

TEST_CASE("eval: reference: the binding version at the event's own time decides applicability") {
  const auto c = Hand(
      {}, {"{\"account_id\":\"b\",\"policy\":\"acme\",\"version\":\"2024-01\",\"accepted_at\":\"2025-06-10T12:00:00Z\"}",
           "{\"account_id\":\"c\",\"policy\":\"acme\",\"version\":\"2024-01\",\"accepted_at\":\"2024-02-01T00:00:00Z\"}",
           "{\"account_id\":\"c\",\"policy\":\"acme\",\"version\":\"2025-06\",\"accepted_at\":\"2025-05-20T00:00:00Z\"}",
           "{\"account_id\":\"d\",\"policy\":\"acme\",\"version\":\"2099-01\",\"accepted_at\":\"2024-02-01T00:00:00Z\"}"},
      {E("b1", "b", "2025-06-10T11:59:59.999999Z"), E("b2", "b", "2025-06-10T12:00:00Z"),
       E("c1", "c", "2025-05-25T10:00:00Z"), E("c2", "c", "2025-06-05T10:00:00Z"),
       E("d1", "d", "2025-06-05T10:00:00Z")},
      {}, "rule r {\n  severity low\n  clause acme \"1\" since \"2024-01\" until \"2024-01\"\n"
          "  window 1d\n  require accepted(acme)\n  violation when count() >= 1\n}\n");
  const auto l = MustLoad(c);
  const EvalResult r = RefRun(c, l);
  const auto& s = r.stats.rules.at(0);
  CHECK(s.counted == 2);         // b2 (accepted at its exact time), c1 (2025-06 not yet in force)
  CHECK(s.not_applicable == 3);  // b1 (accepted later), c2 (bound by 2025-06), d1 (undeclared)
  REQUIRE(r.findings.size() == 2);
  CHECK(r.findings[0].scope_value == "b");
  CHECK(r.findings[0].first_day == Day("2025-06-10"));
  CHECK(r.findings[1].scope_value == "c");
  CHECK(r.findings[1].first_day == Day("2025-05-25"));
}

TEST_CASE("eval: reference: Kleene logic, nearest-rank percentiles, unknown aggregates") {
  const auto c = Hand(
      {}, {},
      {E("e1", "a", "2025-06-01T10:00:00Z", ",\"input_tokens\":10"),
       E("e2", "a", "2025-06-01T11:00:00Z", ",\"input_tokens\":40"),
       E("e3", "a", "2025-06-01T12:00:00Z", ",\"input_tokens\":30"),
       E("e4", "a", "2025-06-01T13:00:00Z", ",\"input_tokens\":20"),
       E("e5", "a", "2025-06-01T14:00:00Z")},
      {}, "rule r {\n  severity low\n  window 1d\n  let med = p50(input_tokens)\n"
          "  let top = p90(input_tokens)\n  let d = max(signal(\"distill\"))\n"
          "  let gap = max_gap()\n  let s = sum(input_tokens)\n"
          "  violation when d >= 0.9 or s >= 1000\n  review when d >= 0.9 or med == 20\n"
          "  evidence {\n    sample 3 by input_tokens desc\n  }\n}\n");
  const auto l = MustLoad(c);
  const EvalResult r = RefRun(c, l);
  REQUIRE(r.findings.size() == 1);
  const Finding& f = r.findings[0];
  CHECK(f.level == Outcome::kReview);  // violation is unknown, review is true
  auto metric = [&](const std::string& name) {
    for (const Metric& m : f.metrics) {
      if (m.name == name) return m.value;
    }
    FAIL("no metric " << name);
    return EvalValueOut{};
  };
  CHECK(metric("med").number == 20);  // rank ceil(0.5*4) = 2
  CHECK(metric("top").number == 40);  // rank ceil(0.9*4) = 4
  CHECK_FALSE(metric("d").known);
  CHECK(metric("gap").number == 3600e6);
  CHECK(metric("s").number == 100);
  CHECK(f.evidence_total == 5);
  REQUIRE(f.evidence.size() == 3);
  CHECK(f.evidence[0].event_id == "e2");  // 40, 30, 20; the unknown key would be last
  CHECK(f.evidence[1].event_id == "e3");
  CHECK(f.evidence[2].event_id == "e4");

  // Without the review level, the unknown violation makes insufficient evidence.
  auto c2 = c;
  const std::string rule = "rule r {\n  severity low\n  window 1d\n  let d = max(signal(\"distill\"))\n"
                           "  violation when d >= 0.9 or count() >= 100\n}\n";
  c2 = Hand(c.accounts, c.acceptances, c.events, c.signals, rule);
  const auto l2 = MustLoad(c2);
  const EvalResult r2 = RefRun(c2, l2);
  REQUIRE(r2.findings.size() == 1);
  CHECK(r2.findings[0].level == Outcome::kInsufficient);
}

TEST_CASE("eval: reference: clusters by shared identifiers, named by their smallest account") {
  auto c = Hand({"{\"account_id\":\"acct-9\",\"payment_fingerprint\":\"pf\"}",
                 "{\"account_id\":\"acct-10\",\"payment_fingerprint\":\"pf\"}",
                 "{\"account_id\":\"acct-3\",\"payment_fingerprint\":\"pf-own\"}"},
                {},
                {E("e1", "acct-9", "2025-06-01T10:00:00Z", ",\"device_id\":\"dev\""),
                 E("e2", "zed", "2025-06-01T11:00:00Z", ",\"device_id\":\"dev\""),
                 E("e3", "acct-3", "2025-06-01T12:00:00Z", ",\"device_id\":\"dev\"")},
                {}, "rule r {\n  severity low\n  scope cluster\n  window 1d\n"
                    "  violation when count() >= 1\n}\n");
  const auto l = MustLoad(c);
  const EvalResult r = RefRun(c, l);
  CHECK(r.stats.accounts == 4);
  CHECK(r.stats.clusters == 1);
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].scope_value == "acct-10");  // by bytes, "acct-10" < "acct-3" < "acct-9"
  CHECK(r.findings[0].cluster_members == std::vector<std::string>{"acct-10", "acct-3", "acct-9", "zed"});
  CHECK(r.findings[0].accounts == std::vector<std::string>{"acct-3", "acct-9", "zed"});
  CHECK(r.findings[0].links.size() == 2);
  // A value shared by more accounts than the limit links nobody.
  c.max_accounts_per_value = 2;
  const auto l2 = MustLoad(c);
  const EvalResult r2 = RefRun(c, l2);
  CHECK(r2.stats.clusters == 1);  // acct-9 and acct-10 by their payment fingerprint
  CHECK(r2.stats.common_values == 1);
  REQUIRE(r2.findings.size() == 3);
  CHECK(r2.findings[0].scope_value == "acct-10");
  CHECK(r2.findings[0].accounts == std::vector<std::string>{"acct-9"});
  CHECK(r2.findings[1].scope_value == "acct-3");
  CHECK(r2.findings[2].scope_value == "zed");
}

TEST_CASE("eval: reference: a sum beyond 2^63 is unknown") {
  const auto c = Hand({}, {},
                      {E("e1", "a", "2025-06-01T10:00:00Z", ",\"input_tokens\":6000000000000000000"),
                       E("e2", "a", "2025-06-01T11:00:00Z", ",\"input_tokens\":6000000000000000000"),
                       E("e3", "b", "2025-06-01T11:00:00Z", ",\"input_tokens\":-6000000000000000000"),
                       E("e4", "b", "2025-06-01T12:00:00Z", ",\"input_tokens\":5000000000000000000")},
                      {}, "rule r {\n  severity low\n  window 1d\n  let s = sum(input_tokens)\n"
                          "  let a = avg(input_tokens)\n  violation when s > 0 or count() >= 1\n}\n");
  const auto l = MustLoad(c);
  const EvalResult r = RefRun(c, l);
  REQUIRE(r.findings.size() == 2);
  CHECK_FALSE(r.findings[0].metrics.at(0).value.known);  // 1.2e19 > 2^63
  CHECK(r.findings[1].metrics.at(0).value.number == -1e18);
}

// docs/engine.md: "avg(x): exact sum / number of known values" and "every state is exact"
// with sums "converted back once". Read so, the average is the exact quotient rounded
// once: 3.033 / 9 = 0.337 >= 0.337. The engine rounds the sum to a double first and
// divides that (0.33699999999999997 < 0.337), so the level does not hold. Found by the
// differential test (seed 1627 of an earlier generator); the doc does not settle which
// rounding is meant, hence [!mayfail] until it does.
TEST_CASE("eval: avg is the exact sum divided by the count, rounded once") {
  std::vector<std::string> events, signals;
  const char* scores[] = {"0.135", "0.135", "0.135", "0.135", "0.939", "0.190", "0.338", "0.645", "0.381"};
  for (int i = 0; i < 9; ++i) {
    const std::string id = "e" + std::to_string(i);
    const std::string ts = "2025-06-01T1" + std::to_string(i) + ":00:00Z";
    events.push_back(E(id, "a", ts));
    signals.push_back("{\"detector\":\"distill\",\"subject_kind\":\"event\",\"subject\":\"" + id +
                      "\",\"ts\":\"" + ts + "\",\"score\":" + scores[i] + "}");
  }
  const auto c = Hand({}, {}, events, signals,
                      "rule r {\n  severity low\n  window 1d\n"
                      "  violation when avg(signal(\"distill\")) >= 0.337\n}\n");
  const auto l = MustLoad(c);
  const EvalResult expected = ref::Evaluate(l.rules->plan, l.ingest.data, l.config, OptionsOf(c));
  REQUIRE(expected.findings.size() == 1);  // the reference: a violation on 2025-06-01
  auto engine = Evaluate(l.rules->plan, l.ingest.data, l.config, OptionsOf(c));
  REQUIRE(engine.ok());
  CHECK(DiffResults(*engine, expected).what == "");
}

TEST_CASE("eval: the engine agrees with the reference evaluator on random cases") {
#if defined(__SANITIZE_ADDRESS__)
  constexpr std::uint64_t kDefaultPacks = 200;  // AddressSanitizer runs it about 3x slower
#else
  constexpr std::uint64_t kDefaultPacks = 300;
#endif
  const std::uint64_t packs = EnvNumber("TOSGUARD_DIFF_CASES", kDefaultPacks);
  const std::uint64_t only = EnvNumber("TOSGUARD_DIFF_SEED", 0);
  const std::uint64_t first = EnvNumber("TOSGUARD_DIFF_FIRST_SEED", 1);
  constexpr int kRulesPerPack = 5;
  std::uint64_t rules_compared = 0, findings_compared = 0, points_explained = 0, mismatches = 0;
  for (std::uint64_t seed = only ? only : first; seed < (only ? only + 1 : first + packs); ++seed) {
    ref::RandomCase c = ref::GenerateCase(seed, kRulesPerPack);
    if (const char* keep = std::getenv("TOSGUARD_DIFF_RULE")) {  // only this rule, e.g. r2
      for (std::size_t i = 0; i < c.rules.size(); ++i) {
        if ("r" + std::to_string(i) == keep) {
          c.pack = c.pack.substr(0, c.pack.find("rule ")) + c.rules[i];
          c.rules = {c.rules[i]};
          break;
        }
      }
    }
    ref::LoadOptions lo;
    lo.project = true;
    const ref::LoadedCase l = ref::LoadCase(c, lo);
    INFO("seed " << seed << " (TOSGUARD_DIFF_SEED=" << seed << " replays it)");
    INFO((l.error.empty() ? "" : l.error + "\n" + c.pack));
    REQUIRE(l.error.empty());
    const EvalOptions options = OptionsOf(c);
    // The engine sees the data as a scan ingests it (only the fields the rules read,
    // their matches decided at parse time); the reference sees every field.
    auto engine = Evaluate(l.rules->plan, l.projected->data, l.config, options);
    INFO(engine.status().ToString());
    REQUIRE(engine.ok());
    std::vector<PointExplanation> points;
    const EvalResult expected = ref::Evaluate(l.rules->plan, l.ingest.data, l.config, options, &points);
    rules_compared += c.rules.size();
    findings_compared += expected.findings.size();
    Difference d = DiffResults(*engine, expected);
    if (d.what.empty()) d = DiffExplanations(l, options, points, seed, &points_explained);
    if (!d.what.empty()) {
      ++mismatches;
      std::string rule_text = c.pack;
      for (std::size_t i = 0; i < c.rules.size(); ++i) {
        if ("r" + std::to_string(i) == d.rule_id) rule_text = c.rules[i];
      }
      UNSCOPED_INFO(d.what << "\nrule:\n" << rule_text);
      CHECK(d.what.empty());
      if (mismatches >= 5) break;  // enough to reproduce; do not flood the log
    }
  }
  WARN("compared " << rules_compared << " random rules, " << findings_compared << " findings, "
                    << points_explained << " explained points");
  CHECK(mismatches == 0);
}

namespace {

// Whether the engine and the reference disagree on `c`; `what` gets the difference.
bool Disagree(const ref::RandomCase& c, std::string* what) {
  ref::LoadOptions lo;
  lo.project = true;
  const ref::LoadedCase l = ref::LoadCase(c, lo);
  if (!l.error.empty()) return false;
  const EvalOptions options = OptionsOf(c);
  auto engine = Evaluate(l.rules->plan, l.projected->data, l.config, options);
  if (!engine.ok()) {
    *what = engine.status().ToString();
    return true;
  }
  *what = DiffResults(*engine, ref::Evaluate(l.rules->plan, l.ingest.data, l.config, options)).what;
  return !what->empty();
}

// Drops lines of `lines` while `c` still shows a disagreement (halves, then single lines).
void Shrink(ref::RandomCase& c, std::vector<std::string> ref::RandomCase::*lines, std::string* what) {
  for (std::size_t chunk = std::max<std::size_t>(1, (c.*lines).size() / 2); chunk >= 1; chunk /= 2) {
    for (std::size_t i = 0; i < (c.*lines).size();) {
      ref::RandomCase t = c;
      auto& v = t.*lines;
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i),
              v.begin() + static_cast<std::ptrdiff_t>(std::min(v.size(), i + chunk)));
      std::string w;
      if (Disagree(t, &w)) {
        c = std::move(t);
        *what = w;
      } else {
        i += chunk;
      }
    }
    if (chunk == 1) break;
  }
}

std::string CaseText(const ref::RandomCase& c) {
  std::string out = "# accounts\n";
  for (const auto& l : c.accounts) out += l + "\n";
  out += "# acceptances\n";
  for (const auto& l : c.acceptances) out += l + "\n";
  out += "# events\n";
  for (const auto& l : c.events) out += l + "\n";
  out += "# signals\n";
  for (const auto& l : c.signals) out += l + "\n";
  out += "# max_accounts_per_value " + std::to_string(c.max_accounts_per_value) + "\n# waivers\n";
  for (const Waiver& w : c.waivers) {
    out += w.id + " " + w.rule + " " + WaiverScopeName(w.kind) + ":" + w.value + " from " +
           FormatRfc3339(w.from) + (w.until ? " until " + FormatRfc3339(*w.until) : "") + "\n";
  }
  if (c.from_day) {
    out += "# period " + FormatDate(DayStart(*c.from_day)) + ".." + FormatDate(DayStart(*c.to_day)) + "\n";
  }
  return out + "# rules\n" + c.pack;
}

}  // namespace

// Not run by default: the case of TOSGUARD_DIFF_SEED with the one rule that disagrees
// and as few lines as still disagree, printed for a human to reproduce.
TEST_CASE("eval: shrink the disagreement of TOSGUARD_DIFF_SEED", "[.]") {
  ref::RandomCase c = ref::GenerateCase(EnvNumber("TOSGUARD_DIFF_SEED", 1), 5);
  std::string what;
  if (!Disagree(c, &what)) {
    WARN("the engine and the reference agree on seed " << c.seed << ": nothing to shrink");
    return;
  }
  const std::string policy = c.pack.substr(0, c.pack.find("rule "));
  for (const std::string& rule : c.rules) {
    ref::RandomCase t = c;
    t.rules = {rule};
    t.pack = policy + rule;
    std::string w;
    if (Disagree(t, &w)) {
      c = std::move(t);
      what = w;
      break;
    }
  }
  using RC = ref::RandomCase;
  for (auto lines : {&RC::events, &RC::signals, &RC::acceptances, &RC::accounts}) Shrink(c, lines, &what);
  std::fputs((CaseText(c) + "# difference\n" + what + "\n").c_str(), stdout);
}

// Not run by default: prints the case of TOSGUARD_DIFF_SEED (its JSONL lines, rules and
// waivers) to reproduce a mismatch by hand.
TEST_CASE("eval: print the random case of TOSGUARD_DIFF_SEED", "[.]") {
  std::fputs(CaseText(ref::GenerateCase(EnvNumber("TOSGUARD_DIFF_SEED", 1), 5)).c_str(), stdout);
}

// Under AddressSanitizer, a rule whose last aggregate was active_days() made Evaluate
// read past a heap buffer in DayStates::Finish (found by the differential test; fixed).
TEST_CASE("eval: active_days() as a rule's only aggregate, over one event") {
  const auto c = Hand({}, {}, {E("e1", "x", "2025-05-31T00:59:06Z")}, {},
                      "rule r {\n  severity low\n  window 1d\n  violation when active_days() >= 1\n}\n");
  const auto l = MustLoad(c);
  const EvalResult r = RefRun(c, l);
  CHECK(r.findings.size() == 1);
}
