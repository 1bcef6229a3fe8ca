// Plain, gzip and zstd content readers that hash the stored bytes as they read.
#include "engine/ingest/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace tosguard::engine {
namespace {

constexpr std::size_t kStoredBlock = 1 << 20;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

std::string ErrnoText(int err) { return std::strerror(err); }

// Opens `path` for reading when it is a regular file, and fills `st` if given. Anything else is
// refused before it is read: a FIFO with no writer would block forever and a device
// such as /dev/zero never ends, and evidence cites lines by offset, so an input must be
// a file that can be read again. (O_NONBLOCK keeps the open of a FIFO from waiting; it
// changes nothing for a regular file.)
Result<int> OpenRegular(const std::string& path, struct stat* st = nullptr) {
  struct stat own {};
  if (st == nullptr) st = &own;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound("input file " + Quoted(path) + " does not exist");
    return Status::IoError("cannot open input file " + Quoted(path) + ": " + ErrnoText(err));
  }
  if (::fstat(fd, st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError("cannot open input file " + Quoted(path) + ": " + ErrnoText(err));
  }
  if (S_ISDIR(st->st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(Quoted(path) + " is a directory, not an input file");
  }
  if (!S_ISREG(st->st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(Quoted(path) +
                                   " is not a regular file (a FIFO, socket or device): inputs "
                                   "must be files that can be read again");
  }
  return fd;
}

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "none";
}

Compression CompressionFromName(const std::string& path) {
  if (EndsWith(path, ".gz")) return Compression::kGzip;
  if (EndsWith(path, ".zst")) return Compression::kZstd;
  return Compression::kNone;
}

// Decompression state: stored bytes are read into `in` and decoded from there.
struct ContentReader::Decoder {
  std::vector<char> in = std::vector<char>(kStoredBlock);
  std::size_t in_pos = 0;
  std::size_t in_len = 0;
  bool stream_ended = false;  // the current gzip member / zstd frame is complete
  z_stream z{};
  bool z_init = false;
  ZSTD_DStream* zs = nullptr;

  ~Decoder() {
    if (z_init) inflateEnd(&z);
    if (zs != nullptr) ZSTD_freeDStream(zs);
  }
};

ContentReader::ContentReader(std::string path, Compression c, int fd)
    : path_(std::move(path)), compression_(c), fd_(fd) {}

ContentReader::~ContentReader() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<ContentReader>> ContentReader::Open(const std::string& path) {
  struct stat st {};
  auto opened = OpenRegular(path, &st);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  // An empty file has no content whatever its name says.
  const Compression c = st.st_size == 0 ? Compression::kNone : CompressionFromName(path);
  std::unique_ptr<ContentReader> r(new ContentReader(path, c, fd));
  // Check the magic bytes against the name, so a misnamed file fails loudly.
  unsigned char magic[4] = {0, 0, 0, 0};
  const ssize_t got = ::pread(fd, magic, sizeof magic, 0);
  if (got < 0) {
    return Status::IoError("cannot read input file " + Quoted(path) + ": " + ErrnoText(errno));
  }
  const bool gzip_magic = got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  const bool zstd_magic =
      got >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
  if (c == Compression::kGzip && !gzip_magic) {
    return Status::Corruption(Quoted(path) + " is named .gz but is not gzip data");
  }
  if (c == Compression::kZstd && !zstd_magic) {
    return Status::Corruption(Quoted(path) + " is named .zst but is not zstd data");
  }
  if (c == Compression::kNone && (gzip_magic || zstd_magic)) {
    return Status::InvalidArgument(Quoted(path) + " holds " + (gzip_magic ? "gzip" : "zstd") +
                                   " data; name it with " + (gzip_magic ? ".gz" : ".zst") +
                                   " so it is decompressed");
  }
  if (c != Compression::kNone) {
    r->decoder_ = std::make_unique<Decoder>();
    if (c == Compression::kGzip) {
      // 15 + 32: zlib or gzip header, detected automatically.
      if (inflateInit2(&r->decoder_->z, 15 + 32) != Z_OK) {
        return Status::Internal("zlib initialisation failed");
      }
      r->decoder_->z_init = true;
    } else {
      r->decoder_->zs = ZSTD_createDStream();
      if (r->decoder_->zs == nullptr) return Status::Internal("zstd initialisation failed");
      ZSTD_initDStream(r->decoder_->zs);
    }
  }
  return r;
}

Result<std::size_t> ContentReader::ReadStoredAt(char* buf, std::size_t n, std::uint64_t offset) const {
  for (;;) {
    const ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(offset));
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) return Status::IoError("cannot read " + Quoted(path_) + ": " + ErrnoText(errno));
  }
}

