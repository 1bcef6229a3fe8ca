// Where a record came from: an input file (known by its SHA-256) and a line in it.
#pragma once

#include <cstdint>
#include <string>

namespace tosguard {

// A line of an input file. Offsets count bytes of the file's content as read:
// for a compressed file (.gz, .zst) they address the decompressed stream.
// Every event keeps one: the members are laid out to take 24 bytes, not 32.
struct SourceRef {
  std::uint64_t line = 0;      // 1-based line number
  std::uint64_t offset = 0;    // byte offset of the line's first byte
  std::uint32_t file = 0;      // index into the run's list of input files
  std::uint32_t length = 0;    // bytes of the line, without its '\n' (or "\r\n")

  constexpr SourceRef() = default;
  constexpr SourceRef(std::uint32_t file_index, std::uint64_t line_number, std::uint64_t byte_offset,
                      std::uint32_t byte_length)
      : line(line_number), offset(byte_offset), file(file_index), length(byte_length) {}

  friend bool operator==(const SourceRef&, const SourceRef&) = default;
};

}  // namespace tosguard
static_assert(sizeof(tosguard::SourceRef) == 24);
