// `tosguard verify`: check a store, or one report offline.
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>

#include "audit/verify.h"
#include "base/json_writer.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/config_loading.h"
#include "cli/evidence.h"

namespace tosguard::cli {
namespace {

struct VerifyArgs {
  std::string config = "tosguard.yaml";
  std::string store, report, logs;
  std::vector<std::string> public_keys;
  std::string format;
};

void PrintTally(JsonWriter& w, const char* key, const audit::Tally& t) {
  w.Key(key).BeginObject().Key("valid").Uint(t.valid).Key("total").Uint(t.total).EndObject();
}

void PrintProblems(JsonWriter& w, const std::vector<audit::Problem>& problems) {
  w.Key("problems").BeginArray();
  for (const auto& p : problems)
    w.BeginObject().Key("record").String(p.record).Key("reason").String(p.reason).EndObject();
  w.EndArray();
}

std::string TableProblems(const std::vector<audit::Problem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += "FAIL " + SafeExcerpt(p.record, 120) + ": " + SafeExcerpt(p.reason, 400) + "\n";
  return out;
}

// The keys given with --public-key; false (exit code set) when one cannot be read.
bool ReadKeyRing(const std::vector<std::string>& paths, audit::KeyRing* ring, int* exit_code) {
  for (const std::string& path : paths) {
    auto key = ReadPublicKeyFile(path);
    if (!key.ok()) {
      spdlog::error("{}", SafeExcerpt(key.status().message(), 300));
      *exit_code = kExitUsage;
      return false;
    }
    ring->push_back(*key);
  }
  return true;
}

void VerifyReportFile(const VerifyArgs& args, const std::string& format, CliContext& ctx) {
  audit::KeyRing trusted;
  if (!ReadKeyRing(args.public_keys, &trusted, &ctx.exit_code)) return;
  std::ifstream in(args.report, std::ios::binary);
  if (!in) {
    spdlog::error("cannot read the report '{}'", SafeExcerpt(args.report, 200));
    ctx.exit_code = kExitUsage;
    return;
  }
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto v = audit::VerifyReport(json, trusted, args.logs);
  if (!v.ok()) {
    spdlog::error("{}: {}", SafeExcerpt(args.report, 200), v.status().message());
    ctx.exit_code = kExitUsage;
    return;
  }
  if (format == "json") {
    JsonWriter w;
    w.BeginObject().Key("report").String(args.report).Key("valid").Bool(v->ok());
    w.Key("signature").Bool(v->signature_ok).Key("key_id").String(v->key_id);
    w.Key("key_from_report").Bool(v->key_from_report);
    PrintTally(w, "records", v->leaves);
    if (!args.logs.empty()) PrintTally(w, "lines", v->lines);
    PrintProblems(w, v->problems);
    w.EndObject();
    std::cout << w.Take() << "\n";
  } else {
    std::cout
        << "signature: " << (v->signature_ok ? "valid" : "INVALID") << " (key " << v->key_id
        << (v->key_from_report
                ? ", the key embedded in the report: compare it with the operator's published key"
                : ", the trusted key given")
        << ")\n";
    std::cout << "records:   " << v->leaves.valid << " of " << v->leaves.total
              << " in the signed log\n";
    if (!args.logs.empty()) {
      std::cout << "lines:     " << v->lines.valid << " of " << v->lines.total
                << " cited lines match the logs\n";
    }
    std::cout << TableProblems(v->problems) << (v->ok() ? "report valid\n" : "report INVALID\n");
  }
  if (!v->ok()) ctx.exit_code = kExitIntegrity;
}

void Run(const VerifyArgs& args, CliContext& ctx) {
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  if (!args.report.empty()) {
    VerifyReportFile(args, format, ctx);
    return;
  }
  if (!args.logs.empty()) {
    spdlog::error("--logs goes with --report");
    ctx.exit_code = kExitUsage;
    return;
  }
  auto config = LoadConfigOrReport(args.config);
  if (!config) {
    ctx.exit_code = kExitUsage;
    return;
  }
  const std::string path = StorePath(args.store, *config);
  if (path.empty()) {
    spdlog::error("no store: give --store or set evidence.store in {}",
                  SafeExcerpt(args.config, 200));
    ctx.exit_code = kExitUsage;
    return;
  }
  auto keys = LoadEvidenceKeys(*config, /*need_signing=*/args.public_keys.empty());
  if (!keys.ok()) {
    spdlog::error("{}", keys.status().message());
    ctx.exit_code = kExitUsage;
    return;
  }
  // Trusted: the keys given, else the configuration's signing key and its trusted_keys.
  audit::KeyRing ring;
  if (!ReadKeyRing(args.public_keys, &ring, &ctx.exit_code)) return;
  if (ring.empty()) {
    ring.push_back(keys->signing->public_key());
    for (const auto& k : keys->earlier) ring.push_back(k);
  }
  std::string key_ids;
  for (const auto& k : ring) key_ids += (key_ids.empty() ? "" : ", ") + k.KeyId();
  auto v = audit::VerifyStore(path, ring, *keys->hasher);
  if (!v.ok()) {
    spdlog::error("{}", v.status().message());
    ctx.exit_code = ExitCodeFor(v.status());
    return;
  }
  if (format == "json") {
    JsonWriter w;
    w.BeginObject().Key("store").String(path).Key("valid").Bool(v->ok());
    w.Key("key_ids").BeginArray();
    for (const auto& k : ring) w.String(k.KeyId());
    w.EndArray();
    PrintTally(w, "leaves", v->leaves);
    PrintTally(w, "checkpoints", v->checkpoints);
    PrintTally(w, "rows", v->rows);
    w.Key("tree_size").Uint(v->tree_size).Key("root").String(v->root);
    PrintProblems(w, v->problems);
    w.EndObject();
    std::cout << w.Take() << "\n";
  } else {
    std::cout << "leaves:      " << v->leaves.valid << " of " << v->leaves.total << " valid\n";
    std::cout << "checkpoints: " << v->checkpoints.valid << " of " << v->checkpoints.total
              << " valid (trusted keys " << key_ids << ")\n";
    std::cout << "rows:        " << v->rows.valid << " of " << v->rows.total
              << " match their log records\n";
    std::cout << "log:         " << v->tree_size << " leaves, root "
              << (v->root.empty() ? "(none)" : v->root) << "\n";
    std::cout << TableProblems(v->problems) << (v->ok() ? "store valid\n" : "store INVALID\n");
  }
  if (!v->ok()) ctx.exit_code = kExitIntegrity;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check the evidence store, or one report offline, and name every failure");
  cmd->add_option("-c,--config", args->config, "Configuration (store path and keys)")
      ->capture_default_str();
  cmd->add_option("--store", args->store,
                  "The store to check (default: evidence.store of the configuration)");
  cmd->add_option("--report", args->report, "Check this JSON report offline instead of a store");
  cmd->add_option("--logs", args->logs,
                  "With --report: re-read every cited line from the logs under this directory");
  cmd->add_option("--public-key", args->public_keys,
                  "Trust this Ed25519 public key (PEM) for the signatures; repeat it for the keys "
                  "of a rotation");
  cmd->add_option("--format", args->format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
