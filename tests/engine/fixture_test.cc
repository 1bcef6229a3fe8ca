// Rule fixtures: parsing (records, generators, expectations, errors) and the runner
// (outcomes, differences, counts, coverage).
#include <catch2/catch.hpp>

#include <string>

#include "dsl/loader.h"
#include "engine/fixture/fixture.h"
#include "engine/fixture/runner.h"
#include "engine/ingest/config.h"
#include "tests/support/temp_dir.h"

namespace tosguard::engine {
namespace {

// A configuration with an account attribute and two detectors, linking by device.
IngestConfig TestConfig() {
  Diagnostics diags;
  auto c = ParseIngestConfig(R"(version: 1
accounts:
  attributes:
    plan: string
signals:
  detectors: [distill, risk]
linking: {identifiers: [account.device_id]}
sources:
  - {name: e, kind: event, paths: [none.jsonl]}
)",
                             "tosguard.yaml", &diags);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  return *c;
}

Result<FixtureFile> Parse(const std::string& text, Diagnostics* diags) {
  return ParseFixtureFile(text, "r.test.yaml", "r", "acme", TestConfig(), diags);
}

std::string Messages(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags.items()) out += FormatDiagnostic(d) + "\n";
  return out;
}

const auto& Events(const FixtureCase& c) { return c.lines[static_cast<std::size_t>(RecordKind::kEvent)]; }
const auto& Signals(const FixtureCase& c) { return c.lines[static_cast<std::size_t>(RecordKind::kSignal)]; }

TEST_CASE("fixtures: literal records become canonical JSONL, typed by the schema", "[fixture]") {
  Diagnostics diags;
  auto f = Parse(R"(cases:
  - name: one of each
    accounts:
      - {account_id: a1, created_at: 2025-01-02, contract: [x, y], plan: pro}
    acceptances:
      - {account_id: a1, version: "2024-01", accepted_at: 2025-01-02T10:00:00+02:00}
    events:
      - {event_id: e1, ts: 2025-03-01T08:00:00Z, account_id: a1, model: m, status: success,
         params.logprobs: true, params.logit_bias_size: 300, max_tokens: 1, text: "<b>hi</b>"}
    signals:
      - {detector: risk, detector_version: "1.4", subject_kind: account, subject: a1, ts: 2025-03-01T00:00:00Z, score: 0.25}
    expect: none
)",
                 &diags);
  INFO(Messages(diags));
  REQUIRE(f.ok());
  REQUIRE(f->rule == "r");
  REQUIRE(f->cases.size() == 1);
  const FixtureCase& c = f->cases[0];
  CHECK(c.name == "one of each");
  CHECK(c.line == 2);
  CHECK(c.expected.empty());
  CHECK(c.lines[static_cast<std::size_t>(RecordKind::kAccount)] ==
        std::vector<std::string>{
            R"({"account_id":"a1","created_at":"2025-01-02T00:00:00Z","contract":["x","y"],"plan":"pro"})"});
  // The policy defaults to the rule's; the offset is normalised to UTC.
  CHECK(c.lines[static_cast<std::size_t>(RecordKind::kAcceptance)] ==
        std::vector<std::string>{
            R"({"account_id":"a1","policy":"acme","version":"2024-01","accepted_at":"2025-01-02T08:00:00Z"})"});
  // Dotted fields nest; text is escaped like any JSON string.
  CHECK(Events(c) == std::vector<std::string>{
                         R"({"event_id":"e1","ts":"2025-03-01T08:00:00Z","account_id":"a1","model":"m",)"
                         R"("max_tokens":1,"params":{"logprobs":true,"logit_bias_size":300},"status":"success",)"
                         R"("text":"\u003cb\u003ehi\u003c/b\u003e"})"});
  CHECK(Signals(c) == std::vector<std::string>{R"({"detector":"risk","detector_version":"1.4","subject_kind":"account",)"
                                               R"("subject":"a1","ts":"2025-03-01T00:00:00Z","score":0.25})"});
}

