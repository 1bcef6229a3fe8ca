// The generator's own PRNG (splitmix64 seeding, xoshiro256**) and exact derivations.
//
// std:: distributions are implementation-defined, so every draw here is built from
// 64-bit integers and exactly rounded double operations only: the same key gives the
// same values with any compiler, standard library or CPU.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tosguard::gen {

// The splitmix64 finaliser: a bijective mix of 64 bits.
inline std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A stream key from a seed and up to three coordinates (account, day, request ...).
inline std::uint64_t StreamKey(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0,
                               std::uint64_t c = 0) {
  return Mix64(seed ^ Mix64(a ^ Mix64(b ^ Mix64(c + 0x5851F42D4C957F2DULL))));
}

// A bijection of [0, 2^48): unique ids from a counter, without visible order.
inline std::uint64_t Permute48(std::uint64_t x, std::uint64_t salt) {
  constexpr std::uint64_t kMask = (std::uint64_t{1} << 48) - 1;
  x = (x + salt) & kMask;
  x = (x * 0x9E3779B97F4BULL) & kMask;  // odd multiplier: invertible mod 2^48
  x ^= x >> 23;
  x = (x * 0xD6E8FEB86659ULL) & kMask;
  x ^= x >> 21;
  return x;
}

class Rng {
 public:
  explicit Rng(std::uint64_t key) {
    std::uint64_t s = key;
    for (auto& word : s_) {
      s += 0x9E3779B97F4A7C15ULL;
      word = Mix64(s);
    }
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Modulo bias is below 2^-40 for the n used here.
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  std::int64_t Below(std::int64_t n) {
    return static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(n)));
  }
  std::size_t Index(std::size_t n) { return static_cast<std::size_t>(Below(std::uint64_t{n})); }
  // Uniform integer in [lo, hi].
  std::int64_t Range(std::int64_t lo, std::int64_t hi) { return lo + Below(hi - lo + 1); }
  int Int(int lo, int hi) { return static_cast<int>(Range(lo, hi)); }
  // Uniform in [0, 1) with 53 random bits: exact on every platform.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // True with probability permille / 1000.
  bool Permille(std::uint64_t permille) { return Below(std::uint64_t{1000}) < permille; }

  // An index drawn with the given integer weights.
  template <typename Weights>
  std::size_t Weighted(const Weights& weights) {
    std::uint64_t total = 0;
    for (auto w : weights) total += static_cast<std::uint64_t>(w);
    std::uint64_t r = Below(total);
    std::size_t i = 0;
    for (auto w : weights) {
      if (r < static_cast<std::uint64_t>(w)) return i;
      r -= static_cast<std::uint64_t>(w);
      ++i;
    }
    return i - 1;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace tosguard::gen
