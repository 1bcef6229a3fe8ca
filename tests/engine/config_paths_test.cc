// Tests of loading a configuration file and expanding a source's paths and globs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/ingest/config.h"
#include "tests/support/temp_dir.h"

using namespace tosguard;
using namespace tosguard::engine;
namespace fs = std::filesystem;

namespace {

using tosguard::testing::TempDir;

SourceConfig Source(std::vector<std::string> paths) {
  SourceConfig s;
  s.name = "events";
  s.paths = std::move(paths);
  return s;
}

}  // namespace

TEST_CASE("plain paths resolve against the configuration's directory") {
  TempDir dir("tosguard-config");
  dir.Write("data/a.jsonl", "{}\n");
  auto r = ExpandSourcePaths(Source({"data/a.jsonl"}), dir.path().string());
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{(dir.path() / "data/a.jsonl").string()});

  // Absolute paths are taken as they are.
  auto abs = ExpandSourcePaths(Source({(dir.path() / "data/a.jsonl").string()}), "/nonexistent");
  REQUIRE(abs.ok());
  CHECK(abs->size() == 1);
}

TEST_CASE("globs are sorted by byte order, pattern by pattern") {
  TempDir dir("tosguard-config");
  for (const char* f : {"d/day-10.jsonl", "d/day-2.jsonl", "d/Day-3.jsonl", "d/day-1.jsonl.zst",
                        "d/other.csv", "z.jsonl"}) {
    dir.Write(f, "{}\n");
  }
  auto r = ExpandSourcePaths(Source({"z.jsonl", "d/[dD]ay-*", "d/*.csv"}), dir.path().string());
  REQUIRE(r.ok());
  const std::string d = dir.path().string();
  CHECK(*r == std::vector<std::string>{d + "/z.jsonl", d + "/d/Day-3.jsonl",
                                       d + "/d/day-1.jsonl.zst", d + "/d/day-10.jsonl",
                                       d + "/d/day-2.jsonl", d + "/d/other.csv"});
}

TEST_CASE("a base directory with glob characters is taken literally") {
  TempDir dir("tosguard-config");
  dir.Write("we[ir]d*/a.jsonl", "{}\n");
  dir.Write("wed*/a.jsonl", "{}\n");
  auto r = ExpandSourcePaths(Source({"*.jsonl"}), (dir.path() / "we[ir]d*").string());
  REQUIRE(r.ok());
  CHECK(*r == std::vector<std::string>{(dir.path() / "we[ir]d*/a.jsonl").string()});
}

TEST_CASE("missing files, empty globs and directories are errors naming them") {
  TempDir dir("tosguard-config");
  dir.Write("data/a.jsonl", "{}\n");
  auto missing = ExpandSourcePaths(Source({"data/a.jsonl", "data/b.jsonl"}), dir.path().string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);
  CHECK(missing.status().message().find("'data/b.jsonl'") != std::string::npos);
  CHECK(missing.status().message().find("source 'events'") != std::string::npos);

  auto empty_glob = ExpandSourcePaths(Source({"data/*.zst"}), dir.path().string());
  REQUIRE_FALSE(empty_glob.ok());
  CHECK(empty_glob.status().code() == StatusCode::kNotFound);
  CHECK(empty_glob.status().message().find("no file matches 'data/*.zst'") != std::string::npos);

  auto directory = ExpandSourcePaths(Source({"data"}), dir.path().string());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == StatusCode::kInvalidArgument);
  CHECK(directory.status().message().find("is a directory") != std::string::npos);

  auto glob_dir = ExpandSourcePaths(Source({"da*"}), dir.path().string());
  REQUIRE_FALSE(glob_dir.ok());
  CHECK(glob_dir.status().message().find("is a directory") != std::string::npos);

  auto under_file = ExpandSourcePaths(Source({"data/a.jsonl/x"}), dir.path().string());
  REQUIRE_FALSE(under_file.ok());
  CHECK(under_file.status().code() == StatusCode::kNotFound);
}

TEST_CASE("a file named twice is an error, so no record counts twice") {
  TempDir dir("tosguard-config");
  dir.Write("a.jsonl", "{}\n");
  auto r = ExpandSourcePaths(Source({"a.jsonl", "*.jsonl"}), dir.path().string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("named twice") != std::string::npos);
}

TEST_CASE("LoadIngestConfig reads a file and reports I/O failures as Status") {
  TempDir dir("tosguard-config");
  const fs::path cfg = dir.path() / "tosguard.yaml";
  std::ofstream(cfg) << "version: 1\nquarantine: out/q.jsonl\n"
                        "sources:\n  - {name: e, kind: event, paths: e.jsonl}\n";
  Diagnostics d;
  auto r = LoadIngestConfig(cfg.string(), &d);
  REQUIRE(r.ok());
  CHECK(r->base_dir == dir.path().string());
  CHECK(r->quarantine_path == (dir.path() / "out/q.jsonl").string());

  auto missing = LoadIngestConfig((dir.path() / "nope.yaml").string(), &d);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kNotFound);

  auto directory = LoadIngestConfig(dir.path().string(), &d);
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.status().code() == StatusCode::kInvalidArgument);
  CHECK(d.empty());

  std::ofstream(dir.path() / "bad.yaml") << "version: 1\nsourcs: []\n";
  auto bad = LoadIngestConfig((dir.path() / "bad.yaml").string(), &d);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  REQUIRE(d.items().size() == 2);
  CHECK(d.items()[0].file == (dir.path() / "bad.yaml").string());
}