TEST_CASE("fixtures: repeat generates records, stepping time, numbering and cycling values", "[fixture]") {
  Diagnostics diags;
  const std::string text = R"(cases:
  - name: generated
    events:
      - repeat: 4
        ts: 2025-03-01T08:00:00Z
        every: 10m
        account_id: "acct-{i}"
        model: m
        status: {cycle: [success, rate_limited]}
        signals: {distill: {cycle: [0.5, 0.9]}}
        detector_version: "2.1"
      - {repeat: 50, ts: 2025-03-02T00:00:00Z, every: 1h, jitter: 30m, account_id: b, model: m, status: success}
    expect: none
)";
  auto f = Parse(text, &diags);
  INFO(Messages(diags));
  REQUIRE(f.ok());
  const FixtureCase& c = f->cases[0];
  REQUIRE(Events(c).size() == 54);
  CHECK(Events(c)[0] ==
        R"({"event_id":"e1-1","ts":"2025-03-01T08:00:00Z","account_id":"acct-1","model":"m","status":"success"})");
  CHECK(Events(c)[3] ==
        R"({"event_id":"e1-4","ts":"2025-03-01T08:30:00Z","account_id":"acct-4","model":"m","status":"rate_limited"})");
  REQUIRE(Signals(c).size() == 4);
  CHECK(Signals(c)[1] == R"({"detector":"distill","detector_version":"2.1","subject_kind":"event",)"
                         R"("subject":"e1-2","ts":"2025-03-01T08:10:00Z","score":0.9})");
  // Jitter stays within [0, jitter] after each step, and is the same on every parse.
  for (std::size_t i = 0; i < 50; ++i) {
    const std::string& line = Events(c)[4 + i];
    const std::size_t from = line.find("\"ts\":\"") + 6;
    const auto t = ParseRfc3339(line.substr(from, line.find('"', from) - from));
    REQUIRE(t.has_value());
    const TimestampUs step = *ParseRfc3339("2025-03-02T00:00:00Z") + static_cast<TimestampUs>(i) * 3600000000LL;
    CHECK(*t >= step);
    CHECK(*t <= step + 1800000000LL);
  }
  Diagnostics again;
  auto g = Parse(text, &again);
  REQUIRE(g.ok());
  CHECK(g->cases[0].lines == c.lines);
}

TEST_CASE("fixtures: expected findings with metrics, tolerances, unknowns and evidence counts", "[fixture]") {
  Diagnostics diags;
  auto f = Parse(R"(cases:
  - name: expectations
    boundary: inside
    from: 2025-03-01
    to: 2025-03-31
    todo: the review level is not tuned yet
    events:
      - {event_id: e1, ts: 2025-03-01T08:00:00Z, account_id: a1, model: m, status: success}
    waivers:
      - {id: W-1, rule: r, scope: "account:a1", approver: legal, basis: pilot, from: 2025-03-01}
    expect:
      - scope: cluster:a1
        level: violation
        first: 2025-03-02
        last: 2025-03-05
        peak: 2025-03-03
        metrics: {requests: 120, share: {value: 0.5, tolerance: 0.01}, strongest: unknown, model: m}
        evidence: 20
        evidence_total: 120
)",
                 &diags);
  INFO(Messages(diags));
  REQUIRE(f.ok());
  const FixtureCase& c = f->cases[0];
  CHECK(c.boundary == Boundary::kInside);
  CHECK(c.todo == std::optional<std::string>("the review level is not tuned yet"));
  CHECK(c.from_day == DayIndex(*ParseDate("2025-03-01")));
  CHECK(c.waivers.size() == 1);
  REQUIRE(c.expected.size() == 1);
  const ExpectedFinding& e = c.expected[0];
  CHECK(e.scope_kind == "cluster");
  CHECK(e.scope_value == "a1");
  CHECK(e.peak_day == DayIndex(*ParseDate("2025-03-03")));
  REQUIRE(e.metrics.size() == 4);
  CHECK(e.metrics[1].tolerance == 0.01);
  CHECK(e.metrics[2].kind == ExpectedMetric::Kind::kUnknown);
  CHECK(e.metrics[3].kind == ExpectedMetric::Kind::kText);
  CHECK(e.evidence == std::optional<std::uint64_t>(20));
}

