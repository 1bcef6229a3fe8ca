// The checkpoint text: formatting, strict parsing, signing and verification.
#include "audit/checkpoint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "audit/merkle.h"

namespace tosguard::audit {
namespace {

constexpr std::string_view kTimePrefix = "time ";
constexpr std::size_t kRootBase64Chars = 44;  // 32 bytes in standard base64, padded

std::string Base64(const Digest& d) {
  std::array<unsigned char, kRootBase64Chars + 1> out{};  // EVP_EncodeBlock adds a NUL
  EVP_EncodeBlock(out.data(), d.data(), static_cast<int>(d.size()));
  return {reinterpret_cast<const char*>(out.data()), kRootBase64Chars};
}

// Standard padded base64 of exactly 32 bytes, in its one canonical spelling.
bool DecodeRoot(std::string_view text, Digest& out) {
  if (text.size() != kRootBase64Chars) return false;
  std::array<unsigned char, kRootBase64Chars> buf{};  // 44 chars decode to 33 bytes here
  const int n = EVP_DecodeBlock(buf.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n != 33) return false;
  std::copy_n(buf.begin(), out.size(), out.begin());
  // EVP_DecodeBlock tolerates whitespace and non-zero padding bits; re-encoding rejects
  // every spelling but the canonical one.
  return Base64(out) == text;
}

Status ValidateOrigin(std::string_view origin) {
  if (origin.empty()) return Status::InvalidArgument("checkpoint origin is empty");
  if (origin.size() > kMaxOriginBytes) {
    return Status::InvalidArgument("checkpoint origin is longer than " +
                                   std::to_string(kMaxOriginBytes) + " bytes");
  }
  for (const char c : origin) {
    if (c < 0x21 || c > 0x7E) {
      return Status::InvalidArgument(
          "checkpoint origin may hold only visible ASCII characters, no spaces");
    }
  }
  return Status::Ok();
}

Status Validate(const Checkpoint& c) {
  TOSGUARD_RETURN_IF_ERROR(ValidateOrigin(c.origin));
  if (c.time < kMinTimestamp || c.time > kMaxTimestamp) {
    return Status::InvalidArgument("checkpoint time is outside years 0001-9999");
  }
  if (c.tree_size == 0 && c.root != EmptyRoot()) {
    return Status::InvalidArgument("a checkpoint of size 0 must have the empty tree's root");
  }
  return Status::Ok();
}

Status BadLine(int line, std::string_view why) {
  return Status::Corruption("checkpoint line " + std::to_string(line) + ": " + std::string(why));
}

}  // namespace

Result<std::string> CheckpointText(const Checkpoint& c) {
  TOSGUARD_RETURN_IF_ERROR(Validate(c));
  std::string out;
  out.reserve(c.origin.size() + 100);
  out += c.origin;
  out += '\n';
  out += std::to_string(c.tree_size);
  out += '\n';
  out += Base64(c.root);
  out += '\n';
  out += kTimePrefix;
  out += FormatRfc3339(c.time);
  out += '\n';
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return BadLine(static_cast<int>(lines.size()) + 1, "does not end with a newline");
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
    if (lines.size() > 4) return BadLine(5, "a checkpoint has 4 lines");
  }
  if (lines.size() != 4) {
    return Status::Corruption("a checkpoint has 4 lines, this one " + std::to_string(lines.size()));
  }
  Checkpoint c;
  if (Status s = ValidateOrigin(lines[0]); !s.ok()) return BadLine(1, s.message());
  c.origin = std::string(lines[0]);

  const std::string_view size = lines[1];
  const char* end = size.data() + size.size();
  const auto [ptr, ec] = std::from_chars(size.data(), end, c.tree_size);
  // from_chars takes no sign for an unsigned type; leading zeros are refused here.
  if (size.empty() || ec != std::errc() || ptr != end || (size.size() > 1 && size[0] == '0')) {
    return BadLine(2, "the tree size is not a canonical decimal number");
  }
  if (!DecodeRoot(lines[2], c.root)) {
    return BadLine(3, "the root is not 44 characters of canonical base64");
  }
  const std::string_view time_line = lines[3];
  if (time_line.substr(0, kTimePrefix.size()) != kTimePrefix) {
    return BadLine(4, "expected \"time <RFC 3339 UTC time>\"");
  }
  const std::string_view time_text = time_line.substr(kTimePrefix.size());
  const auto ts = ParseRfc3339(time_text);
  if (!ts || FormatRfc3339(*ts) != time_text) {
    return BadLine(4, "the time is not in canonical RFC 3339 UTC form");
  }
  c.time = *ts;
  if (Status s = Validate(c); !s.ok()) return Status::Corruption(s.message());
  return c;
}

Result<Ed25519Signature> SignCheckpoint(const Checkpoint& checkpoint, const PrivateKey& key) {
  auto text = CheckpointText(checkpoint);
  if (!text.ok()) return text.status();
  return key.Sign(*text);
}

Status VerifyCheckpoint(const Checkpoint& checkpoint, std::span<const std::uint8_t> signature,
                        const PublicKey& key) {
  auto text = CheckpointText(checkpoint);
  if (!text.ok()) return text.status();
  return key.Verify(*text, signature);
}

}  // namespace tosguard::audit
