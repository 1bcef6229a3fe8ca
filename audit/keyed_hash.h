// Keyed hashes (HMAC-SHA256) that stand for identifiers and text in log leaves.
//
// A leaf must let a holder of the configured key recognise "the finding about account X"
// without the log revealing X: prompt text and personal data never enter a leaf, their
// keyed hashes do. Without the key the hashes cannot be tested against guesses, which a
// plain SHA-256 of an e-mail address would allow.
//
// Domain separation: KeyedHasher::Hash(domain, value) is HMAC-SHA256(key, domain ‖ 0x00 ‖
// value), so the same value under two domains ("account", "prompt") gives unrelated
// hashes. A domain is a constant of the calling code: non-empty, without a NUL byte,
// which is what makes the encoding unambiguous.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "base/sha256.h"
#include "base/status.h"

namespace tosguard::audit {

// The shortest key accepted: HMAC-SHA256's full strength needs 256 bits.
inline constexpr std::size_t kMinKeyedHashKeyBytes = 32;

// HMAC-SHA256(key, message) (RFC 2104), without the key-length rule and without a
// domain: the bare primitive, for standard test vectors and interoperability. Leaves use
// KeyedHasher.
Digest HmacSha256(std::span<const std::uint8_t> key, std::string_view message);

// A key checked once and prepared for many hashes. Move-only; the key is held only inside
// OpenSSL's MAC context, which wipes it when freed. Hash() may be called from several
// threads at once.
class KeyedHasher {
 public:
  // InvalidArgument when the key is shorter than kMinKeyedHashKeyBytes; Internal when
  // OpenSSL fails.
  static Result<KeyedHasher> Create(std::span<const std::uint8_t> key);

  KeyedHasher(KeyedHasher&&) noexcept;
  KeyedHasher& operator=(KeyedHasher&&) noexcept;
  ~KeyedHasher();

  // HMAC-SHA256(key, domain ‖ 0x00 ‖ value). Precondition (asserted): domain is non-empty
  // and holds no NUL byte; not called on a moved-from hasher. The value is hashed in
  // place, never copied.
  Digest Hash(std::string_view domain, std::string_view value) const;

 private:
  struct Impl;
  explicit KeyedHasher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// One-shot KeyedHasher::Create(key) and Hash(domain, value); InvalidArgument for a short
// key or a domain that is empty or holds a NUL byte. For many values, keep a KeyedHasher.
Result<Digest> KeyedHash(std::span<const std::uint8_t> key, std::string_view domain,
                         std::string_view value);

}  // namespace tosguard::audit
