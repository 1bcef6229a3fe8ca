// Tests of Ed25519 keys and signatures and of signed checkpoints: RFC 8032 vectors, the
// canonical text, tampering, PEM, key files, and the openssl command line as verifier.
#include "audit/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "audit/ed25519.h"
#include "audit/merkle.h"
#include "tests/audit/audit_test_util.h"
#include "tests/support/temp_dir.h"

using namespace tosguard;
using namespace tosguard::audit;
using namespace tosguard::audit::testing;
using tosguard::testing::TempDir;

namespace {

// RFC 8032 §7.1, TEST 1 and TEST 2.
constexpr std::string_view kRfcSecret1 =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr std::string_view kRfcPublic1 =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr std::string_view kRfcSignature1 =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
constexpr std::string_view kRfcSecret2 =
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view kRfcPublic2 =
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr std::string_view kRfcSignature2 =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
    "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

PrivateKey RfcKey1() {
  auto key = PrivateKey::FromRawSeed(Bytes(kRfcSecret1));
  REQUIRE(key.ok());
  return std::move(key).value();
}

PrivateKey FreshKey() {
  auto key = PrivateKey::Generate();
  REQUIRE(key.ok());
  return std::move(key).value();
}

std::string Hex(std::span<const std::uint8_t> b) { return BytesToHex(b.data(), b.size()); }

// The 8-leaf reference root of RFC 6962's test suite (see merkle_test.cc).
const Digest kRoot8 = D("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

Checkpoint Sample() {
  Checkpoint c;
  c.origin = "tosguard.example/evidence";
  c.tree_size = 8;
  c.root = kRoot8;
  c.time = *ParseRfc3339("2025-03-01T12:30:00Z");
  return c;
}

constexpr std::string_view kSampleText =
    "tosguard.example/evidence\n"
    "8\n"
    "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    "time 2025-03-01T12:30:00Z\n";

// A PEM of a key that is not Ed25519 (X25519), and an encrypted Ed25519 PKCS#8 PEM.
std::string OtherTypePem(bool private_key) {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519");
  REQUIRE(pkey != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  const int ok = private_key
                     ? PEM_write_bio_PrivateKey(bio, pkey, nullptr, nullptr, 0, nullptr, nullptr)
                     : PEM_write_bio_PUBKEY(bio, pkey);
  REQUIRE(ok == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return out;
}

std::string EncryptedPem() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  REQUIRE(pkey != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  char pass[] = "secret";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio, pkey, EVP_aes_256_cbc(), pass, 6, nullptr, nullptr) ==
          1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  EVP_PKEY_free(pkey);
  return out;
}

unsigned FileMode(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode & 07777);
}

// Runs a shell command; its exit code (or -1 when it did not exit normally).
int Run(const std::string& command) {
  const int rc = std::system(command.c_str());
  return (rc != -1 && WIFEXITED(rc)) ? WEXITSTATUS(rc) : -1;
}

bool HaveOpensslCli() { return Run("command -v openssl >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("ed25519: RFC 8032 test vectors 1 and 2 through the wrappers") {
  const PrivateKey key1 = RfcKey1();
  CHECK(Hex(key1.public_key().raw()) == kRfcPublic1);
  auto sig1 = key1.Sign("");
  REQUIRE(sig1.ok());
  CHECK(Hex(*sig1) == kRfcSignature1);
  CHECK(key1.public_key().Verify("", Bytes(kRfcSignature1)).ok());
  CHECK_FALSE(key1.public_key().Verify("x", Bytes(kRfcSignature1)).ok());

  auto key2 = PrivateKey::FromRawSeed(Bytes(kRfcSecret2));
  REQUIRE(key2.ok());
  CHECK(Hex(key2->public_key().raw()) == kRfcPublic2);
  auto sig2 = key2->Sign(BytesText("72"));
  REQUIRE(sig2.ok());
  CHECK(Hex(*sig2) == kRfcSignature2);

  // Verification from the published public key alone.
  auto pub2 = PublicKey::FromRaw(Bytes(kRfcPublic2));
  REQUIRE(pub2.ok());
  CHECK(pub2->Verify(BytesText("72"), Bytes(kRfcSignature2)).ok());
  CHECK_FALSE(pub2->Verify(BytesText("72"), Bytes(kRfcSignature1)).ok());
  CHECK_FALSE(key1.public_key().Verify(BytesText("72"), Bytes(kRfcSignature2)).ok());
}

TEST_CASE("ed25519: key ids, raw key lengths and signature lengths") {
  const PrivateKey key = RfcKey1();
  // printf d75a...511a | xxd -r -p | sha256sum | cut -c1-16
  CHECK(key.public_key().KeyId() == "21fe31dfa154a261");
  CHECK(FreshKey().public_key().KeyId() != key.public_key().KeyId());

  CHECK(PrivateKey::FromRawSeed(Bytes("00")).status().code() == StatusCode::kInvalidArgument);
  CHECK(PublicKey::FromRaw(Bytes(kRfcSignature1)).status().code() == StatusCode::kInvalidArgument);

  auto sig = Bytes(kRfcSignature1);
  sig.pop_back();
  const Status s = key.public_key().Verify("", sig);
  CHECK(s.code() == StatusCode::kCorruption);
  CHECK(s.message() == "an Ed25519 signature has 64 bytes, this one 63");
}

TEST_CASE("checkpoint: the canonical text") {
  auto text = CheckpointText(Sample());
  REQUIRE(text.ok());
  CHECK(*text == kSampleText);

  Checkpoint c = Sample();
  c.time += 123;  // microseconds appear only when not zero
  c.tree_size = 18446744073709551615u;
  text = CheckpointText(c);
  REQUIRE(text.ok());
  CHECK(*text ==
        "tosguard.example/evidence\n18446744073709551615\n"
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\ntime 2025-03-01T12:30:00.000123Z\n");
  auto back = ParseCheckpoint(*text);
  REQUIRE(back.ok());
  CHECK(*back == c);

  Checkpoint empty;
  empty.origin = "log";
  empty.root = EmptyRoot();
  text = CheckpointText(empty);
  REQUIRE(text.ok());
  CHECK(*text ==
        "log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ntime 1970-01-01T00:00:00Z\n");
}

TEST_CASE("checkpoint: invalid checkpoints are refused") {
  auto refused = [](Checkpoint c) {
    return CheckpointText(c).status().code() == StatusCode::kInvalidArgument;
  };
  Checkpoint c = Sample();
  c.origin = "";
  CHECK(refused(c));
  c.origin = "two words";
  CHECK(refused(c));
  c.origin = "line\nbreak";
  CHECK(refused(c));
  c.origin = "caf\xC3\xA9";
  CHECK(refused(c));
  c.origin = std::string(kMaxOriginBytes + 1, 'a');
  CHECK(refused(c));
  c.origin = std::string(kMaxOriginBytes, 'a');
  CHECK_FALSE(refused(c));
  c = Sample();
  c.time = kMaxTimestamp + 1;
  CHECK(refused(c));
  c = Sample();
  c.tree_size = 0;
  CHECK(refused(c));  // the root of 8 leaves cannot be the root of none
}

TEST_CASE("checkpoint: only canonical text parses") {
  auto parsed = ParseCheckpoint(kSampleText);
  REQUIRE(parsed.ok());
  CHECK(*parsed == Sample());

  const std::string good(kSampleText);
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string t = good;
    const auto at = t.find(from);
    REQUIRE(at != std::string::npos);
    t.replace(at, from.size(), to);
    return t;
  };
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"no final newline", good.substr(0, good.size() - 1)},
      {"extra line", good + "extra\n"},
      {"missing line", replace("time 2025-03-01T12:30:00Z\n", "")},
      {"empty", ""},
      {"CRLF", replace("\n8\n", "\r\n8\n")},
      {"leading zero", replace("\n8\n", "\n08\n")},
      {"plus sign", replace("\n8\n", "\n+8\n")},
      {"negative", replace("\n8\n", "\n-8\n")},
      {"size overflow", replace("\n8\n", "\n18446744073709551616\n")},
      {"size with space", replace("\n8\n", "\n8 \n")},
      {"non-canonical base64 padding bits", replace("Qyg=", "Qyh=")},
      {"base64 without padding", replace("Qyg=", "Qyg")},
      {"base64url", replace("z+Nw7/Rg", "z-Nw7_Rg")},
      {"root too long", replace("XcnaeacG", "XcnaeacGWamt")},
      {"time with offset", replace("12:30:00Z", "12:30:00+00:00")},
      {"time lower-case z", replace("12:30:00Z", "12:30:00z")},
      {"time zero fraction", replace("12:30:00Z", "12:30:00.000000Z")},
      {"time short fraction", replace("12:30:00Z", "12:30:00.25Z")},
      {"time keyword", replace("time ", "Time ")},
      {"time double space", replace("time ", "time  ")},
      {"origin with space", replace("tosguard.example", "tosguard example")},
      {"empty origin", replace("tosguard.example/evidence\n", "\n")},
      {"size 0 with a non-empty root", replace("\n8\n", "\n0\n")},
  };
  for (const auto& [what, text] : bad) {
    INFO(what);
    const auto r = ParseCheckpoint(text);
    CHECK(r.status().code() == StatusCode::kCorruption);
  }
  CHECK(ParseCheckpoint(replace("\n8\n", "\n08\n")).status().message() ==
        "checkpoint line 2: the tree size is not a canonical decimal number");
}

TEST_CASE("checkpoint: signed, verified, and every change detected") {
  const PrivateKey key = FreshKey();
  const Checkpoint c = Sample();
  auto sig = SignCheckpoint(c, key);
  REQUIRE(sig.ok());
  CHECK(VerifyCheckpoint(c, *sig, key.public_key()).ok());
  // The signature is over the canonical text and nothing else.
  CHECK(key.public_key().Verify(kSampleText, *sig).ok());
  // Ed25519 is deterministic: the same checkpoint, the same signature.
  CHECK(*SignCheckpoint(c, key) == *sig);

  auto rejected = [&](const Checkpoint& changed) {
    const Status s = VerifyCheckpoint(changed, *sig, key.public_key());
    return s.code() == StatusCode::kCorruption;
  };
  Checkpoint d = c;
  d.tree_size = 9;
  CHECK(rejected(d));
  d = c;
  d.root[31] ^= 1;
  CHECK(rejected(d));
  d = c;
  d.time += 1;
  CHECK(rejected(d));
  d = c;
  d.origin = "tosguard.example/evidencf";
  CHECK(rejected(d));

  for (std::size_t i = 0; i < sig->size(); ++i) {
    Ed25519Signature flipped = *sig;
    flipped[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    INFO("signature byte " << i);
    CHECK(VerifyCheckpoint(c, flipped, key.public_key()).code() == StatusCode::kCorruption);
  }
  const Status other = VerifyCheckpoint(c, *sig, FreshKey().public_key());
  CHECK(other.code() == StatusCode::kCorruption);
  CHECK(other.message().find("does not verify under key ") != std::string::npos);

  Checkpoint invalid = c;
  invalid.origin = "";
  CHECK(SignCheckpoint(invalid, key).status().code() == StatusCode::kInvalidArgument);
  CHECK(VerifyCheckpoint(invalid, *sig, key.public_key()).code() == StatusCode::kInvalidArgument);
}

TEST_CASE("keys: PEM round trips and refusals") {
  const PrivateKey key = RfcKey1();
  auto pem = key.ToPem();
  REQUIRE(pem.ok());
  CHECK(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  auto back = PrivateKey::FromPem(*pem);
  REQUIRE(back.ok());
  CHECK(back->public_key() == key.public_key());
  CHECK(Hex(*back->Sign("")) == kRfcSignature1);

  auto pub_pem = key.public_key().ToPem();
  REQUIRE(pub_pem.ok());
  CHECK(pub_pem->rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);
  auto pub = PublicKey::FromPem(*pub_pem);
  REQUIRE(pub.ok());
  CHECK(*pub == key.public_key());
  // The private PEM is no public key, and the reverse.
  CHECK_FALSE(PublicKey::FromPem(*pem).ok());
  CHECK_FALSE(PrivateKey::FromPem(*pub_pem).ok());

  CHECK(PrivateKey::FromPem("not a key").status().code() == StatusCode::kInvalidArgument);
  CHECK(PublicKey::FromPem("").status().code() == StatusCode::kInvalidArgument);
  CHECK(PrivateKey::FromPem(OtherTypePem(true)).status().message() ==
        "the private key is not an Ed25519 key");
  CHECK(PublicKey::FromPem(OtherTypePem(false)).status().message() ==
        "the public key is not an Ed25519 key");
  // An encrypted key fails at once: no passphrase prompt on the terminal.
  CHECK(PrivateKey::FromPem(EncryptedPem()).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("keys: private key files have mode 0600 and are never overwritten") {
  TempDir dir;
  const PrivateKey key = FreshKey();
  const std::string path = (dir.path() / "log.key").string();

  // Even under a umask that would leave the owner without write access.
  const mode_t old_umask = ::umask(0277);
  const Status written = WritePrivateKeyFile(path, key);
  ::umask(old_umask);
  REQUIRE(written.ok());
  CHECK(FileMode(path) == 0600);
  CHECK(dir.Read("log.key") == *key.ToPem());

  auto read = ReadPrivateKeyFile(path);
  REQUIRE(read.ok());
  CHECK(read->public_key() == key.public_key());

  const std::string before = dir.Read("log.key");
  const Status again = WritePrivateKeyFile(path, FreshKey());
  CHECK(again.code() == StatusCode::kFailedPrecondition);
  CHECK(again.message().find("refusing to overwrite") != std::string::npos);
  CHECK(dir.Read("log.key") == before);

  // A symbolic link, even a dangling one, is not followed.
  const std::string target = (dir.path() / "elsewhere.key").string();
  const std::string link = (dir.path() / "link.key").string();
  std::filesystem::create_symlink(target, link);
  CHECK(WritePrivateKeyFile(link, key).code() == StatusCode::kFailedPrecondition);
  CHECK_FALSE(std::filesystem::exists(target));

  CHECK(WritePrivateKeyFile((dir.path() / "no/such/dir.key").string(), key).code() ==
        StatusCode::kIoError);
}

TEST_CASE("keys: reading key files") {
  TempDir dir;
  const PrivateKey key = FreshKey();
  const std::string path = (dir.path() / "log.key").string();
  REQUIRE(WritePrivateKeyFile(path, key).ok());

  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  const auto open = ReadPrivateKeyFile(path);
  CHECK(open.status().code() == StatusCode::kFailedPrecondition);
  CHECK(open.status().message().find("has mode 0644") != std::string::npos);
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  CHECK(ReadPrivateKeyFile(path).ok());

  CHECK(ReadPrivateKeyFile((dir.path() / "missing.key").string()).status().code() ==
        StatusCode::kNotFound);
  const std::string junk = dir.Write("junk.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  REQUIRE(::chmod(junk.c_str(), 0600) == 0);
  const auto bad = ReadPrivateKeyFile(junk);
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("junk.key") != std::string::npos);
  CHECK(ReadPrivateKeyFile(dir.str()).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("checkpoint: the openssl command line verifies the signature") {
  if (!HaveOpensslCli()) FAIL("the openssl command is not installed: run scripts/setup.sh");
  TempDir dir;
  const PrivateKey key = FreshKey();
  const Checkpoint c = Sample();
  auto sig = SignCheckpoint(c, key);
  REQUIRE(sig.ok());
  const std::string text = *CheckpointText(c);
  dir.Write("checkpoint.txt", text);
  dir.Write("sig.bin", std::string(sig->begin(), sig->end()));
  dir.Write("pub.pem", *key.public_key().ToPem());
  const std::string cd = "cd '" + dir.str() + "' && ";
  const std::string verify =
      "openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in checkpoint.txt -sigfile sig.bin";
  CHECK(Run(cd + verify + " >out.txt 2>&1") == 0);
  CHECK(dir.Read("out.txt") == "Signature Verified Successfully\n");

  // A checkpoint claiming one more leaf fails with the same signature.
  Checkpoint more = c;
  more.tree_size = 9;
  dir.Write("checkpoint.txt", *CheckpointText(more));
  CHECK(Run(cd + verify + " >out.txt 2>&1") != 0);

  // The key file is standard PKCS#8: openssl derives the same public key from it.
  REQUIRE(WritePrivateKeyFile((dir.path() / "log.key").string(), key).ok());
  CHECK(Run(cd + "openssl pkey -in log.key -pubout -out derived.pem 2>/dev/null") == 0);
  CHECK(dir.Read("derived.pem") == *key.public_key().ToPem());

  // And a key made by openssl signs checkpoints here.
  REQUIRE(Run(cd + "openssl genpkey -algorithm ed25519 -out theirs.key 2>/dev/null && "
                   "chmod 600 theirs.key") == 0);
  auto theirs = ReadPrivateKeyFile((dir.path() / "theirs.key").string());
  REQUIRE(theirs.ok());
  auto their_sig = SignCheckpoint(c, *theirs);
  REQUIRE(their_sig.ok());
  CHECK(VerifyCheckpoint(c, *their_sig, theirs->public_key()).ok());
}
