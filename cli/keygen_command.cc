// `tosguard keygen`: the Ed25519 key pair that signs checkpoints and the pseudonym key.
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "audit/ed25519.h"
#include "base/sha256.h"
#include "cli/command.h"
#include "cli/config_loading.h"

namespace tosguard::cli {
namespace {

struct KeygenArgs {
  std::string config;
  std::string signing_key, pseudonym_key;
};

// Makes the missing directories above a key file, each readable by its owner only
// (0700), as a fresh checkout has none of a configuration's key directories.
// Directories that exist are left as they are.
Status MakeKeyDirectories(const std::string& key_file) {
  const std::filesystem::path dir = std::filesystem::path(key_file).parent_path();
  if (dir.empty()) return Status::Ok();
  std::filesystem::path at;
  for (const auto& part : dir) {
    at /= part;
    if (::mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::IoError("cannot create the key directory '" + at.string() +
                             "': " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

void Run(KeygenArgs args, CliContext& ctx) {
  if (!args.config.empty()) {
    auto config = LoadConfigOrReport(args.config);
    if (!config) {
      ctx.exit_code = kExitUsage;
      return;
    }
    if (args.signing_key.empty()) args.signing_key = config->evidence.signing_key;
    if (args.pseudonym_key.empty()) args.pseudonym_key = config->evidence.pseudonym_key;
  }
  if (args.signing_key.empty() && args.pseudonym_key.empty()) {
    spdlog::error(
        "name the keys to make: --signing-key and/or --pseudonym-key, or --config with an evidence "
        "section");
    ctx.exit_code = kExitUsage;
    return;
  }
  if (!args.signing_key.empty()) {
    auto key = audit::PrivateKey::Generate();
    Status s = MakeKeyDirectories(args.signing_key);
    if (s.ok()) s = key.ok() ? audit::WritePrivateKeyFile(args.signing_key, *key) : key.status();
    auto pub = key.ok() ? key->public_key().ToPem() : Result<std::string>(key.status());
    if (s.ok() && pub.ok())
      s = audit::WriteNewFile(args.signing_key + ".pub", *pub, 0644, "public key file");
    if (!s.ok() || !pub.ok()) {
      spdlog::error("{}", (!s.ok() ? s : pub.status()).message());
      ctx.exit_code = kExitInput;
      return;
    }
    std::cout << "signing key " << args.signing_key << " (public key " << args.signing_key
              << ".pub, key id " << key->public_key().KeyId() << ")\n";
  }
  if (!args.pseudonym_key.empty()) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
      spdlog::error("the system's random generator failed");
      ctx.exit_code = kExitInternal;
      return;
    }
    Status s = MakeKeyDirectories(args.pseudonym_key);
    if (s.ok()) {
      s = audit::WriteNewFile(args.pseudonym_key, BytesToHex(bytes, sizeof bytes) + "\n", 0600,
                              "pseudonym key file");
    }
    if (!s.ok()) {
      spdlog::error("{}", s.message());
      ctx.exit_code = kExitInput;
      return;
    }
    std::cout << "pseudonym key " << args.pseudonym_key << "\n";
  }
}

}  // namespace

void AddKeygenCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<KeygenArgs>();
  CLI::App* cmd = app.add_subcommand("keygen",
                                     "Make the Ed25519 key pair that signs the evidence log and "
                                     "the pseudonym key (never overwrites)");
  cmd->add_option("-c,--config", args->config,
                  "Take the key paths from this configuration's evidence section");
  cmd->add_option("--signing-key", args->signing_key,
                  "Write the private signing key here (PEM, mode 600) and the "
                  "public key beside it with .pub");
  cmd->add_option("--pseudonym-key", args->pseudonym_key,
                  "Write a random 32-byte pseudonym key here (hex, mode 600)");
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
