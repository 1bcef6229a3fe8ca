// Helpers for evaluator tests: a scenario stated as a few JSONL lines and rule text,
// written to a temporary directory, ingested and loaded like a real scan.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "base/time.h"
#include "dsl/loader.h"
#include "engine/eval/evaluate.h"
#include "engine/ingest/ingest.h"
#include "tests/engine/ingest_test_util.h"

namespace tosguard::engine::testing {

// The policy most scenarios cite: the old terms and the new ones.
inline const char* kAcme = R"(policy acme "Acme AI Terms" {
  version "2024-01" effective 2024-01-15
  version "2025-06" effective 2025-06-01
}
)";

// A rule with id `id` and severity low; `body` holds its other items, one per line.
inline std::string Rule(const std::string& id, const std::string& body) {
  return "rule " + id + " {\n  severity low\n" + body + "}\n";
}

inline std::string Members(const std::string& extra) { return extra.empty() ? "" : "," + extra; }

// One canonical event line; `extra` is more JSON members ("\"input_tokens\":5").
// model "m1" and status "ok" are filled in unless `extra` names them.
inline std::string Ev(const std::string& id, const std::string& account, const std::string& ts,
                      const std::string& extra = "") {
  std::string line = R"({"event_id":")" + id + R"(","ts":")" + ts + R"(","account_id":")" + account + "\"";
  if (extra.find("\"model\"") == std::string::npos) line += R"(,"model":"m1")";
  if (extra.find("\"status\"") == std::string::npos) line += R"(,"status":"ok")";
  return line + Members(extra) + "}";
}

inline std::string Acct(const std::string& id, const std::string& extra = "") {
  return R"({"account_id":")" + id + "\"" + Members(extra) + "}";
}

inline std::string Accept(const std::string& account, const std::string& version,
                          const std::string& at, const std::string& method = "clickwrap") {
  return R"({"account_id":")" + account + R"(","policy":"acme","version":")" + version +
         R"(","accepted_at":")" + at + R"(","method":")" + method + R"(","source":"console"})";
}

// A signal of `detector` about an event ("event") or an account ("account").
inline std::string Sig(const std::string& detector, const std::string& kind, const std::string& subject,
                       const std::string& ts, const std::string& score, const std::string& version = "") {
  return R"({"detector":")" + detector + R"(","subject_kind":")" + kind + R"(","subject":")" + subject +
         R"(","ts":")" + ts + R"(","score":)" + score +
         (version.empty() ? "" : R"(,"detector_version":")" + version + "\"") + "}";
}

struct Scenario {
  std::vector<std::string> accounts, acceptances, events, signals;  // JSONL lines
  std::string rules;                                                // one .tos file
  std::uint32_t max_accounts_per_value = 50;
};

