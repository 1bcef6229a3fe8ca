// Tests of ingest: every quarantine reason, the no-loss invariant, mapping, projection,
// limits and determinism across threads and chunk sizes.
#include <catch2/catch.hpp>

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "base/schema.h"
#include "dsl/compiler/regex.h"
#include "engine/ingest/ingest.h"
#include "engine/ingest/summary.h"
#include "tests/engine/compress_util.h"
#include "tests/engine/ingest_test_util.h"

using namespace tosguard;
using namespace tosguard::engine;
using namespace tosguard::engine::testing;

namespace {

std::string Event(const std::string& id, const std::string& ts = "\"2025-03-01T10:00:00Z\"",
                  const std::string& extra = "") {
  return R"({"event_id":")" + id + R"(","ts":)" + ts +
         R"(,"account_id":"a1","model":"m1","status":"ok")" + extra + "}";
}

IngestResult MustIngest(const IngestConfig& cfg, IngestOptions opts = {}) {
  auto r = Ingest(cfg, opts);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CheckNothingLost(*r);
  return std::move(*r);
}

// Ingests `cfg` (whose quarantine is `dir`/q.jsonl) with every thread count and chunk
// size. The first run is the reference, which `check_reference` inspects; every other
// run must give the same summary, quarantine file, event ids and file digests.
void SameForAnyThreadsAndChunks(const TempDir& dir, const IngestConfig& cfg,
                                std::initializer_list<unsigned> thread_counts,
                                std::initializer_list<std::size_t> chunk_sizes,
                                const std::function<void(const IngestResult&)>& check_reference) {
  std::string reference_json, reference_quarantine, reference_digests;
  std::vector<std::string> reference_ids;
  bool first = true;
  for (unsigned threads : thread_counts) {
    for (std::size_t chunk : chunk_sizes) {
      IngestOptions opts;
      opts.threads = threads;
      opts.chunk_bytes = chunk;
      IngestResult r = MustIngest(cfg, opts);
      std::vector<std::string> ids;
      for (std::size_t row = 0; row < r.data.events.rows(); ++row) ids.emplace_back(r.data.EventId(row));
      std::string digests;
      for (const InputFile& f : r.data.files) digests += ToHex(f.sha256) + "\n";
      const std::string json = IngestSummaryJson(cfg, r);
      const std::string q = dir.Read("q.jsonl");
      if (first) {
        first = false;
        reference_json = json;
        reference_quarantine = q;
        reference_ids = ids;
        reference_digests = digests;
        check_reference(r);
      } else {
        INFO("threads " << threads << ", chunk " << chunk);
        CHECK(json == reference_json);
        CHECK(q == reference_quarantine);
        CHECK(ids == reference_ids);
        CHECK(digests == reference_digests);
      }
    }
  }
}

}  // namespace

