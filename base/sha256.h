// SHA-256 (OpenSSL's libcrypto, hardware accelerated where the CPU allows).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tosguard {

using Digest = std::array<std::uint8_t, 32>;

// Incremental SHA-256. Not thread-safe; one instance per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, std::size_t size);
  void Update(std::string_view bytes) { Update(bytes.data(), bytes.size()); }
  // Returns the digest and resets the instance for a new stream.
  Digest Finish();

  // One-shot digest of `bytes`.
  static Digest Of(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lower-case hexadecimal, 64 characters.
std::string ToHex(const Digest& digest);
// Lower-case hexadecimal of arbitrary bytes.
std::string BytesToHex(const void* data, std::size_t size);

}  // namespace tosguard
