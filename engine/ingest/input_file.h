// Reading input files: plain, gzip or zstd content, hashed as it is read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/sha256.h"
#include "base/source_ref.h"
#include "base/status.h"

namespace tosguard::engine {

enum class Compression : std::uint8_t { kNone, kGzip, kZstd };

std::string_view CompressionName(Compression c);  // "none", "gzip", "zstd"

// The compression a file name implies: ".gz" gzip, ".zst" zstd, otherwise none.
Compression CompressionFromName(const std::string& path);

// Streams the content of one file (decompressed when its name ends in .gz or .zst)
// and computes the SHA-256 of the file's stored bytes in the same pass.
// Not thread-safe: one reader per thread.
class ContentReader {
 public:
  // Opens `path`. Errors name the file: NotFound (missing), InvalidArgument (a
  // directory; compressed content whose name does not say so, or the reverse),
  // IoError (unreadable).
  static Result<std::unique_ptr<ContentReader>> Open(const std::string& path);
  ~ContentReader();
  ContentReader(const ContentReader&) = delete;
  ContentReader& operator=(const ContentReader&) = delete;

  // Reads up to `capacity` bytes of content into `buf`; 0 means the end. A corrupt or
  // truncated compressed stream is a Corruption status naming the file.
  Result<std::size_t> Read(char* buf, std::size_t capacity);

  // Reads up to `n` stored bytes at `offset` into `buf`, without hashing them or moving
  // Read's position (for a plain file, whose content is its stored bytes); 0 past the end.
  Result<std::size_t> ReadStoredAt(char* buf, std::size_t n, std::uint64_t offset) const;

  const std::string& path() const { return path_; }
  Compression compression() const { return compression_; }
  // Stored bytes read so far; after the end, the file's size.
  std::uint64_t stored_bytes() const { return stored_bytes_; }
  // The SHA-256 of the stored bytes; valid once Read has returned 0.
  const Digest& file_sha256() const { return digest_; }

 private:
  struct Decoder;
  ContentReader(std::string path, Compression c, int fd);
  // Reads stored bytes from the file, hashing them; 0 at the end.
  Result<std::size_t> ReadStored(char* buf, std::size_t capacity);

  std::string path_;
  Compression compression_;
  int fd_;
  std::uint64_t stored_bytes_ = 0;
  Sha256 hasher_;
  Digest digest_{};
  bool stored_done_ = false;
  std::unique_ptr<Decoder> decoder_;
};

// The SHA-256 of a file's stored bytes.
Result<Digest> HashFile(const std::string& path);

// A line re-read from its source, with the SHA-256 of its exact bytes.
struct CitedLine {
  std::string bytes;
  Digest sha256{};
};

// Re-reads the line `ref` points at from `path` (decompressing when the name says so)
// and hashes it. When `expected_line` is given the line's SHA-256 must equal it, else
// a Corruption status names the file, line and offset. A reference past the end of
// the content is a Corruption status too.
Result<CitedLine> ReadCitedLine(const std::string& path, const SourceRef& ref,
                                const Digest* expected_line = nullptr);
// The lines `refs` point at in one file, in the order given, reading the file once
// (compressed content is streamed a single time whatever the number of lines). Errors
// as ReadCitedLine's, naming the first line that cannot be read.
Result<std::vector<CitedLine>> ReadCitedLines(const std::string& path, const std::vector<SourceRef>& refs);

}  // namespace tosguard::engine