TEST_CASE("every kind of bad line is quarantined with its reason, nothing is lost") {
  TempDir dir;
  std::string lines;
  lines += Event("e1") + "\n";                                           // ok
  lines += Event("e1") + "\n";                                           // duplicate
  lines += "{\"event_id\": \"e2\", \n";                                  // malformed
  lines += "[1, 2]\n";                                                   // not an object
  lines += "\n";                                                         // blank
  lines += "   \r\n";                                                    // blank (CRLF)
  lines += R"({"event_id":"e3","ts":"2025-03-01T10:00:00Z","account_id":"a1","status":"ok"})" "\n";  // missing model
  lines += Event("e4", "\"2025-03-01T10:00:00Z\"", R"(,"input_tokens":"many")") + "\n";  // wrong type
  lines += Event("e5", "\"last tuesday\"") + "\n";                       // bad timestamp
  lines += Event("e6", "true") + "\n";                                   // bad timestamp (type)
  lines += "{\"event_id\":\"e7\xff\",\"ts\":1,\"account_id\":\"a\",\"model\":\"m\",\"status\":\"ok\"}\n";  // UTF-8
  const std::string long_line =
      Event("e8", "\"2025-03-01T10:00:00Z\"", ",\"text\":\"" + std::string(300, 'x') + "\"");
  lines += long_line + "\n";  // too long
  lines += Event("e9") + " trailing\n";                                  // trailing content
  lines += Event("e10");                                                 // unterminated but valid
  dir.Write("events.jsonl", lines);
  IngestConfig cfg = MustConfig(dir, std::string(kEventsOnly) + "limits:\n  max_line_bytes: 200\n");
  IngestResult r = MustIngest(cfg);
  CHECK(r.totals.lines == 14);
  CHECK(r.data.events.rows() == 2);
  CHECK(Reason(r, QuarantineReason::kDuplicate) == 1);
  CHECK(Reason(r, QuarantineReason::kMalformedJson) == 2);
  CHECK(Reason(r, QuarantineReason::kNotAnObject) == 1);
  CHECK(Reason(r, QuarantineReason::kBlankLine) == 2);
  CHECK(Reason(r, QuarantineReason::kMissingField) == 1);
  CHECK(Reason(r, QuarantineReason::kWrongType) == 1);
  CHECK(Reason(r, QuarantineReason::kBadTimestamp) == 2);
  CHECK(Reason(r, QuarantineReason::kInvalidUtf8) == 1);
  CHECK(Reason(r, QuarantineReason::kLineTooLong) == 1);

  // The quarantine file holds one line per quarantined input line, in line order.
  const std::string q = dir.Read("q.jsonl");
  INFO(q);
  CHECK(static_cast<std::uint64_t>(std::count(q.begin(), q.end(), '\n')) == r.totals.quarantined);
  CHECK(q.find(R"("line":2,"offset":)") != std::string::npos);
  CHECK(q.find("event_id 'e1' was already read") != std::string::npos);
  CHECK(q.find("required field 'model' is absent") != std::string::npos);
  CHECK(q.find("line of " + std::to_string(long_line.size()) +
               " bytes, longer than max_line_bytes 200") != std::string::npos);
  CHECK(q.find("\\ufffd") == std::string::npos);  // excerpts are made safe, never raw bytes
}

TEST_CASE("files are named from the configuration's directory, or absolutely when outside it") {
  IngestConfig config;
  config.base_dir = "conf";
  CHECK(DisplayPath(config, "conf/data/events.jsonl") == "data/events.jsonl");
  CHECK(DisplayPath(config, "conf/data/../events.jsonl") == "events.jsonl");
  CHECK(DisplayPath(config, "/var/log/gw/events.jsonl") == "/var/log/gw/events.jsonl");
  const std::string outside = (std::filesystem::current_path() / "logs/events.jsonl").string();
  CHECK(DisplayPath(config, "conf/../logs/events.jsonl") == outside);
  CHECK(DisplayPath(config, "conf/sub/../../logs/events.jsonl") == outside);
  config.base_dir = ".";
  CHECK(DisplayPath(config, "./data/events.jsonl") == "data/events.jsonl");
  CHECK(DisplayPath(config, "../logs/events.jsonl") ==
        (std::filesystem::current_path().parent_path() / "logs/events.jsonl").string());
}

TEST_CASE("a truncated last line is reported as such") {
  TempDir dir;
  dir.Write("events.jsonl", Event("e1") + "\n" + R"({"event_id":"e2","ts":"2025-03-01T1)");
  IngestResult r = MustIngest(MustConfig(dir, kEventsOnly));
  CHECK(r.data.events.rows() == 1);
  CHECK(Reason(r, QuarantineReason::kTruncatedLine) == 1);
  CHECK(dir.Read("q.jsonl").find("\"line\":2") != std::string::npos);
}

TEST_CASE("source references point at the exact bytes of each line") {
  TempDir dir;
  const std::string l1 = Event("e1");
  const std::string l2 = Event("e2");
  dir.Write("events.jsonl", l1 + "\r\n" + l2 + "\n");
  IngestResult r = MustIngest(MustConfig(dir, kEventsOnly));
  REQUIRE(r.data.events.rows() == 2);
  const SourceRef a = r.data.events.ref(0);
  const SourceRef b = r.data.events.ref(1);
  CHECK(a.line == 1);
  CHECK(a.offset == 0);
  CHECK(a.length == l1.size());
  CHECK(b.line == 2);
  CHECK(b.offset == l1.size() + 2);
  CHECK(b.length == l2.size());
  auto cited = ReadCitedLine(r.data.files[b.file].path, b);
  REQUIRE(cited.ok());
  CHECK(cited->bytes == l2);
  CHECK(ToHex(r.data.files[0].sha256) == ToHex(Sha256::Of(l1 + "\r\n" + l2 + "\n")));
}

