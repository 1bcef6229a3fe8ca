#include "cli/evidence.h"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "audit/encoding.h"
#include "base/build_info.h"
#include "base/sha256.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "dsl/checker/checker.h"
#include "engine/ingest/input_file.h"
#include "engine/ingest/quarantine.h"
#include "engine/ingest/summary.h"

namespace tosguard::cli {
namespace {

std::vector<std::string>& Argv() {
  static std::vector<std::string> argv;
  return argv;
}

// The rule's `unless` conditions as written: the lines of its text that start with it.
std::vector<std::string> Exemptions(const std::string& source) {
  std::vector<std::string> out;
  std::istringstream in(source);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, 7, "unless ") != 0) continue;
    std::string cond = line.substr(start + 7);
    if (auto comment = cond.find("//"); comment != std::string::npos) cond.resize(comment);
    while (!cond.empty() && (cond.back() == ' ' || cond.back() == '\r')) cond.pop_back();
    out.push_back(cond);
  }
  return out;
}

}  // namespace

std::string Operator() {
  const uid_t uid = ::geteuid();
  std::string user = "uid " + std::to_string(uid);
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && found->pw_name[0] != '\0') {
    user = found->pw_name;
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "unknown");
  return user + "@" + host;
}

TimestampUs Now() {
  // A test hook (docs/development.md): a fixed clock, so runs can be compared byte for byte.
  if (const char* fixed = std::getenv("TOSGUARD_NOW"); fixed != nullptr) {
    if (auto t = ParseRfc3339(fixed)) return *t;
  }
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<audit::KeyedHasher> LoadPseudonymKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::NotFound("cannot read the pseudonym key '" + path +
                            "' (tosguard keygen writes one)");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto key = audit::HexDecode(text);
  if (!key || key->size() < audit::kMinKeyedHashKeyBytes) {
    return Status::InvalidArgument("the pseudonym key '" + path +
                                   "' must hold at least 64 lower-case hex digits " +
                                   "(32 bytes) on one line");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("the pseudonym key '{}' can be read by other users (chmod 600 it)", path);
  }
  return audit::KeyedHasher::Create(
      {reinterpret_cast<const std::uint8_t*>(key->data()), key->size()});
}

Result<audit::PublicKey> ReadPublicKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read the public key '" + path + "'");
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto key = audit::PublicKey::FromPem(pem);
  if (!key.ok())
    return Status::InvalidArgument("'" + path +
                                   "' is not an Ed25519 public key: " + key.status().message());
  return *key;
}

audit::LogWriter EvidenceKeys::Writer(const engine::IngestConfig& config, TimestampUs now) const {
  return audit::LogWriter{signing ? &*signing : nullptr, hasher ? &*hasher : nullptr,
                          config.evidence.origin, now, earlier};
}

Result<EvidenceKeys> LoadEvidenceKeys(const engine::IngestConfig& config, bool need_signing) {
  EvidenceKeys keys;
  const engine::EvidenceConfig& ev = config.evidence;
  if (ev.pseudonym_key.empty()) {
    return Status::InvalidArgument(config.path +
                                   ": the evidence section names no pseudonym_key "
                                   "(tosguard keygen makes one; docs/evidence.md)");
  }
  auto hasher = LoadPseudonymKey(ev.pseudonym_key);
  if (!hasher.ok()) return hasher.status();
  keys.hasher.emplace(std::move(*hasher));
  for (const std::string& path : ev.trusted_keys) {
    auto key = ReadPublicKeyFile(path);
    if (!key.ok()) return key.status();
    keys.earlier.push_back(*key);
  }
  if (need_signing) {
    if (ev.signing_key.empty()) {
      return Status::InvalidArgument(config.path +
                                     ": the evidence section names no signing_key "
                                     "(tosguard keygen makes one; docs/evidence.md)");
    }
    auto key = audit::ReadPrivateKeyFile(ev.signing_key);
    if (!key.ok()) return key.status();
    keys.signing.emplace(std::move(*key));
  }
  return keys;
}

std::string StorePath(const std::string& option, const engine::IngestConfig& config) {
  return option.empty() ? config.evidence.store : option;
}

std::optional<audit::Store> OpenStoreOrReport(const std::string& path, bool create,
                                              int* exit_code) {
  auto store = audit::Store::Open(path, create);
  if (!store.ok()) {
    spdlog::error("{}", SafeExcerpt(store.status().message(), 400));
    *exit_code = ExitCodeFor(store.status());
    return std::nullopt;
  }
  return std::move(*store);
}

std::vector<audit::RuleRow> RuleRows(const dsl::RuleSet& rules) {
  std::vector<audit::RuleRow> rows;
  for (const dsl::RulePlan& r : rules.plan.rules) {
    audit::RuleMeta meta;
    meta.title = r.title;
    meta.severity = dsl::SeverityText(r.severity);
    meta.scope = dsl::ScopeText(r.scope);
    meta.window = r.window > 0 ? FormatDuration(r.window) : "";
    meta.tags = r.tags;
    if (r.clause) {
      audit::RuleClause c;
      c.policy = r.clause->policy;
      c.section = r.clause->section;
      c.since = r.clause->since;
      c.until = r.clause->until.value_or("");
      c.text = r.clause->text;
      c.versions = r.clause->versions;
      for (const auto& p : rules.plan.policies) {
        if (p.id == c.policy) c.policy_title = p.title;
      }
      meta.clause = std::move(c);
    }
    meta.exemptions = Exemptions(r.source_text);
    rows.push_back(
        {r.id, r.source_file, r.source_sha256, r.source_text, audit::RuleMetaJson(meta)});
  }
  return rows;
}

Result<audit::RunRow> ScanRunRow(const std::vector<std::string>& argv,
                                 const engine::IngestConfig& config, const dsl::RuleSet& rules,
                                 const engine::IngestResult& ingest, TimestampUs started,
                                 TimestampUs finished) {
  audit::RunRow run;
  for (std::size_t i = 0; i < argv.size(); ++i) run.command += (i ? " " : "") + argv[i];
  run.tool_version = kVersion;
  run.revision = kGitRevision;
  run.started_at = FormatRfc3339(started);
  run.finished_at = FormatRfc3339(finished);
  run.by = Operator();
  auto config_sha = engine::HashFile(config.path);
  if (!config_sha.ok()) return config_sha.status();
  run.config_sha256 = ToHex(*config_sha);
  run.rules = RuleRows(rules);
  run.rules_sha256 = audit::RulesDigest(run.rules);
  engine::ReasonCounts reasons{};
  for (const engine::InputFile& f : ingest.data.files) {
    run.inputs.push_back({engine::DisplayPath(config, f.path), ToHex(f.sha256), f.stats.lines,
                          f.stats.records, f.stats.quarantined});
    for (std::size_t i = 0; i < reasons.size(); ++i) reasons[i] += f.stats.by_reason[i];
  }
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    if (reasons[i] == 0) continue;
    run.quarantine.push_back(
        {std::string(engine::QuarantineReasonName(static_cast<engine::QuarantineReason>(i))),
         reasons[i]});
  }
  return run;
}

const std::vector<std::string>& CommandLine() { return Argv(); }

void SetCommandLine(int argc, char** argv) {
  Argv().assign(argv, argv + argc);
  if (!Argv().empty()) Argv()[0] = "tosguard";
}

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kCorruption: return kExitIntegrity;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kNotFound: return kExitUsage;
    case StatusCode::kIoError: return kExitInput;
    default: return kExitInternal;
  }
}

}  // namespace tosguard::cli