TEST_CASE("fixtures: every mistake is reported at its line and column, all at once", "[fixture]") {
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad cases[] = {
      {"cases:\n  - name: a\n    events:\n      - {event_id: e, ts: 2025-03-01T00:00:00Z, acount_id: a, model: m, "
       "status: ok}\n    expect: none\n",
       "r.test.yaml:4:49: error: unknown key 'acount_id' in a record of 'events'; did you mean 'account_id'?"},
      {"cases:\n  - name: a\n    events:\n      - {event_id: e, ts: 2025-03-01T00:00:00Z, account_id: a, model: m, "
       "status: ok, max_tokens: many}\n    expect: none\n",
       "r.test.yaml:4:98: error: 'max_tokens' must be int, not 'many'"},
      {"cases:\n  - name: a\n    events:\n      - {event_id: e, ts: yesterday, account_id: a, model: m, status: ok}\n"
       "    expect: none\n",
       "r.test.yaml:4:27: error: 'ts' must be an RFC 3339 time with an offset"},
      {"cases:\n  - name: a\n    events:\n      - {event_id: e, ts: 2025-03-01T00:00:00Z, model: m, status: ok}\n"
       "    expect: none\n",
       "r.test.yaml:4:9: error: this event lacks the required field 'account_id'"},
      {"cases:\n  - name: a\n    events:\n      - {event_id: e, ts: 2025-03-01T00:00:00Z, account_id: {cycle: [a, b]}, "
       "model: m, status: ok}\n    expect: none\n",
       "needs 'repeat'"},
      {"cases:\n  - name: a\n    events: []\n", "r.test.yaml:2:5: error: a case needs 'expect'"},
      {"cases:\n  - name: a\n    expect:\n      - {scope: account:a, level: alarm, first: 2025-03-01, last: "
       "2025-03-01}\n",
       "r.test.yaml:4:35: error: unknown level 'alarm'"},
      {"cases:\n  - name: a\n    expect:\n      - {scope: account:a, level: review, first: 2025-03-02, last: "
       "2025-03-01}\n",
       "'last' is before 'first'"},
      {"cases:\n  - name: a\n    boundary: inside\n    expect: none\n", "it must expect a finding"},
      {"cases:\n  - name: a\n    expect: none\n  - name: a\n    expect: none\n",
       "r.test.yaml:4:5: error: case name 'a' is used twice (first at line 2)"},
      {"cases:\n  - name: a\n    events:\n      - {repeat: 2000000, ts: 2025-03-01T00:00:00Z, account_id: a, model: m, "
       "status: ok}\n    expect: none\n",
       "must be an integer from 1 to 1000000"},
      {"cases: [\n", "YAML syntax error"},
      {"rule: r\n", "a fixture file needs 'cases'"},
  };
  for (const Bad& b : cases) {
    Diagnostics diags;
    auto f = Parse(b.text, &diags);
    INFO(b.text);
    CHECK_FALSE(f.ok());
    const std::string shown = Messages(diags);
    INFO(shown);
    CHECK(shown.find(b.message) != std::string::npos);
  }
  // All errors of a file at once.
  Diagnostics diags;
  auto f = Parse("cases:\n  - name: a\n    expect: maybe\n  - name: b\n    nonsense: 1\n    expect: none\n", &diags);
  CHECK_FALSE(f.ok());
  CHECK(diags.ErrorCount() == 2);
}

// A pack of one rule, a fixture file, and the runner's report.
struct Pack {
  explicit Pack(const std::string& rule_text) {
    const std::string text = rule_text;
    dsl::ReadFileFn read = [text](const std::string& path) -> Result<std::string> {
      if (path != "r.tos") return Status::NotFound(path);
      return text;
    };
    dsl::CheckEnv env;
    env.accounts = &config.account_schema;
    env.detectors = {"distill", "risk"};
    Diagnostics diags;
    rules = dsl::LoadRulesWith({"r.tos"}, env, read, &diags);
    REQUIRE(rules.has_value());
  }
  TestReport Run(const std::string& fixture, bool require_coverage = false) {
    Diagnostics diags;
    auto f = ParseFixtureFile(fixture, "r.test.yaml", "r", "", config, &diags);
    INFO(Messages(diags));
    REQUIRE(f.ok());
    FixtureRunOptions options;
    options.require_coverage = require_coverage;
    auto report = RunFixtures(rules->plan, config, {*f}, options);
    REQUIRE(report.ok());
    return *report;
  }
  IngestConfig config = TestConfig();
  std::optional<dsl::RuleSet> rules;
};