TEST_CASE("a UTF-8 byte order mark before the first line is skipped, and hashed with the file") {
  const std::string bom = "\xEF\xBB\xBF";
  TempDir dir;
  const std::string l1 = Event("e1");
  const std::string l2 = Event("e2");
  dir.Write("events.jsonl", bom + l1 + "\n" + bom + l2 + "\n");  // only the first is a mark
  IngestResult r = MustIngest(MustConfig(dir, kEventsOnly));
  CheckNothingLost(r);
  REQUIRE(r.data.events.rows() == 1);
  CHECK(Reason(r, QuarantineReason::kMalformedJson) == 1);  // a mark inside the file is not
  const SourceRef a = r.data.events.ref(0);
  CHECK(a.line == 1);
  CHECK(a.offset == 3);
  CHECK(a.length == l1.size());
  auto cited = ReadCitedLine(r.data.files[0].path, a);
  REQUIRE(cited.ok());
  CHECK(cited->bytes == l1);
  CHECK(ToHex(r.data.files[0].sha256) == ToHex(Sha256::Of(bom + l1 + "\n" + bom + l2 + "\n")));

  // A CSV header that starts with one still names its first column.
  dir.Write("accounts.csv", bom + "account_id,tier\na1,pro\n");
  IngestConfig cfg = MustConfig(dir, "version: 1\nsources:\n  - name: accounts\n    kind: account\n    format: csv\n    paths: [accounts.csv]\n");
  IngestResult csv = MustIngest(cfg);
  CHECK(csv.data.accounts.rows() == 1);
  CHECK(csv.totals.quarantined == 0);
}

TEST_CASE("compressed inputs ingest like plain ones") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 500; ++i) content += Event("e" + std::to_string(i)) + "\n";
  dir.Write("plain.jsonl", content);
  dir.Write("z.jsonl.gz", Gzip(content));
  dir.Write("z.jsonl.zst", Zstd(content));
  for (const std::string name : {"plain.jsonl", "z.jsonl.gz", "z.jsonl.zst"}) {
    IngestConfig cfg = MustConfig(dir, "version: 1\nsources:\n  - name: e\n    kind: event\n    paths: [" + name + "]\n");
    IngestResult r = MustIngest(cfg);
    CHECK(r.data.events.rows() == 500);
    CHECK(r.data.files[0].content_bytes == content.size());
    CHECK(r.data.events.ref(499).offset == content.size() - Event("e499").size() - 1);
  }
}

TEST_CASE("duplicates are found across files, the first occurrence is kept") {
  TempDir dir;
  dir.Write("a.jsonl", Event("e1") + "\n" + Event("e2") + "\n");
  dir.Write("b.jsonl", Event("e2") + "\n" + Event("e3") + "\n");
  IngestConfig cfg = MustConfig(dir, "version: 1\nquarantine: q.jsonl\nsources:\n  - name: e\n    kind: event\n    paths: [\"*.jsonl\"]\n");
  IngestResult r = MustIngest(cfg);
  CHECK(r.data.events.rows() == 3);
  CHECK(Reason(r, QuarantineReason::kDuplicate) == 1);
  CHECK(r.data.files[1].stats.by_reason[static_cast<std::size_t>(QuarantineReason::kDuplicate)] == 1);
  CHECK(dir.Read("q.jsonl").find("first at a.jsonl:2") != std::string::npos);
}

TEST_CASE("out-of-order times are kept and counted") {
  TempDir dir;
  dir.Write("events.jsonl", Event("e1", "\"2025-03-02T00:00:00Z\"") + "\n" +
                                Event("e2", "\"2025-03-01T00:00:00Z\"") + "\n" +
                                Event("e3", "\"2025-03-03T00:00:00Z\"") + "\n");
  IngestResult r = MustIngest(MustConfig(dir, kEventsOnly));
  CHECK(r.data.events.rows() == 3);
  CHECK(r.totals.out_of_order == 1);
  CHECK(FormatRfc3339(*r.totals.min_ts) == "2025-03-01T00:00:00Z");
  CHECK(FormatRfc3339(*r.totals.max_ts) == "2025-03-03T00:00:00Z");
}

