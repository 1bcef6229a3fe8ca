// Helpers of the audit tests: hex literals as bytes and digests.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/sha256.h"

namespace tosguard::audit::testing {

inline std::vector<std::uint8_t> Bytes(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("not a hex digit");
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd number of hex digits");
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

// The bytes of a hex literal as a string (for record and message arguments).
inline std::string BytesText(std::string_view hex) {
  const auto b = Bytes(hex);
  return std::string(b.begin(), b.end());
}

inline Digest D(std::string_view hex) {
  const auto b = Bytes(hex);
  if (b.size() != 32) throw std::invalid_argument("a digest has 64 hex digits");
  Digest d{};
  for (std::size_t i = 0; i < 32; ++i) d[i] = b[i];
  return d;
}

inline std::vector<Digest> Ds(std::initializer_list<std::string_view> hexes) {
  std::vector<Digest> out;
  for (auto h : hexes) out.push_back(D(h));
  return out;
}

}  // namespace tosguard::audit::testing