const char* kRule = R"(rule r {
  severity low
  scope account
  window 2d
  let requests = count()
  let top = max(signal("distill"))
  violation when requests >= 3 and top >= 0.9
  review when requests >= 2
  evidence { sample 2 by ts asc }
}
)";

// Three events of account a on 2025-03-01, with a distill score of 0.95.
const char* kThree = R"(    events:
      - {repeat: 3, ts: 2025-03-01T08:00:00Z, every: 1h, account_id: a, model: m, status: ok, signals: {distill: 0.95}}
)";

TEST_CASE("fixture runner: matching findings pass, differences are listed and counted", "[fixture]") {
  Pack pack(kRule);
  const std::string fixture = std::string(R"(cases:
  - name: fires as expected
    to: 2025-03-03
)") + kThree + R"(    expect:
      - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-02, peak: 2025-03-01,
         metrics: {requests: 3, top: {value: 0.95, tolerance: 0.001}}, evidence: 2, evidence_total: 3}
  - name: wrong days and metrics
    to: 2025-03-03
)" + kThree + R"(    expect:
      - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-02, metrics: {requests: 4, top: unknown, nothing: 1}, evidence: 3}
      - {scope: account:b, level: review, first: 2025-03-01, last: 2025-03-01}
  - name: expects silence
)" + kThree + R"(    expect: none
  - name: a known gap
    todo: not decided yet
)" + kThree + R"(    expect: none
  - name: a gap that is closed
    todo: was failing
)" + kThree + R"(    expect:
      - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-01}
  - name: quiet and expected so
    events:
      - {event_id: x, ts: 2025-03-01T08:00:00Z, account_id: q, model: m, status: ok}
    expect: none
)";
  TestReport r = pack.Run(fixture);
  REQUIRE(r.cases.size() == 6);
  CHECK(r.cases[0].outcome == CaseOutcome::kPass);
  CHECK(r.cases[0].diff.empty());
  CHECK(r.cases[0].true_positives == 1);

  CHECK(r.cases[1].outcome == CaseOutcome::kFail);
  CHECK(r.cases[1].diff == std::vector<std::string>{
                               "~ account:a violation 2025-03-01..2025-03-02: metric requests = 3, expected 4",
                               "~ account:a violation 2025-03-01..2025-03-02: metric top = 0.95, expected unknown",
                               "~ account:a violation 2025-03-01..2025-03-02: no metric nothing (the finding has: "
                               "count(), max(signal(\"distill\")), requests, top)",
                               "~ account:a violation 2025-03-01..2025-03-02: 2 sampled evidence events, expected 3",
                               "- expected account:b review 2025-03-01..2025-03-01",
                           });
  CHECK(r.cases[1].true_positives == 1);
  CHECK(r.cases[1].false_negatives == 1);

  CHECK(r.cases[2].outcome == CaseOutcome::kFail);
  CHECK(r.cases[2].diff ==
        std::vector<std::string>{"+ actual   account:a violation 2025-03-01..2025-03-01 (peak 2025-03-01)"});
  CHECK(r.cases[2].false_positives == 1);
  CHECK(r.cases[3].outcome == CaseOutcome::kTodo);
  CHECK(r.cases[4].outcome == CaseOutcome::kTodoPass);
  CHECK(r.cases[5].outcome == CaseOutcome::kPass);
  CHECK(r.cases[5].true_negatives == 1);
  CHECK_FALSE(r.ok());

  REQUIRE(r.rules.size() == 1);
  const RuleSummary& s = r.rules[0];
  CHECK(s.cases == 6);
  CHECK(s.passed == 2);
  CHECK(s.failed == 2);
  CHECK(s.todo == 2);
  CHECK(s.true_positives == 3);  // cases 0, 1 and the closed gap
  CHECK(s.false_positives == 2);  // cases 2 and the open gap
  CHECK(s.false_negatives == 1);
  CHECK(s.true_negatives == 1);

  const std::string text = TestReportText(r);
  CHECK(text.find("  FAIL  wrong days and metrics  (r.test.yaml:9)\n") != std::string::npos);
  CHECK(text.find("todo (now passes)") != std::string::npos);
  CHECK(text.find("6 cases: 2 passed, 2 failed, 2 todo") != std::string::npos);
  const std::string json = TestReportJson(r);
  CHECK(json.rfind(R"({"version":1,"ok":false,"cases":[{"file":"r.test.yaml","line":2,"rule":"r",)", 0) == 0);
  CHECK(json.find(R"("outcome":"todo_pass")") != std::string::npos);
}

