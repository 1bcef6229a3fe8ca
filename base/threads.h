// How many threads a `--threads N` option means.
#pragma once

#include <algorithm>
#include <thread>

namespace tosguard {

// `requested`, or for 0 one per hardware thread (at least 1).
inline unsigned ThreadCount(unsigned requested) {
  return requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace tosguard
