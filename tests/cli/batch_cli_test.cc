// End-to-end: the nightly batch. New files by content, idempotent nights, extended and
// revised findings, backfills, the lock, exit codes, and crash safety under kills.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "base/sha256.h"
#include "tests/cli/cli_harness.h"

namespace tosguard::testing {
namespace {

const char* kConfig = R"(version: 1
rules: rules.tos
sources:
  - {name: accounts, kind: account, paths: data/accounts.jsonl, preset: canonical}
  - {name: events, kind: event, paths: "data/events-*.jsonl", preset: canonical}
evidence:
  store: evidence.db
  signing_key: keys/signing.key
  pseudonym_key: keys/pseudonym.key
)";

const char* kRule = R"(rule busy {
  severity low
  window 2d
  let n = count()
  violation when n >= 2
}
)";

std::string Event(const std::string& id, const std::string& ts) {
  return R"({"event_id":")" + id + R"(","ts":")" + ts +
         R"(","account_id":"a1","model":"m","status":"success"})" + "\n";
}

// Night 1's data: two requests on 3 March; night 2 adds one on 4 March.
const std::string kNight1 =
    Event("e1", "2025-03-03T10:00:00Z") + Event("e2", "2025-03-03T11:00:00Z");
const std::string kNight2 = Event("e3", "2025-03-04T10:00:00Z");

std::string MakeCase(const std::string& keys_from = "") {
  const std::string dir = MakeTempDir("tosguard-batch");
  WriteFile(dir + "/tosguard.yaml", kConfig);
  WriteFile(dir + "/rules.tos", kRule);
  WriteFile(dir + "/data/accounts.jsonl", "{\"account_id\":\"a1\"}\n");
  WriteFile(dir + "/data/events-1.jsonl", kNight1);
  std::filesystem::create_directories(dir + "/keys");
  if (keys_from.empty()) {
    REQUIRE(RunTosguard({"keygen", "--config", "tosguard.yaml"}, "", dir).exit_code == 0);
  } else {
    for (const char* k : {"signing.key", "signing.key.pub", "pseudonym.key"}) {
      std::filesystem::copy_file(keys_from + "/keys/" + k, dir + "/keys/" + k);
    }
  }
  return dir;
}

// Runs `tosguard batch` in `dir` with a fixed clock and optional environment.
int Batch(const std::string& dir, const std::string& env = "", const std::string& extra = "",
          const std::string& kill_after = "") {
  std::string cmd = "cd '" + dir + "' && TOSGUARD_NOW=2026-12-01T02:00:00Z " + env + " ";
  // --foreground: timeout signals only the batch and waits until it is gone. Without it,
  // timeout signals its whole process group, itself included, and can be dead before the
  // batch is: the next run then started while the dying batch still held the store lock
  // (exit 75), a race of the harness, not of the batch.
  if (!kill_after.empty()) cmd += "timeout --foreground -s KILL " + kill_after + " ";
  cmd += "'" + TosguardBinary() + "' batch --config tosguard.yaml " + extra +
         " >batch.out 2>batch.err";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
}

CommandResult In(const std::string& dir, std::vector<std::string> args) {
  const auto at = args.begin() + (args[0] == "findings" ? 2 : 1);
  args.insert(at, {"--config", "tosguard.yaml"});
  return RunTosguard(args, "", dir);
}

// What must be identical after the same nights, however they were interrupted.
std::string State(const std::string& dir) {
  CommandResult findings = In(dir, {"findings", "list", "--format", "json"});
  CommandResult verify = In(dir, {"verify", "--format", "json"});
  REQUIRE(verify.exit_code == 0);
  return findings.out + verify.out;
}

}  // namespace