TEST_CASE("fixture runner: a case's waivers exempt its scope for their period", "[fixture]") {
  Pack pack(kRule);
  TestReport r = pack.Run(std::string(R"(cases:
  - name: waived for the whole day
    waivers:
      - {id: W-1, rule: r, scope: "account:a", approver: legal, basis: pilot contract, from: 2025-03-01}
)") + kThree + R"(    expect: none
  - name: the waiver ends before the second request
    waivers:
      - {id: W-2, rule: r, scope: "account:a", approver: legal, basis: pilot contract, from: 2025-03-01,
         until: 2025-03-01T08:30:00Z}
)" + kThree + R"(    expect:
      - {scope: account:a, level: review, first: 2025-03-01, last: 2025-03-01, metrics: {requests: 2}}
)");
  REQUIRE(r.cases.size() == 2);
  for (const CaseResult& c : r.cases) {
    INFO(c.name);
    for (const std::string& d : c.diff) UNSCOPED_INFO(d);
    CHECK(c.outcome == CaseOutcome::kPass);
  }
}

TEST_CASE("fixture runner: bad data lines and unknown rules are errors, not silent passes", "[fixture]") {
  Pack pack(kRule);
  TestReport r = pack.Run(R"(cases:
  - name: one event id twice
    events:
      - {event_id: e1, ts: 2025-03-01T08:00:00Z, account_id: a, model: m, status: ok}
      - {event_id: e1, ts: 2025-03-01T09:00:00Z, account_id: a, model: m, status: ok}
    expect: none
)");
  REQUIRE(r.cases.size() == 1);
  CHECK(r.cases[0].outcome == CaseOutcome::kError);
  REQUIRE_FALSE(r.cases[0].diff.empty());
  CHECK(r.cases[0].diff[0].rfind("error: r.test.yaml:2: a data line was quarantined: ", 0) == 0);
  CHECK_FALSE(r.ok());

  Diagnostics diags;
  auto f = ParseFixtureFile("rule: other\ncases:\n  - {name: x, expect: none}\n", "o.test.yaml", "", "", pack.config,
                            &diags);
  REQUIRE(f.ok());
  auto report = RunFixtures(pack.rules->plan, pack.config, {*f}, FixtureRunOptions{});
  REQUIRE(report.ok());
  CHECK(report->cases[0].outcome == CaseOutcome::kError);
  CHECK(report->cases[0].diff == std::vector<std::string>{"error: no rule other among the rules given"});
}

TEST_CASE("fixture runner: the coverage policy names each missing kind of case", "[fixture]") {
  Pack pack(kRule);
  const std::string fires = std::string("  - name: fires\n    to: 2025-03-03\n") + kThree +
                            "    expect:\n      - {scope: account:a, level: violation, first: 2025-03-01, last: "
                            "2025-03-02}\n";
  TestReport partial = pack.Run("cases:\n" + fires, /*require_coverage=*/true);
  CHECK(partial.cases[0].outcome == CaseOutcome::kPass);
  REQUIRE(partial.coverage.size() == 3);
  CHECK(partial.coverage[0].problem == "has no case where it must not fire");
  CHECK(partial.coverage[1].problem ==
        "has no 'boundary: inside' case (firing just inside its 2d window)");
  CHECK(partial.coverage[2].problem ==
        "has no 'boundary: outside' case (quiet just outside its 2d window)");
  CHECK_FALSE(partial.ok());

  // Events one day apart share the 2-day window; two days apart they do not.
  const std::string full = "cases:\n" + fires + R"(  - name: inside
    boundary: inside
    to: 2025-03-02
    events:
      - {repeat: 2, ts: 2025-03-01T08:00:00Z, every: 1h, account_id: a, model: m, status: ok, signals: {distill: 0.95}}
      - {event_id: late, ts: 2025-03-02T23:00:00Z, account_id: a, model: m, status: ok}
    expect:
      - {scope: account:a, level: review, first: 2025-03-01, last: 2025-03-01}
      - {scope: account:a, level: violation, first: 2025-03-02, last: 2025-03-02}
  - name: outside
    boundary: outside
    to: 2025-03-03
    events:
      - {repeat: 2, ts: 2025-03-01T08:00:00Z, every: 1h, account_id: a, model: m, status: ok, signals: {distill: 0.95}}
      - {event_id: late, ts: 2025-03-03T01:00:00Z, account_id: a, model: m, status: ok}
    expect:
      - {scope: account:a, level: review, first: 2025-03-01, last: 2025-03-02}
)";
  TestReport complete = pack.Run(full, true);
  for (const CaseResult& c : complete.cases) {
    INFO(c.name);
    for (const std::string& d : c.diff) UNSCOPED_INFO(d);
    CHECK(c.outcome == CaseOutcome::kPass);
  }
  INFO(TestReportText(complete));
  CHECK(complete.coverage.size() == 1);  // nothing expects silence yet
  // An 'outside' case that expects the top level does not count as one.
  TestReport wrong = pack.Run(R"(cases:
  - name: outside but firing
    boundary: outside
)" + std::string(kThree) + R"(    expect:
      - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-01}
)",
                              true);
  bool named = false;
  for (const CoverageProblem& p : wrong.coverage) {
    named = named || p.problem.rfind("has a 'boundary: outside' case that expects a violation", 0) == 0;
  }
  CHECK(named);
}