TEST_CASE("mapping: nested paths, transforms, defaults and sets") {
  TempDir dir;
  dir.Write("events.jsonl",
            R"({"id":"e1","when":1740823200,"who":{"acct":"a1"},"model":"m","status":429,)"
            R"("logit_bias":{"1":5,"2":-5},"messages":[{"role":"system","content":"be nice"},)"
            R"({"role":"user","content":"hello"},{"role":"user","content":[{"type":"text","text":"again"}]}],)"
            R"("tags":["b","a","b"],"params":{"temperature":0.5}})"
            "\n");
  IngestConfig cfg = MustConfig(dir, R"(version: 1
sources:
  - name: events
    kind: event
    paths: [events.jsonl]
    fields:
      event_id: id
      ts: {path: when, time_format: epoch_s}
      account_id: who.acct
      params.logit_bias_size: {path: logit_bias, transform: size}
      text: {path: messages, transform: user_messages}
      country: {path: geo.country, default: "ZZ"}
)");
  IngestResult r = MustIngest(cfg);
  REQUIRE(r.data.events.rows() == 1);
  const RecordTable& t = r.data.events;
  const Dictionaries& d = r.data.dict;
  CHECK(t.column(event_slot::kEventId).as_text);  // unique per event: kept out of the dictionary
  CHECK(r.data.EventId(0) == "e1");
  CHECK(r.data.FindEvent("e1") == 0);
  CHECK(r.data.FindEvent("e2") == KeyIndex::kNone);
  CHECK(t.Int(event_slot::kTs, 0) == 1740823200LL * kMicrosPerSecond);
  CHECK(d.strings.Name(t.Sym(event_slot::kAccountId, 0)) == "a1");
  CHECK(d.strings.Name(t.Sym(event_slot::kStatus, 0)) == "429");
  CHECK(t.Int(event_slot::kLogitBiasSize, 0) == 2);
  CHECK(d.texts.Get(static_cast<std::uint64_t>(t.Int(event_slot::kText, 0))) == "hello\nagain");
  CHECK(d.strings.Name(t.Sym(event_slot::kCountry, 0)) == "ZZ");
  CHECK(t.Num(event_slot::kTemperature, 0) == 0.5);
  const auto& tags = d.sets.Members(static_cast<std::uint32_t>(t.Int(event_slot::kTags, 0)));
  REQUIRE(tags.size() == 2);
  CHECK(t.Has(event_slot::kTopLogprobs, 0) == false);
}

TEST_CASE("projection: only needed fields are materialised, required ones are always read") {
  TempDir dir;
  dir.Write("events.jsonl", Event("e1", "\"2025-03-01T10:00:00Z\"", R"(,"input_tokens":5,"text":"hi")") + "\n" +
                                Event("e2", "\"2025-03-01T10:00:00Z\"", R"(,"input_tokens":"bad")") + "\n");
  IngestConfig cfg = MustConfig(dir, kEventsOnly);
  IngestOptions opts;
  opts.needed[static_cast<std::size_t>(RecordKind::kEvent)] =
      std::vector<bool>(CanonicalSchema(RecordKind::kEvent).size(), false);
  opts.check_unneeded = false;
  IngestResult r = MustIngest(cfg, opts);
  CHECK(r.data.events.rows() == 2);  // input_tokens was not read, so "bad" is not seen
  CHECK(r.data.events.column(event_slot::kText).materialised == false);
  CHECK(r.data.events.column(event_slot::kTs).materialised == true);
  CHECK(r.data.dict.texts.size() == r.data.events.rows());  // the event ids only

  // Checked but not kept: the bad value still quarantines its line.
  opts.check_unneeded = true;
  IngestResult checked = MustIngest(cfg, opts);
  CHECK(checked.data.events.rows() == 1);
  CHECK(Reason(checked, QuarantineReason::kWrongType) == 1);
  CHECK(checked.data.events.column(event_slot::kText).materialised == false);
  // The text store holds event ids only (e2's too: its id was read before its bad
  // value), never the prompt text.
  for (std::size_t i = 0; i < checked.data.dict.texts.size(); ++i) {
    const std::string_view t = checked.data.dict.texts.Get(i);
    CHECK((t == "e1" || t == "e2"));
  }

  IngestResult all = MustIngest(cfg);
  CHECK(all.data.events.rows() == 1);
  CHECK(Reason(all, QuarantineReason::kWrongType) == 1);
}