TEST_CASE("batch: only new files make a run, the same night twice changes nothing",
          "[cli][batch]") {
  const std::string dir = MakeCase();
  CommandResult first = In(dir, {"batch", "--format", "json", "--summary", "night1.json"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("\"status\":\"recorded\"") &&
                            Catch::Contains("\"new\":1,\"extended\":0"));
  CHECK(ReadFile(dir + "/night1.json") == first.out);
  // Its finding is named by the keyed id, as a dry run with the same key names it, never
  // by the digest of its rule, account and first day (docs/evidence.md, "Finding ids").
  {
    using namespace std::string_literals;
    const std::string digest = "F-" + ToHex(Sha256::Of("busy\0account\0a1\0"
                                                       "2025-03-03\0violation"s))
                                          .substr(0, 16);
    CommandResult dry = In(dir, {"scan", "--no-store", "-q", "--format", "json"});
    const auto at = dry.out.find("\"id\":\"F-");
    REQUIRE(at != std::string::npos);
    const std::string id = dry.out.substr(at + 6, 18);
    CHECK(id != digest);
    CHECK_THAT(first.out, Catch::Contains(id) && !Catch::Contains(digest));
  }
  const std::string after_first = State(dir);
  CommandResult again = In(dir, {"batch"});
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("batch: nothing new") &&
                            Catch::Contains("0 new, 2 already processed"));
  CHECK(State(dir) == after_first);

  // A renamed copy of a processed file is not new: files are known by content.
  std::filesystem::rename(dir + "/data/events-1.jsonl", dir + "/data/events-1-renamed.jsonl");
  CHECK_THAT(In(dir, {"batch"}).out, Catch::Contains("nothing new"));
  std::filesystem::rename(dir + "/data/events-1-renamed.jsonl", dir + "/data/events-1.jsonl");

  // The next day's file extends the finding: a new revision, not a second finding.
  WriteFile(dir + "/data/events-2.jsonl", kNight2);
  CommandResult night2 = In(dir, {"batch"});
  INFO(night2.out);
  REQUIRE(night2.exit_code == 0);
  CHECK_THAT(night2.out, Catch::Contains("0 new, 1 extended, 0 revised") &&
                             Catch::Contains("last day 2025-03-03 -> 2025-03-04") &&
                             Catch::Contains("(new input data/events-2.jsonl)"));
  CommandResult list = In(dir, {"findings", "list", "--format", "json"});
  CHECK(list.out.find("\"revision\":2") != std::string::npos);
  CHECK(list.out.find("F-", list.out.find("F-") + 1) == std::string::npos);  // one finding

  // Late data for a past day revises it, with what changed and why.
  WriteFile(dir + "/data/events-0.jsonl", Event("e0", "2025-03-02T23:00:00Z"));
  CommandResult late = In(dir, {"batch"});
  CHECK_THAT(late.out,
             Catch::Contains("1 revised") && Catch::Contains("(new input data/events-0.jsonl)"));
  // Late data that moves the start earlier gives a finding with another id (rule, scope,
  // first day): the old one is withdrawn, superseded, never left beside it.
  WriteFile(dir + "/data/events-00.jsonl", Event("e00", "2025-03-02T01:00:00Z"));
  CommandResult earlier = In(dir, {"batch"});
  INFO(earlier.out);
  CHECK_THAT(earlier.out, Catch::Contains("1 new") && Catch::Contains("1 withdrawn") &&
                              Catch::Contains("superseded by F-"));
  CHECK(In(dir, {"findings", "list", "--status", "withdrawn"}).out.find("F-") != std::string::npos);
  CHECK(In(dir, {"findings", "list", "--status", "open"}).out.find("2025-03-02") !=
        std::string::npos);
  // A backfill re-evaluates a range without new files.
  CommandResult backfill = In(dir, {"batch", "--from", "2025-03-01", "--to", "2025-03-05"});
  CHECK_THAT(backfill.out, Catch::Contains("recorded") && Catch::Contains("1 unchanged"));
  CHECK(In(dir, {"verify"}).exit_code == 0);
}

