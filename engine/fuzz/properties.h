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
//   of one chunk on one thread;
// - splitting changes nothing: a plain JSONL file cut at two line ends into three files,
//   read by two threads (one reader each, small chunks) and by one, gives the same
//   counts and digests per file in both, and in all the counts of the uncut file (out of
//   order records aside, which are counted within a file).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>
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
      std::ofstream(path) << Config(kModes[m].source);
      std::string split_source = kModes[m].source;
      if (Splits(m)) {
        const std::string file = kModes[m].file;
        split_source.replace(split_source.find(file), file.size(),
                             "\"split/" + SplitName(m, '*') + "\"");
      }
      const std::string split_path = dir_ + "/split" + std::to_string(m) + ".yaml";
      std::ofstream(split_path) << Config(split_source);
      if (!Load(path, &configs_) || !Load(split_path, &split_configs_)) return;
    }
    std::filesystem::create_directory(dir_ + "/split");
  }
  ~IngestHarness() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  IngestHarness(const IngestHarness&) = delete;
  IngestHarness& operator=(const IngestHarness&) = delete;

  const std::string& error() const { return error_; }
  // How many inputs were also checked cut into three files.
  std::size_t split_checks() const { return split_checks_; }

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
    if (auto failed = CompareFailures(small, whole, {kModes[mode].file}, "chunking")) return *failed;
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
    if (!SameCounts(g, f)) {
      return "chunking changed the counts: " + std::to_string(f.records) + " vs " +
             std::to_string(g.records) + " records, " + std::to_string(f.quarantined) + " vs " +
             std::to_string(g.quarantined) + " quarantined";
    }
    return Splits(mode) ? CheckSplit(mode, knob, bytes, *whole) : "";
  }

 private:
  // Plain JSONL modes, whose lines can be cut into several files.
  static bool Splits(std::size_t mode) {
    const std::string_view file = kModes[mode].file;
    return file.size() > 6 && file.substr(file.size() - 6) == ".jsonl";
  }
  // "events-N.jsonl" for mode `mode`'s "events.jsonl".
  static std::string SplitName(std::size_t mode, char n) {
    const std::string_view file = kModes[mode].file;
    return std::string(file.substr(0, file.size() - 6)) + "-" + n + ".jsonl";
  }
  static std::string Config(const std::string& source) {
    return "version: 1\n"
           "limits: {max_line_bytes: 4096}\n"
           "accounts:\n"
           "  attributes: {risk_score: number, seats: int, flags: string_set}\n"
           "signals:\n"
           "  detectors: [distill, {name: probe, threshold: 0.5}]\n"
           "sources:\n  - " +
           source + "\n";
  }
  bool Load(const std::string& path, std::vector<IngestConfig>* into) {
    Diagnostics diags;
    auto config = LoadIngestConfig(path, &diags);
    if (!config.ok()) {
      error_ = path + ": " + config.status().message();
      return false;
    }
    into->push_back(std::move(*config));
    return true;
  }
  // For one input read two ways, `a` and `b`: nullopt when both succeeded; else "" when
  // both failed alike, with an error naming one of `files`, or what differs.
  static std::optional<std::string> CompareFailures(const Result<IngestResult>& a,
                                                    const Result<IngestResult>& b,
                                                    const std::vector<std::string>& files,
                                                    const std::string& how) {
    if (a.ok() && b.ok()) return std::nullopt;
    if (a.ok() != b.ok()) return how + " changed success: " + (a.ok() ? b : a).status().message();
    const std::string& message = a.status().message();
    if (std::none_of(files.begin(), files.end(),
                     [&](const std::string& f) { return message.find(f) != std::string::npos; }))
      return "an error that names none of the files read: " + message;
    if (message != b.status().message()) return how + " changed the error: " + message;
    return "";
  }
  static bool SameCounts(const FileStats& a, const FileStats& b) {
    return a.lines == b.lines && a.records == b.records && a.quarantined == b.quarantined &&
           a.by_reason == b.by_reason && a.header_lines == b.header_lines;
  }

  // The bytes cut after the line ends nearest past a third and two thirds of them (the
  // knob moves the cuts) into three files; skipped when a part would be empty.
  std::string CheckSplit(std::size_t mode, std::uint8_t knob, const std::string& bytes,
                         const IngestResult& uncut) const {
    std::vector<std::string> parts;
    std::size_t begin = 0;
    for (std::size_t k = 1; k <= 2; ++k) {
      const std::size_t at = std::max(begin, (bytes.size() * k + knob % 7) / 3);
      const std::size_t nl = bytes.find('\n', at);
      if (nl == std::string::npos || nl + 1 >= bytes.size()) return "";
      parts.push_back(bytes.substr(begin, nl + 1 - begin));
      begin = nl + 1;
    }
    parts.push_back(bytes.substr(begin));
    // A line that starts with a byte order mark is malformed inside a file but the mark
    // is skipped at the start of one: cut there, the counts would rightly differ.
    for (std::size_t k = 1; k < parts.size(); ++k) {
      if (parts[k].compare(0, 3, "\xEF\xBB\xBF") == 0) return "";
    }
    const std::string split_dir = dir_ + "/split";
    for (const auto& entry : std::filesystem::directory_iterator(split_dir)) {
      std::filesystem::remove(entry.path());
    }
    for (std::size_t k = 0; k < parts.size(); ++k) {
      std::ofstream(split_dir + "/" + SplitName(mode, static_cast<char>('1' + k)), std::ios::binary)
          << parts[k];
    }
    const IngestConfig& config = split_configs_[mode];
    IngestOptions options;
    options.threads = 2;  // two readers over the three files
    options.chunk_bytes = 16 + knob;
    auto several = Ingest(config, options);
    options.threads = 1;
    options.chunk_bytes = std::max<std::size_t>(bytes.size() + 1, 4096);
    auto one = Ingest(config, options);
    std::vector<std::string> names;
    for (std::size_t k = 0; k < parts.size(); ++k) names.push_back(SplitName(mode, static_cast<char>('1' + k)));
    if (auto failed = CompareFailures(several, one, names, "reading threads over split files")) return *failed;
    ++split_checks_;
    if (several->data.files.size() != parts.size() || one->data.files.size() != parts.size())
      return "split files: not three files";
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const InputFile& a = several->data.files[k];
      const InputFile& b = one->data.files[k];
      if (a.sha256 != Sha256::Of(parts[k]) || b.sha256 != a.sha256)
        return "split file " + std::to_string(k + 1) + ": digest not its SHA-256";
      if (a.stats.lines != a.stats.records + a.stats.quarantined + a.stats.header_lines)
        return "split file " + std::to_string(k + 1) + ": lines lost";
      if (!SameCounts(a.stats, b.stats) || a.stats.out_of_order != b.stats.out_of_order)
        return "split file " + std::to_string(k + 1) + ": reading threads changed its counts";
    }
    if (!SameCounts(several->totals, uncut.totals)) {
      return "splitting changed the counts: " + std::to_string(several->totals.records) + " vs " +
             std::to_string(uncut.totals.records) + " records, " +
             std::to_string(several->totals.quarantined) + " vs " +
             std::to_string(uncut.totals.quarantined) + " quarantined";
    }
    return "";
  }

  std::string dir_;
  std::string error_;
  std::vector<IngestConfig> configs_;
  std::vector<IngestConfig> split_configs_;  // per mode: its file cut in three (Splits)
  mutable std::size_t split_checks_ = 0;
};

}  // namespace tosguard::engine::fuzz