TEST_CASE("CSV sources: header, quoting, column counts, empty cells") {
  TempDir dir;
  dir.Write("accounts.csv",
            "account_id,org_id,created_at,contract,tier\n"
            "a1,o1,2025-01-01T00:00:00Z,distillation_permitted;research,pro\n"
            "\"a2\",\"o \"\"two\"\"\",,,\n"
            "a3,o3\n"
            "a4,\"o4,2025-01-01T00:00:00Z,,\n"
            "a1,o9,,,\n"
            "a5,o5,not-a-date,,\n");
  IngestConfig cfg = MustConfig(dir, R"(version: 1
quarantine: q.jsonl
sources:
  - name: accounts
    kind: account
    format: csv
    paths: [accounts.csv]
)");
  IngestResult r = MustIngest(cfg);
  CHECK(r.totals.header_lines == 1);
  CHECK(r.data.accounts.rows() == 2);
  CHECK(Reason(r, QuarantineReason::kCsvColumnCount) == 1);
  CHECK(Reason(r, QuarantineReason::kCsvQuote) == 1);
  CHECK(Reason(r, QuarantineReason::kDuplicate) == 1);
  CHECK(Reason(r, QuarantineReason::kBadTimestamp) == 1);
  const auto& d = r.data.dict;
  CHECK(d.strings.Name(r.data.accounts.Sym(account_slot::kOrgId, 1)) == "o \"two\"");
  CHECK_FALSE(r.data.accounts.Has(account_slot::kCreatedAt, 1));
  CHECK(d.sets.Members(static_cast<std::uint32_t>(r.data.accounts.Int(account_slot::kContract, 0))).size() == 2);
}