inline std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The day index of "YYYY-MM-DD" and the instant of an RFC 3339 text.
inline std::int64_t Day(const std::string& date) { return DayIndex(*ParseDate(date)); }
inline TimestampUs Ts(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

// A scenario written, configured (canonical presets, detectors, linking), ingested and
// its rules loaded. Any failure fails the test.
class Run {
 public:
  explicit Run(const Scenario& s) {
    dir.Write("accounts.jsonl", JoinLines(s.accounts));
    dir.Write("acceptances.jsonl", JoinLines(s.acceptances));
    dir.Write("events.jsonl", JoinLines(s.events));
    dir.Write("signals.jsonl", JoinLines(s.signals));
    config = MustConfig(dir, R"(version: 1
quarantine: q.jsonl
signals:
  detectors:
    - {name: distill, threshold: 0.9, false_positive_rate: 0.01}
    - risk
linking: {identifiers: [account.payment_fingerprint, event.device_id], max_accounts_per_value: )" +
                                 std::to_string(s.max_accounts_per_value) + R"(}
sources:
  - {name: accounts, kind: account, paths: [accounts.jsonl]}
  - {name: acceptances, kind: acceptance, paths: [acceptances.jsonl]}
  - {name: events, kind: event, paths: [events.jsonl]}
  - {name: signals, kind: signal, paths: [signals.jsonl]}
)");
    auto ingested = Ingest(config, {});
    INFO(ingested.status().ToString());
    REQUIRE(ingested.ok());
    ingest = std::move(*ingested);
    INFO(dir.Read("q.jsonl"));
    REQUIRE(ingest.totals.quarantined == 0);  // every scenario line is well-formed

    dsl::CheckEnv env;
    env.accounts = &config.account_schema;
    for (const DetectorConfig& d : config.detectors) env.detectors.push_back(d.name);
    const std::string text = s.rules;
    dsl::ReadFileFn read = [text](const std::string& path) -> Result<std::string> {
      if (path != "main.tos") return Status::NotFound("no such file: " + path);
      return text;
    };
    Diagnostics diags;
    rules = dsl::LoadRulesWith({"main.tos"}, env, read, &diags);
    std::string shown;
    for (const auto& d : diags.items()) shown += FormatDiagnostic(d);
    INFO(shown);
    REQUIRE(rules.has_value());
  }

  const dsl::Plan& plan() const { return rules->plan; }

  EvalResult Eval(const EvalOptions& options = {}) const {
    auto r = Evaluate(plan(), ingest.data, config, options);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return std::move(*r);
  }

  PointExplanation Explain(const std::string& rule, const std::string& scope, const std::string& date,
                           const EvalOptions& options = {}) const {
    auto r = ExplainPoint(plan(), ingest.data, config, options, rule, scope, Day(date));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return std::move(*r);
  }

  TempDir dir;
  IngestConfig config;
  IngestResult ingest;
  std::optional<dsl::RuleSet> rules;
};

// "rule kind:value level first..last peak P": one finding in a line, for whole-list checks.
inline std::string Brief(const Finding& f) {
  return f.rule_id + " " + f.scope_kind + ":" + f.scope_value + " " + OutcomeName(f.level) + " " +
         FormatDate(DayStart(f.first_day)) + ".." + FormatDate(DayStart(f.last_day)) + " peak " +
         FormatDate(DayStart(f.peak_day));
}

inline std::vector<std::string> Briefs(const EvalResult& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) out.push_back(Brief(f));
  return out;
}

// The finding of `rule` for `scope_value` starting on `first` (a date); fails the test if absent.
inline const Finding& FindingOf(const EvalResult& r, const std::string& rule, const std::string& scope_value,
                                const std::string& first) {
  for (const Finding& f : r.findings) {
    if (f.rule_id == rule && f.scope_value == scope_value && f.first_day == Day(first)) return f;
  }
  INFO("no finding of " << rule << " for " << scope_value << " from " << first);
  for (const std::string& b : Briefs(r)) UNSCOPED_INFO(b);
  FAIL("finding missing");
  throw std::logic_error("unreachable");
}

// A metric (let or aggregate) by name; fails the test if absent.
inline const EvalValueOut& MetricOf(const std::vector<Metric>& metrics, const std::string& name) {
  for (const Metric& m : metrics) {
    if (m.name == name) return m.value;
  }
  std::string names;
  for (const Metric& m : metrics) names += m.name + "; ";
  INFO("no metric " << name << " among: " << names);
  FAIL("metric missing");
  throw std::logic_error("unreachable");
}

// An expected metric: a known number, or kUnknown.
inline constexpr std::nullopt_t kUnknown = std::nullopt;
inline void CheckMetric(const std::vector<Metric>& metrics, const std::string& name,
                        std::optional<double> expected) {
  const EvalValueOut& v = MetricOf(metrics, name);
  INFO(name << " = " << v.text);
  CHECK(v.known == expected.has_value());
  if (expected && v.known) CHECK(v.number == *expected);
}

inline const EvalStats::PerRule& StatsOf(const EvalResult& r, const std::string& rule) {
  for (const auto& s : r.stats.rules) {
    if (s.rule_id == rule) return s;
  }
  FAIL("no stats for rule " << rule);
  throw std::logic_error("unreachable");
}

inline std::string Sha256Hex(const std::string& bytes) { return ToHex(Sha256::Of(bytes)); }

}  // namespace tosguard::engine::testing