Result<std::size_t> ContentReader::ReadStored(char* buf, std::size_t capacity) {
  if (stored_done_) return std::size_t{0};
  // Read in pieces small enough to be hashed while they are still in the CPU's cache.
  constexpr std::size_t kPiece = 256 << 10;
  capacity = std::min(capacity, kPiece);
  for (;;) {
    const ssize_t n = ::read(fd_, buf, capacity);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError("cannot read input file " + Quoted(path_) + ": " + ErrnoText(errno));
    }
    if (n == 0) {
      stored_done_ = true;
      digest_ = hasher_.Finish();
      return std::size_t{0};
    }
    hasher_.Update(buf, static_cast<std::size_t>(n));
    stored_bytes_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

Result<std::size_t> ContentReader::Read(char* buf, std::size_t capacity) {
  if (compression_ == Compression::kNone) return ReadStored(buf, capacity);
  Decoder& d = *decoder_;
  std::size_t produced = 0;
  while (produced == 0) {
    if (d.in_pos == d.in_len) {
      auto n = ReadStored(d.in.data(), d.in.size());
      if (!n.ok()) return n.status();
      if (*n == 0) {
        // End of the stored bytes: the last member/frame must be complete.
        if (!d.stream_ended && stored_bytes_ > 0) {
          return Status::Corruption(Quoted(path_) + ": compressed data ends unexpectedly "
                                    "(truncated file?) after " + std::to_string(stored_bytes_) +
                                    " bytes");
        }
        return std::size_t{0};
      }
      d.in_pos = 0;
      d.in_len = *n;
    }
    if (compression_ == Compression::kGzip) {
      if (d.stream_ended) {
        // Another gzip member follows (concatenated .gz files are valid gzip).
        inflateReset(&d.z);
        d.stream_ended = false;
      }
      d.z.next_in = reinterpret_cast<Bytef*>(d.in.data() + d.in_pos);  // NOLINT
      d.z.avail_in = static_cast<uInt>(d.in_len - d.in_pos);
      d.z.next_out = reinterpret_cast<Bytef*>(buf);  // NOLINT
      d.z.avail_out = static_cast<uInt>(std::min<std::size_t>(capacity, 1u << 30));
      const int rc = inflate(&d.z, Z_NO_FLUSH);
      d.in_pos = d.in_len - d.z.avail_in;
      produced = static_cast<std::size_t>(reinterpret_cast<char*>(d.z.next_out) - buf);  // NOLINT
      if (rc == Z_STREAM_END) {
        d.stream_ended = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Corruption(Quoted(path_) + ": corrupt gzip data near stored byte " +
                                  std::to_string(stored_bytes_ - (d.in_len - d.in_pos)) + ": " +
                                  (d.z.msg != nullptr ? d.z.msg : "inflate failed"));
      }
    } else {
      ZSTD_inBuffer in{d.in.data(), d.in_len, d.in_pos};
      ZSTD_outBuffer out{buf, capacity, 0};
      const std::size_t rc = ZSTD_decompressStream(d.zs, &out, &in);
      d.in_pos = in.pos;
      produced = out.pos;
      if (ZSTD_isError(rc)) {
        return Status::Corruption(Quoted(path_) + ": corrupt zstd data: " +
                                  ZSTD_getErrorName(rc));
      }
      d.stream_ended = (rc == 0);
    }
  }
  return produced;
}

Result<Digest> HashFile(const std::string& path) {
  auto opened = OpenRegular(path);
  if (!opened.ok()) return opened.status();
  const int fd = *opened;
  std::vector<char> buf(kStoredBlock);
  Sha256 hasher;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError("cannot read " + Quoted(path) + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    hasher.Update(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return hasher.Finish();
}

Result<std::vector<CitedLine>> ReadCitedLines(const std::string& path, const std::vector<SourceRef>& refs) {
  std::vector<CitedLine> out(refs.size());
  if (refs.empty()) return out;
  auto reader = ContentReader::Open(path);
  if (!reader.ok()) return reader.status();
  auto where = [&](const SourceRef& ref) {
    return Quoted(path) + " line " + std::to_string(ref.line) + " (offset " + std::to_string(ref.offset) + ", " +
           std::to_string(ref.length) + " bytes)";
  };
  if ((*reader)->compression() == Compression::kNone) {
    // Plain files are read where each line is, without streaming the whole file.
    for (std::size_t k = 0; k < refs.size(); ++k) {
      const SourceRef& ref = refs[k];
      out[k].bytes.resize(ref.length);
      std::size_t done = 0;
      while (done < ref.length) {
        auto n = (*reader)->ReadStoredAt(out[k].bytes.data() + done, ref.length - done, ref.offset + done);
        if (!n.ok() || *n == 0) return Status::Corruption(where(ref) + ": the file ends before the cited line");
        done += *n;
      }
    }
  } else {
    // Compressed content is streamed once, taking the lines in the order of their offsets.
    std::vector<std::size_t> order(refs.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return refs[a].offset < refs[b].offset; });
    for (std::size_t k = 0; k < refs.size(); ++k) out[k].bytes.resize(refs[k].length);
    std::vector<char> buf(kStoredBlock);
    std::uint64_t pos = 0;  // content offset of buf[0]
    std::size_t n = 0;      // bytes in buf
    std::size_t prev = order.size();
    for (std::size_t k : order) {
      const SourceRef& ref = refs[k];
      if (prev != order.size() && refs[prev].offset == ref.offset && refs[prev].length == ref.length) {
        out[k].bytes = out[prev].bytes;  // the same line cited twice
        continue;
      }
      prev = k;
      std::size_t copied = 0;
      while (copied < ref.length) {
        const std::uint64_t want = ref.offset + copied;
        if (want >= pos + n) {
          pos += n;
          auto got = (*reader)->Read(buf.data(), buf.size());
          if (!got.ok()) return got.status();
          n = *got;
          if (n == 0) return Status::Corruption(where(ref) + ": the content ends before the cited line");
          continue;
        }
        if (want < pos) return Status::Internal(where(ref) + ": cited lines overlap");
        const auto from = static_cast<std::size_t>(want - pos);
        const std::size_t take = std::min(n - from, static_cast<std::size_t>(ref.length) - copied);
        std::memcpy(out[k].bytes.data() + copied, buf.data() + from, take);
        copied += take;
      }
    }
  }
  for (CitedLine& line : out) line.sha256 = Sha256::Of(line.bytes);
  return out;
}

Result<CitedLine> ReadCitedLine(const std::string& path, const SourceRef& ref,
                                const Digest* expected_line) {
  auto lines = ReadCitedLines(path, {ref});
  if (!lines.ok()) return lines.status();
  CitedLine out = std::move(lines->front());
  if (expected_line != nullptr && out.sha256 != *expected_line) {
    return Status::Corruption(Quoted(path) + " line " + std::to_string(ref.line) + " (offset " +
                              std::to_string(ref.offset) + ", " + std::to_string(ref.length) + " bytes): SHA-256 is " +
                              ToHex(out.sha256) + ", the evidence cites " + ToHex(*expected_line));
  }
  return out;
}

}  // namespace tosguard::engine