TEST_CASE("a CSV header without a required column is an error naming the file") {
  TempDir dir;
  dir.Write("accounts.csv", "org_id,tier\no1,pro\n");
  IngestConfig cfg = MustConfig(dir, "version: 1\nsources:\n  - name: accounts\n    kind: account\n    format: csv\n    paths: [accounts.csv]\n");
  auto r = Ingest(cfg, {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("accounts.csv") != std::string::npos);
  CHECK(r.status().message().find("account_id") != std::string::npos);
}

TEST_CASE("missing files and directories fail the run, naming them") {
  TempDir dir;
  std::filesystem::create_directories(dir.str() + "/adir");
  auto missing = Ingest(MustConfig(dir, kEventsOnly), {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("events.jsonl") != std::string::npos);
  auto directory = Ingest(MustConfig(dir, "version: 1\nsources:\n  - name: e\n    kind: event\n    paths: [adir]\n"), {});
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().message().find("adir") != std::string::npos);
}

TEST_CASE("empty files are read as zero lines") {
  TempDir dir;
  dir.Write("events.jsonl", "");
  IngestResult r = MustIngest(MustConfig(dir, kEventsOnly));
  CHECK(r.totals.lines == 0);
  CHECK(r.data.events.rows() == 0);
}

TEST_CASE("the quarantine limit, as a count and as a fraction") {
  TempDir dir;
  dir.Write("events.jsonl", Event("e1") + "\n" + Event("e2") + "\nbad\nbad\n");
  IngestConfig cfg = MustConfig(dir, kEventsOnly);
  CHECK_FALSE(MustIngest(cfg).over_quarantine_limit);  // default: report and go on
  IngestOptions count;
  count.limit = QuarantineLimit{1, std::nullopt};
  IngestResult over = MustIngest(cfg, count);
  CHECK(over.over_quarantine_limit);
  CHECK(over.limit_message == "2 lines quarantined, more than the limit of 1");
  IngestOptions fraction;
  fraction.limit = QuarantineLimit{std::nullopt, 0.5};
  CHECK_FALSE(MustIngest(cfg, fraction).over_quarantine_limit);  // 50% is not more than 50%
  fraction.limit = QuarantineLimit{std::nullopt, 0.25};
  IngestResult frac = MustIngest(cfg, fraction);
  CHECK(frac.over_quarantine_limit);
  CHECK(frac.limit_message.find("(50.00%)") != std::string::npos);
}

TEST_CASE("links: events of unknown accounts are kept and counted, signals are checked") {
  TempDir dir;
  dir.Write("events.jsonl", Event("e1") + "\n" +
                                R"({"event_id":"e2","ts":1,"account_id":"ghost","model":"m","status":"ok"})" "\n");
  dir.Write("accounts.jsonl", R"({"account_id":"a1"})" "\n");
  dir.Write("signals.jsonl",
            R"({"detector":"distill","subject_kind":"event","subject":"e1","ts":"2025-03-01T10:00:00Z","score":0.9})" "\n"
            R"({"detector":"distill","subject_kind":"event","subject":"e404","ts":"2025-03-01T10:00:00Z","score":0.9})" "\n"
            R"({"detector":"risk","subject_kind":"account","subject":"a1","ts":"2025-03-01T10:00:00Z","score":0.1})" "\n");
  IngestConfig cfg = MustConfig(dir, R"(version: 1
signals:
  detectors: [distill, risk]
sources:
  - {name: events, kind: event, paths: [events.jsonl]}
  - {name: accounts, kind: account, paths: [accounts.jsonl]}
  - {name: signals, kind: signal, paths: [signals.jsonl]}
)");
  IngestResult r = MustIngest(cfg);
  CHECK(r.data.events.rows() == 2);
  CHECK(r.links.event_accounts == 2);
  CHECK(r.links.unknown_accounts == 1);
  CHECK(r.links.events_of_unknown_accounts == 1);
  CHECK(r.links.signals_of_unknown_subjects == 1);
}

TEST_CASE("duplicate signals are found by their whole key, over thousands of signals") {
  TempDir dir;
  // 5000 signals that differ in one key field each (detector, subject, time or kind),
  // then every tenth of them again: 500 duplicates. Enough keys that the key set grows.
  std::string lines, again;
  for (int i = 0; i < 5000; ++i) {
    const std::string detector = i % 4 == 0 ? "risk" : "distill";
    const std::string subject = "s" + std::to_string(i / 4);
    const std::string kind = i % 4 == 1 ? "account" : "event";
    const std::string ts = "2025-03-01T10:" + std::to_string(10 + i % 4) + ":00Z";
    const std::string line = R"({"detector":")" + detector + R"(","subject_kind":")" + kind +
                             R"(","subject":")" + subject + R"(","ts":")" + ts + R"(","score":0.5})";
    lines += line + "\n";
    if (i % 10 == 0) again += line + "\n";
  }
  // The same key with another score is still the same signal.
  again += R"({"detector":"distill","subject_kind":"account","subject":"s0","ts":"2025-03-01T10:11:00Z","score":0.9})" "\n";
  dir.Write("signals.jsonl", lines + again);
  IngestConfig cfg = MustConfig(dir, R"(version: 1
signals:
  detectors: [distill, risk]
sources:
  - {name: signals, kind: signal, paths: [signals.jsonl]}
)");
  for (const unsigned threads : {1u, 2u}) {
    IngestOptions opts;
    opts.threads = threads;
    opts.chunk_bytes = 4096;
    IngestResult r = MustIngest(cfg, opts);
    CHECK(r.totals.records == 5000);
    CHECK(r.totals.by_reason[static_cast<std::size_t>(QuarantineReason::kDuplicate)] == 501);
  }
}

TEST_CASE("same input, any thread count and chunk size: identical tables and summary") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 3000; ++i) {
    if (i % 97 == 0) content += "garbage " + std::to_string(i) + "\n";
    if (i % 101 == 0) content += Event("e" + std::to_string(i / 2)) + "\n";  // some duplicates
    content += Event("e" + std::to_string(i), std::to_string(1740787200 + (i * 7919) % 86400),
                     R"(,"api_key_id":"k)" + std::to_string(i % 13) + R"(","tags":["t)" +
                         std::to_string(i % 5) + R"("]})") + "\n";
  }
  // Event() closes the object; the extra fields end in "}" too, so drop the doubled brace.
  std::string fixed;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (content.compare(i, 3, "]}}") == 0) {
      fixed += "]}";
      i += 2;
      continue;
    }
    fixed += content[i];
  }
  dir.Write("events.jsonl", fixed);
  SameForAnyThreadsAndChunks(dir, MustConfig(dir, kEventsOnly), {1u, 2u, 4u},
                             {std::size_t{1}, std::size_t{777}, std::size_t{1} << 22},
                             [](const IngestResult& r) { CHECK(r.totals.quarantined > 0); });
}

