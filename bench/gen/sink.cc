// Plain, gzip and zstd file sinks.
#include "bench/gen/sink.h"

#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace tosguard::gen {
namespace {

constexpr std::size_t kBlock = std::size_t{1} << 20;

class FileSink : public Sink {
 public:
  FileSink(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  ~FileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  void Write(std::string_view bytes) override { WriteRaw(bytes.data(), bytes.size()); }

  Status Close() override {
    if (file_ != nullptr) {
      if (std::fclose(file_) != 0 && status_.ok()) {
        status_ = Status::IoError("cannot close '" + path_ + "': " + std::strerror(errno));
      }
      file_ = nullptr;
    }
    return status_;
  }

 protected:
  void WriteRaw(const void* data, std::size_t size) {
    if (!status_.ok() || size == 0) return;
    if (std::fwrite(data, 1, size, file_) != size) {
      status_ = Status::IoError("cannot write '" + path_ + "': " + std::strerror(errno));
    }
  }
  void Fail(std::string message) {
    if (status_.ok()) status_ = Status::Internal(path_ + ": " + std::move(message));
  }
  bool failed() const { return !status_.ok(); }

 private:
  std::FILE* file_;
  std::string path_;
  Status status_;
};

class GzipSink : public FileSink {
 public:
  GzipSink(std::FILE* file, std::string path, int level)
      : FileSink(file, std::move(path)), out_(kBlock) {
    std::memset(&z_, 0, sizeof z_);
    // windowBits 31: a gzip header and trailer (15 + 16), so `zcat` reads the file.
    if (deflateInit2(&z_, level == 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 31, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      Fail("deflateInit2 failed");
    } else {
      open_ = true;
    }
  }
  ~GzipSink() override {
    if (open_) deflateEnd(&z_);
  }

  void Write(std::string_view bytes) override {
    if (!open_ || failed()) return;
    // zlib's avail_in is 32-bit: feed large inputs in slices.
    while (!bytes.empty()) {
      const std::size_t n = bytes.size() < kBlock ? bytes.size() : kBlock;
      z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
      z_.avail_in = static_cast<uInt>(n);
      Pump(Z_NO_FLUSH);
      bytes.remove_prefix(n);
    }
  }

  Status Close() override {
    if (open_ && !failed()) {
      z_.next_in = nullptr;
      z_.avail_in = 0;
      Pump(Z_FINISH);
    }
    if (open_) {
      deflateEnd(&z_);
      open_ = false;
    }
    return FileSink::Close();
  }

 private:
  void Pump(int flush) {
    for (;;) {
      z_.next_out = out_.data();
      z_.avail_out = static_cast<uInt>(out_.size());
      const int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) {
        Fail("deflate failed");
        return;
      }
      WriteRaw(out_.data(), out_.size() - z_.avail_out);
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (z_.avail_out != 0 && z_.avail_in == 0)) {
        return;
      }
    }
  }

  z_stream z_;
  std::vector<Bytef> out_;
  bool open_ = false;
};

class ZstdSink : public FileSink {
 public:
  ZstdSink(std::FILE* file, std::string path, int level)
      : FileSink(file, std::move(path)), out_(ZSTD_CStreamOutSize()) {
    cctx_ = ZSTD_createCCtx();
    if (cctx_ == nullptr ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel,
                                            level == 0 ? ZSTD_CLEVEL_DEFAULT : level))) {
      Fail("cannot set up zstd");
    }
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  void Write(std::string_view bytes) override {
    if (failed()) return;
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      const std::size_t rc = ZSTD_compressStream2(cctx_, &out, &in, ZSTD_e_continue);
      if (ZSTD_isError(rc)) {
        Fail(ZSTD_getErrorName(rc));
        return;
      }
      WriteRaw(out_.data(), out.pos);
    }
  }

  Status Close() override {
    if (!failed()) {
      ZSTD_inBuffer in{nullptr, 0, 0};
      std::size_t remaining = 1;
      while (remaining != 0) {
        ZSTD_outBuffer out{out_.data(), out_.size(), 0};
        remaining = ZSTD_compressStream2(cctx_, &out, &in, ZSTD_e_end);
        if (ZSTD_isError(remaining)) {
          Fail(ZSTD_getErrorName(remaining));
          break;
        }
        WriteRaw(out_.data(), out.pos);
      }
    }
    return FileSink::Close();
  }

 private:
  ZSTD_CCtx* cctx_ = nullptr;
  std::vector<char> out_;
};

}  // namespace

std::string_view CompressionSuffix(Compression compression) {
  switch (compression) {
    case Compression::kNone: return "";
    case Compression::kGzip: return ".gz";
    case Compression::kZstd: return ".zst";
  }
  return "";
}

Result<std::unique_ptr<Sink>> OpenSink(const std::string& path, Compression compression,
                                       int level) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return Status::IoError("cannot open '" + path + "' for writing: " + std::strerror(errno));
  }
  switch (compression) {
    case Compression::kNone: return std::unique_ptr<Sink>(new FileSink(file, path));
    case Compression::kGzip: return std::unique_ptr<Sink>(new GzipSink(file, path, level));
    case Compression::kZstd: return std::unique_ptr<Sink>(new ZstdSink(file, path, level));
  }
  std::fclose(file);
  return Status::Internal("unknown compression");
}

}  // namespace tosguard::gen
