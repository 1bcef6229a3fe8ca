// Citing evidence: every cited line is re-read from its file and hashed, and a file that
// changed after it was read is an integrity error naming the file, line and offset.
#include <catch2/catch.hpp>

#include "base/sha256.h"
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
