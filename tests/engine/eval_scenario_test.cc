// Hand-computed scenarios of the evaluator (docs/engine.md): every expected value below
// was worked out on paper from the documented semantics, not taken from a run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval/evaluate.h"
#include "engine/eval/projection.h"
#include "tests/engine/eval_test_util.h"

using namespace tosguard;
using namespace tosguard::engine;
using namespace tosguard::engine::testing;

namespace {

using Strings = std::vector<std::string>;

std::vector<std::string> EvidenceIds(const Finding& f) {
  std::vector<std::string> out;
  for (const EvidenceItem& e : f.evidence) out.push_back(e.event_id);
  return out;
}

std::vector<std::string> WaiverIds(const Finding& f) {
  std::vector<std::string> out;
  for (const WaiverUse& w : f.waivers) out.push_back(w.id);
  return out;
}

Waiver MakeWaiver(const std::string& id, const std::string& rule, WaiverScope kind, const std::string& value,
                  const std::string& from, std::optional<std::string> until = std::nullopt) {
  Waiver w;
  w.id = id;
  w.rule = rule;
  w.kind = kind;
  w.value = value;
  w.approver = "J. Doe (Legal)";
  w.basis = "test";
  w.from = Ts(from);
  if (until) w.until = Ts(*until);
  return w;
}

// The one finding of `rules` over a single event of account a1 at `ts`.
Finding OnlyFinding(const std::string& rules, const std::string& ts) {
  Scenario s;
  s.events = {Ev("t1", "a1", ts)};
  s.rules = rules;
  Run run(s);
  EvalResult r = run.Eval();
  REQUIRE(r.findings.size() == 1);
  return r.findings[0];
}

// A comparison node of an explanation: [value, threshold] and whether it held.
void CheckComparison(const ExplainNode& node, const std::string& op, double value, double threshold,
                     const std::string& held) {
  INFO(node.text);
  CHECK(node.op == op);
  CHECK(node.value.text == held);
  REQUIRE(node.children.size() == 2);
  CHECK(node.children[0].value.number == value);
  CHECK(node.children[1].value.number == threshold);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Aggregates

TEST_CASE("eval: every aggregate over one window, and its value when nothing is known") {
  Scenario s;
  s.events = {
      Ev("e1", "a1", "2025-06-10T10:00:00Z", R"("input_tokens":40,"client_ip":"10.0.0.1","params":{"temperature":0.1})"),
      Ev("e2", "a1", "2025-06-10T11:00:00Z",
         R"("input_tokens":10,"model":"m2","status":"error","params":{"temperature":0.2})"),
      Ev("e3", "a1", "2025-06-10T12:00:00Z", R"("params":{"temperature":0.3})"),
      Ev("e4", "a1", "2025-06-10T13:00:00Z", R"("input_tokens":30,"client_ip":"10.0.0.1")"),
      Ev("e5", "a1", "2025-06-10T14:00:00Z", R"("input_tokens":20,"model":"m3","status":"error","client_ip":"10.0.0.2")"),
      Ev("e6", "a2", "2025-06-10T15:00:00Z"),
  };
  s.rules = Rule("aggs", R"(  window 2d
  let n = count()
  let errors = count(status == "error")
  let error_share = share(status == "error")
  let tokens = sum(input_tokens)
  let temperature = sum(params.temperature)
  let mean = avg(input_tokens)
  let least = min(input_tokens)
  let most = max(input_tokens)
  let models = distinct(model)
  let ips = distinct(client_ip)
  let median = p50(input_tokens)
  let high = p90(input_tokens)
  let quartile = percentile(input_tokens, 0.25)
  let per_day = rate(1d)
  let errors_per_half_day = rate(12h, status == "error")
  violation when n >= 1
)");
  Run run(s);
  EvalResult r = run.Eval();
  // One day bucket holds events, so the audited period is that one day.
  CHECK(Briefs(r) == Strings{"aggs account:a1 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "aggs account:a2 violation 2025-06-10..2025-06-10 peak 2025-06-10"});
  const Finding& a1 = FindingOf(r, "aggs", "a1", "2025-06-10");
  const Finding& a2 = FindingOf(r, "aggs", "a2", "2025-06-10");
  struct Expected {
    const char* let;
    std::optional<double> a1, a2;  // a2 has one event, e6, with no token count and no IP
  };
  const Expected expected[] = {
      {"n", 5, 1},                        // a1: e1..e5
      {"errors", 2, 0},                   // e2, e5
      {"error_share", 0.4, 0},            // 2 of 5; 0 of 1
      {"tokens", 100, 0},                 // 40+10+30+20 (e3 has none); a sum of no known values is 0
      {"temperature", 0.6, 0},            // 0.1+0.2+0.3 summed exactly and rounded once (naive doubles: 0.6000000000000001)
      {"mean", 25, kUnknown},             // 100 / 4 known values; avg of none is unknown
      {"least", 10, kUnknown},
      {"most", 40, kUnknown},
      {"models", 3, 1},                   // m1, m2, m3
      {"ips", 2, 0},                      // 10.0.0.1, 10.0.0.2; distinct of no known values is 0
      {"median", 20, kUnknown},           // sorted 10,20,30,40: rank ceil(0.5*4)=2 (nearest rank, not 25)
      {"high", 40, kUnknown},             // rank ceil(0.9*4)=4
      {"quartile", 10, kUnknown},         // rank ceil(0.25*4)=1
      {"per_day", 2.5, 0.5},              // 5 * 1d / 2d; 1 * 1d / 2d
      {"errors_per_half_day", 0.5, 0},    // 2 * 12h / 48h; no matching event is 0
  };
  for (const Expected& e : expected) {
    CheckMetric(a1.metrics, e.let, e.a1);
    CheckMetric(a2.metrics, e.let, e.a2);
  }
}

TEST_CASE("eval: active_days and max_gap, an event at midnight belongs to the previous day") {
  Scenario s;
  s.events = {
      Ev("g1", "a1", "2025-06-02T10:00:00Z"),
      Ev("g2", "a1", "2025-06-04T09:00:00Z"),
      Ev("g3", "a1", "2025-06-04T12:00:00Z"),
      Ev("g4", "a1", "2025-06-05T00:00:00Z"),  // midnight: bucket of 2025-06-04
      Ev("g5", "a2", "2025-06-03T00:00:00Z"),  // midnight: bucket of 2025-06-02
  };
  s.rules = Rule("gaps", R"(  window 7d
  let days = active_days()
  let gap = max_gap()
  violation when days >= 1
)");
  Run run(s);
  EvalResult r = run.Eval();
  // Buckets: 06-02 (g1, g5) to 06-04 (g2, g3, g4); every window of 7d keeps what came before.
  CHECK(Briefs(r) == Strings{"gaps account:a1 violation 2025-06-02..2025-06-04 peak 2025-06-04",
                             "gaps account:a2 violation 2025-06-02..2025-06-04 peak 2025-06-02"});
  CHECK(r.stats.from_day == Day("2025-06-02"));  // first bucket holding an event
  CHECK(r.stats.to_day == Day("2025-06-04"));    // g4 at 06-05T00:00 is in the bucket of 06-04
  const Finding& a1 = FindingOf(r, "gaps", "a1", "2025-06-02");
  CHECK(a1.days == 3);
  CheckMetric(a1.metrics, "days", 2);               // buckets 06-02 and 06-04 (not 06-05)
  CheckMetric(a1.metrics, "gap", 47.0 * 3600e6);    // 06-02T10:00 -> 06-04T09:00 = 47h, in microseconds
  CHECK(MetricOf(a1.metrics, "gap").text == "47h");
  CHECK(MetricOf(a1.metrics, "gap").type == "duration");
  // Timeline: from the first window's start (06-02 - 6d = 05-27), or the scope's first
  // active day (06-02) when that is later, to the last day.
  REQUIRE(a1.timeline.size() == 3);
  CHECK(a1.timeline.front().day == Day("2025-06-02"));
  CHECK(a1.timeline.back().day == Day("2025-06-04"));
  CHECK(a1.timeline.back().events == 3);           // g2, g3, g4
  CHECK(a1.timeline.back().outcome == Outcome::kViolation);
  CHECK(a1.timeline[0].events == 1);               // g1
  CHECK(a1.timeline[1].events == 0);               // 06-03: nothing of its own

  const Finding& a2 = FindingOf(r, "gaps", "a2", "2025-06-02");  // not 06-03: midnight ends 06-02
  CheckMetric(a2.metrics, "days", 1);
  CheckMetric(a2.metrics, "gap", kUnknown);                 // fewer than 2 events

  PointExplanation first = run.Explain("gaps", "account:a1", "2025-06-02");
  CHECK(first.outcome == Outcome::kViolation);
  CHECK(first.counted == 1);                       // only g1 so far
  CHECK(first.active_days == 1);
  CheckMetric(first.metrics, "gap", kUnknown);
}

// ---------------------------------------------------------------------------------------
// Windows, the audited period and min_active_days

TEST_CASE("eval: window edges: t-W is excluded, t is included, one microsecond either side") {
  Scenario s;
  s.events = {
      Ev("x1", "a1", "2025-06-09T00:00:00Z"),         // bucket 06-08
      Ev("x2", "a1", "2025-06-09T00:00:00.000001Z"),  // bucket 06-09
      Ev("x3", "a1", "2025-06-11T00:00:00Z"),         // bucket 06-10
      Ev("x4", "a1", "2025-06-11T00:00:00.000001Z"),  // bucket 06-11
  };
  s.rules = Rule("edge", R"(  window 2d
  violation when count() >= 2
)");
  Run run(s);
  // At the end of 06-10, t = 06-11T00:00 and the window is (06-09T00:00, 06-11T00:00].
  PointExplanation at10 = run.Explain("edge", "account:a1", "2025-06-10");
  CHECK(at10.counted == 2);      // x2 (1us inside) and x3 (exactly t); not x1 (exactly t-W) nor x4 (1us after t)
  CHECK(at10.active_days == 2);  // buckets 06-09 and 06-10
  CHECK(at10.outcome == Outcome::kViolation);
  CHECK(run.Explain("edge", "account:a1", "2025-06-08").counted == 1);  // (06-07, 06-09]: x1
  CHECK(run.Explain("edge", "account:a1", "2025-06-09").counted == 2);  // (06-08, 06-10]: x1, x2
  CHECK(run.Explain("edge", "account:a1", "2025-06-11").counted == 2);  // (06-10, 06-12]: x3, x4

  EvalResult r = run.Eval();
  // 06-08 has 1 event (compliant); 06-09..06-11 have 2 each; the tie makes 06-09 the peak.
  CHECK(Briefs(r) == Strings{"edge account:a1 violation 2025-06-09..2025-06-11 peak 2025-06-09"});
  const Finding& f = r.findings.at(0);
  CHECK(f.days == 3);
  CHECK(f.window == 2 * kMicrosPerDay);
  CHECK(f.evidence_total == 2);                          // x1, x2 in the peak window
  CHECK(EvidenceIds(f) == Strings{"x1", "x2"});         // default order: event time ascending
  REQUIRE(f.timeline.size() == 4);                       // 06-08 (first window's start) .. 06-11
  CHECK(f.timeline[0].day == Day("2025-06-08"));
  for (const TimelineDay& d : f.timeline) CHECK(d.events == 1);  // one event per bucket
  CHECK(f.timeline[0].outcome == Outcome::kCompliant);
  CHECK(f.timeline[1].outcome == Outcome::kViolation);
  CHECK(f.timeline[3].outcome == Outcome::kViolation);
}

TEST_CASE("eval: --from/--to limit the points while earlier events still fill the windows") {
  Scenario s;
  s.events = {
      Ev("d1", "a1", "2025-06-01T12:00:00Z"), Ev("d2", "a1", "2025-06-02T12:00:00Z"),
      Ev("d3", "a1", "2025-06-03T12:00:00Z"), Ev("d4", "a1", "2025-06-04T12:00:00Z"),
      Ev("d5", "a1", "2025-06-04T13:00:00Z"), Ev("d6", "a1", "2025-06-05T12:00:00Z"),
  };
  s.rules = Rule("span", R"(  window 3d
  violation when count() >= 1
)");
  Run run(s);
  EvalOptions period;
  period.from_day = Day("2025-06-03");
  period.to_day = Day("2025-06-04");
  EvalResult r = run.Eval(period);
  // 06-03: d1, d2, d3 = 3; 06-04: d2..d5 = 4, the peak.
  CHECK(Briefs(r) == Strings{"span account:a1 violation 2025-06-03..2025-06-04 peak 2025-06-04"});
  CHECK(r.stats.from_day == Day("2025-06-03"));
  CHECK(r.stats.to_day == Day("2025-06-04"));
  CHECK(StatsOf(r, "span").points == 2);
  const Finding& f = r.findings.at(0);
  CHECK(f.days == 2);
  CheckMetric(f.metrics, "count()", 4);
  CHECK(f.evidence_total == 4);

  // By default the period runs 06-01..06-05; 06-04 and 06-05 both count 4: the earlier is the peak.
  EvalResult all = run.Eval();
  CHECK(Briefs(all) == Strings{"span account:a1 violation 2025-06-01..2025-06-05 peak 2025-06-04"});
  CHECK(all.findings.at(0).days == 5);
}

TEST_CASE("eval: min_active_days skips points whose window is too sparse") {
  Scenario s;
  s.events = {
      Ev("b1", "a1", "2025-06-01T10:00:00Z"), Ev("b2", "a1", "2025-06-01T11:00:00Z"),
      Ev("b3", "a1", "2025-06-02T10:00:00Z"), Ev("b4", "a1", "2025-06-06T10:00:00Z"),
  };
  s.rules = Rule("sparse", R"(  window 3d min_active_days 2
  violation when count() >= 1
)");
  Run run(s);
  EvalResult r = run.Eval();
  // Active days: 06-01 1 (skip), 06-02 2, 06-03 2, 06-04 1 (skip), 06-05 0, 06-06 1 (skip).
  CHECK(Briefs(r) == Strings{"sparse account:a1 violation 2025-06-02..2025-06-03 peak 2025-06-02"});
  CHECK(StatsOf(r, "sparse").points == 2);
  CHECK(r.findings.at(0).days == 2);
  CheckMetric(r.findings.at(0).metrics, "count()", 3);  // b1, b2, b3 at the peak

  PointExplanation skipped = run.Explain("sparse", "account:a1", "2025-06-01");
  CHECK(skipped.outcome == Outcome::kNotEvaluated);
  CHECK_FALSE(skipped.reason.empty());
  CHECK(skipped.counted == 2);      // b1, b2
  CHECK(skipped.active_days == 1);  // fewer than 2
}

// ---------------------------------------------------------------------------------------
// Findings

TEST_CASE("eval: findings are maximal runs, review -> violation -> review gives three") {
  Scenario s;
  s.events = {
      Ev("r1", "a1", "2025-06-01T12:00:00Z"),
      Ev("r2", "a1", "2025-06-02T10:00:00Z"), Ev("r3", "a1", "2025-06-02T11:00:00Z"),
      Ev("r4", "a1", "2025-06-02T12:00:00Z"),
      Ev("r5", "a1", "2025-06-03T12:00:00Z"),
      Ev("r6", "a1", "2025-06-05T12:00:00Z"),  // 06-04 has nothing: not evaluated, the run breaks
  };
  s.rules = Rule("runs", R"(  window 1d
  let n = count()
  violation when n >= 3
  review when n >= 1
)");
  Run run(s);
  EvalResult r = run.Eval();
  CHECK(Briefs(r) == Strings{"runs account:a1 review 2025-06-01..2025-06-01 peak 2025-06-01",
                             "runs account:a1 violation 2025-06-02..2025-06-02 peak 2025-06-02",
                             "runs account:a1 review 2025-06-03..2025-06-03 peak 2025-06-03",
                             "runs account:a1 review 2025-06-05..2025-06-05 peak 2025-06-05"});
  REQUIRE(r.findings.size() == 4);
  for (const Finding& f : r.findings) {
    INFO(f.id);
    CHECK(f.id.size() == 18);  // "F-" and 16 hex digits
    CHECK(f.id.rfind("F-", 0) == 0);
    CHECK(f.id.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  }
  // Every run has its own id, the two runs of review after the break too.
  CHECK(r.findings[0].id != r.findings[2].id);
  CHECK(r.findings[2].id != r.findings[3].id);
  CHECK(r.findings[0].id != r.findings[1].id);
  // Stable: the same inputs give the same ids.
  EvalResult again = run.Eval();
  REQUIRE(again.findings.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(again.findings[i].id == r.findings[i].id);
  CHECK(FindingJson(again.findings[1]) == FindingJson(r.findings[1]));
}

TEST_CASE("eval: a finding id is SHA-256 over rule, scope kind, scope value, first day and level") {
  const Finding f = OnlyFinding(Rule("ids", "  window 1d\n  review when count() >= 1\n"), "2025-06-01T12:00:00Z");
  // Fields separated by NUL bytes; the day as written in findings (YYYY-MM-DD), the level by name.
  const std::string preimage = std::string("ids") + '\0' + "account" + '\0' + "a1" + '\0' + "2025-06-01" + '\0' + "review";
  CHECK(f.id == "F-" + Sha256Hex(preimage).substr(0, 16));
}

TEST_CASE("eval: the peak, the metrics there and the explanation tree, why not on a compliant day") {
  Scenario s;
  s.events = {
      Ev("p1", "a1", "2025-06-01T10:00:00Z", R"("input_tokens":150)"),
      Ev("p2", "a1", "2025-06-01T11:00:00Z", R"("input_tokens":1)"),
      Ev("p3", "a1", "2025-06-02T10:00:00Z", R"("input_tokens":5)"),
      Ev("p4", "a1", "2025-06-02T11:00:00Z", R"("input_tokens":5)"),
      Ev("p5", "a1", "2025-06-02T12:00:00Z", R"("input_tokens":5)"),
      Ev("p6", "a1", "2025-06-03T10:00:00Z", R"("input_tokens":1)"),
  };
  s.rules = Rule("peak", R"(  window 2d
  let n = count()
  let big = max(input_tokens)
  violation when n >= 2 and big > 100
)");
  Run run(s);
  EvalResult r = run.Eval();
  // 06-01: n=2, big=150; 06-02: n=5, big=150 (peak, most events); 06-03: n=4, big=5: compliant.
  CHECK(Briefs(r) == Strings{"peak account:a1 violation 2025-06-01..2025-06-02 peak 2025-06-02"});
  const Finding& f = r.findings.at(0);
  CHECK(f.days == 2);
  CheckMetric(f.metrics, "n", 5);
  CheckMetric(f.metrics, "big", 150);
  CHECK(f.accounts == Strings{"a1"});
  CHECK(f.evidence_total == 5);  // p1..p5
  REQUIRE(f.explanation.size() == 1);
  CHECK(f.explanation[0].level == "violation");
  const ExplainNode& root = f.explanation[0].condition;
  CHECK(root.op == "and");
  CHECK(root.value.type == "bool");
  CHECK(root.value.text == "true");
  REQUIRE(root.children.size() == 2);
  CheckComparison(root.children[0], ">=", 5, 2, "true");    // n >= 2 held with n = 5
  CheckComparison(root.children[1], ">", 150, 100, "true");  // big > 100 held with big = 150
  // Timeline from the scope's first active day (06-01; later than the first window's
  // start, 05-31) to the last day: events per bucket.
  REQUIRE(f.timeline.size() == 2);
  CHECK(f.timeline[0].events == 2);
  CHECK(f.timeline[1].events == 3);

  // Why not on 06-03: n >= 2 held (4) but big > 100 did not (5).
  PointExplanation why = run.Explain("peak", "account:a1", "2025-06-03");
  CHECK(why.outcome == Outcome::kCompliant);
  CHECK(why.scope_kind == "account");
  CHECK(why.scope_value == "a1");
  CHECK(why.counted == 4);  // p3..p6
  CheckMetric(why.metrics, "n", 4);
  CheckMetric(why.metrics, "big", 5);
  REQUIRE(why.levels.size() == 1);
  const ExplainNode& no = why.levels[0].condition;
  CHECK(no.value.known);
  CHECK(no.value.text == "false");
  REQUIRE(no.children.size() == 2);
  CheckComparison(no.children[0], ">=", 4, 2, "true");
  CheckComparison(no.children[1], ">", 5, 100, "false");
  CHECK_FALSE(PointExplanationText(why).empty());
  CHECK(PointExplanationJson(why).find("compliant") != std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Terms of service: versions and acceptances

TEST_CASE("eval: acceptance before, after or never, clauses added and removed by versions") {
  Scenario s;
  s.accounts = {Acct("acct-early"), Acct("acct-late"), Acct("acct-never"), Acct("acct-new"), Acct("acct-old")};
  s.acceptances = {
      Accept("acct-old", "2024-01", "2024-02-01T00:00:00Z"),            // line 1
      Accept("acct-new", "2024-01", "2024-02-01T00:00:00Z"),            // line 2
      Accept("acct-new", "2025-06", "2025-06-05T00:00:00Z", "signed"),  // line 3
      Accept("acct-early", "2025-06", "2025-05-20T00:00:00Z"),          // line 4: before it is in force
      Accept("acct-late", "2024-01", "2025-06-10T12:00:00Z"),           // line 5
      Accept("acct-never", "2023-01", "2024-01-01T00:00:00Z"),          // line 6: undeclared version, ignored
  };
  s.events = {
      Ev("old1", "acct-old", "2025-06-10T12:00:00Z"),      // bound by 2024-01 (never accepted 2025-06)
      Ev("new1", "acct-new", "2025-06-03T12:00:00Z"),      // bound by 2024-01
      Ev("new2", "acct-new", "2025-06-10T12:00:00Z"),      // bound by 2025-06
      Ev("early1", "acct-early", "2025-05-25T12:00:00Z"),  // 2025-06 not in force yet: no binding version
      Ev("early2", "acct-early", "2025-06-10T12:00:00Z"),  // bound by 2025-06
      Ev("late1", "acct-late", "2025-06-10T11:00:00Z"),    // before the acceptance: no binding version
      Ev("late2", "acct-late", "2025-06-10T12:00:00Z"),    // accepted_at == ts: bound by 2024-01
      Ev("never1", "acct-never", "2025-06-10T12:00:00Z"),  // nothing accepted
  };
  const std::string body = "  window 1d\n  require accepted(acme)\n  violation when count() >= 1\n";
  s.rules = std::string(kAcme) +
            Rule("all_versions", "  clause acme \"1.1\" since \"2024-01\"\n" + body) +
            Rule("new_only", "  clause acme \"9.9\" since \"2025-06\"\n" + body) +
            Rule("old_only", "  clause acme \"4.4\" since \"2024-01\" until \"2024-01\"\n" + body);
  Run run(s);
  EvalResult r = run.Eval();
  CHECK(Briefs(r) == Strings{
                         "all_versions account:acct-early violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "all_versions account:acct-late violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "all_versions account:acct-new violation 2025-06-03..2025-06-03 peak 2025-06-03",
                         "all_versions account:acct-new violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "all_versions account:acct-old violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "new_only account:acct-early violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "new_only account:acct-new violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "old_only account:acct-late violation 2025-06-10..2025-06-10 peak 2025-06-10",
                         "old_only account:acct-new violation 2025-06-03..2025-06-03 peak 2025-06-03",
                         "old_only account:acct-old violation 2025-06-10..2025-06-10 peak 2025-06-10",
                     });
  CHECK(StatsOf(r, "all_versions").counted == 5);         // old1, new1, new2, early2, late2
  CHECK(StatsOf(r, "all_versions").not_applicable == 3);  // early1, late1, never1
  CHECK(StatsOf(r, "new_only").counted == 2);             // new2, early2
  CHECK(StatsOf(r, "new_only").not_applicable == 6);
  CHECK(StatsOf(r, "old_only").counted == 3);             // old1, new1, late2
  CHECK(StatsOf(r, "old_only").not_applicable == 5);

  const Finding& signed_new = FindingOf(r, "new_only", "acct-new", "2025-06-10");
  REQUIRE(signed_new.acceptances.size() == 1);
  const AcceptanceUse& a = signed_new.acceptances[0];
  CHECK(a.account_id == "acct-new");
  CHECK(a.policy == "acme");
  CHECK(a.version == "2025-06");
  CHECK(a.method == "signed");
  CHECK(a.source == "console");
  CHECK(a.accepted_at == Ts("2025-06-05T00:00:00Z"));
  CHECK(a.ref.line == 3);

  const Finding& before = FindingOf(r, "all_versions", "acct-new", "2025-06-03");
  REQUIRE(before.acceptances.size() == 1);
  CHECK(before.acceptances[0].version == "2024-01");  // 2025-06 accepted only on 06-05
  CHECK(before.acceptances[0].ref.line == 2);

  const Finding& old = FindingOf(r, "old_only", "acct-old", "2025-06-10");
  REQUIRE(old.acceptances.size() == 1);
  CHECK(old.acceptances[0].version == "2024-01");     // still bound by the old terms
  CHECK(old.acceptances[0].ref.line == 1);

  const Finding& late = FindingOf(r, "all_versions", "acct-late", "2025-06-10");
  CHECK(late.evidence_total == 1);                    // late2 only
  REQUIRE(late.acceptances.size() == 1);
  CHECK(late.acceptances[0].accepted_at == Ts("2025-06-10T12:00:00Z"));
}

TEST_CASE("eval: a finding cites every acceptance its peak window's events counted under") {
  Scenario s;
  s.accounts = {Acct("acct-a"), Acct("acct-b")};
  s.acceptances = {
      Accept("acct-b", "2024-01", "2025-05-01T00:00:00Z"),            // line 1
      Accept("acct-a", "2025-06", "2025-06-05T00:00:00Z", "signed"),  // line 2: new terms mid-window
      Accept("acct-a", "2024-01", "2025-05-01T00:00:00Z"),            // line 3
      Accept("acct-b", "2025-06", "2025-06-09T00:00:00Z"),            // line 4: after b's last event
  };
  // One org for both accounts, so one finding holds all three events.
  const std::string org = R"("org_id":"org-1")";
  s.events = {
      Ev("a1", "acct-a", "2025-06-03T12:00:00Z", org),  // bound by 2024-01 (line 3)
      Ev("a2", "acct-a", "2025-06-07T12:00:00Z", org),  // bound by 2025-06 (line 2)
      Ev("b1", "acct-b", "2025-06-04T12:00:00Z", org),  // bound by 2024-01 (line 1)
  };
  s.rules = std::string(kAcme) +
            Rule("shared", "  clause acme \"1.1\" since \"2024-01\"\n  scope org\n"
                           "  window 7d\n  require accepted(acme)\n  violation when count() >= 3\n");
  Run run(s);
  EvalResult r = run.Eval();
  REQUIRE(r.findings.size() == 1);
  const Finding& f = r.findings[0];
  CHECK(f.peak_day == Day("2025-06-07"));
  REQUIRE(f.acceptances.size() == 3);
  // By account, then time: a under the old terms and the new, b under the old only (its
  // new acceptance came after its last event, though before the peak day ended).
  CHECK(f.acceptances[0].account_id == "acct-a");
  CHECK(f.acceptances[0].version == "2024-01");
  CHECK(f.acceptances[0].ref.line == 3);
  CHECK(f.acceptances[1].account_id == "acct-a");
  CHECK(f.acceptances[1].version == "2025-06");
  CHECK(f.acceptances[1].method == "signed");
  CHECK(f.acceptances[1].ref.line == 2);
  CHECK(f.acceptances[2].account_id == "acct-b");
  CHECK(f.acceptances[2].version == "2024-01");
  CHECK(f.acceptances[2].ref.line == 1);
}

// ---------------------------------------------------------------------------------------
// Filters and waivers

TEST_CASE("eval: unless exempts only when true, where drops false and unknown") {
  Scenario s;
  s.accounts = {Acct("a-ent", R"("tier":"enterprise")"), Acct("a-pro", R"("tier":"pro")"), Acct("a-notier")};
  s.events = {
      Ev("u1", "a-ent", "2025-06-10T10:00:00Z", R"("input_tokens":200)"),  // exempt
      Ev("u2", "a-ent", "2025-06-10T11:00:00Z", R"("input_tokens":50)"),   // exempt (checked before where)
      Ev("u3", "a-pro", "2025-06-10T10:00:00Z", R"("input_tokens":200)"),  // counts
      Ev("u4", "a-pro", "2025-06-10T11:00:00Z", R"("input_tokens":50)"),   // where false
      Ev("u5", "a-pro", "2025-06-10T12:00:00Z"),                           // where unknown: dropped
      Ev("u6", "a-notier", "2025-06-10T10:00:00Z", R"("input_tokens":200)"),  // tier unknown: not exempt
      Ev("u7", "a-ghost", "2025-06-10T10:00:00Z", R"("input_tokens":200)"),   // no record: not exempt
  };
  s.rules = Rule("gate", R"(  window 1d
  unless account.tier == "enterprise"
  where input_tokens > 100
  violation when count() >= 1
)");
  Run run(s);
  EvalResult r = run.Eval();
  CHECK(Briefs(r) == Strings{"gate account:a-ghost violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "gate account:a-notier violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "gate account:a-pro violation 2025-06-10..2025-06-10 peak 2025-06-10"});
  const auto& st = StatsOf(r, "gate");
  CHECK(st.counted == 3);    // u3, u6, u7
  CHECK(st.exempted == 2);   // u1, u2
  CHECK(st.filtered == 2);   // u4, u5
  CHECK(st.no_scope == 0);
  CHECK(st.not_applicable == 0);
  CHECK(st.scopes == 3);
  const Finding& pro = FindingOf(r, "gate", "a-pro", "2025-06-10");
  CHECK(pro.evidence_total == 1);
  CHECK(EvidenceIds(pro) == Strings{"u3"});
}

TEST_CASE("eval: waivers exempt only the events from their start until their end, per rule and scope kind") {
  Scenario s;
  s.accounts = {Acct("a1", R"("org_id":"o1")"), Acct("a3", R"("org_id":"o1")"),
                Acct("a5", R"("payment_fingerprint":"fp-w")"), Acct("a6", R"("payment_fingerprint":"fp-w")"),
                Acct("a7")};
  s.events = {
      Ev("w1", "a1", "2025-06-01T12:00:00Z"),  // before W-1
      Ev("w2", "a1", "2025-06-02T00:00:00Z"),  // exactly W-1's from: waived (bucket 06-01)
      Ev("w3", "a1", "2025-06-03T12:00:00Z"),  // waived by W-1
      Ev("w4", "a1", "2025-06-04T00:00:00Z"),  // exactly W-1's until: not waived (bucket 06-03)
      Ev("w5", "a1", "2025-06-05T12:00:00Z"),
      Ev("k1", "a3", "2025-06-02T12:00:00Z", R"("api_key_id":"k3")"),  // W-3, for w_two only
      Ev("k2", "a3", "2025-06-02T13:00:00Z", R"("api_key_id":"k4")"),
      Ev("c1", "a6", "2025-06-02T12:00:00Z"),  // cluster of a5 (shared payment fingerprint): W-4
      Ev("c2", "a7", "2025-06-02T12:00:00Z"),
      Ev("o1", "a8", "2025-06-02T12:00:00Z", R"("org_id":"o2")"),  // org o2: W-2
  };
  const std::string body = "  window 3d\n  violation when count() >= 1\n";
  s.rules = Rule("w_one", body) + Rule("w_two", body);
  Run run(s);
  EvalOptions opts;
  opts.waivers = {
      MakeWaiver("W-1", "w_one", WaiverScope::kAccount, "a1", "2025-06-02T00:00:00Z", "2025-06-04T00:00:00Z"),
      MakeWaiver("W-2", "*", WaiverScope::kOrg, "o2", "2025-06-01T00:00:00Z"),
      MakeWaiver("W-3", "w_two", WaiverScope::kApiKey, "k3", "2025-06-01T00:00:00Z", "2025-07-01T00:00:00Z"),
      MakeWaiver("W-4", "*", WaiverScope::kCluster, "a5", "2025-06-01T00:00:00Z"),
  };
  EvalResult r = run.Eval(opts);
  // w_one a1 counts w1 (06-01), w4 (06-03), w5 (06-05): 3d windows 1,1,2,1,2 -> peak 06-03.
  // w_two a1 counts all five: buckets 06-01:2, 06-03:2, 06-05:1 -> windows 2,2,4,2,3 -> peak 06-03.
  CHECK(Briefs(r) == Strings{"w_one account:a1 violation 2025-06-01..2025-06-05 peak 2025-06-03",
                             "w_one account:a3 violation 2025-06-02..2025-06-04 peak 2025-06-02",
                             "w_one account:a7 violation 2025-06-02..2025-06-04 peak 2025-06-02",
                             "w_two account:a1 violation 2025-06-01..2025-06-05 peak 2025-06-03",
                             "w_two account:a3 violation 2025-06-02..2025-06-04 peak 2025-06-02",
                             "w_two account:a7 violation 2025-06-02..2025-06-04 peak 2025-06-02"});
  CHECK(StatsOf(r, "w_one").waived == 4);  // w2, w3, c1, o1
  CHECK(StatsOf(r, "w_two").waived == 3);  // k1, c1, o1

  const Finding& one = FindingOf(r, "w_one", "a1", "2025-06-01");
  CHECK(one.evidence_total == 2);                      // peak 06-03 window 06-01..06-03: w1, w4
  CHECK(EvidenceIds(one) == Strings{"w1", "w4"});
  REQUIRE(one.waivers.size() == 1);
  CHECK(one.waivers[0].id == "W-1");
  CHECK(one.waivers[0].rule == "w_one");
  CHECK(one.waivers[0].scope == "account:a1");
  CHECK(one.waivers[0].approver == "J. Doe (Legal)");
  CHECK(one.waivers[0].from == Ts("2025-06-02T00:00:00Z"));
  CHECK(one.waivers[0].until == Ts("2025-06-04T00:00:00Z"));

  const Finding& two = FindingOf(r, "w_two", "a1", "2025-06-01");
  CHECK(two.evidence_total == 4);                      // w1..w4
  CHECK(two.waivers.empty());                          // W-1 names w_one only

  CHECK(FindingOf(r, "w_one", "a3", "2025-06-02").waivers.empty());
  const Finding& key = FindingOf(r, "w_two", "a3", "2025-06-02");
  CHECK(key.evidence_total == 1);                      // k2
  CHECK(WaiverIds(key) == Strings{"W-3"});
}

TEST_CASE("eval: among thousands of waivers each event finds its own, every one that covers it") {
  Scenario s;
  s.accounts = {Acct("a1"), Acct("a2"), Acct("a3")};
  s.events = {Ev("e1", "a1", "2025-06-02T12:00:00Z"), Ev("e2", "a2", "2025-06-02T12:00:00Z"),
              Ev("e3", "a2", "2025-06-05T12:00:00Z"), Ev("e4", "a3", "2025-06-02T12:00:00Z"),
              Ev("e5", "a2", "2025-06-06T12:00:00Z")};
  s.rules = Rule("w_many", "  window 7d\n  violation when count() >= 1\n");
  Run run(s);
  EvalOptions opts;
  // 5,000 waivers of accounts without events, of every kind, around the ones that count.
  for (int i = 0; i < 5000; ++i) {
    const std::string n = std::to_string(i);
    const WaiverScope kinds[] = {WaiverScope::kAccount, WaiverScope::kOrg, WaiverScope::kApiKey,
                                 WaiverScope::kCluster};
    opts.waivers.push_back(MakeWaiver("X-" + n, "*", kinds[i % 4], "nobody-" + n, "2025-06-01T00:00:00Z"));
    if (i == 2500) {
      // a2 has two waivers: each covers one of its events, and both are cited on the
      // finding its third event makes.
      opts.waivers.push_back(MakeWaiver("W-b", "w_many", WaiverScope::kAccount, "a2",
                                        "2025-06-04T00:00:00Z", "2025-06-06T00:00:00Z"));
      opts.waivers.push_back(MakeWaiver("W-a", "*", WaiverScope::kAccount, "a2",
                                        "2025-06-01T00:00:00Z", "2025-06-03T00:00:00Z"));
      opts.waivers.push_back(MakeWaiver("W-c", "*", WaiverScope::kAccount, "a1",
                                        "2025-07-01T00:00:00Z"));  // after a1's event
    }
  }
  EvalResult r = run.Eval(opts);
  CHECK(StatsOf(r, "w_many").waived == 2);  // e2, e3
  CHECK(FindingOf(r, "w_many", "a1", "2025-06-02").waivers.empty());
  CHECK(FindingOf(r, "w_many", "a3", "2025-06-02").waivers.empty());
  const Finding& a2 = FindingOf(r, "w_many", "a2", "2025-06-06");
  CHECK(a2.evidence_total == 1);  // e5
  CHECK(WaiverIds(a2) == Strings{"W-a", "W-b"});
}

TEST_CASE("eval: an org waiver covers events whose org comes from the account record") {
  Scenario s;
  s.accounts = {Acct("a9", R"("org_id":"o2")")};
  s.events = {Ev("o1", "a9", "2025-06-02T12:00:00Z"), Ev("o2", "a9", "2025-05-31T12:00:00Z")};
  s.rules = Rule("w_org", "  window 1d\n  violation when count() >= 1\n");
  Run run(s);
  EvalOptions opts;
  opts.waivers = {MakeWaiver("W-2", "*", WaiverScope::kOrg, "o2", "2025-06-01T00:00:00Z")};
  EvalResult r = run.Eval(opts);
  // The event's org is its account's (o2); o1 is waived, o2 (before from) is not.
  CHECK(Briefs(r) == Strings{"w_org account:a9 violation 2025-05-31..2025-05-31 peak 2025-05-31"});
  CHECK(StatsOf(r, "w_org").waived == 1);
}

// ---------------------------------------------------------------------------------------
// Clusters and scopes

TEST_CASE("eval: clusters of linked accounts, common values link nobody") {
  Scenario s;
  s.accounts = {Acct("acct-a"), Acct("acct-b", R"("payment_fingerprint":"fp-1")"),
                Acct("acct-c", R"("payment_fingerprint":"fp-1")"), Acct("acct-d"), Acct("acct-e")};
  char name[16];
  for (int i = 0; i < 51; ++i) {  // 51 accounts share fp-many: more than 50, a common value
    std::snprintf(name, sizeof name, "acct-x%02d", i);
    s.accounts.push_back(Acct(name, R"("payment_fingerprint":"fp-many")"));
  }
  for (int i = 0; i < 50; ++i) {  // exactly 50 share fp-fifty: they link
    std::snprintf(name, sizeof name, "acct-y%02d", i);
    s.accounts.push_back(Acct(name, R"("payment_fingerprint":"fp-fifty")"));
  }
  s.events = {
      Ev("ca1", "acct-a", "2025-06-10T10:00:00Z", R"("device_id":"dev-9")"),  // links acct-a to acct-c
      Ev("cc1", "acct-c", "2025-06-10T11:00:00Z", R"("device_id":"dev-9")"),
      Ev("cc2", "acct-c", "2025-06-10T12:00:00Z"),
      Ev("cd1", "acct-d", "2025-06-10T10:00:00Z", R"("device_id":"dev-7")"),
      Ev("cg1", "acct-ghost", "2025-06-10T11:00:00Z", R"("device_id":"dev-7")"),  // no account record
      Ev("ce1", "acct-e", "2025-06-10T10:00:00Z"),
      Ev("cx1", "acct-x00", "2025-06-10T10:00:00Z"),
      Ev("cx2", "acct-x01", "2025-06-10T10:00:00Z"),
      Ev("cy1", "acct-y07", "2025-06-10T10:00:00Z"),
  };
  s.rules = Rule("linked", R"(  scope cluster
  window 1d
  let n = count()
  let people = distinct(account_id)
  violation when n >= 1
)");
  Run run(s);
  EvalResult r = run.Eval();
  // Clusters named by their smallest account id.
  CHECK(Briefs(r) == Strings{"linked cluster:acct-a violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "linked cluster:acct-d violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "linked cluster:acct-e violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "linked cluster:acct-x00 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "linked cluster:acct-x01 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "linked cluster:acct-y00 violation 2025-06-10..2025-06-10 peak 2025-06-10"});
  CHECK(r.stats.events == 9);
  CHECK(r.stats.accounts == 107);     // 5 + 51 + 50 records, and acct-ghost from events
  CHECK(r.stats.clusters == 3);       // {a,b,c}, {d,ghost}, {y00..y49}
  CHECK(r.stats.common_values == 1);  // fp-many

  const Finding& abc = FindingOf(r, "linked", "acct-a", "2025-06-10");
  CheckMetric(abc.metrics, "n", 3);       // ca1, cc1, cc2
  CheckMetric(abc.metrics, "people", 2);  // acct-a, acct-c (acct-b has no events)
  CHECK(abc.accounts == Strings{"acct-a", "acct-c"});
  CHECK(abc.cluster_members == Strings{"acct-a", "acct-b", "acct-c"});
  REQUIRE(abc.links.size() == 2);
  CHECK(abc.links[0].identifier == "account.payment_fingerprint");
  CHECK(abc.links[0].value == "fp-1");
  CHECK(abc.links[0].accounts == Strings{"acct-b", "acct-c"});
  CHECK(abc.links[1].identifier == "event.device_id");
  CHECK(abc.links[1].value == "dev-9");
  CHECK(abc.links[1].accounts == Strings{"acct-a", "acct-c"});

  const Finding& dg = FindingOf(r, "linked", "acct-d", "2025-06-10");
  CHECK(dg.cluster_members == Strings{"acct-d", "acct-ghost"});
  REQUIRE(dg.links.size() == 1);
  CHECK(dg.links[0].identifier == "event.device_id");
  CHECK(dg.links[0].accounts == Strings{"acct-d", "acct-ghost"});

  const Finding& x = FindingOf(r, "linked", "acct-x00", "2025-06-10");
  CHECK(x.cluster_members == Strings{"acct-x00"});  // fp-many links nobody
  CHECK(x.links.empty());

  const Finding& y = FindingOf(r, "linked", "acct-y00", "2025-06-10");
  CHECK(y.cluster_members.size() == 50);
  CHECK(y.accounts == Strings{"acct-y07"});
  REQUIRE(y.links.size() == 1);
  CHECK(y.links[0].value == "fp-fifty");
  CHECK(y.links[0].accounts.size() == 50);

  // Any account names its cluster.
  PointExplanation viaB = run.Explain("linked", "cluster:acct-b", "2025-06-10");
  CHECK(viaB.scope_kind == "cluster");
  CHECK(viaB.scope_value == "acct-a");
  CHECK(viaB.counted == 3);
  CHECK(viaB.outcome == Outcome::kViolation);
  auto wrong = ExplainPoint(run.plan(), run.ingest.data, run.config, {}, "linked", "account:acct-a",
                            Day("2025-06-10"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("eval: org scope takes the event's org, else the account's, api_key scope needs a key") {
  Scenario s;
  s.accounts = {Acct("a1", R"("org_id":"o1")"), Acct("a2", R"("org_id":"o2")")};
  s.events = {
      Ev("s1", "a1", "2025-06-10T10:00:00Z", R"("api_key_id":"k1")"),                  // org o1 (account's)
      Ev("s2", "a1", "2025-06-10T11:00:00Z", R"("org_id":"o9","api_key_id":"k1")"),  // org o9 (event's)
      Ev("s3", "a2", "2025-06-10T12:00:00Z"),                                           // org o2; no key
      Ev("s4", "a3", "2025-06-10T13:00:00Z", R"("api_key_id":"k1")"),                  // no org at all
  };
  const std::string body = "  window 1d\n  let n = count()\n  violation when n >= 1\n";
  s.rules = Rule("by_org", "  scope org\n" + body) + Rule("by_key", "  scope api_key\n" + body);
  Run run(s);
  EvalResult r = run.Eval();
  CHECK(Briefs(r) == Strings{"by_org org:o1 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "by_org org:o2 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "by_org org:o9 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "by_key api_key:k1 violation 2025-06-10..2025-06-10 peak 2025-06-10"});
  CHECK(StatsOf(r, "by_org").counted == 3);
  CHECK(StatsOf(r, "by_org").no_scope == 1);  // s4
  CHECK(StatsOf(r, "by_key").counted == 3);
  CHECK(StatsOf(r, "by_key").no_scope == 1);  // s3
  const Finding& k1 = FindingOf(r, "by_key", "k1", "2025-06-10");
  CheckMetric(k1.metrics, "n", 3);            // s1, s2, s4
  CHECK(k1.accounts == Strings{"a1", "a3"});
  const Finding& o1 = FindingOf(r, "by_org", "o1", "2025-06-10");
  CheckMetric(o1.metrics, "n", 1);            // s1 only: s2 says o9
  CHECK(o1.accounts == Strings{"a1"});
  CHECK(run.Explain("by_org", "org:o9", "2025-06-10").counted == 1);
}

// ---------------------------------------------------------------------------------------
// Signals and three-valued logic

TEST_CASE("eval: signals per event, else the account's latest at or before, none is unknown") {
  Scenario s;
  s.events = {
      Ev("e1", "a1", "2025-06-10T10:00:00Z"), Ev("e2", "a1", "2025-06-10T11:00:00Z"),
      Ev("e3", "a1", "2025-06-10T12:00:00Z"), Ev("e4", "a1", "2025-06-10T13:00:00Z"),
      Ev("e5", "a2", "2025-06-10T10:00:00Z"),
  };
  s.signals = {
      Sig("distill", "event", "e1", "2025-06-10T10:00:05Z", "0.7", "d-1.0"),
      Sig("distill", "event", "e1", "2025-06-10T10:00:09Z", "0.6", "d-1.1"),  // later: wins for e1
      // (Two signals of one detector about one subject at the same ts cannot be stated here:
      // ingest quarantines the second as a duplicate, so the "higher score" tie never arises.)
      Sig("distill", "event", "e2", "2025-06-10T11:00:05Z", "0.3", "d-1.1"),
      Sig("distill", "account", "a1", "2025-06-10T11:30:00Z", "0.8", "d-2.0"),
      Sig("distill", "account", "a1", "2025-06-10T12:00:00Z", "0.85", "d-2.0"),  // at e3's time: e3's
      Sig("distill", "account", "a1", "2025-06-10T12:30:00Z", "0.9", "d-2.0"),   // e4's
      Sig("distill", "account", "a1", "2025-06-10T13:00:00.000001Z", "0.99", "d-3.0"),  // after e4
      Sig("risk", "event", "e3", "2025-06-10T12:00:00Z", "0.1", "r-1"),
      Sig("distill", "account", "a2", "2025-06-10T12:00:00Z", "0.5", "d-2.0"),  // after e5: unused
  };
  s.rules = Rule("sig", R"(  window 1d
  let top = max(signal("distill"))
  violation when top >= 0.5
  evidence {
    show signal("distill")
  }
)") + Rule("kleene", R"(  window 1d
  let top = max(signal("distill"))
  violation when count() >= 5 and top >= 0.5
)");
  Run run(s);
  EvalResult r = run.Eval();
  // a2's only score is unknown: the level hinges on it, so insufficient evidence.
  // kleene: count() >= 5 is false for both accounts, and false and unknown is false.
  CHECK(Briefs(r) == Strings{"sig account:a1 violation 2025-06-10..2025-06-10 peak 2025-06-10",
                             "sig account:a2 insufficient_evidence 2025-06-10..2025-06-10 peak 2025-06-10"});
  const Finding& a1 = FindingOf(r, "sig", "a1", "2025-06-10");
  CheckMetric(a1.metrics, "top", 0.9);  // e4's account score
  REQUIRE(a1.evidence.size() == 4);
  const std::vector<double> scores = {0.6, 0.3, 0.85, 0.9};  // e1, e2 by event; e3, e4 by account
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(a1.evidence[i].event_id);
    REQUIRE(a1.evidence[i].shown.size() == 1);
    CHECK(a1.evidence[i].shown[0].second.known);
    CHECK(a1.evidence[i].shown[0].second.number == scores[i]);
  }
  REQUIRE(a1.detectors.size() == 1);  // risk is not used by the rule
  CHECK(a1.detectors[0].name == "distill");
  CHECK(a1.detectors[0].versions == Strings{"d-1.1", "d-2.0"});  // of the signals used
  CHECK(a1.detectors[0].threshold == 0.9);
  CHECK(a1.detectors[0].false_positive_rate == 0.01);

  const Finding& a2 = FindingOf(r, "sig", "a2", "2025-06-10");
  CHECK(a2.level == Outcome::kInsufficient);
  CheckMetric(a2.metrics, "top", kUnknown);
  REQUIRE(a2.evidence.size() == 1);
  CHECK_FALSE(a2.evidence[0].shown.at(0).second.known);

  PointExplanation k = run.Explain("kleene", "account:a2", "2025-06-10");
  CHECK(k.outcome == Outcome::kCompliant);
  REQUIRE(k.levels.size() == 1);
  CHECK(k.levels[0].condition.value.known);
  CHECK(k.levels[0].condition.value.text == "false");
  REQUIRE(k.levels[0].condition.children.size() == 2);
  CHECK_FALSE(k.levels[0].condition.children[1].value.known);  // top >= 0.5 is unknown
}

// ---------------------------------------------------------------------------------------
// Evidence

TEST_CASE("eval: evidence sample order, ties, unknown keys last, and the cited bytes") {
  Scenario s;
  s.events = {
      Ev("e-d", "a1", "2025-06-10T10:00:00Z", R"("input_tokens":9)"),  // line 1
      Ev("e-a", "a1", "2025-06-10T11:00:00Z", R"("input_tokens":5)"),  // line 2
      Ev("e-b", "a1", "2025-06-10T12:00:00Z", R"("input_tokens":9)"),  // line 3
      Ev("e-c", "a1", "2025-06-10T13:00:00Z"),                          // line 4: no key
      Ev("e-e", "a1", "2025-06-10T14:00:00Z", R"("input_tokens":1)"),  // line 5
      Ev("e-f", "a1", "2025-06-10T15:00:00Z", R"("input_tokens":7)"),  // line 6
      Ev("f-1", "a2", "2025-06-10T10:00:00Z"),                          // line 7: no key
      Ev("f-2", "a2", "2025-06-10T11:00:00Z", R"("input_tokens":3)"),  // line 8
  };
  const std::string line3 = s.events[2];
  s.rules = Rule("ev", R"(  window 1d
  violation when count() >= 1
  evidence {
    sample 3 by input_tokens desc
    show model, input_tokens
  }
)") + Rule("ev_asc", R"(  window 1d
  violation when count() >= 1
  evidence {
    sample 2 by input_tokens asc
  }
)");
  Run run(s);
  EvalResult r = run.Eval();
  const Finding& a1 = FindingOf(r, "ev", "a1", "2025-06-10");
  CHECK(a1.evidence_total == 6);
  CHECK(EvidenceIds(a1) == Strings{"e-b", "e-d", "e-f"});  // 9, 9 (tie by id), 7
  const Finding& a2 = FindingOf(r, "ev", "a2", "2025-06-10");
  CHECK(a2.evidence_total == 2);
  CHECK(EvidenceIds(a2) == Strings{"f-2", "f-1"});         // unknown key last
  CHECK_FALSE(a2.evidence[1].sort_key.known);
  CHECK(EvidenceIds(FindingOf(r, "ev_asc", "a1", "2025-06-10")) == Strings{"e-e", "e-a"});  // 1, 5
  CHECK(EvidenceIds(FindingOf(r, "ev_asc", "a2", "2025-06-10")) == Strings{"f-2", "f-1"});  // unknown last in asc too

  // The cited line: its place in the file and its SHA-256, computed here from the file.
  const std::string file = run.dir.Read("events.jsonl");
  const EvidenceItem& eb = a1.evidence.at(0);
  CHECK(eb.account_id == "a1");
  CHECK(eb.ts == Ts("2025-06-10T12:00:00Z"));
  CHECK(eb.ref.line == 3);
  CHECK(eb.ref.offset == file.find(line3));
  CHECK(eb.ref.length == line3.size());
  CHECK(eb.line_sha256 == Sha256Hex(line3));
  CHECK(eb.line_sha256 == Sha256Hex(file.substr(eb.ref.offset, eb.ref.length)));
  CHECK(eb.file_sha256 == Sha256Hex(file));
  CHECK(eb.file.size() >= 12);
  CHECK(eb.file.compare(eb.file.size() - 12, 12, "events.jsonl") == 0);
  CHECK(eb.sort_key.number == 9);
  REQUIRE(eb.shown.size() == 2);
  CHECK(eb.shown[0].first == "model");
  CHECK(eb.shown[0].second.type == "string");
  CHECK(eb.shown[1].first == "input_tokens");
  CHECK(eb.shown[1].second.number == 9);
}

// ---------------------------------------------------------------------------------------
// Empty inputs and explain errors

TEST_CASE("eval: no events, or no event matching, gives no findings and no error") {
  SECTION("no events at all") {
    Scenario s;
    s.accounts = {Acct("a1")};
    s.rules = Rule("quiet", "  window 7d\n  violation when count() >= 1\n");
    Run run(s);
    EvalResult r = run.Eval();
    CHECK(r.findings.empty());
    CHECK(r.stats.events == 0);
    CHECK(StatsOf(r, "quiet").points == 0);
  }
  SECTION("events that no rule counts") {
    Scenario s;
    s.events = {Ev("n1", "a1", "2025-06-10T10:00:00Z"), Ev("n2", "a1", "2025-06-11T10:00:00Z")};
    s.rules = Rule("picky", "  window 7d\n  where model == \"never\"\n  violation when count() >= 1\n");
    Run run(s);
    EvalResult r = run.Eval();
    CHECK(r.findings.empty());
    CHECK(StatsOf(r, "picky").counted == 0);
    CHECK(StatsOf(r, "picky").filtered == 2);
    CHECK(StatsOf(r, "picky").points == 0);
  }
  SECTION("a pack without rules") {
    Scenario s;
    s.events = {Ev("n1", "a1", "2025-06-10T10:00:00Z")};
    s.rules = kAcme;
    Run run(s);
    EvalResult r = run.Eval();
    CHECK(r.findings.empty());
    CHECK(r.stats.rules.empty());
  }
}

TEST_CASE("eval: ExplainPoint rejects an unknown rule and a scope of the wrong kind, an idle point") {
  Scenario s;
  s.events = {Ev("q1", "a1", "2025-06-10T10:00:00Z", R"("org_id":"o1")")};
  s.rules = Rule("orgs", R"(  scope org
  window 1d
  let n = count()
  let sh = share(model == "m1")
  let sm = sum(input_tokens)
  let mean = avg(input_tokens)
  let lo = min(input_tokens)
  let d = distinct(model)
  let med = p50(input_tokens)
  let per_hour = rate(1h)
  let days = active_days()
  let g = max_gap()
  violation when n >= 1
)");
  Run run(s);
  auto unknown_rule = ExplainPoint(run.plan(), run.ingest.data, run.config, {}, "nope", "org:o1", Day("2025-06-10"));
  REQUIRE_FALSE(unknown_rule.ok());
  CHECK(unknown_rule.status().code() == StatusCode::kInvalidArgument);
  auto wrong_kind = ExplainPoint(run.plan(), run.ingest.data, run.config, {}, "orgs", "account:a1", Day("2025-06-10"));
  REQUIRE_FALSE(wrong_kind.ok());
  CHECK(wrong_kind.status().code() == StatusCode::kInvalidArgument);
  // A scope of the right kind without activity is explained as not evaluated, not an error.
  PointExplanation idle = run.Explain("orgs", "org:o1", "2025-06-20");
  CHECK(idle.outcome == Outcome::kNotEvaluated);
  CHECK(idle.counted == 0);
  // Its aggregates are those of an empty window (the "Empty" column of docs/engine.md).
  const std::pair<const char*, std::optional<double>> empty[] = {
      {"n", 0}, {"sh", kUnknown}, {"sm", 0}, {"mean", kUnknown}, {"lo", kUnknown},
      {"d", 0}, {"med", kUnknown}, {"per_hour", 0}, {"days", 0}, {"g", kUnknown},
  };
  for (const auto& [let, value] : empty) CheckMetric(idle.metrics, let, value);
}

// finding.h: EvalValueOut::text is the canonical text with strings as they are (the
// type says it is a string); JSON output quotes it once.
TEST_CASE("eval: a string value's canonical text is the string itself") {
  const Finding f = OnlyFinding(
      Rule("shown", "  window 1d\n  violation when count() >= 1\n  evidence {\n    show model\n  }\n"),
      "2025-06-10T10:00:00Z");
  REQUIRE(f.evidence.size() == 1);
  REQUIRE(f.evidence[0].shown.size() == 1);
  CHECK(f.evidence[0].shown[0].second.type == "string");
  CHECK(f.evidence[0].shown[0].second.text == "m1");
}

TEST_CASE("eval: matches decided at ingest give the same findings as matches in the engine") {
  Scenario s;
  s.events = {
      Ev("t1", "a1", "2025-06-10T10:00:00Z", R"("text":"Explain step by step","user_agent":"curl/8")"),
      Ev("t2", "a1", "2025-06-10T11:00:00Z", R"("text":"SHOW YOUR REASONING","user_agent":"Mozilla")"),
      Ev("t3", "a1", "2025-06-10T12:00:00Z", R"("text":"hello","user_agent":"curl/7")"),
      Ev("t4", "a1", "2025-06-10T13:00:00Z", R"("user_agent":"curl/7")"),  // no text: unknown
      Ev("t5", "a2", "2025-06-10T10:00:00Z", R"("text":"step by step")"),
      Ev("t6", "a2", "2025-06-11T10:00:00Z", R"("text":"nothing")"),
  };
  // Matches in where, in aggregates' predicates (also under `not`), on a text
  // field and on an interned string field; the second rule repeats both patterns, which
  // share the first rule's columns.
  s.rules = Rule("reasoning", R"(  window 2d
  where not (user_agent matches /^Mozilla/)
  let share_reasoning = share(text matches /step by step|show your reasoning/i)
  let plain = share(not (text matches /step by step|show your reasoning/i))
  violation when share_reasoning >= 0.5
  review when plain >= 0.5
)") + Rule("curl", R"(  window 1d
  where user_agent matches /^Mozilla/ or text matches /step by step|show your reasoning/i
  violation when count() >= 1
)");
  Run run(s);
  const EvalResult full = run.Eval();

  const EventProjection projection = ProjectEvents(run.plan());
  REQUIRE(projection.matches.size() == 2);  // text and user_agent, one pattern each
  CHECK(std::find(projection.slots.begin(), projection.slots.end(), event_slot::kText) ==
        projection.slots.end());  // read only through matches: not kept
  auto projected = Ingest(run.config, IngestOptionsFor(run.config, run.plan()));
  REQUIRE(projected.ok());
  const RecordTable& ev = projected->data.events;
  CHECK(ev.column(event_slot::kText).materialised == false);
  CHECK(projected->data.dict.texts.size() == projected->data.events.rows());  // event ids only
  REQUIRE(ev.slots() == ev.schema().size() + 2);
  auto r = Evaluate(run.plan(), projected->data, run.config, {});
  REQUIRE(r.ok());
  REQUIRE(r->findings.size() == full.findings.size());
  CHECK(!full.findings.empty());
  for (std::size_t i = 0; i < full.findings.size(); ++i) {
    CHECK(FindingJson(r->findings[i]) == FindingJson(full.findings[i]));
  }
  for (std::size_t k = 0; k < full.stats.rules.size(); ++k) {
    CHECK(r->stats.rules[k].counted == full.stats.rules[k].counted);
    CHECK(r->stats.rules[k].filtered == full.stats.rules[k].filtered);
  }

  // A field that is also shown whole is still not kept: the evidence reads it back from
  // the cited lines. Its matches are still decided at ingest; a shown expression that
  // does more than load the field keeps it.
  s.rules = Rule("shown", R"(  window 1d
  let reasoning = share(text matches /step by step/)
  violation when reasoning > 0
  evidence {
    show text, user_agent
  }
)");
  Run shown(s);
  const EventProjection p2 = ProjectEvents(shown.plan());
  CHECK(p2.matches.size() == 1);
  CHECK(p2.slots.empty());
  CHECK(p2.shown == std::vector<std::uint32_t>{event_slot::kUserAgent, event_slot::kText});
  auto shown_ingest = Ingest(shown.config, IngestOptionsFor(shown.config, shown.plan()));
  REQUIRE(shown_ingest.ok());
  CHECK(shown_ingest->data.events.column(event_slot::kText).materialised == false);
  CHECK(shown_ingest->data.events.column(event_slot::kUserAgent).materialised == false);
  const EvalResult shown_full = shown.Eval();
  for (const bool hash : {true, false}) {
    EvalOptions o;
    o.hash_evidence_lines = hash;
    auto read_back = Evaluate(shown.plan(), shown_ingest->data, shown.config, o);
    REQUIRE(read_back.ok());
    REQUIRE(read_back->findings.size() == shown_full.findings.size());
    REQUIRE(!shown_full.findings.empty());
    for (std::size_t i = 0; i < shown_full.findings.size(); ++i) {
      const Finding& a = read_back->findings[i];
      const Finding& b = shown_full.findings[i];
      REQUIRE(a.evidence.size() == b.evidence.size());
      for (std::size_t k = 0; k < a.evidence.size(); ++k) {
        CHECK(a.evidence[k].reread.empty());
        REQUIRE(a.evidence[k].shown.size() == 2);
        CHECK(a.evidence[k].shown[0].second.text == b.evidence[k].shown[0].second.text);
        CHECK(a.evidence[k].shown[1].second.text == b.evidence[k].shown[1].second.text);
        CHECK(!a.evidence[k].shown[0].second.text.empty());
      }
      if (hash) CHECK(FindingJson(a) == FindingJson(b));
    }
  }

  s.rules = Rule("computed", R"(  window 1d
  violation when count() > 0
  evidence {
    show text contains "step"
  }
)");
  Run computed(s);
  const EventProjection p3 = ProjectEvents(computed.plan());
  CHECK(p3.shown.empty());
  CHECK(std::find(p3.slots.begin(), p3.slots.end(), event_slot::kText) != p3.slots.end());
}
