// Where a record came from: an input file (known by its SHA-256) and a line in it.
#pragma once

#include <cstdint>
#include <string>

namespace tosguard {

// A line of an input file. Offsets count bytes of the file's content as read:
// for a compressed file (.gz, .zst) they address the decompressed stream.
struct SourceRef {
  std::uint32_t file = 0;      // index into the run's list of input files
  std::uint64_t line = 0;      // 1-based line number
  std::uint64_t offset = 0;    // byte offset of the line's first byte
  std::uint32_t length = 0;    // bytes of the line, without its '\n' (or "\r\n")

  friend bool operator==(const SourceRef&, const SourceRef&) = default;
};

}  // namespace tosguard
