// Tests of the synthetic usage-log generator: determinism, validity, planted campaigns.
#include "bench/gen/generator.h"

#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/schema.h"
#include "base/sha256.h"
#include "base/time.h"
#include "tests/support/temp_dir.h"

using namespace tosguard;
namespace fs = std::filesystem;

namespace {

// A generator test's output directory, named after the test's tag.
struct TempDir : tosguard::testing::TempDir {
  explicit TempDir(const std::string& tag) : tosguard::testing::TempDir("tosguard-gen-" + tag) {}
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t nl = text.find('\n', i);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(i, nl - i));
    i = nl + 1;
  }
  return out;
}

gen::GeneratorOptions Small(const std::string& out) {
  gen::GeneratorOptions o;
  o.out_dir = out;
  o.seed = 7;
  o.start = gen::DefaultStart();
  o.days = 30;
  o.accounts = 120;
  o.events = 2500;
  return o;
}

std::map<std::string, std::string> Digests(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out[e.path().filename().string()] = ToHex(Sha256::Of(ReadFile(e.path().string())));
  }
  return out;
}

// Collects the dotted names of the scalar/array members of a JSON object.
void CollectKeys(simdjson::ondemand::object obj, const std::string& prefix,
                 std::vector<std::string>& keys) {
  for (auto field : obj) {
    std::string_view key = field.unescaped_key().value();
    std::string name = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
    simdjson::ondemand::value v = field.value().value();
    if (v.type().value() == simdjson::ondemand::json_type::object) {
      CollectKeys(v.get_object().value(), name, keys);
    } else {
      keys.push_back(name);
    }
  }
}

// Parses every line of `file`; checks each key is a canonical field of `kind`;
// returns the parsed string members `want` of each line (empty when absent).
std::vector<std::map<std::string, std::string>> ReadRecords(const std::string& file,
                                                            RecordKind kind,
                                                            const std::vector<std::string>& want) {
  const RecordSchema& schema = CanonicalSchema(kind);
  std::vector<std::map<std::string, std::string>> out;
  simdjson::ondemand::parser parser;
  for (const std::string& line : Lines(ReadFile(file))) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    REQUIRE(parser.iterate(padded).get(doc) == simdjson::SUCCESS);
    std::vector<std::string> keys;
    simdjson::ondemand::object obj;
    REQUIRE(doc.get_object().get(obj) == simdjson::SUCCESS);
    CollectKeys(obj, "", keys);
    for (const std::string& k : keys) {
      INFO(file << ": " << k);
      CHECK(schema.Slot(k).has_value());
    }
    std::map<std::string, std::string> rec;
    for (const std::string& w : want) {
      doc.rewind();
      std::string_view sv;
      auto field = doc.find_field_unordered(w);
      if (field.error() != simdjson::SUCCESS) continue;
      if (field.type().value() == simdjson::ondemand::json_type::string) {
        REQUIRE(field.get_string().get(sv) == simdjson::SUCCESS);
        rec[w] = std::string(sv);
      } else {
        rec[w] = std::string(simdjson::to_json_string(field).value());
      }
    }
    // The whole line must be valid JSON, not only the members read above.
    doc.rewind();
    CHECK(simdjson::to_json_string(doc).error() == simdjson::SUCCESS);
    out.push_back(std::move(rec));
  }
  return out;
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 31) == Z_OK);
  std::string out;
  char buf[1 << 16];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return out;
}

std::string Unzstd(const std::string& in) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  std::string out;
  std::vector<char> buf(ZSTD_DStreamOutSize());
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  while (input.pos < input.size) {
    ZSTD_outBuffer output{buf.data(), buf.size(), 0};
    const std::size_t rc = ZSTD_decompressStream(d, &output, &input);
    REQUIRE_FALSE(ZSTD_isError(rc));
    out.append(buf.data(), output.pos);
  }
  ZSTD_freeDCtx(d);
  return out;
}

}  // namespace

TEST_CASE("generator: same options give the same bytes, whatever the thread count") {
  TempDir a("a"), b("b");
  gen::GeneratorOptions o = Small(a.str());
  o.threads = 1;
  REQUIRE(gen::Generate(o).ok());
  o.out_dir = b.str();
  o.threads = 3;
  REQUIRE(gen::Generate(o).ok());
  const auto da = Digests(a.str()), db = Digests(b.str());
  CHECK(da.size() == 4);
  CHECK(da == db);
}

