// Ed25519 over OpenSSL's EVP interface; every OpenSSL object is owned by a unique_ptr.
#include "audit/ed25519.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "audit/openssl_ptr.h"
#include "base/sha256.h"

namespace tosguard::audit {
namespace {

using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = OpenSslPtr<BIO, BIO_free>;

// Keys are a few hundred bytes; anything much larger is not a key file.
constexpr std::size_t kMaxKeyFileBytes = std::size_t{64} * 1024;

// OpenSSL's queued errors as text, and the queue emptied, so that a failure here is not
// reported again by the next unrelated OpenSSL call in another module.
std::string DrainOpenSslErrors() {
  std::string out;
  std::array<char, 256> buf{};
  while (unsigned long e = ERR_get_error()) {
    ERR_error_string_n(e, buf.data(), buf.size());
    if (!out.empty()) out += "; ";
    out += buf.data();
  }
  return out.empty() ? "no OpenSSL error queued" : out;
}

Status OpenSslFailure(std::string_view what) {
  return Status::Internal(std::string(what) + ": " + DrainOpenSslErrors());
}

// OpenSSL may be handed a null pointer for an empty message; give it a real one.
const unsigned char* MessageBytes(std::string_view message) {
  static const unsigned char kEmpty = 0;
  return message.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(message.data());
}

// A passphrase callback that supplies none: an encrypted PEM fails instead of prompting
// on the terminal, which a library must never do.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

Result<BioPtr> ReadBio(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Status::InvalidArgument("PEM text too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslFailure("BIO_new_mem_buf");
  return bio;
}

Result<std::string> BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || data == nullptr) return OpenSslFailure("BIO_get_mem_data");
  return std::string(data, static_cast<std::size_t>(len));
}

Result<Ed25519RawKey> RawPublicKey(const EVP_PKEY* pkey) {
  Ed25519RawKey raw{};
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey, raw.data(), &len) != 1 || len != raw.size()) {
    return OpenSslFailure("EVP_PKEY_get_raw_public_key");
  }
  return raw;
}

std::string Errno(int err) { return std::strerror(err); }

}  // namespace

struct PrivateKey::Impl {
  PkeyPtr pkey;
};

// --- PublicKey ---------------------------------------------------------------------------

Result<PublicKey> PublicKey::FromRaw(std::span<const std::uint8_t> raw) {
  if (raw.size() != kEd25519KeyBytes) {
    return Status::InvalidArgument("an Ed25519 public key has 32 bytes, not " +
                                   std::to_string(raw.size()));
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw.data(), raw.size()));
  if (!pkey) {
    return Status::InvalidArgument("not an Ed25519 public key: " + DrainOpenSslErrors());
  }
  Ed25519RawKey copy{};
  std::memcpy(copy.data(), raw.data(), copy.size());
  return PublicKey(copy);
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  auto bio = ReadBio(pem);
  if (!bio.ok()) return bio.status();
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio->get(), nullptr, NoPassphrase, nullptr));
  if (!pkey) {
    return Status::InvalidArgument("no public key PEM: " + DrainOpenSslErrors());
  }
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("the public key is not an Ed25519 key");
  }
  auto raw = RawPublicKey(pkey.get());
  if (!raw.ok()) return raw.status();
  return PublicKey(*raw);
}

Result<std::string> PublicKey::ToPem() const {
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_.data(), raw_.size()));
  if (!pkey) return OpenSslFailure("EVP_PKEY_new_raw_public_key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey.get()) != 1) {
    return OpenSslFailure("PEM_write_bio_PUBKEY");
  }
  return BioText(bio.get());
}

std::string PublicKey::KeyId() const {
  const Digest d =
      Sha256::Of(std::string_view(reinterpret_cast<const char*>(raw_.data()), raw_.size()));
  return BytesToHex(d.data(), 8);
}

Status PublicKey::Verify(std::string_view message, std::span<const std::uint8_t> signature) const {
  if (signature.size() != kEd25519SignatureBytes) {
    return Status::Corruption("an Ed25519 signature has 64 bytes, this one " +
                              std::to_string(signature.size()));
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_.data(), raw_.size()));
  if (!pkey) return OpenSslFailure("EVP_PKEY_new_raw_public_key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  // Ed25519 hashes internally: no digest is named (pure EdDSA, RFC 8032 §5.1).
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return OpenSslFailure("EVP_DigestVerifyInit");
  }
  const int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                  MessageBytes(message), message.size());
  if (rc == 1) return Status::Ok();
  DrainOpenSslErrors();
  return Status::Corruption("the Ed25519 signature does not verify under key " + KeyId());
}

