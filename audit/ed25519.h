// Ed25519 keys of the transparency log (OpenSSL's libcrypto): generation, PEM, key files,
// key ids, signing and verification.
//
// The private key signs checkpoints and nothing else; it lives in a file of mode 0600
// outside the evidence store and never appears in a store or a report. The public key
// and its key id are what a store and a report carry.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tosguard::audit {

inline constexpr std::size_t kEd25519KeyBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureBytes>;
using Ed25519RawKey = std::array<std::uint8_t, kEd25519KeyBytes>;

// A public key. Cheap to copy; thread-safe for concurrent const use.
class PublicKey {
 public:
  // The 32 bytes of RFC 8032 §5.1.5. InvalidArgument for any other length or for bytes
  // OpenSSL does not accept as a key.
  static Result<PublicKey> FromRaw(std::span<const std::uint8_t> raw);
  // A SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----"). InvalidArgument when the
  // text is not PEM or the key is not Ed25519.
  static Result<PublicKey> FromPem(std::string_view pem);

  const Ed25519RawKey& raw() const { return raw_; }
  // SubjectPublicKeyInfo PEM, as `openssl pkey -pubin` reads it. Internal when OpenSSL
  // fails (out of memory).
  Result<std::string> ToPem() const;
  // Names the key in stores and reports: the first 8 bytes of SHA-256 of the raw key,
  // as 16 lower-case hex digits.
  std::string KeyId() const;

  // Ok when `signature` is a valid Ed25519 signature of `message` under this key;
  // Corruption, with the reason, when it is not or has the wrong length.
  Status Verify(std::string_view message, std::span<const std::uint8_t> signature) const;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;

 private:
  explicit PublicKey(const Ed25519RawKey& raw) : raw_(raw) {}
  Ed25519RawKey raw_;
};

// A private key. Move-only; the key material stays inside OpenSSL, which wipes it on
// destruction. Thread-safe for concurrent const use.
class PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG (what `tosguard keygen` makes); the public half is
  // public_key(). Internal when OpenSSL fails.
  static Result<PrivateKey> Generate();
  // The 32-byte seed of RFC 8032 §5.1.5 (the "secret key" of its test vectors).
  // InvalidArgument for any other length.
  static Result<PrivateKey> FromRawSeed(std::span<const std::uint8_t> seed);
  // An unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). InvalidArgument when the
  // text holds no such key, the key is not Ed25519 or the PEM is encrypted (never
  // prompted for).
  static Result<PrivateKey> FromPem(std::string_view pem);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  const PublicKey& public_key() const { return public_key_; }
  // Unencrypted PKCS#8 PEM, as `openssl pkey` reads it. The secret is then in the
  // string: hand it to WritePrivateKeyFile, nowhere else.
  Result<std::string> ToPem() const;

  // Ed25519 (pure, RFC 8032 §5.1.6) signature of `message`. Internal when OpenSSL fails.
  // Not to be called on a moved-from key.
  Result<Ed25519Signature> Sign(std::string_view message) const;

 private:
  struct Impl;  // holds OpenSSL's key object; defined in the .cc

  PrivateKey(std::unique_ptr<Impl> impl, const PublicKey& public_key);
  static Result<PrivateKey> FromImpl(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  PublicKey public_key_;
};

// Writes `bytes` to a new file at `path` with exactly `mode`, synced. FailedPrecondition
// ("a <what> is never replaced") when anything exists at `path`, never followed; IoError
// otherwise, leaving no partial file.
Status WriteNewFile(const std::string& path, std::string_view bytes, unsigned mode,
                    const std::string& what);

// Writes key.ToPem() to a new file at `path` with mode 0600. FailedPrecondition when
// anything exists at `path` (a file or a symbolic link: never overwritten, never
// followed); IoError when the file cannot be created or written, in which case no
// partial file is left.
Status WritePrivateKeyFile(const std::string& path, const PrivateKey& key);

// Reads a private key file. NotFound or IoError when it cannot be read;
// FailedPrecondition when group or others may read or write it (as ssh refuses such
// keys); InvalidArgument when it holds no unencrypted Ed25519 PKCS#8 key.
Result<PrivateKey> ReadPrivateKeyFile(const std::string& path);

}  // namespace tosguard::audit
