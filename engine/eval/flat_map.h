// An open-addressing hash map from 64-bit keys to 32-bit values, for the hot paths
// (state lookup per event, signal joins). Insert and find only; never iterated into
// output, so its order cannot leak into results.
#pragma once

#include <cstdint>
#include <vector>

namespace tosguard::engine {

class FlatMap {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  explicit FlatMap(std::size_t expected = 16) { Rehash(Capacity(expected)); }

  // The value for `key`, or kNone.
  std::uint32_t Find(std::uint64_t key) const {
    for (std::size_t i = Mix(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kNone) return kNone;
      if (s.key == key) return s.value;
    }
  }

  // The value for `key`; when absent, inserts `value` and returns it. `value` != kNone.
  std::uint32_t FindOrInsert(std::uint64_t key, std::uint32_t value) {
    for (std::size_t i = Mix(key) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.value == kNone) {
        s = {key, value};
        if (++size_ * 10 > slots_.size() * 7) Rehash(slots_.size() * 2);
        return value;
      }
      if (s.key == key) return s.value;
    }
  }

  // Sets `key` to `value`, inserting or replacing.
  void Set(std::uint64_t key, std::uint32_t value) {
    for (std::size_t i = Mix(key) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.value == kNone) {
        s = {key, value};
        if (++size_ * 10 > slots_.size() * 7) Rehash(slots_.size() * 2);
        return;
      }
      if (s.key == key) {
        s.value = value;
        return;
      }
    }
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = kNone;
  };

  static std::uint64_t Mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }
  static std::size_t Capacity(std::size_t n) {
    std::size_t c = 16;
    while (c * 7 < n * 10) c *= 2;
    return c;
  }
  void Rehash(std::size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    for (const Slot& s : old) {
      if (s.value == kNone) continue;
      for (std::size_t i = Mix(s.key) & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].value == kNone) {
          slots_[i] = s;
          break;
        }
      }
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace tosguard::engine
