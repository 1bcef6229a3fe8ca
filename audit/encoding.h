// Standard padded base64 (RFC 4648 §4), as `base64` and `openssl base64 -A` write it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tosguard::audit {

std::string Base64Encode(std::string_view bytes);
// nullopt unless `text` is the canonical encoding of some bytes (no whitespace, correct
// padding, zero padding bits).
std::optional<std::string> Base64Decode(std::string_view text);
// Lower-case hex to bytes; nullopt on an odd length or a non-hex character.
std::optional<std::string> HexDecode(std::string_view text);

}  // namespace tosguard::audit