TEST_CASE("generator: a different seed gives different data") {
  TempDir a("a"), b("b");
  gen::GeneratorOptions o = Small(a.str());
  REQUIRE(gen::Generate(o).ok());
  o.out_dir = b.str();
  o.seed = 8;
  REQUIRE(gen::Generate(o).ok());
  const auto da = Digests(a.str()), db = Digests(b.str());
  for (const auto& [name, digest] : da) {
    INFO(name);
    CHECK(db.at(name) != digest);
  }
}

TEST_CASE("generator: valid canonical records, unique ids, times inside the period") {
  TempDir dir("valid");
  const gen::GeneratorOptions o = Small(dir.str());
  auto result = gen::Generate(o);
  REQUIRE(result.ok());
  const gen::GenerationSummary& s = *result;
  const TimestampUs end = o.start + o.days * kMicrosPerDay;

  auto events = ReadRecords(dir.str() + "/events.jsonl", RecordKind::kEvent,
                            {"event_id", "ts", "account_id", "status"});
  CHECK(static_cast<std::int64_t>(events.size()) == s.events);
  // The realised count is near the target.
  CHECK(s.events > o.events * 8 / 10);
  CHECK(s.events < o.events * 12 / 10);
  std::set<std::string> ids;
  TimestampUs previous = o.start;
  for (const auto& e : events) {
    CHECK(ids.insert(e.at("event_id")).second);
    auto ts = ParseRfc3339(e.at("ts"));
    REQUIRE(ts.has_value());
    CHECK(*ts >= o.start);
    CHECK(*ts < end);
    CHECK(*ts >= previous);  // ordered by time
    previous = *ts;
  }

  auto accounts = ReadRecords(dir.str() + "/accounts.jsonl", RecordKind::kAccount,
                              {"account_id", "created_at"});
  CHECK(static_cast<std::int64_t>(accounts.size()) == o.accounts);
  std::set<std::string> account_ids;
  for (const auto& a : accounts) {
    CHECK(account_ids.insert(a.at("account_id")).second);
    CHECK(ParseRfc3339(a.at("created_at")).has_value());
  }
  for (const auto& e : events) CHECK(account_ids.count(e.at("account_id")) == 1);

  auto acceptances = ReadRecords(dir.str() + "/acceptances.jsonl", RecordKind::kAcceptance,
                                 {"account_id", "version", "accepted_at"});
  std::set<std::string> versions;
  for (const auto& c : acceptances) {
    CHECK(account_ids.count(c.at("account_id")) == 1);
    versions.insert(c.at("version"));
    auto at = ParseRfc3339(c.at("accepted_at"));
    REQUIRE(at.has_value());
    CHECK(*at < end);
  }
  CHECK(versions == std::set<std::string>{"2024-01", "2025-06"});

  auto signals = ReadRecords(dir.str() + "/signals.jsonl", RecordKind::kSignal,
                             {"detector", "subject_kind", "subject", "ts", "score"});
  std::set<std::string> detectors;
  for (const auto& g : signals) {
    detectors.insert(g.at("detector"));
    if (g.at("subject_kind") == "event") {
      CHECK(ids.count(g.at("subject")) == 1);
    } else {
      CHECK(g.at("subject_kind") == "account");
      CHECK(account_ids.count(g.at("subject")) == 1);
    }
    auto ts = ParseRfc3339(g.at("ts"));
    REQUIRE(ts.has_value());
    CHECK(*ts >= o.start);
    CHECK(*ts < end);
    const double score = std::stod(g.at("score"));
    CHECK(score >= 0.0);
    CHECK(score <= 1.0);
  }
  CHECK(detectors == std::set<std::string>{"account_risk", "distill", "template_reuse"});
}