TEST_CASE("batch: new files anywhere in name order are found, recorded by their digests",
          "[cli][batch]") {
  const std::string dir = MakeCase();
  REQUIRE(In(dir, {"batch"}).exit_code == 0);
  // The check for new files starts from the last file by name and stops at the first new
  // one; files before it, processed or not, are then known from what the ingest read.
  const std::string early = Event("e0", "2025-03-02T12:00:00Z");
  WriteFile(dir + "/data/events-0.jsonl", early);
  WriteFile(dir + "/data/events-2.jsonl", kNight2);
  for (const char* threads : {"1", "2"}) {
    INFO("threads " << threads);
    const std::string copy = MakeTempDir("tosguard-batch-copy");
    std::filesystem::copy(dir, copy, std::filesystem::copy_options::recursive);
    CommandResult night = In(copy, {"batch", "--threads", threads, "--format", "json"});
    INFO(night.err);
    REQUIRE(night.exit_code == 0);
    CHECK_THAT(night.out,
               Catch::Contains("\"files\":4,\"new\":2,\"already_processed\":2") &&
                   Catch::Contains("{\"file\":\"data/events-0.jsonl\",\"sha256\":\"" +
                                   ToHex(Sha256::Of(early)) + "\"}") &&
                   Catch::Contains("{\"file\":\"data/events-2.jsonl\",\"sha256\":\"" +
                                   ToHex(Sha256::Of(kNight2)) + "\"}"));
    CHECK_THAT(In(copy, {"batch", "--threads", threads}).out,
               Catch::Contains("nothing new") && Catch::Contains("0 new, 4 already processed"));
  }
  // Only a file before the processed ones is new: the check reaches it.
  std::filesystem::remove(dir + "/data/events-2.jsonl");
  CommandResult night = In(dir, {"batch", "--threads", "2", "--format", "json"});
  CHECK_THAT(night.out, Catch::Contains("\"new\":1,\"already_processed\":2") &&
                            Catch::Contains("data/events-0.jsonl"));
}

TEST_CASE("batch: --date evaluates up to that day, and excludes --from/--to", "[cli][batch]") {
  const std::string dir = MakeCase();
  WriteFile(dir + "/data/events-2.jsonl", kNight2);
  CommandResult upto3 = In(dir, {"batch", "--date", "2025-03-03", "--format", "json"});
  INFO(upto3.err);
  REQUIRE(upto3.exit_code == 0);
  CHECK_THAT(upto3.out, Catch::Contains("\"from\":\"2025-03-03\",\"to\":\"2025-03-03\"") &&
                            Catch::Contains("\"new\":1,\"extended\":0"));
  CHECK(In(dir, {"findings", "list", "--format", "json"}).out.find("2025-03-04") ==
        std::string::npos);
  // A later day re-evaluates even without new files, and the finding continues.
  CommandResult upto4 = In(dir, {"batch", "--date", "2025-03-04"});
  INFO(upto4.out);
  REQUIRE(upto4.exit_code == 0);
  CHECK_THAT(upto4.out, Catch::Contains("1 extended") &&
                            Catch::Contains("last day 2025-03-03 -> 2025-03-04"));
  CommandResult both = In(dir, {"batch", "--date", "2025-03-04", "--from", "2025-03-01"});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::Contains("--date and --from/--to exclude each other"));
}

TEST_CASE("batch: examples/nightly.yaml runs the shipped pack over the bundled sample",
          "[cli][batch]") {
  namespace fs = std::filesystem;
  // The example's paths are relative to it: ../rules/acme and data/ beside it.
  const std::string root = MakeTempDir("tosguard-nightly-example");
  fs::create_directories(root + "/examples");
  fs::copy_file(SourceDir() + "/examples/nightly.yaml", root + "/examples/nightly.yaml");
  fs::copy(SourceDir() + "/examples/data", root + "/examples/data", fs::copy_options::recursive);
  fs::create_directories(root + "/rules");
  fs::copy(SourceDir() + "/rules/acme", root + "/rules/acme", fs::copy_options::recursive);
  const std::string dir = root + "/examples";
  REQUIRE(RunTosguard({"keygen", "--config", "nightly.yaml"}, "", dir).exit_code == 0);
  CommandResult night = RunTosguard({"batch", "--config", "nightly.yaml", "--format", "json"}, "", dir);
  INFO(night.err);
  REQUIRE(night.exit_code == 0);
  CHECK_THAT(night.out, Catch::Contains("\"status\":\"recorded\"") &&
                            Catch::Contains("\"files\":4,\"new\":4"));
  CommandResult again = RunTosguard({"batch", "--config", "nightly.yaml"}, "", dir);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("nothing new"));
  CHECK(RunTosguard({"verify", "--config", "nightly.yaml"}, "", dir).exit_code == 0);
}

