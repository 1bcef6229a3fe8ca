// HMAC-SHA256 over OpenSSL's EVP_MAC interface.
#include "audit/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cassert>
#include <cstdlib>
#include <string>

#include "audit/openssl_ptr.h"

namespace tosguard::audit {
namespace {

using MacPtr = OpenSslPtr<EVP_MAC, EVP_MAC_free>;
using MacCtxPtr = OpenSslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;

// An HMAC-SHA256 context keyed with `key`, or null (OpenSSL's error queue then cleared).
MacCtxPtr NewKeyedContext(std::span<const std::uint8_t> key) {
  MacPtr mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) {
    ERR_clear_error();
    return nullptr;
  }
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  // OSSL_PARAM takes a mutable string, though it only reads it.
  std::string digest = OSSL_DIGEST_NAME_SHA2_256;
  const std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
      OSSL_PARAM_construct_end()};
  // OpenSSL wants a non-null key pointer even for a zero-length key.
  static const unsigned char kNoKey = 0;
  const unsigned char* key_bytes = key.empty() ? &kNoKey : key.data();
  if (!ctx || EVP_MAC_init(ctx.get(), key_bytes, key.size(), params.data()) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return ctx;
}

void Update(EVP_MAC_CTX* ctx, std::string_view bytes) {
  if (!bytes.empty()) {
    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  }
}

Digest Final(EVP_MAC_CTX* ctx) {
  Digest out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    // A keyed SHA-256 context fails only when memory runs out: not recoverable input.
    std::abort();
  }
  return out;
}

bool IsValidDomain(std::string_view domain) {
  return !domain.empty() && domain.find('\0') == std::string_view::npos;
}

}  // namespace

Digest HmacSha256(std::span<const std::uint8_t> key, std::string_view message) {
  MacCtxPtr ctx = NewKeyedContext(key);
  if (!ctx) std::abort();  // as in Final: allocation failure
  Update(ctx.get(), message);
  return Final(ctx.get());
}

// The keyed context is a prototype: each Hash works on a copy, so the key's pads are
// computed once and concurrent Hash calls share nothing mutable.
struct KeyedHasher::Impl {
  MacCtxPtr keyed;
};

KeyedHasher::KeyedHasher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyedHasher::KeyedHasher(KeyedHasher&&) noexcept = default;
KeyedHasher& KeyedHasher::operator=(KeyedHasher&&) noexcept = default;
KeyedHasher::~KeyedHasher() = default;

Result<KeyedHasher> KeyedHasher::Create(std::span<const std::uint8_t> key) {
  if (key.size() < kMinKeyedHashKeyBytes) {
    return Status::InvalidArgument("a keyed-hash key needs at least " +
                                   std::to_string(kMinKeyedHashKeyBytes) + " bytes, this one has " +
                                   std::to_string(key.size()));
  }
  auto impl = std::make_unique<Impl>();
  impl->keyed = NewKeyedContext(key);
  if (!impl->keyed) return Status::Internal("cannot set up HMAC-SHA256 in OpenSSL");
  return KeyedHasher(std::move(impl));
}

Digest KeyedHasher::Hash(std::string_view domain, std::string_view value) const {
  assert(IsValidDomain(domain) && "a keyed-hash domain is non-empty and has no NUL byte");
  MacCtxPtr ctx(EVP_MAC_CTX_dup(impl_->keyed.get()));
  if (!ctx) std::abort();  // as in Final: allocation failure
  static constexpr char kSeparator = '\0';
  Update(ctx.get(), domain);
  Update(ctx.get(), std::string_view(&kSeparator, 1));
  Update(ctx.get(), value);
  return Final(ctx.get());
}

Result<Digest> KeyedHash(std::span<const std::uint8_t> key, std::string_view domain,
                         std::string_view value) {
  if (!IsValidDomain(domain)) {
    return Status::InvalidArgument("a keyed-hash domain must be non-empty and hold no NUL byte");
  }
  auto hasher = KeyedHasher::Create(key);
  if (!hasher.ok()) return hasher.status();
  return hasher->Hash(domain, value);
}

}  // namespace tosguard::audit
