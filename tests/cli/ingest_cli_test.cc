// End-to-end tests of `tosguard ingest` and the global options, run as a user would.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "tests/cli/cli_harness.h"

using namespace tosguard::testing;

namespace {

const char* kConfig = R"(version: 1
quarantine: out/quarantine.jsonl
sources:
  - name: events
    kind: event
    paths: [events.jsonl]
)";

std::string Event(const std::string& id, const std::string& extra = "") {
  return R"({"event_id":")" + id +
         R"(","ts":"2025-03-01T10:00:00Z","account_id":"acct-1","model":"m1","status":"ok")" + extra +
         "}\n";
}

std::string MakeCase(const std::string& events) {
  const std::string dir = MakeTempDir("tosguard-cli");
  WriteFile(dir + "/tosguard.yaml", kConfig);
  WriteFile(dir + "/events.jsonl", events);
  return dir;
}

}  // namespace

TEST_CASE("the version flag names the version and the build's revision") {
  CommandResult r = RunTosguard({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("tosguard 0.", 0) == 0);
  CHECK(r.out.find('(') != std::string::npos);
}

TEST_CASE("the debug log names the allocator the command runs on") {
  CommandResult r = RunTosguard({"--log-level", "debug", "fmt", "--check", "no-such-rules.tos"});
#ifdef TOSGUARD_JEMALLOC
  CHECK(r.err.find("allocator: jemalloc 5.") != std::string::npos);
#else
  CHECK(r.err.find("allocator: the C library's malloc") != std::string::npos);
#endif
}

TEST_CASE("help works for the command and every subcommand") {
  CommandResult top = RunTosguard({"--help"});
  CHECK(top.exit_code == 0);
  CHECK(top.out.find("ingest") != std::string::npos);
  CHECK(top.out.find("Exit codes") != std::string::npos);
  for (const std::string sub : {"ingest", "check", "fmt", "scan", "explain"}) {
    CommandResult r = RunTosguard({sub, "--help"});
    INFO(sub);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
}

TEST_CASE("usage errors exit 2") {
  CHECK(RunTosguard({}).exit_code == 2);
  CHECK(RunTosguard({"no-such-command"}).exit_code == 2);
  CHECK(RunTosguard({"ingest", "--format", "xml"}).exit_code == 2);
}

TEST_CASE("ingest prints a summary table and writes the quarantine") {
  const std::string dir = MakeCase(Event("e1") + Event("e2") + "not json\n" + Event("e1"));
  CommandResult r = RunTosguard({"ingest", "--config", "tosguard.yaml"}, "", dir);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("records:     2 events") != std::string::npos);
  CHECK(r.out.find("quarantine:  2 of 4 lines (malformed_json 1, duplicate 1) -> out/quarantine.jsonl") !=
        std::string::npos);
  CHECK(r.err.find("read 4 lines") != std::string::npos);
  const std::string q = ReadFile(dir + "/out/quarantine.jsonl");
  CHECK(q.find(R"("reason":"malformed_json")") != std::string::npos);
  CHECK(q.find(R"("reason":"duplicate")") != std::string::npos);
}

TEST_CASE("ingest --format json is deterministic and machine-readable") {
  const std::string dir = MakeCase(Event("e1") + Event("e2"));
  CommandResult a = RunTosguard({"--format", "json", "ingest", "-c", "tosguard.yaml"}, "", dir);
  CommandResult b = RunTosguard({"ingest", "-c", "tosguard.yaml", "--format", "json", "--threads", "1"}, "", dir);
  CHECK(a.exit_code == 0);
  CHECK(a.out == b.out);
  CHECK(a.out.rfind(R"({"sources":[{"name":"events")", 0) == 0);
  CHECK(a.out.find(R"("records":{"event":2,)") != std::string::npos);
}

TEST_CASE("the quarantine limit option turns too much bad input into exit 3") {
  const std::string dir = MakeCase(Event("e1") + "bad\nbad\n");
  CHECK(RunTosguard({"ingest", "-c", "tosguard.yaml"}, "", dir).exit_code == 0);
  CommandResult over = RunTosguard({"ingest", "-c", "tosguard.yaml", "--max-quarantine", "1"}, "", dir);
  CHECK(over.exit_code == 3);
  CHECK(over.err.find("too much bad input: 2 lines quarantined, more than the limit of 1") !=
        std::string::npos);
  CHECK(RunTosguard({"ingest", "-c", "tosguard.yaml", "--max-quarantine", "70%"}, "", dir).exit_code == 0);
  CHECK(RunTosguard({"ingest", "-c", "tosguard.yaml", "--max-quarantine", "50%"}, "", dir).exit_code == 3);
  CommandResult junk = RunTosguard({"ingest", "-c", "tosguard.yaml", "--max-quarantine", "lots"}, "", dir);
  CHECK(junk.exit_code == 2);
  CHECK(junk.err.find("--max-quarantine takes a count") != std::string::npos);
}

TEST_CASE("input and configuration problems name the file") {
  const std::string dir = MakeTempDir("tosguard-cli");
  WriteFile(dir + "/tosguard.yaml", kConfig);
  CommandResult missing = RunTosguard({"ingest", "-c", "tosguard.yaml"}, "", dir);
  CHECK(missing.exit_code == 3);
  CHECK(missing.err.find("events.jsonl") != std::string::npos);

  WriteFile(dir + "/bad.yaml", "version: 1\nsources:\n  - name: e\n    kind: evnt\n    paths: [x]\n");
  CommandResult bad = RunTosguard({"ingest", "-c", "bad.yaml"}, "", dir);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bad.yaml:4:") != std::string::npos);
  CHECK(bad.err.find("^") != std::string::npos);

  CommandResult no_config = RunTosguard({"ingest", "-c", "absent.yaml"}, "", dir);
  CHECK(no_config.exit_code == 2);
  CHECK(no_config.err.find("absent.yaml") != std::string::npos);

  // A FIFO in place of the file: refused at once, not waited on for a writer.
  REQUIRE(::mkfifo((dir + "/events.jsonl").c_str(), 0600) == 0);
  CommandResult fifo = RunTosguard({"ingest", "-c", "tosguard.yaml"}, "", dir);
  CHECK(fifo.exit_code == 2);
  CHECK(fifo.err.find("events.jsonl' is not a regular file") != std::string::npos);
}

TEST_CASE("hostile log content never reaches the terminal raw") {
  const std::string hostile = "\x1b[2J\x1b]0;pwned\x07<script>alert(1)</script>";
  const std::string dir = MakeCase(Event("e1", R"(,"text":")" + std::string("\\u001b[2J") + "\"") +
                                   hostile + "\n");
  for (const std::string format : {"table", "json"}) {
    CommandResult r = RunTosguard({"ingest", "-c", "tosguard.yaml", "--format", format}, "", dir);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\x1b') == std::string::npos);
  }
  const std::string q = ReadFile(dir + "/out/quarantine.jsonl");
  CHECK(q.find('\x1b') == std::string::npos);
  CHECK(q.find("<script>") == std::string::npos);
  CHECK(q.find("\\u003cscript\\u003e") != std::string::npos);
}

TEST_CASE("JSON log format writes one JSON object per log line") {
  const std::string dir = MakeTempDir("tosguard-cli");
  WriteFile(dir + "/tosguard.yaml", kConfig);
  CommandResult r = RunTosguard({"--log-format", "json", "ingest", "-c", "tosguard.yaml"}, "", dir);
  CHECK(r.exit_code == 3);
  REQUIRE_FALSE(r.err.empty());
  CHECK(r.err.rfind(R"({"time":")", 0) == 0);
  CHECK(r.err.find(R"("level":"error","message":"ingest failed: )") != std::string::npos);
  CHECK(r.err.back() == '\n');
}

TEST_CASE("validating only required fields skips type checks of fields no one needs") {
  const std::string dir = MakeCase(Event("e1") + Event("e2", R"(,"input_tokens":"many")"));
  CommandResult all = RunTosguard({"ingest", "-c", "tosguard.yaml", "--format", "json"}, "", dir);
  CHECK(all.out.find(R"("records":{"event":1,)") != std::string::npos);
  CommandResult req =
      RunTosguard({"ingest", "-c", "tosguard.yaml", "--format", "json", "--validate", "required"}, "", dir);
  CHECK(req.exit_code == 0);
  CHECK(req.out.find(R"("records":{"event":2,)") != std::string::npos);
}
