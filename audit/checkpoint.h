// Checkpoints of the transparency log: the signed statement "the log of this origin had
// this many leaves with this root at this time", in one canonical text form.
//
// The text follows the body of a C2SP tlog-checkpoint, with the time as its one
// extension line; every line ends with "\n":
//
//   tosguard.example/evidence
//   8
//   XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
//   time 2025-03-01T12:30:00Z
//
// (origin; tree size in decimal; the root in standard padded base64; "time " and the
// RFC 3339 UTC time in base/time.h's canonical form, fraction only when not zero).
// The Ed25519 signature is over exactly these bytes, so it can be checked with standard
// tools (docs/evidence.md shows how). Only canonical text parses: no leading zeros, no
// alternative time spellings, no trailing bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "audit/ed25519.h"
#include "base/sha256.h"
#include "base/status.h"
#include "base/time.h"

namespace tosguard::audit {

// The longest origin accepted.
inline constexpr std::size_t kMaxOriginBytes = 255;

struct Checkpoint {
  // Names the log, e.g. "tosguard.example/evidence": 1 to kMaxOriginBytes visible ASCII
  // characters (0x21-0x7E), no spaces.
  std::string origin;
  std::uint64_t tree_size = 0;
  // RootOf the first tree_size leaves; EmptyRoot() when tree_size is 0.
  Digest root{};
  // When the checkpoint was made, UTC, within years 0001-9999 (base/time.h).
  TimestampUs time = 0;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The canonical text above. InvalidArgument when the origin breaks its rule, the time is
// out of range, or tree_size is 0 with a root other than EmptyRoot().
Result<std::string> CheckpointText(const Checkpoint& checkpoint);

// The inverse of CheckpointText: Corruption, naming the line, for any text that
// CheckpointText would not have produced.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// Signs CheckpointText(checkpoint). Errors as CheckpointText and PrivateKey::Sign.
Result<Ed25519Signature> SignCheckpoint(const Checkpoint& checkpoint, const PrivateKey& key);

// Ok when `signature` is `key`'s signature of CheckpointText(checkpoint); Corruption when
// it is not; InvalidArgument when the checkpoint itself is invalid.
Status VerifyCheckpoint(const Checkpoint& checkpoint, std::span<const std::uint8_t> signature,
                        const PublicKey& key);

}  // namespace tosguard::audit
