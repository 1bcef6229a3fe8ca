// The properties the ingest keeps for any input file, checked by the fuzzer and by the
// replay of its corpus in the test suite (tests/engine/fuzz_regression_test.cc).
//
// An input is a mode byte (which source reads the file: canonical JSONL events, a LiteLLM
// export, CSV events, .gz and .zst events, accounts, acceptances, signals), a byte that
// sets the chunk size, and the file's bytes. The properties:
// - the ingest succeeds, or fails with a message naming the file;
// - nothing is lost: lines = records + quarantined + header lines, and the quarantine
//   reasons add up to the quarantined lines;
// - the file's digest is the SHA-256 of its bytes;
// - chunking and threads change nothing: small chunks on 1 or 2 threads give the counts
//   of one chunk on one thread.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostic.h"
#include "base/sha256.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"

namespace tosguard::engine::fuzz {

class IngestHarness {
 public:
  struct Mode {
    const char* file;
    const char* source;  // the YAML of the one source, reading `file`
  };
  static constexpr Mode kModes[] = {
      {"events.jsonl", "{name: s, kind: event, paths: events.jsonl, preset: canonical}"},
      {"spend.jsonl", "{name: s, kind: event, paths: spend.jsonl, preset: litellm}"},
      {"events.csv", "{name: s, kind: event, format: csv, paths: events.csv}"},
      {"events.jsonl.gz", "{name: s, kind: event, paths: events.jsonl.gz}"},
      {"events.jsonl.zst", "{name: s, kind: event, paths: events.jsonl.zst}"},
      {"accounts.jsonl", "{name: s, kind: account, paths: accounts.jsonl}"},
      {"acceptances.jsonl", "{name: s, kind: acceptance, paths: acceptances.jsonl}"},
      {"signals.jsonl", "{name: s, kind: signal, paths: signals.jsonl}"},
  };
  static constexpr std::size_t kModeCount = sizeof(kModes) / sizeof(kModes[0]);

  // Makes a scratch directory with one configuration per mode; `error()` says what
  // failed, if anything did.
  IngestHarness() {
    char tmpl[] = "/tmp/tosguard-ingest-fuzz-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      error_ = "cannot make a scratch directory";
      return;
    }
    dir_ = tmpl;
    for (std::size_t m = 0; m < kModeCount; ++m) {
      const std::string path = dir_ + "/mode" + std::to_string(m) + ".yaml";
      std::ofstream(path) << "version: 1\n"
                             "limits: {max_line_bytes: 4096}\n"
                             "accounts:\n"
                             "  attributes: {risk_score: number, seats: int, flags: string_set}\n"
                             "signals:\n"
                             "  detectors: [distill, {name: probe, threshold: 0.5}]\n"
                             "sources:\n  - "
                          << kModes[m].source << "\n";
      Diagnostics diags;
      auto config = LoadIngestConfig(path, &diags);
      if (!config.ok()) {
        error_ = path + ": " + config.status().message();
        return;
      }
      configs_.push_back(std::move(*config));
    }
  }
  ~IngestHarness() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  IngestHarness(const IngestHarness&) = delete;
  IngestHarness& operator=(const IngestHarness&) = delete;

  const std::string& error() const { return error_; }

  // Ingests `input` (mode byte, chunk byte, file bytes). "" when every property holds,
  // else which one failed.
  std::string Check(std::string_view input) const {
    if (!error_.empty()) return error_;
    if (input.size() < 2) return "";
    const auto mode = static_cast<std::uint8_t>(input[0]) % kModeCount;
    const auto knob = static_cast<std::uint8_t>(input[1]);
    const std::string bytes(input.substr(2));
    {
      std::ofstream out(dir_ + "/" + kModes[mode].file, std::ios::binary | std::ios::trunc);
      out << bytes;
    }
    const IngestConfig& config = configs_[mode];
    IngestOptions options;
    options.threads = 1 + (knob & 1);
    options.chunk_bytes = 16 + knob;  // small: lines cross chunk boundaries
    auto small = Ingest(config, options);
    options.threads = 1;
    options.chunk_bytes =
        std::max<std::size_t>(bytes.size() + 1, 4096);  // one chunk of a plain file
    auto whole = Ingest(config, options);
    if (small.ok() != whole.ok()) {
      return "chunking changed success: " + (small.ok() ? whole : small).status().message();
    }
    if (!small.ok()) {
      const std::string& message = small.status().message();
      if (message.find(kModes[mode].file) == std::string::npos)
        return "an error that does not name the file: " + message;
      if (message != whole.status().message()) return "chunking changed the error: " + message;
      return "";
    }
    if (small->data.files.size() != 1) return "not one file";
    const FileStats& f = small->data.files[0].stats;
    if (f.lines != f.records + f.quarantined + f.header_lines) {
      return "lines lost: " + std::to_string(f.lines) + " lines, " + std::to_string(f.records) +
             " records, " + std::to_string(f.quarantined) + " quarantined, " +
             std::to_string(f.header_lines) + " header";
    }
    if (std::accumulate(f.by_reason.begin(), f.by_reason.end(), std::uint64_t{0}) != f.quarantined)
      return "the reasons do not add up to the quarantined lines";
    if (small->data.files[0].sha256 != Sha256::Of(bytes)) return "digest: not the file's SHA-256";
    const FileStats& g = whole->data.files[0].stats;
    if (g.lines != f.lines || g.records != f.records || g.quarantined != f.quarantined ||
        g.by_reason != f.by_reason || g.header_lines != f.header_lines) {
      return "chunking changed the counts: " + std::to_string(f.records) + " vs " +
             std::to_string(g.records) + " records, " + std::to_string(f.quarantined) + " vs " +
             std::to_string(g.quarantined) + " quarantined";
    }
    return "";
  }

 private:
  std::string dir_;
  std::string error_;
  std::vector<IngestConfig> configs_;
};

}  // namespace tosguard::engine::fuzz