TEST_CASE("generator: every planted campaign is present and behaves as described") {
  TempDir dir("campaigns");
  const gen::GeneratorOptions o = Small(dir.str());
  auto result = gen::Generate(o);
  REQUIRE(result.ok());
  std::map<std::string, std::vector<std::string>> members;
  for (const gen::CampaignInfo& c : result->campaigns) {
    auto& v = members[c.kind];
    v.insert(v.end(), c.account_ids.begin(), c.account_ids.end());
  }
  REQUIRE(members.size() == 6);
  CHECK(members["distill"].size() >= 5);
  CHECK(members["distill"].size() <= 8);
  CHECK(members["key_sharing"].size() == 1);
  CHECK(members["logprob_probe"].size() == 1);
  CHECK(members["unsupported_region"].size() == 2);
  CHECK(members["rate_limit_circumvention"].size() == 12);
  CHECK(members["signup_burst"].size() == 20);

  auto accounts = ReadRecords(dir.str() + "/accounts.jsonl", RecordKind::kAccount,
                              {"account_id", "payment_fingerprint", "status", "banned_at",
                               "created_at", "signup_ip", "email_domain", "org_id"});
  std::map<std::string, std::map<std::string, std::string>> by_id;
  for (auto& a : accounts) by_id[a.at("account_id")] = a;

  // Distillation: one payment method, one banned member, one created after the ban.
  std::set<std::string> payment;
  TimestampUs banned_at = 0, latest_created = 0;
  for (const std::string& id : members["distill"]) {
    const auto& a = by_id.at(id);
    payment.insert(a.at("payment_fingerprint"));
    if (a.count("banned_at")) {
      CHECK(a.at("status") == "banned");
      banned_at = *ParseRfc3339(a.at("banned_at"));
    }
    latest_created = std::max(latest_created, *ParseRfc3339(a.at("created_at")));
  }
  CHECK(payment.size() == 1);
  CHECK(banned_at > 0);
  CHECK(latest_created > banned_at);

  // Rate-limit circumvention: one org and one payment method across the cluster.
  std::set<std::string> orgs;
  for (const std::string& id : members["rate_limit_circumvention"]) {
    orgs.insert(by_id.at(id).at("org_id"));
  }
  CHECK(orgs.size() == 1);

  // Automated sign-ups: one IP, one e-mail domain, all within a quarter of an hour.
  std::set<std::string> ips, domains;
  TimestampUs first = INT64_MAX, last = INT64_MIN;
  for (const std::string& id : members["signup_burst"]) {
    const auto& a = by_id.at(id);
    ips.insert(a.at("signup_ip"));
    domains.insert(a.at("email_domain"));
    const TimestampUs t = *ParseRfc3339(a.at("created_at"));
    first = std::min(first, t);
    last = std::max(last, t);
  }
  CHECK(ips.size() == 1);
  CHECK(domains.size() == 1);
  CHECK(last - first < 15 * 60 * kMicrosPerSecond);

  auto events = ReadRecords(
      dir.str() + "/events.jsonl", RecordKind::kEvent,
      {"event_id", "account_id", "status", "client_ip", "country", "user_agent", "params"});
  std::map<std::string, int> count, rate_limited;
  std::set<std::string> shared_ips, shared_agents, shared_countries, region_countries;
  for (const auto& e : events) {
    const std::string& id = e.at("account_id");
    ++count[id];
    if (e.at("status") == "rate_limited") ++rate_limited[id];
    if (id == members["key_sharing"][0]) {
      shared_ips.insert(e.at("client_ip"));
      shared_agents.insert(e.at("user_agent"));
      shared_countries.insert(e.at("country"));
    }
    if (id == members["logprob_probe"][0]) {
      CHECK(e.at("params").find("\"logprobs\":true") != std::string::npos);
      CHECK(e.at("params").find("\"top_logprobs\":20") != std::string::npos);
      const auto pos = e.at("params").find("\"logit_bias_size\":");
      REQUIRE(pos != std::string::npos);
      CHECK(std::stoi(e.at("params").substr(pos + 18)) > 100);
    }
    for (const std::string& r : members["unsupported_region"]) {
      if (id == r) region_countries.insert(e.at("country"));
    }
  }
  for (const auto& [kind, ids] : members) {
    for (const std::string& id : ids) {
      INFO(kind << " " << id);
      CHECK(by_id.count(id) == 1);
      if (kind != "signup_burst") CHECK(count[id] > 0);
    }
  }
  CHECK(shared_ips.size() > 10);
  CHECK(shared_agents.size() > 3);
  CHECK(shared_countries.size() > 5);
  CHECK(count[members["logprob_probe"][0]] > 20);
  bool unsupported = false;
  for (const std::string& c : region_countries) {
    if (c == "KP" || c == "IR" || c == "SY" || c == "CU") unsupported = true;
  }
  CHECK(unsupported);
  int cluster_total = 0, cluster_limited = 0;
  for (const std::string& id : members["rate_limit_circumvention"]) {
    cluster_total += count[id];
    cluster_limited += rate_limited[id];
  }
  CHECK(cluster_limited > 0);
  // The cluster together sends far more than its typical ordinary account.
  CHECK(cluster_total > 10 * (o.events / o.accounts));
}