TEST_CASE("batch: exit codes a scheduler can act on", "[cli][batch]") {
  const std::string dir = MakeCase();
  SECTION("another batch holds the store") {
    const int fd = ::open((dir + "/evidence.db.lock").c_str(), O_RDWR | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    CommandResult busy = In(dir, {"batch"});
    CHECK(busy.exit_code == 75);
    CHECK_THAT(busy.err, Catch::Contains("another batch is running"));
    ::close(fd);
    CHECK(In(dir, {"batch"}).exit_code == 0);
  }
  SECTION("another batch holds the store, and this one waits") {
    // O_CLOEXEC: the batch this test starts must not inherit the lock it waits for.
    const int fd = ::open((dir + "/evidence.db.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    std::atomic<bool> released{false};
    std::thread holder([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      released = true;
      ::close(fd);
    });
    CommandResult waited = In(dir, {"batch", "--wait"});
    const bool after_release = released;  // the batch could only end once the lock was free
    holder.join();
    CHECK(waited.exit_code == 0);
    CHECK(after_release);
    CHECK_THAT(waited.out, Catch::Contains("recorded"));
  }
  SECTION("a configuration error") {
    WriteFile(dir + "/tosguard.yaml", std::string(kConfig) + "bogus: 1\n");
    CHECK(In(dir, {"batch"}).exit_code == 2);
  }
  SECTION("too much bad input") {
    WriteFile(dir + "/tosguard.yaml", std::string(kConfig) + "limits: {max_quarantine: 0}\n");
    WriteFile(dir + "/data/events-9.jsonl", "not json\n");
    CommandResult bad = In(dir, {"batch"});
    CHECK(bad.exit_code == 3);
    CHECK_THAT(bad.err, Catch::Contains("nothing was recorded"));
  }
  SECTION("a store that fails its integrity check") {
    REQUIRE(In(dir, {"batch"}).exit_code == 0);
    REQUIRE(std::system(("sqlite3 '" + dir +
                         "/evidence.db' \"UPDATE leaves SET record = 'x' WHERE idx = 1\"")
                            .c_str()) == 0);
    WriteFile(dir + "/data/events-2.jsonl", kNight2);
    CommandResult tampered = In(dir, {"batch"});
    CHECK(tampered.exit_code == 4);
    CHECK_THAT(tampered.err, Catch::Contains("the store's log is damaged at leaf 1"));
  }
}

TEST_CASE("batch: killed at any moment, the next run reaches the uninterrupted state",
          "[cli][batch]") {
  // The uninterrupted nights.
  const std::string ref = MakeCase();
  REQUIRE(Batch(ref) == 0);
  WriteFile(ref + "/data/events-2.jsonl", kNight2);
  REQUIRE(Batch(ref) == 0);
  const std::string expected = State(ref);

  auto night = [&](const std::string& dir, const std::string& env, const std::string& kill_after) {
    const int rc = Batch(dir, env, "", kill_after);
    INFO("env " << env << " kill after " << kill_after << " rc " << rc);
    // 0: finished first; 86: a fault point; 137 or 124: killed (timeout --foreground
    // reports 124 when its command was killed before it could report a signal).
    CHECK((rc == 0 || rc == 86 || rc == 124 || rc == 137));
    const int next = Batch(dir);  // the next run finishes the night
    INFO("the next run: " << ReadFile(dir + "/batch.out") << ReadFile(dir + "/batch.err"));
    REQUIRE(next == 0);
  };
  std::vector<std::pair<std::string, std::string>> interruptions;
  for (const char* point : {"batch.after_lock", "batch.after_ingest", "batch.after_evaluate",
                            "store.run.before_checkpoint", "store.run.before_commit"}) {
    interruptions.emplace_back(std::string("TOSGUARD_FAULT=") + point, "");
  }
  for (const char* after : {"0.005", "0.02", "0.05", "0.1", "0.2", "0.4"})
    interruptions.emplace_back("", after);
  for (const auto& [env, kill_after] : interruptions) {
    for (int crashed_night = 1; crashed_night <= 2; ++crashed_night) {
      const std::string dir = MakeCase(ref);
      if (crashed_night == 1) {
        night(dir, env, kill_after);
      } else {
        REQUIRE(Batch(dir) == 0);
      }
      WriteFile(dir + "/data/events-2.jsonl", kNight2);
      if (crashed_night == 2) {
        night(dir, env, kill_after);
      } else {
        REQUIRE(Batch(dir) == 0);
      }
      INFO("interrupted night " << crashed_night << " with '" << env << "' kill after '"
                                << kill_after << "'");
      CHECK(State(dir) == expected);
    }
  }
}

}  // namespace tosguard::testing