// --- PrivateKey --------------------------------------------------------------------------

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl, const PublicKey& public_key)
    : impl_(std::move(impl)), public_key_(public_key) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

Result<PrivateKey> PrivateKey::FromImpl(std::unique_ptr<Impl> impl) {
  auto raw = RawPublicKey(impl->pkey.get());
  if (!raw.ok()) return raw.status();
  auto pub = PublicKey::FromRaw(*raw);
  if (!pub.ok()) return pub.status();
  return PrivateKey(std::move(impl), *pub);
}

Result<PrivateKey> PrivateKey::Generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return OpenSslFailure("Ed25519 key generation");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  return FromImpl(std::move(impl));
}

Result<PrivateKey> PrivateKey::FromRawSeed(std::span<const std::uint8_t> seed) {
  if (seed.size() != kEd25519KeyBytes) {
    return Status::InvalidArgument("an Ed25519 private key seed has 32 bytes, not " +
                                   std::to_string(seed.size()));
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!impl->pkey) return OpenSslFailure("EVP_PKEY_new_raw_private_key");
  return FromImpl(std::move(impl));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  auto bio = ReadBio(pem);
  if (!bio.ok()) return bio.status();
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(PEM_read_bio_PrivateKey(bio->get(), nullptr, NoPassphrase, nullptr));
  if (!impl->pkey) {
    return Status::InvalidArgument("no unencrypted private key PEM: " + DrainOpenSslErrors());
  }
  if (EVP_PKEY_get_id(impl->pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("the private key is not an Ed25519 key");
  }
  return FromImpl(std::move(impl));
}

Result<std::string> PrivateKey::ToPem() const {
  // Secure memory: the BIO's buffer is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return OpenSslFailure("BIO_new");
  // With no cipher, PEM_write_bio_PrivateKey writes unencrypted PKCS#8 (OpenSSL 3).
  if (PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslFailure("PEM_write_bio_PrivateKey");
  }
  return BioText(bio.get());
}

Result<Ed25519Signature> PrivateKey::Sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1) {
    return OpenSslFailure("EVP_DigestSignInit");
  }
  Ed25519Signature sig{};
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, MessageBytes(message), message.size()) != 1 ||
      len != sig.size()) {
    return OpenSslFailure("EVP_DigestSign");
  }
  return sig;
}

// --- Key files ---------------------------------------------------------------------------

Status WriteNewFile(const std::string& path, std::string_view bytes, unsigned mode,
                    const std::string& what) {
  // O_EXCL also refuses an existing symbolic link, dangling or not, without following it.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return Status::FailedPrecondition("refusing to overwrite '" + path + "': a " + what +
                                        " is never replaced");
    }
    return Status::IoError("cannot create " + what + " '" + path + "': " + Errno(err));
  }
  auto fail = [&](std::string_view action) {
    const int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Status::IoError("cannot " + std::string(action) + " " + what + " '" + path +
                           "': " + Errno(err));
  };
  // The umask may only have removed bits, but say exactly what the file's mode is.
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("set the mode of");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("sync");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return Status::IoError("cannot close " + what + " '" + path + "': " + Errno(err));
  }
  return Status::Ok();
}

Status WritePrivateKeyFile(const std::string& path, const PrivateKey& key) {
  auto pem = key.ToPem();
  if (!pem.ok()) return pem.status();
  std::string& text = *pem;
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{text};
  return WriteNewFile(path, text, 0600, "private key file");
}

Result<PrivateKey> ReadPrivateKeyFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound("no private key file '" + path + "'");
    return Status::IoError("cannot open private key file '" + path + "': " + Errno(err));
  }
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Status::IoError("cannot stat private key file '" + path + "': " + Errno(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("private key file '" + path + "' is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::FailedPrecondition("private key file '" + path + "' has mode " + mode.data() +
                                      ": only its owner may have access (chmod 600)");
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
    return Status::InvalidArgument("private key file '" + path + "' is too large for a key");
  }
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  struct Wipe {
    std::string& s;
    ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
  } wipe{text};
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::IoError("cannot read private key file '" + path + "': " + Errno(errno));
    }
    if (n == 0) break;  // the file shrank meanwhile; parse what is there
    done += static_cast<std::size_t>(n);
  }
  auto key = PrivateKey::FromPem(std::string_view(text.data(), done));
  if (!key.ok()) {
    return Status(key.status().code(),
                  "private key file '" + path + "': " + key.status().message());
  }
  return key;
}

}  // namespace tosguard::audit