TEST_CASE("many files read on several threads: the same tables, quarantine and digests") {
  // Files are read, hashed and decompressed by one reading thread per worker, each
  // taking every n-th file; the merge still takes them in order. Plain, .gz and .zst
  // files, duplicates across files, a long line skipped as it streams by, an empty file
  // and a truncated last line give the same bytes out for any thread count.
  TempDir dir;
  for (int f = 0; f < 9; ++f) {
    std::string content;
    if (f != 4) {
      for (int i = 0; i < 400; ++i) {
        const int id = f * 400 + i - (f > 0 && i % 50 == 0 ? 399 : 0);  // some ids of the file before
        content += Event("e" + std::to_string(id), std::to_string(1740787200 + (id * 7919) % 86400)) + "\n";
        if (f == 6 && i == 200) content += Event("long", "1740787200", ",\"text\":\"" + std::string(3000, 'x') + "\"") + "\n";
        if (i % 77 == 0) content += "garbage " + std::to_string(f) + "\n";
      }
      if (f == 8) content += R"({"event_id":"cut","ts":1)";
    }
    const std::string name = "events-" + std::to_string(f) + ".jsonl";
    if (f % 3 == 1) {
      dir.Write(name + ".gz", Gzip(content));
    } else if (f % 3 == 2) {
      dir.Write(name + ".zst", Zstd(content));
    } else {
      dir.Write(name, content);
    }
  }
  IngestConfig cfg = MustConfig(dir, "version: 1\nquarantine: q.jsonl\nlimits:\n  max_line_bytes: 1000\n"
                                     "sources:\n  - name: e\n    kind: event\n    paths: [\"events-*\"]\n");
  SameForAnyThreadsAndChunks(dir, cfg, {1u, 2u, 3u, 4u, 16u}, {std::size_t{500}, std::size_t{1} << 22},
                             [&](const IngestResult& r) {
                               REQUIRE(r.data.files.size() == 9);
                               CHECK(Reason(r, QuarantineReason::kDuplicate) > 0);
                               CHECK(Reason(r, QuarantineReason::kLineTooLong) == 1);
                               CHECK(Reason(r, QuarantineReason::kTruncatedLine) == 1);
                               CHECK(r.data.files[4].stats.lines == 0);
                               CHECK(r.data.files[1].sha256 == Sha256::Of(dir.Read("events-1.jsonl.gz")));
                             });
}

TEST_CASE("on several reading threads, the first broken file in input order is the error") {
  // Files 2 and 5 are corrupt; whichever reader meets its broken file first, the run
  // fails on file 2, as a single reader would.
  TempDir dir;
  for (int f = 0; f < 7; ++f) {
    std::string content;
    for (int i = 0; i < 300; ++i) content += Event("e" + std::to_string(f * 300 + i)) + "\n";
    std::string z = Gzip(content);
    if (f == 2 || f == 5) z.resize(z.size() / 2);
    dir.Write("events-" + std::to_string(f) + ".jsonl.gz", z);
  }
  IngestConfig cfg = MustConfig(dir, "version: 1\nquarantine: q.jsonl\nsources:\n  - name: e\n"
                                     "    kind: event\n    paths: [\"events-*\"]\n");
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    for (std::size_t chunk : {std::size_t{256}, std::size_t{1} << 22}) {
      INFO("threads " << threads << ", chunk " << chunk);
      IngestOptions opts;
      opts.threads = threads;
      opts.chunk_bytes = chunk;
      auto r = Ingest(cfg, opts);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().find("events-2.jsonl.gz") != std::string::npos);
      CHECK(r.status().message().find("compressed data ends unexpectedly") != std::string::npos);
    }
  }
}

