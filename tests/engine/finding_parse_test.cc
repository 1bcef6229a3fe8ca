// ParseFindingJson: exact round trips of FindingJson, strict errors with JSON paths, and
// survival of mutated input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "engine/eval/evaluate.h"
#include "engine/eval/finding.h"
#include "tests/engine/eval_test_util.h"

using namespace tosguard;
using namespace tosguard::engine;
using namespace tosguard::engine::testing;

namespace {

const char* kHostile =
    "q\"uote \\back\\slash\n\t\r\b\f\x01\x1f\x7f </script> <!-- & \xC3\xA9t\xC3\xA9 "
    "\xE2\x80\xA8\xE2\x80\xA9 \xF0\x9F\x94\xA5 \xEF\xBF\xBD";

EvalValueOut Val(std::string type, bool known, std::string text, double number = 0) {
  EvalValueOut v;
  v.type = std::move(type);
  v.known = known;
  v.text = std::move(text);
  v.number = number;
  return v;
}

// Every kind of value the evaluator renders, with the number it keeps beside the text.
std::vector<EvalValueOut> AllValues() {
  return {
      Val("number", true, "0.71", 0.71),
      Val("number", true, "0", -0.0),
      Val("number", true, "1e+21", 1e21),
      Val("number", true, "1e-07", 1e-7),
      Val("number", true, "-12345678.875", -12345678.875),
      Val("number", true, "inf", std::numeric_limits<double>::infinity()),
      Val("number", false, "unknown"),
      Val("string", true, kHostile),
      Val("string", true, ""),
      Val("bool", true, "true", 1),
      Val("bool", true, "false", 0),
      Val("duration", true, "30d", 30.0 * 86400e6),
      Val("duration", true, "-2h", -7200e6),
      Val("duration", true, "1.5s", 1.5e6),
      Val("duration", true, "0s", 0),
      Val("duration", true, "1e-06s", 1),
      Val("timestamp", true, "2025-06-01T12:30:00.000001Z", 1748781000000001.0),
      Val("set", true, "[acct-1, acct-2]"),
      Val("unknown", false, "unknown"),
  };
}

ExplainNode Node(std::string text, std::string op, EvalValueOut v,
                 std::vector<ExplainNode> children = {}) {
  ExplainNode n;
  n.text = std::move(text);
  n.op = std::move(op);
  n.value = std::move(v);
  n.children = std::move(children);
  return n;
}

// A finding with every field set, and every list holding more than one kind of item.
Finding Full() {
  Finding f;
  f.id = "F-0123456789abcdef";
  f.rule_id = "distill_\xE2\x80\xA8rule";
  f.scope_kind = "cluster";
  f.scope_value = kHostile;
  f.level = Outcome::kReview;
  f.first_day = Day("2025-05-30");
  f.last_day = Day("2025-06-10");
  f.peak_day = Day("2025-06-02");
  f.days = 12;
  f.window = 30 * kMicrosPerDay;
  std::size_t k = 0;
  for (const EvalValueOut& v : AllValues()) {
    f.metrics.push_back({"m" + std::to_string(k), k % 2 ? "let" : "aggregate", v});
    ++k;
  }
  const ExplainNode cmp = Node("requests >= 50000", ">=", Val("bool", true, "true", 1),
                               {Node("requests", "aggregate", Val("number", true, "60000", 60000)),
                                Node("50000", "const", Val("number", true, "50000", 50000))});
  f.explanation = {
      {"violation", Node("a and not b", "and", Val("bool", false, "unknown"),
                         {cmp, Node("not b", "not", Val("bool", true, "false", 0),
                                    {Node("b", "let", Val("bool", true, "true", 1), {cmp})})})},
      {"review", Node("true", "const", Val("bool", true, "true", 1))},
  };
  f.accounts = {"acct-1", kHostile};
  f.cluster_members = {"acct-1", "acct-2", kHostile};
  f.links = {{"account.payment_fingerprint", "fp-1", {"acct-1", "acct-2"}},
             {"event.device_id", kHostile, {}}};
  AcceptanceUse a{"acct-1",  "acme",           "2025-06",           "clickwrap",
                  "console", 1748736000123456, "acceptances.jsonl", SourceRef{0, 7, 1234, 99}};
  f.acceptances = {a, a};
  f.acceptances[1].file = kHostile;
  f.acceptances[1].ref = SourceRef{0, std::numeric_limits<std::uint64_t>::max(),
                                   std::numeric_limits<std::uint64_t>::max(),
                                   std::numeric_limits<std::uint32_t>::max()};
  f.waivers = {{"W-1", "*", "cluster:acct-1", "J. Doe (Legal)", kHostile,
                Ts("2025-06-01T00:00:00Z"), Ts("2025-07-01T00:00:00.5Z")},
               {"W-2", "distill", "account:acct-2", "", "", kMinTimestamp, std::nullopt}};
  f.detectors = {{"distill", {"d-1.0", "d-2.0"}, 0.9, 0.01},
                 {"risk", {}, std::nullopt, std::nullopt},
                 {kHostile, {kHostile}, -0.0, 1e300}};
  f.evidence_total = std::numeric_limits<std::uint64_t>::max();
  f.sample_method = "top 20 by signal(\"distill\") desc, ties by event_id";
  EvidenceItem e;
  e.event_id = "e-1";
  e.ts = kMaxTimestamp;
  e.account_id = "acct-1";
  e.file = "data/events.jsonl.gz";
  e.file_sha256 = std::string(64, 'a');
  e.ref = SourceRef{0, 3, 4096, 120};
  e.line_sha256 = std::string(64, 'b');
  e.sort_key = Val("number", true, "0.99", 0.99);
  k = 0;
  for (const EvalValueOut& v : AllValues()) e.shown.emplace_back("show " + std::to_string(k++), v);
  f.evidence = {e, e};
  f.evidence[1].event_id = kHostile;
  f.evidence[1].sort_key = Val("number", false, "unknown");
  f.evidence[1].shown.clear();
  k = 0;
  for (Outcome o : {Outcome::kViolation, Outcome::kReview, Outcome::kInsufficient,
                    Outcome::kCompliant, Outcome::kNotEvaluated}) {
    f.timeline.push_back({Day("2025-05-30") + static_cast<std::int64_t>(k), k * 1000, o});
    ++k;
  }
  return f;
}

// Parses FindingJson(f) and checks that the result writes the same bytes.
Finding RoundTrip(const Finding& f) {
  const std::string json = FindingJson(f);
  INFO(json);
  Result<Finding> back = ParseFindingJson(json);
  INFO(back.status().ToString());
  REQUIRE(back.ok());
  CHECK(FindingJson(*back) == json);
  return std::move(*back);
}

// The message of the error parsing `json` gives; fails the test if it parses.
std::string ErrorOf(const std::string& json) {
  Result<Finding> r = ParseFindingJson(json);
  INFO(json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

// `json` with the first `from` replaced by `to`; fails the test if `from` is absent.
std::string Replace(std::string json, const std::string& from, const std::string& to) {
  const std::size_t at = json.find(from);
  INFO("looking for " << from);
  REQUIRE(at != std::string::npos);
  return json.replace(at, from.size(), to);
}

void CheckSameValue(const EvalValueOut& got, const EvalValueOut& want) {
  INFO(want.type << " " << want.text);
  CHECK(got.type == want.type);
  CHECK(got.known == want.known);
  CHECK(got.text == want.text);
  if (std::isnan(want.number)) {
    CHECK(std::isnan(got.number));
  } else {
    CHECK(got.number == want.number);
  }
}

}  // namespace

TEST_CASE("finding_parse: a hand-built finding with every field round trips", "[finding_parse]") {
  const Finding f = Full();
  const Finding back = RoundTrip(f);
  // Also the numbers FindingJson does not write: rebuilt from the text.
  REQUIRE(back.metrics.size() == f.metrics.size());
  for (std::size_t i = 0; i < f.metrics.size(); ++i) {
    CHECK(back.metrics[i].name == f.metrics[i].name);
    CheckSameValue(back.metrics[i].value, f.metrics[i].value);
  }
  REQUIRE(back.evidence.size() == 2);
  REQUIRE(back.evidence[0].shown.size() == f.evidence[0].shown.size());
  for (std::size_t i = 0; i < f.evidence[0].shown.size(); ++i) {
    CheckSameValue(back.evidence[0].shown[i].second, f.evidence[0].shown[i].second);
  }
  CHECK(back.scope_value == kHostile);
  CHECK(back.first_day == f.first_day);
  CHECK(back.peak_day == f.peak_day);
  CHECK(back.window == f.window);
  CHECK(back.acceptances[1].ref == f.acceptances[1].ref);
  CHECK(back.acceptances[0].accepted_at == f.acceptances[0].accepted_at);
  CHECK(back.waivers[0].until == f.waivers[0].until);
  CHECK_FALSE(back.waivers[1].until.has_value());
  CHECK(back.detectors[1].threshold == std::nullopt);
  CHECK(back.detectors[0].false_positive_rate == 0.01);
  CHECK(back.evidence[0].ts == kMaxTimestamp);
  CHECK(back.evidence_total == f.evidence_total);
  CHECK(back.explanation[0].condition.children[1].children[0].children[0].children.size() == 2);
  REQUIRE(back.timeline.size() == 5);
  CHECK(back.timeline[3].outcome == Outcome::kCompliant);
  CHECK(back.timeline[4].events == 4000);
}

TEST_CASE("finding_parse: optional and null variants round trip", "[finding_parse]") {
  Finding f = Full();
  SECTION("every level") {
    for (Outcome o : {Outcome::kViolation, Outcome::kReview, Outcome::kInsufficient,
                      Outcome::kCompliant, Outcome::kNotEvaluated}) {
      f.level = o;
      CHECK(RoundTrip(f).level == o);
    }
  }
  SECTION("not a cluster: no members or links key, whatever the lists hold") {
    for (const char* kind : {"account", "org", "api_key", ""}) {
      f.scope_kind = kind;
      const Finding back = RoundTrip(f);
      CHECK(back.cluster_members.empty());
      CHECK(back.links.empty());
      CHECK(FindingJson(f).find("cluster_members") == std::string::npos);
    }
  }
  SECTION("a cluster with no links") {
    f.links.clear();
    f.cluster_members = {"acct-1"};
    RoundTrip(f);
  }
  SECTION("empty lists and strings everywhere") {
    Finding empty;
    RoundTrip(empty);
    empty.scope_kind = "cluster";
    RoundTrip(empty);
  }
  SECTION("durations of every unit, and not whole seconds") {
    for (DurationUs d : {DurationUs{1}, DurationUs{1500}, kMicrosPerSecond, 90 * kMicrosPerSecond,
                         3 * 3600 * kMicrosPerSecond, kMicrosPerDay, 14 * kMicrosPerDay,
                         -kMicrosPerDay, DurationUs{0}, std::numeric_limits<DurationUs>::max()}) {
      f.window = d;
      CHECK(RoundTrip(f).window == d);
    }
  }
  SECTION("non-finite numbers are null, and stay null") {
    f.detectors[0].threshold = std::numeric_limits<double>::quiet_NaN();
    f.detectors[0].false_positive_rate = -std::numeric_limits<double>::infinity();
    f.metrics[0].value = Val("number", true, "nan", std::numeric_limits<double>::quiet_NaN());
    f.metrics[1].value = Val("number", true, "-inf", -std::numeric_limits<double>::infinity());
    const Finding back = RoundTrip(f);
    CHECK(std::isnan(back.metrics[0].value.number));
    CHECK(back.metrics[1].value.number == -std::numeric_limits<double>::infinity());
  }
  SECTION("bytes that are not UTF-8 come back as 0xFF, written as \\ufffd again") {
    f.scope_value = "bad \xC3 byte, \xFF\xFE and a real \xEF\xBF\xBD";
    f.evidence[0].event_id = "\x80";
    const Finding back = RoundTrip(f);
    CHECK(back.scope_value == "bad \xFF byte, \xFF\xFF and a real \xEF\xBF\xBD");
    CHECK(back.evidence[0].event_id == "\xFF");
  }
}

TEST_CASE("finding_parse: every finding of a real scenario round trips", "[finding_parse]") {
  Scenario s;
  s.accounts = {Acct("a1", R"("payment_fingerprint":"fp-1")"),
                Acct("a2", R"("payment_fingerprint":"fp-1")"), Acct("a3")};
  s.acceptances = {Accept("a1", "2025-06", "2025-06-01T00:00:00Z"),
                   Accept("a2", "2024-01", "2024-02-01T00:00:00Z"),
                   Accept("a3", "2025-06", "2025-06-02T00:00:00.25Z", "signed")};
  s.events = {
      Ev("e1", "a1", "2025-06-09T10:00:00Z", R"("input_tokens":9,"device_id":"dev-1")"),
      Ev("e2", "a1", "2025-06-10T11:00:00Z", R"("input_tokens":5)"),
      Ev("e3", "a1", "2025-06-10T12:00:00.5Z", R"("input_tokens":7,"model":"m\"2</script>\u00e9")"),
      Ev("e4", "a2", "2025-06-10T13:00:00Z", R"("device_id":"dev-1")"),
      Ev("e5", "a3", "2025-06-10T10:00:00Z", R"("input_tokens":1)"),
      Ev("e6", "a3", "2025-06-11T10:00:00Z", R"("input_tokens":2)"),
  };
  s.signals = {Sig("distill", "event", "e1", "2025-06-09T10:00:05Z", "0.7", "d-1.0"),
               Sig("distill", "event", "e2", "2025-06-10T11:00:05Z", "0.95", "d-1.1"),
               Sig("distill", "account", "a3", "2025-06-10T09:00:00Z", "0.6", "d-2.0")};
  s.rules = std::string(kAcme) + Rule("usage", R"(  window 2d
  require accepted(acme)
  let top = max(signal("distill"))
  violation when count() >= 3 and top >= 0.9
  review when count() >= 1
  evidence {
    sample 2 by input_tokens desc
    show model, input_tokens, signal("distill")
  }
)") + Rule("linked", R"(  scope cluster
  window 1d
  let n = count()
  violation when n >= 1
)");
  Run run(s);
  EvalOptions opts;
  Waiver w;
  w.id = "W-1";
  w.rule = "*";
  w.kind = WaiverScope::kAccount;
  w.value = "a1";
  w.approver = "J. Doe (Legal)";
  w.basis = "pilot \"beta\"";
  w.from = Ts("2025-06-10T12:00:00Z");
  w.until = Ts("2025-06-10T12:30:00Z");
  Waiver open = w;
  open.id = "W-2";
  open.value = "a3";
  open.until.reset();
  open.from = Ts("2025-06-11T00:00:00Z");
  opts.waivers = {w, open};
  EvalResult r = run.Eval(opts);
  REQUIRE_FALSE(r.findings.empty());
  bool links = false, acceptances = false, waivers = false, detectors = false, shown = false;
  for (const Finding& f : r.findings) {
    INFO(Brief(f));
    const Finding back = RoundTrip(f);
    CHECK(back.id == f.id);
    CHECK(back.first_day == f.first_day);
    links = links || (f.scope_kind == "cluster" && !f.links.empty());
    acceptances = acceptances || !f.acceptances.empty();
    waivers = waivers || !f.waivers.empty();
    detectors = detectors || !f.detectors.empty();
    for (const EvidenceItem& e : f.evidence) shown = shown || !e.shown.empty();
  }
  CHECK(links);
  CHECK(acceptances);
  CHECK(waivers);
  CHECK(detectors);
  CHECK(shown);
}

TEST_CASE("finding_parse: errors name the JSON path of the first problem", "[finding_parse]") {
  const std::string json = FindingJson(Full());
  REQUIRE(ParseFindingJson(json).ok());

  SECTION("unknown keys") {
    CHECK(ErrorOf(Replace(json, "{", R"({"bogus":1,)")) == "bogus: unknown key");
    CHECK(ErrorOf(Replace(json, R"("line":3,)", R"("line":3,"col":1,)")) ==
          "evidence[0].source.col: unknown key");
    CHECK(ErrorOf(Replace(json, R"("children":[)", R"("kids":[],"children":[)")) ==
          "explanation[0].condition.kids: unknown key");
  }
  SECTION("missing and duplicate keys") {
    CHECK(ErrorOf(Replace(json, R"("days":12,)", "")) == "days: missing key");
    CHECK(ErrorOf(Replace(json, R"("offset":4096,)", "")) ==
          "evidence[0].source.offset: missing key");
    CHECK(ErrorOf(Replace(json, R"("days":12,)", R"("days":12,"days":12,)")) ==
          "days: duplicate key");
    CHECK(ErrorOf(Replace(json, R"(,"until":null)", "")) == "waivers[1].until: missing key");
    CHECK(ErrorOf(Replace(json, R"(,"value":0.71})", "}")) ==
          "metrics[0].value.value: missing key");
  }
  SECTION("keys that belong to other shapes") {
    CHECK(ErrorOf(Replace(json, R"("known":true,"text":"true"})",
                          R"("known":true,"text":"true","value":1})")) ==
          "metrics[9].value.value: unexpected key: only known numbers have one");
    CHECK(ErrorOf(Replace(json, R"("scope":{"kind":"cluster")", R"("scope":{"kind":"account")"))
              .rfind("cluster_members: unexpected key", 0) == 0);
    std::string no_links = json;
    const std::size_t at = no_links.find(R"(,"links":)");
    const std::size_t end = no_links.find(R"(,"acceptances":)");
    REQUIRE(at != std::string::npos);
    CHECK(ErrorOf(no_links.erase(at, end - at)) == "links: missing key");
  }
  SECTION("wrong types") {
    CHECK(ErrorOf(Replace(json, R"("offset":4096)", R"("offset":"4096")")) ==
          "evidence[0].source.offset: expected an unsigned integer");
    CHECK(ErrorOf(Replace(json, R"("offset":4096)", R"("offset":-1)")) ==
          "evidence[0].source.offset: expected an unsigned integer");
    CHECK(ErrorOf(Replace(json, R"("offset":4096)", R"("offset":1.5)")) ==
          "evidence[0].source.offset: expected an unsigned integer");
    CHECK(ErrorOf(Replace(json, R"("offset":4096)", R"("offset":18446744073709551616)")) ==
          "evidence[0].source.offset: expected an unsigned integer");
    CHECK(ErrorOf(Replace(json, R"("days":12)", R"("days":4294967296)")) ==
          "days: expected an unsigned integer at most 4294967295");
    CHECK(ErrorOf(Replace(json, R"("id":"F-)", R"("id":7,"x":")")) == "id: expected a string");
    CHECK(ErrorOf(Replace(json, R"("known":true)", R"("known":1)")) ==
          "metrics[0].value.known: expected true or false");
    CHECK(ErrorOf(Replace(json, R"("threshold":0.9)", R"("threshold":"0.9")")) ==
          "detectors[0].threshold: expected a number or null");
    CHECK(ErrorOf(Replace(json, R"("accounts":[")", R"("accounts":[1,")")) ==
          "accounts[0]: expected a string");
    CHECK(ErrorOf(Replace(json, R"("metrics":[)", R"("metrics":{"a":[)")).rfind("metrics", 0) == 0);
    CHECK(ErrorOf(Replace(json, R"("type":"number")", R"("type":"numeric")")) ==
          "metrics[0].value.type: unknown value type");
    CHECK(ErrorOf(Replace(json, R"("level":"review")", R"("level":"Review")"))
              .rfind("level: expected an outcome", 0) == 0);
    CHECK(
        ErrorOf(Replace(json, R"("known":true,"text":"true"})", R"("known":true,"text":"yes"})")) ==
        "metrics[9].value.text: expected true or false");
    CHECK(ErrorOf(Replace(json, R"("text":"1.5s")", R"("text":"1.5 s")")) ==
          "metrics[13].value.text: expected a duration (30d, 1.5s)");
  }
  SECTION("bad dates, times and durations") {
    CHECK(ErrorOf(Replace(json, R"("first_day":"2025-05-30")", R"("first_day":"2025-02-30")")) ==
          "first_day: expected a date (YYYY-MM-DD)");
    CHECK(ErrorOf(Replace(json, R"("first_day":"2025-05-30")", R"("first_day":"2025-5-30")")) ==
          "first_day: expected a date (YYYY-MM-DD)");
    CHECK(ErrorOf(Replace(json, R"({"day":"2025-05-31")", R"({"day":"2025-05-31T00:00:00Z")")) ==
          "timeline[1].day: expected a date (YYYY-MM-DD)");
    CHECK(ErrorOf(Replace(json, R"("accepted_at":"2025-06-01T00:00:00.123456Z")",
                          R"("accepted_at":"2025-06-01T00:00:00.123456")"))
              .rfind("acceptances[0].accepted_at: expected a UTC RFC 3339 time", 0) == 0);
    CHECK(ErrorOf(Replace(json, R"("until":"2025-07-01T00:00:00.500000Z")",
                          R"("until":"2025-07-01T02:00:00.5+02:00")"))
              .rfind("waivers[0].until: expected a UTC RFC 3339 time", 0) == 0);
    CHECK(ErrorOf(Replace(json, R"("window":"30d")", R"("window":"720h")")) ==
          "window: expected a duration in canonical form (30d, 12h)");
    CHECK(ErrorOf(Replace(json, R"("window":"30d")", R"("window":"99999999999999w")")) ==
          "window: expected a duration in canonical form (30d, 12h)");
    CHECK(
        ErrorOf(Replace(json, R"("text":"2025-06-01T12:30:00.000001Z")", R"("text":"June 1st")")) ==
        "metrics[16].value.text: expected an RFC 3339 time");
  }
  SECTION("structure: empty children, trailing garbage, not an object, malformed") {
    const std::string review =
        R"({"level":"review","condition":{"text":"true","op":"const","value":{"type":"bool","known":true,"text":"true"})";
    CHECK(ErrorOf(Replace(json, review, review + R"(,"children":[])")) ==
          "explanation[1].condition.children: expected a non-empty array (no children is no key)");
    CHECK(ErrorOf(json + "x").rfind("$: ", 0) == 0);
    CHECK(ErrorOf(json + "{}").rfind("$: ", 0) == 0);
    CHECK(ErrorOf(json + " 1").rfind("$: ", 0) == 0);
    CHECK(ParseFindingJson(json + "\n").ok());  // whitespace is not content
    CHECK(ErrorOf("").rfind("$: ", 0) == 0);
    CHECK(ErrorOf("[]") == "$: expected an object");
    CHECK(ErrorOf("null") == "$: expected an object");
    CHECK_FALSE(ErrorOf(json.substr(0, json.size() / 2)).empty());
    CHECK(ErrorOf(Replace(json, R"("id":"F-)", R"("id":"\x)")) == "id: malformed string");
    CHECK_FALSE(ErrorOf(Replace(json, R"("id":"F-)", R"("id":"\ud800F-)")).empty());
    CHECK_FALSE(
        ErrorOf(Replace(json, R"("id":"F-)", "\"id\":\"\x01")).empty());  // raw control character
  }
  SECTION("invalid UTF-8 names the string, the key, or the byte") {
    CHECK(ErrorOf(Replace(json, R"("event_id":"e-1")", "\"event_id\":\"e-\xFF\"")) ==
          "evidence[0].event_id: invalid UTF-8");
    CHECK(ErrorOf(Replace(json, R"("rule":"distill)", "\"rule\":\"\xC3(distill")) ==
          "rule: invalid UTF-8");
    CHECK(ErrorOf(Replace(json, R"("event_id":"e-1")", "\"event\xE2\x82_id\":\"e-1\"")) ==
          "evidence[0]: invalid UTF-8 in a key");
    CHECK(ErrorOf(Replace(json, R"("days":12)",
                          "\"days\":\xF0"
                          "12")) ==
          "$: invalid UTF-8 at byte " + std::to_string(json.find(R"("days":12)") + 7));
  }
  SECTION("deep nesting is refused, not recursed into") {
    Finding f;
    auto chain = [](int depth) {
      ExplainNode n = Node("x", "const", Val("bool", true, "true", 1));
      for (int i = 0; i < depth; ++i)
        n = Node("not x", "not", Val("bool", true, "false", 0), {std::move(n)});
      return n;
    };
    f.explanation = {{"violation", chain(300)}};
    RoundTrip(f);
    f.explanation = {{"violation", chain(3000)}};
    CHECK(ErrorOf(FindingJson(f)) == "$: JSON nested deeper than 1000 levels");
  }
}

TEST_CASE("finding_parse: single-byte mutations give an error or a finding that writes again",
          "[finding_parse]") {
  const std::string json = FindingJson(Full());
  // About 3000 mutations whatever the length: every position for each kind, stepped.
  const std::size_t step = std::max<std::size_t>(1, json.size() * 5 / 3000);
  const char kInserts[] = {'"', '\\', '{', ']', ',', '0', 'x', '\xFF'};
  std::size_t parsed = 0, tried = 0;
  for (std::size_t i = 0; i < json.size(); i += step) {
    std::vector<std::string> mutants;
    std::string m = json;
    m[i] = static_cast<char>(m[i] ^ 0x01);
    mutants.push_back(m);
    m = json;
    m[i] = static_cast<char>(m[i] ^ 0x80);
    mutants.push_back(m);
    m = json;
    mutants.push_back(m.erase(i, 1));
    m = json;
    mutants.push_back(m.insert(i, 1, kInserts[i % sizeof kInserts]));
    m = json;
    mutants.push_back(m.insert(i, 1, ' '));
    for (const std::string& mutant : mutants) {
      ++tried;
      Result<Finding> r = ParseFindingJson(mutant);
      if (!r.ok()) {
        INFO(mutant);
        CHECK(r.status().code() == StatusCode::kInvalidArgument);
        continue;
      }
      ++parsed;
      // What parses writes again, and what it writes reads back as itself.
      const std::string again = FindingJson(*r);
      Result<Finding> twice = ParseFindingJson(again);
      INFO(mutant);
      REQUIRE(twice.ok());
      CHECK(FindingJson(*twice) == again);
    }
  }
  CHECK(tried >= 2500);
  CHECK(parsed > 0);      // e.g. a digit changed, a space inserted
  CHECK(parsed < tried);  // and not every mutation is taken
}