TEST_CASE("generator: compressed events decompress to the plain bytes") {
  TempDir plain("plain"), gz("gz"), zst("zst");
  gen::GeneratorOptions o = Small(plain.str());
  o.events = 800;
  REQUIRE(gen::Generate(o).ok());
  o.out_dir = gz.str();
  o.compression = gen::Compression::kGzip;
  REQUIRE(gen::Generate(o).ok());
  o.out_dir = zst.str();
  o.compression = gen::Compression::kZstd;
  REQUIRE(gen::Generate(o).ok());
  const std::string want = ReadFile(plain.str() + "/events.jsonl");
  CHECK(Gunzip(ReadFile(gz.str() + "/events.jsonl.gz")) == want);
  CHECK(Unzstd(ReadFile(zst.str() + "/events.jsonl.zst")) == want);
}

TEST_CASE("generator: LiteLLM spend-log rows carry the same requests") {
  TempDir canonical("c"), litellm("l");
  gen::GeneratorOptions o = Small(canonical.str());
  o.events = 600;
  REQUIRE(gen::Generate(o).ok());
  o.out_dir = litellm.str();
  o.format = gen::EventFormat::kLiteLlm;
  auto result = gen::Generate(o);
  REQUIRE(result.ok());
  const auto rows = Lines(ReadFile(litellm.str() + "/spend_logs.jsonl"));
  const auto events = Lines(ReadFile(canonical.str() + "/events.jsonl"));
  REQUIRE(rows.size() == events.size());
  simdjson::ondemand::parser parser;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    simdjson::padded_string padded(rows[i]);
    simdjson::ondemand::document doc = parser.iterate(padded).value();
    std::string_view request_id = doc["request_id"].get_string().value();
    std::string_view user = doc["user"].get_string().value();
    std::string_view status = doc["status"].get_string().value();
    CHECK(request_id.substr(0, 9) == "chatcmpl-");
    // Row i is event i: the ids share their random part.
    CHECK(events[i].find("\"ev-" + std::string(request_id.substr(9)) + "\"") != std::string::npos);
    CHECK(events[i].find("\"account_id\":\"" + std::string(user) + "\"") != std::string::npos);
    CHECK((status == "success" || status == "failure"));
  }
}

TEST_CASE("generator: impossible options are refused") {
  TempDir dir("bad");
  gen::GeneratorOptions o = Small(dir.str());
  o.accounts = 40;  // the campaigns alone need more than half of these
  CHECK(gen::Generate(o).status().code() == StatusCode::kInvalidArgument);
  o = Small(dir.str());
  o.days = 0;
  CHECK(gen::Generate(o).status().code() == StatusCode::kInvalidArgument);
  o = Small(dir.str());
  o.prompts_dir = dir.str() + "/missing";
  CHECK(gen::Generate(o).status().code() == StatusCode::kNotFound);
}

// Some generated text is a line of `file` (a JSON string a line): the generator took it.
int TextsUsed(const std::string& events, const std::string& file) {
  simdjson::ondemand::parser parser;
  int found = 0;
  for (const std::string& line : Lines(ReadFile(file))) {
    simdjson::padded_string padded(line);
    std::string_view text;
    if (parser.iterate(padded).get_string().get(text) != simdjson::SUCCESS) continue;
    if (text.size() > 20 && text.find('"') == std::string_view::npos &&
        text.find('\\') == std::string_view::npos &&
        events.find(std::string(text)) != std::string::npos) {
      ++found;
    }
  }
  return found;
}

TEST_CASE("generator: prompt texts are taken from a directory when one is given") {
  // A directory of our own, so the test runs wherever the real data is.
  TempDir prompts("prompt-files");
  {
    std::ofstream out(prompts.str() + "/ours.jsonl");
    for (int k = 0; k < 40; ++k) out << "\"Summarise the quarterly report number " << k << " for the board\"\n";
  }
  TempDir dir("prompts");
  gen::GeneratorOptions o = Small(dir.str());
  o.events = 1500;
  o.prompts_dir = prompts.str();
  REQUIRE(gen::Generate(o).ok());
  CHECK(TextsUsed(ReadFile(dir.str() + "/events.jsonl"), prompts.str() + "/ours.jsonl") > 0);

  // And the real prompt files, where they are (they are not copied anywhere).
  const std::string data = std::string(TOSGUARD_SOURCE_DIR) + "/../shared/data";
  if (!fs::exists(data + "/oasst_en_100_text.jsonl")) return;
  TempDir real("real-prompts");
  o = Small(real.str());
  o.events = 1500;
  o.prompts_dir = data;
  REQUIRE(gen::Generate(o).ok());
  CHECK(TextsUsed(ReadFile(real.str() + "/events.jsonl"), data + "/oasst_en_100_text.jsonl") > 0);
}
