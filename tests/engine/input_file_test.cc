// Tests of content readers (plain, gzip, zstd), file hashing and cited-line re-reads.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "engine/ingest/input_file.h"
#include "tests/engine/compress_util.h"
#include "tests/engine/ingest_test_util.h"

using namespace tosguard;
using namespace tosguard::engine;
using namespace tosguard::engine::testing;

namespace {

std::string ReadAll(ContentReader& r) {
  std::string out;
  char buf[7];  // a tiny buffer exercises refills at every boundary
  for (;;) {
    auto n = r.Read(buf, sizeof buf);
    REQUIRE(n.ok());
    if (*n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

const std::string kContent = "line one\nline two\r\nthird\n";

}  // namespace

TEST_CASE("plain, gzip and zstd content reads the same, hashed as stored") {
  TempDir dir;
  const std::string gz = Gzip(kContent);
  const std::string zs = Zstd(kContent);
  const std::string plain_path = dir.Write("a.jsonl", kContent);
  const std::string gz_path = dir.Write("a.jsonl.gz", gz);
  const std::string zst_path = dir.Write("a.jsonl.zst", zs);
  for (const auto& [path, stored] : {std::pair{plain_path, kContent}, std::pair{gz_path, gz},
                                     std::pair{zst_path, zs}}) {
    auto r = ContentReader::Open(path);
    REQUIRE(r.ok());
    CHECK(ReadAll(**r) == kContent);
    CHECK((*r)->stored_bytes() == stored.size());
    CHECK(ToHex((*r)->file_sha256()) == ToHex(Sha256::Of(stored)));
    auto h = HashFile(path);
    REQUIRE(h.ok());
    CHECK(*h == Sha256::Of(stored));
  }
}

TEST_CASE("concatenated gzip members are one stream") {
  TempDir dir;
  const std::string path = dir.Write("two.gz", Gzip("a\n") + Gzip("b\n"));
  auto r = ContentReader::Open(path);
  REQUIRE(r.ok());
  CHECK(ReadAll(**r) == "a\nb\n");
}

TEST_CASE("file errors name the file") {
  TempDir dir;
  auto missing = ContentReader::Open(dir.str() + "/nope.jsonl");
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("nope.jsonl") != std::string::npos);

  auto directory = ContentReader::Open(dir.str());
  CHECK(directory.status().code() == StatusCode::kInvalidArgument);
  CHECK(directory.status().message().find("is a directory") != std::string::npos);

  const std::string fake_gz = dir.Write("fake.jsonl.gz", "{\"not\":\"gzip\"}\n");
  auto fake = ContentReader::Open(fake_gz);
  CHECK(fake.status().code() == StatusCode::kCorruption);
  CHECK(fake.status().message().find("fake.jsonl.gz") != std::string::npos);

  const std::string hidden = dir.Write("hidden.jsonl", Gzip("x\n"));
  auto h = ContentReader::Open(hidden);
  CHECK(h.status().code() == StatusCode::kInvalidArgument);
  CHECK(h.status().message().find("name it with .gz") != std::string::npos);
}

TEST_CASE("unreadable files are I/O errors naming the file") {
  // Permission bits do not stop root, so the cases are ones no user can read: a path
  // through a regular file (ENOTDIR) and a file whose first read fails (EIO).
  TempDir dir;
  const std::string file = dir.Write("events.jsonl", "{}\n");
  auto through = ContentReader::Open(file + "/more.jsonl");
  CHECK(through.status().code() == StatusCode::kIoError);
  CHECK(through.status().message().find("cannot open input file") != std::string::npos);
  CHECK(through.status().message().find("events.jsonl/more.jsonl") != std::string::npos);

  auto unreadable = ContentReader::Open("/proc/self/mem");
  CHECK(unreadable.status().code() == StatusCode::kIoError);
  // Where a hardened kernel refuses the open itself, the error is "cannot open".
  CHECK(unreadable.status().message().find("input file '/proc/self/mem'") != std::string::npos);
}

TEST_CASE("a FIFO or a device is refused before it is read, not waited on forever") {
  // A FIFO with no writer would block the open, /dev/zero would never end; evidence
  // re-reads cited lines by offset, so only regular files are inputs.
  TempDir dir;
  const std::string fifo = (dir.path() / "events.jsonl").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& path : {fifo, std::string("/dev/zero")}) {
    INFO(path);
    auto r = ContentReader::Open(path);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(r.status().message() == "'" + path +
                                      "' is not a regular file (a FIFO, socket or device): inputs "
                                      "must be files that can be read again");
    CHECK(HashFile(path).status().code() == StatusCode::kInvalidArgument);
    SourceRef ref;
    ref.length = 2;
    CHECK(ReadCitedLine(path, ref).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("a truncated or corrupt compressed file is an error naming it") {
  TempDir dir;
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "{\"event_id\":\"e" + std::to_string(i) + "\"}\n";
  for (const bool zstd : {false, true}) {
    const std::string full = zstd ? Zstd(big) : Gzip(big);
    const std::string name = zstd ? "cut.jsonl.zst" : "cut.jsonl.gz";
    const std::string path = dir.Write(name, full.substr(0, full.size() / 2));
    auto r = ContentReader::Open(path);
    REQUIRE(r.ok());
    Status failure;
    std::vector<char> buf(4096);
    for (;;) {
      auto n = (*r)->Read(buf.data(), buf.size());
      if (!n.ok()) {
        failure = n.status();
        break;
      }
      if (*n == 0) break;
    }
    INFO(name);
    CHECK(failure.code() == StatusCode::kCorruption);
    CHECK(failure.message().find(name) != std::string::npos);

    std::string flipped = full;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
    flipped[flipped.size() / 2 + 1] = static_cast<char>(flipped[flipped.size() / 2 + 1] ^ 0x55);
    const std::string bad = dir.Write("bad-" + name, flipped);
    auto rb = ContentReader::Open(bad);
    REQUIRE(rb.ok());
    Status st;
    for (;;) {
      auto n = (*rb)->Read(buf.data(), buf.size());
      if (!n.ok()) {
        st = n.status();
        break;
      }
      if (*n == 0) break;
    }
    CHECK(st.code() == StatusCode::kCorruption);
  }
}

TEST_CASE("an empty file is empty content whatever its name") {
  TempDir dir;
  auto r = ContentReader::Open(dir.Write("empty.jsonl.gz", ""));
  REQUIRE(r.ok());
  CHECK(ReadAll(**r).empty());
  CHECK(ToHex((*r)->file_sha256()) == ToHex(Sha256::Of("")));
}

TEST_CASE("cited lines are re-read by reference and verified") {
  TempDir dir;
  for (const std::string name : {"c.jsonl", "c.jsonl.gz", "c.jsonl.zst"}) {
    const std::string stored =
        name.ends_with(".gz") ? Gzip(kContent) : name.ends_with(".zst") ? Zstd(kContent) : kContent;
    const std::string path = dir.Write(name, stored);
    SourceRef ref{0, 2, 9, 8};  // "line two" (without "\r\n")
    auto line = ReadCitedLine(path, ref);
    REQUIRE(line.ok());
    CHECK(line->bytes == "line two");
    CHECK(line->sha256 == Sha256::Of("line two"));
    const Digest good = Sha256::Of("line two");
    CHECK(ReadCitedLine(path, ref, &good).ok());
    const Digest wrong = Sha256::Of("line 2");
    auto mismatch = ReadCitedLine(path, ref, &wrong);
    CHECK(mismatch.status().code() == StatusCode::kCorruption);
    CHECK(mismatch.status().message().find(name) != std::string::npos);
    CHECK(mismatch.status().message().find("offset 9") != std::string::npos);
    auto past = ReadCitedLine(path, SourceRef{0, 9, 1000, 4});
    CHECK(past.status().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("many cited lines of one file are read in one pass, in the order asked") {
  TempDir dir;
  // Lines larger than one read block (1 MiB), so a line spans blocks of the
  // decompressed stream; one line is asked for twice.
  std::string content;
  std::vector<SourceRef> refs;
  for (std::uint64_t k = 0; k < 6; ++k) {
    const std::string line = std::to_string(k) + std::string(1200000, static_cast<char>('a' + k));
    refs.push_back({0, k + 1, content.size(), static_cast<std::uint32_t>(line.size())});
    content += line + "\n";
  }
  const std::vector<SourceRef> asked = {refs[4], refs[0], refs[5], refs[0], refs[2]};
  for (const std::string name : {"m.jsonl", "m.jsonl.gz", "m.jsonl.zst"}) {
    INFO(name);
    const std::string stored =
        name.ends_with(".gz") ? Gzip(content) : name.ends_with(".zst") ? Zstd(content) : content;
    auto lines = ReadCitedLines(dir.Write(name, stored), asked);
    REQUIRE(lines.ok());
    REQUIRE(lines->size() == asked.size());
    for (std::size_t i = 0; i < asked.size(); ++i) {
      const std::string want = content.substr(asked[i].offset, asked[i].length);
      CHECK((*lines)[i].bytes == want);
      CHECK((*lines)[i].sha256 == Sha256::Of(want));
    }
    auto past = ReadCitedLines(dir.Write("p-" + name, stored), {refs[1], SourceRef{0, 99, content.size() + 5, 3}});
    CHECK(past.status().code() == StatusCode::kCorruption);
    CHECK(past.status().message().find("line 99") != std::string::npos);
  }
}
