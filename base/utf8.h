// UTF-8 validation and safe excerpts of hostile text.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tosguard {

// True when `bytes` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// Decodes the character that starts at s[i] (i < s.size()) and sets `size` to its length
// in bytes; an invalid or overlong sequence, a surrogate or a value above U+10FFFF is
// nullopt with `size` 1.
std::optional<char32_t> DecodeUtf8(std::string_view s, std::size_t i, std::size_t* size);

// Characters that hide or rearrange the text around them when shown: C1 controls
// (U+0080-U+009F), the bidirectional embeddings, overrides, isolates and marks (U+061C,
// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators
// (U+2028, U+2029).
bool IsHiddenFormatting(char32_t cp);

// At most `max_bytes` bytes of `bytes` as valid UTF-8 text that is safe to print:
// invalid sequences become U+FFFD, C0 controls and DEL (including ESC, so no terminal
// escape survives) become "\xNN", the hidden formatting characters above "\uNNNN"
// (so no value can reorder a table row on screen), and a cut never splits a character
// or an escape. "…" is appended when the input was longer.
std::string SafeExcerpt(std::string_view bytes, std::size_t max_bytes);

}  // namespace tosguard