TEST_CASE("fixture folders: a case per folder, with JSONL inputs beside case.yaml", "[fixture]") {
  Pack pack(kRule);
  testing::TempDir dir("fixture-folder");
  dir.Write("r.test/b-quiet/case.yaml", "expect: none\n");
  dir.Write("r.test/b-quiet/events.jsonl",
            R"({"event_id":"q1","ts":"2025-03-01T08:00:00Z","account_id":"q","model":"m","status":"ok"})"
            "\n");
  dir.Write("r.test/a-fires/case.yaml", R"(name: three scored requests fire
to: 2025-03-02
expect:
  - {scope: account:a, level: violation, first: 2025-03-01, last: 2025-03-02}
)");
  std::string events, signals;
  for (int i = 1; i <= 3; ++i) {
    const std::string id = "e" + std::to_string(i);
    events += R"({"event_id":")" + id + R"(","ts":"2025-03-01T0)" + std::to_string(i) +
              R"(:00:00Z","account_id":"a","model":"m","status":"ok"})" + "\n";
    signals += R"({"detector":"distill","subject_kind":"event","subject":")" + id + R"(","ts":"2025-03-01T0)" +
               std::to_string(i) + R"(:00:00Z","score":0.95})" + "\n";
  }
  dir.Write("r.test/a-fires/events.jsonl", events);
  dir.Write("r.test/a-fires/signals.jsonl", signals);
  dir.Write("r.test/c-broken/case.yaml", "expect: none\n");
  dir.Write("r.test/c-broken/events.jsonl", "{\"event_id\":\"z\",\n");

  Diagnostics diags;
  auto f = LoadFixtureFolder((dir.path() / "r.test").string(), "r", "", pack.config, &diags);
  INFO(Messages(diags));
  REQUIRE(f.ok());
  REQUIRE(f->cases.size() == 3);
  CHECK(f->cases[0].name == "three scored requests fire");
  CHECK(f->cases[1].name == "b-quiet");
  auto report = RunFixtures(pack.rules->plan, pack.config, {*f}, FixtureRunOptions{});
  REQUIRE(report.ok());
  CHECK(report->cases[0].outcome == CaseOutcome::kPass);
  CHECK(report->cases[1].outcome == CaseOutcome::kPass);
  CHECK(report->cases[2].outcome == CaseOutcome::kError);
  REQUIRE_FALSE(report->cases[2].diff.empty());
  INFO(report->cases[2].diff[0]);
  CHECK(report->cases[2].diff[0].find("c-broken/case.yaml:1: a data line was quarantined") != std::string::npos);
  CHECK(report->cases[2].diff[0].find("malformed") != std::string::npos);

  dir.Write("r.test/d-bad/case.yaml", "name: x\nexpect: [1]\n");
  Diagnostics bad;
  auto g = LoadFixtureFolder((dir.path() / "r.test").string(), "r", "", pack.config, &bad);
  CHECK_FALSE(g.ok());
  CHECK(Messages(bad).find("d-bad/case.yaml:2:10: error: an expected finding must be a map") != std::string::npos);
}

}  // namespace
}  // namespace tosguard::engine
