// Citing evidence: every cited line is re-read from its file and hashed, and a file that
// changed after it was read is an integrity error naming the file, line and offset.
// Shown fields that ingest did not keep are parsed back from the same lines.
#include <catch2/catch.hpp>

#include "base/sha256.h"
#include "engine/eval/projection.h"
#include "tests/engine/eval_test_util.h"

using namespace tosguard;
using namespace tosguard::engine;
using namespace tosguard::engine::testing;

namespace {

Scenario TwoEvents() {
  Scenario s;
  s.events = {Ev("c1", "a1", "2025-06-01T10:00:00Z"), Ev("c2", "a1", "2025-06-01T11:00:00Z")};
  s.rules = "rule busy {\n  severity low\n  window 1d\n  violation when count() >= 2\n}\n";
  return s;
}

}  // namespace

TEST_CASE("eval: cited lines carry the SHA-256 of their bytes as re-read") {
  Run run(TwoEvents());
  const EvalResult r = run.Eval();
  REQUIRE(r.findings.size() == 1);
  REQUIRE(r.findings[0].evidence.size() == 2);
  const std::string bytes = run.dir.Read("events.jsonl");
  for (const EvidenceItem& e : r.findings[0].evidence) {
    CHECK(e.file == "events.jsonl");
    CHECK(e.line_sha256 == ToHex(Sha256::Of(bytes.substr(e.ref.offset, e.ref.length))));
  }
}

TEST_CASE("eval: a cited line that changed after ingest is an integrity error naming it") {
  Run run(TwoEvents());
  // Rewrite the second event's id in place (same length): the file no longer says what
  // was read, and the evidence must not silently cite the new bytes.
  std::string bytes = run.dir.Read("events.jsonl");
  const std::size_t at = bytes.find("\"c2\"");
  REQUIRE(at != std::string::npos);
  bytes.replace(at, 4, "\"x2\"");
  run.dir.Write("events.jsonl", bytes);
  auto r = Evaluate(run.plan(), run.ingest.data, run.config, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kCorruption);
  CHECK(r.status().message().find("events.jsonl' line 2 (offset ") != std::string::npos);
  CHECK(r.status().message().find("no longer holds event c2") != std::string::npos);
}

TEST_CASE("eval: a shown field ingest did not keep is read back from the cited line, and a line that no longer parses is an integrity error") {
  Scenario s = TwoEvents();
  s.events = {Ev("c1", "a1", "2025-06-01T10:00:00Z", R"("client_ip":"10.0.0.1")"),
              Ev("c2", "a1", "2025-06-01T11:00:00Z", R"("client_ip":"10.0.0.2")")};
  s.rules = "rule busy {\n  severity low\n  window 1d\n  violation when count() >= 2\n"
            "  evidence {\n    show client_ip\n  }\n}\n";
  Run run(s);
  auto projected = Ingest(run.config, IngestOptionsFor(run.config, run.plan()));
  REQUIRE(projected.ok());
  REQUIRE_FALSE(projected->data.events.column(event_slot::kClientIp).materialised);
  // A CSV line cannot be parsed without its file's header: with a CSV event source the
  // shown field is kept instead.
  IngestConfig with_csv = run.config;
  SourceConfig csv = with_csv.sources.front();
  csv.name = "csv events";
  csv.kind = RecordKind::kEvent;
  csv.format = InputFormat::kCsv;
  with_csv.sources.push_back(csv);
  CHECK_FALSE(LinesParseAlone(csv));
  CHECK(IngestOptionsFor(with_csv, run.plan()).needed[static_cast<std::size_t>(RecordKind::kEvent)]
            .at(event_slot::kClientIp));
  auto r = Evaluate(run.plan(), projected->data, run.config, {});
  REQUIRE(r.ok());
  REQUIRE(r->findings.size() == 1);
  REQUIRE(r->findings[0].evidence.size() == 2);
  CHECK(r->findings[0].evidence[0].shown.at(0).second.text == "10.0.0.1");
  CHECK(r->findings[0].evidence[1].shown.at(0).second.text == "10.0.0.2");
  CHECK(r->findings[0].evidence[1].shown.at(0).second.type == "string");

  // The second line keeps its event id but is no longer a JSON object (same length).
  std::string bytes = run.dir.Read("events.jsonl");
  const std::size_t second = bytes.find('\n') + 1;
  REQUIRE(bytes[second] == '{');
  bytes[second] = '[';
  run.dir.Write("events.jsonl", bytes);
  auto broken = Evaluate(run.plan(), projected->data, run.config, {});
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.status().code() == StatusCode::kCorruption);
  CHECK(broken.status().message().find("events.jsonl' line 2 (offset ") != std::string::npos);
  CHECK(broken.status().message().find("no longer parses") != std::string::npos);
}