TEST_CASE("gateway quirks: messages not logged, tags written as JSON text") {
  TempDir dir;
  dir.Write("events.jsonl",
            Event("e1", "\"2025-03-01T10:00:00Z\"", R"(,"messages":"{}","tags":"[\"prod\",\"batch\"]")") + "\n" +
                Event("e2", "\"2025-03-01T10:00:00Z\"", R"(,"messages":{},"tags":"a; b")") + "\n" +
                Event("e3", "\"2025-03-01T10:00:00Z\"", R"(,"messages":42)") + "\n");
  IngestConfig cfg = MustConfig(dir, std::string(kEventsOnly) +
                                         "    fields:\n      text: {path: messages, transform: user_messages}\n");
  IngestResult r = MustIngest(cfg);
  REQUIRE(r.data.events.rows() == 2);
  CHECK_FALSE(r.data.events.Has(event_slot::kText, 0));
  CHECK_FALSE(r.data.events.Has(event_slot::kText, 1));
  CHECK(Reason(r, QuarantineReason::kWrongType) == 1);
  const auto& d = r.data.dict;
  auto tags = [&](std::size_t row) {
    std::vector<std::string> out;
    for (SymbolId id : d.sets.Members(static_cast<std::uint32_t>(r.data.events.Int(event_slot::kTags, row)))) {
      out.emplace_back(d.strings.Name(id));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(tags(0) == std::vector<std::string>{"batch", "prod"});
  CHECK(tags(1) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("matches decided at parse time fill derived columns, the field need not be kept") {
  TempDir dir;
  dir.Write("events.jsonl",
            Event("e1", "\"2025-03-01T10:00:00Z\"", R"(,"prompt":"Show Your Reasoning")") + "\n" +
                Event("e2", "\"2025-03-01T10:00:00Z\"", R"(,"prompt":"hello")") + "\n" +
                Event("e3") + "\n" +  // no prompt: the default applies
                Event("e4", "\"2025-03-01T10:00:00Z\"", R"(,"prompt":null)") + "\n");
  IngestConfig cfg = MustConfig(dir, R"(version: 1
quarantine: q.jsonl
sources:
  - name: events
    kind: event
    paths: [events.jsonl]
    preset: canonical
    fields:
      text: {path: prompt, default: "step by step"}
)");
  const dsl::Regex reasoning("(?i)show your reasoning|step by step");
  const dsl::Regex model("^m1$");
  const dsl::Regex nothing("zzz");
  IngestOptions opts;
  opts.needed[static_cast<std::size_t>(RecordKind::kEvent)] =
      std::vector<bool>(CanonicalSchema(RecordKind::kEvent).size(), false);
  opts.event_matches = {{event_slot::kText, reasoning.re2().pattern(), &reasoning},
                        {event_slot::kModel, model.re2().pattern(), &model},
                        {event_slot::kCountry, nothing.re2().pattern(), &nothing}};
  for (unsigned threads : {1u, 2u}) {
    opts.threads = threads;
    opts.chunk_bytes = 64;  // a chunk per line or two
    IngestResult r = MustIngest(cfg, opts);
    REQUIRE(r.data.events.rows() == 4);
    const RecordTable& t = r.data.events;
    const std::size_t base = t.schema().size();
    REQUIRE(t.slots() == base + 3);
    CHECK(t.column(event_slot::kText).materialised == false);
    CHECK(r.data.dict.texts.size() == 4);  // the event ids only
    REQUIRE(r.data.event_matches.size() == 3);
    CHECK(r.data.event_matches[0].pattern == reasoning.re2().pattern());
    CHECK(r.data.event_matches[0].re == nullptr);  // the expression is the plan's
    for (std::size_t row = 0; row < 4; ++row) {
      INFO("row " << row);
      CHECK(t.Has(base, row));
      CHECK(t.Int(base, row) == (row == 1 ? 0 : 1));  // e3 and e4: the default matches
      CHECK(t.Has(base + 1, row));
      CHECK(t.Int(base + 1, row) == 1);
      CHECK(t.Has(base + 2, row) == false);  // no country: unknown, not false
    }
  }
}

TEST_CASE("keys with escape sequences name the same fields as plain ones") {
  TempDir dir;
  dir.Write("events.jsonl",
            R"({"\u0065vent_id":"e1","ts":"2025-03-01T10:00:00Z","account_\u0069d":"a1","model":"m1","status":"ok","te\u0078t":"hi","odd\"key":1})"
            "\n"
            R"({"event_id":"e2","ts":"2025-03-01T10:00:00Z","account_id":"a1","model":"m1","status":"ok","text":"a","\u0074ext":"b"})"
            "\n");
  IngestResult r = MustIngest(MustConfig(dir, kEventsOnly));
  REQUIRE(r.data.events.rows() == 1);
  CHECK(r.data.EventId(0) == "e1");
  CHECK(r.data.dict.texts.Get(static_cast<std::uint64_t>(r.data.events.Int(event_slot::kText, 0))) == "hi");
  CHECK(Reason(r, QuarantineReason::kMalformedJson) == 1);  // e2 names `text` twice
}
