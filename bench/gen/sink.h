// Output files for the generator: plain, gzip (zlib) or zstd, written in large blocks.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "bench/gen/generator.h"

namespace tosguard::gen {

class Sink {
 public:
  virtual ~Sink() = default;
  // Appends bytes; errors are remembered and reported by Close().
  virtual void Write(std::string_view bytes) = 0;
  // Flushes and closes the file; the first error seen, if any.
  virtual Status Close() = 0;
};

// Opens `path` for writing with the given compression (level 0: the codec default).
Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, Compression compression, int level);

// ".gz", ".zst" or "".
std::string_view CompressionSuffix(Compression compression);

}  // namespace tosguard::gen
