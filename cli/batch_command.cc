// `tosguard batch`: the unattended nightly audit. Finds the sources' files, skips those
// already processed (by content), and when anything is new evaluates and records the
// run; the same night twice changes nothing the second time.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <thread>

#include "audit/finding_id.h"
#include "base/fault.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "base/threads.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/evidence.h"
#include "cli/scan_inputs.h"
#include "engine/eval/evaluate.h"
#include "engine/ingest/input_file.h"
#include "engine/ingest/summary.h"

namespace tosguard::cli {
namespace {

struct BatchArgs {
  ScanInputArgs inputs;
  std::string date, from, to;
  std::string summary;  // also write the summary JSON here
  std::string format;
  bool wait = false;
};

// The batch lock: one batch at a time per store. Held until the process ends.
class StoreLock {
 public:
  // false with `busy` set when another process holds it and `wait` is false.
  bool Acquire(const std::string& store, bool wait, bool* busy) {
    path_ = store + ".lock";
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) return false;
    if (::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) return true;
    *busy = errno == EWOULDBLOCK;
    return false;
  }
  ~StoreLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

struct InputFileState {
  std::string file;  // relative to the configuration's directory
  std::string sha256;
  bool is_new = false;
};

struct Summary {
  std::string run_id;  // "" when nothing was recorded
  std::string status;  // "recorded" or "nothing new"
  std::vector<InputFileState> files;
  std::uint64_t lines = 0, events = 0, quarantined = 0;
  std::string from, to;
  std::vector<audit::FindingChange> changes;
  std::uint64_t tree_size = 0;
  std::string root;
  double seconds = 0;
};

// Whether any of `paths` has content whose SHA-256 (hex) is not in `processed`. Hashes
// on up to `threads` threads (0: one per hardware thread), from the last file to the
// first, and stops at the first new one: sources' files sort by name, so a night's new
// file is usually among the last, and when one is new every file is read again by the
// ingest anyway, which hashes what it parses. An unreadable file is an error only when
// it was reached (the ingest reports the others).
Result<bool> AnyNewFile(const std::vector<std::string>& paths,
                        const std::set<std::string>& processed, unsigned threads) {
  threads = ThreadCount(threads);
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, paths.size()));
  std::atomic<std::size_t> next{0};  // files taken, counted from the last one
  std::atomic<bool> found{false};
  std::vector<std::optional<Status>> errors(paths.size());
  auto work = [&] {
    for (;;) {
      if (found.load(std::memory_order_relaxed)) return;
      const std::size_t k = next.fetch_add(1, std::memory_order_relaxed);
      if (k >= paths.size()) return;
      const std::size_t i = paths.size() - 1 - k;
      auto sha = engine::HashFile(paths[i]);
      if (!sha.ok()) {
        errors[i] = sha.status();
      } else if (processed.count(ToHex(*sha)) == 0) {
        found.store(true, std::memory_order_relaxed);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (found) return true;
  for (const auto& e : errors) {
    if (e) return *e;
  }
  return false;
}

std::size_t Count(const Summary& s, const char* kind) {
  std::size_t n = 0;
  for (const auto& c : s.changes) {
    if (c.kind == kind) ++n;
  }
  return n;
}

std::string SummaryJson(const Summary& s) {
  JsonWriter w;
  w.BeginObject();
  w.Key("status").String(s.status).Key("run").String(s.run_id);
  w.Key("inputs").BeginObject();
  std::size_t fresh = 0;
  for (const auto& f : s.files) {
    if (f.is_new) ++fresh;
  }
  w.Key("files")
      .Uint(s.files.size())
      .Key("new")
      .Uint(fresh)
      .Key("already_processed")
      .Uint(s.files.size() - fresh);
  w.Key("new_files").BeginArray();
  for (const auto& f : s.files) {
    if (f.is_new)
      w.BeginObject().Key("file").String(f.file).Key("sha256").String(f.sha256).EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("lines").Uint(s.lines).Key("events").Uint(s.events).Key("quarantined").Uint(s.quarantined);
  w.Key("from").String(s.from).Key("to").String(s.to);
  w.Key("findings").BeginObject();
  for (const char* kind : {"new", "extended", "revised", "unchanged"})
    w.Key(kind).Uint(Count(s, kind));
  w.EndObject();
  w.Key("changes").BeginArray();
  for (const auto& c : s.changes) {
    if (c.kind == "unchanged") continue;
    w.BeginObject()
        .Key("finding")
        .String(c.finding_id)
        .Key("revision")
        .Int(c.revision)
        .Key("kind")
        .String(c.kind);
    w.Key("change").String(c.change).EndObject();
  }
  w.EndArray();
  w.Key("log")
      .BeginObject()
      .Key("tree_size")
      .Uint(s.tree_size)
      .Key("root")
      .String(s.root)
      .EndObject();
  w.Key("seconds").Double(s.seconds);
  w.EndObject();
  return w.Take();
}

std::string SummaryTable(const Summary& s) {
  std::size_t fresh = 0;
  for (const auto& f : s.files) {
    if (f.is_new) ++fresh;
  }
  std::string out = "batch: " + s.status + (s.run_id.empty() ? "" : " as run " + s.run_id) + "\n";
  out += "inputs:   " + std::to_string(s.files.size()) + " files, " + std::to_string(fresh) +
         " new, " + std::to_string(s.files.size() - fresh) + " already processed\n";
  for (const auto& f : s.files) {
    if (f.is_new) out += "  new     " + SafeExcerpt(f.file, 200) + "\n";
  }
  if (!s.run_id.empty()) {
    out += "read:     " + std::to_string(s.lines) + " lines, " + std::to_string(s.events) +
           " events, " + std::to_string(s.quarantined) + " quarantined\n";
    out += "period:   " + s.from + " .. " + s.to + "\n";
    out += "findings: " + std::to_string(Count(s, "new")) + " new, " +
           std::to_string(Count(s, "extended")) + " extended, " +
           std::to_string(Count(s, "revised")) + " revised, " +
           std::to_string(Count(s, "unchanged")) + " unchanged, " +
           std::to_string(Count(s, "withdrawn")) + " withdrawn\n";
    for (const auto& c : s.changes) {
      if (c.kind != "new" && c.kind != "unchanged") {
        out += "  " + c.kind + " " + c.finding_id + " (revision " + std::to_string(c.revision) +
               "): " + SafeExcerpt(c.change, 300) + "\n";
      }
    }
    out += "log:      " + std::to_string(s.tree_size) + " leaves, root " + s.root + "\n";
  }
  return out;
}

void Run(const BatchArgs& args, CliContext& ctx) {
  const TimestampUs started = Now();
  auto fail = [&](const std::string& message, int code) {
    spdlog::error("{}", SafeExcerpt(message, 600));
    ctx.exit_code = code;
  };
  engine::EvalOptions options;
  std::optional<std::int64_t> date;
  if (!ParseDayOption(args.from, "--from", &options.from_day) ||
      !ParseDayOption(args.to, "--to", &options.to_day) ||
      !ParseDayOption(args.date, "--date", &date)) {
    ctx.exit_code = kExitUsage;
    return;
  }
  if (date && (options.from_day || options.to_day))
    return fail("--date and --from/--to exclude each other", kExitUsage);
  if (date) options.to_day = date;
  const bool backfill = options.from_day.has_value() || options.to_day.has_value();

  int code = kExitOk;
  auto in = LoadScanSetup(args.inputs, &code);
  if (!in) {
    ctx.exit_code = code;
    return;
  }
  const std::string store_path = in->config.evidence.store;
  if (store_path.empty()) {
    return fail(in->config.path + ": a batch records into the evidence store; set evidence.store",
                kExitUsage);
  }
  auto keys = LoadEvidenceKeys(in->config, /*need_signing=*/true);
  if (!keys.ok()) return fail(keys.status().message(), kExitUsage);

  StoreLock lock;
  bool busy = false;
  if (!lock.Acquire(store_path, args.wait, &busy)) {
    return fail(busy
                    ? "another batch is running on '" + store_path + "' (it holds '" + lock.path() +
                          "'); this one did nothing. Run it again later, or with --wait"
                    : "cannot take the batch lock '" + lock.path() + "': " + std::strerror(errno),
                busy ? kExitBusy : kExitInput);
  }
  FaultPoint("batch.after_lock");
  auto store = OpenStoreOrReport(store_path, /*create=*/true, &ctx.exit_code);
  if (!store) return;
  audit::LogWriter log = keys->Writer(in->config, Now());
  if (Status s = store->CheckLogHead(log); !s.ok()) return fail(s.message(), ExitCodeFor(s));

  // Which files are new: by content, whatever their names.
  auto processed = store->ProcessedInputs();
  if (!processed.ok()) return fail(processed.status().message(), ExitCodeFor(processed.status()));
  std::set<std::string> seen;
  for (const auto& p : *processed) seen.insert(p.sha256);
  Summary summary;
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  auto finish = [&]() {
    summary.seconds = static_cast<double>(Now() - started) / 1e6;
    const std::string json = SummaryJson(summary);
    std::cout << (format == "json" ? json + "\n" : SummaryTable(summary));
    if (!args.summary.empty()) {
      std::ofstream out(args.summary, std::ios::binary | std::ios::trunc);
      out << json << "\n";
      if (!out.flush()) fail("cannot write the summary to '" + args.summary + "'", kExitInput);
    }
  };
  auto nothing_new = [&]() {
    summary.status = "nothing new";
    auto head = store->LatestCheckpoint();
    if (head.ok() && *head) {
      summary.tree_size = (*head)->checkpoint.tree_size;
      summary.root = ToHex((*head)->checkpoint.root);
    }
    finish();
  };
  std::vector<std::string> paths;
  for (const engine::SourceConfig& source : in->config.sources) {
    auto files = engine::ExpandSourcePaths(source, in->config.base_dir);
    if (!files.ok()) return fail(files.status().message(), kExitInput);
    for (const std::string& path : *files) {
      paths.push_back(path);
      summary.files.push_back({engine::DisplayPath(in->config, path), "", false});
    }
  }
  // Phase times for the debug log.
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto seconds = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  // A backfill reads every file whatever is new; a night first makes sure one is.
  if (!backfill) {
    auto any_new = AnyNewFile(paths, seen, args.inputs.threads);
    if (!any_new.ok()) return fail(any_new.status().message(), kExitInput);
    if (!*any_new) return nothing_new();
  }

  const auto t1 = Clock::now();
  if (!IngestScanInputs(args.inputs, &*in, &code)) {
    ctx.exit_code = code;
    return;
  }
  FaultPoint("batch.after_ingest");
  const auto t2 = Clock::now();
  // What is new, by the digests of the bytes the ingest parsed: a file may have changed,
  // or a new one appeared, since the check above.
  summary.files.clear();
  std::vector<audit::InputRow> fresh;
  for (const engine::InputFile& f : in->ingest.data.files) {
    const std::string hex = ToHex(f.sha256);
    summary.files.push_back({engine::DisplayPath(in->config, f.path), hex, seen.count(hex) == 0});
    if (summary.files.back().is_new) fresh.push_back({summary.files.back().file, hex, 0, 0, 0});
  }
  if (fresh.empty() && !backfill) return nothing_new();
  WarnQuarantined(in->ingest);
  if (in->ingest.over_quarantine_limit) {
    return fail("too much bad input: " + in->ingest.limit_message +
                    "; nothing was recorded, the new files stay "
                    "unprocessed",
                kExitInput);
  }
  options.threads = args.inputs.threads;
  options.waivers = in->waivers;
  auto result = engine::Evaluate(in->rules.plan, in->ingest.data, in->config, options);
  if (!result.ok())
    return fail("evaluation failed: " + result.status().message(), ExitCodeFor(result.status()));
  LogEvaluationTimes(result->stats);
  auto scheme = store->FindingIds();
  if (!scheme.ok()) return fail(scheme.status().message(), ExitCodeFor(scheme.status()));
  audit::AssignFindingIds(*scheme, &*keys->hasher, &result->findings);
  FaultPoint("batch.after_evaluate");
  const auto t3 = Clock::now();

  auto run = ScanRunRow(CommandLine(), in->config, in->rules, in->ingest, started, Now());
  if (!run.ok()) return fail(run.status().message(), kExitInput);
  if (result->stats.events > 0) {
    run->from_day = summary.from = DayText(result->stats.from_day);
    run->to_day = summary.to = DayText(result->stats.to_day);
  }
  for (auto& f : fresh) {
    for (const auto& i : run->inputs) {
      if (i.sha256 == f.sha256) f.lines = i.lines;
    }
  }
  audit::RunExtras extras;
  extras.processed = fresh;
  extras.withdraw_missing = true;
  if (fresh.empty()) {
    extras.cause = "backfill of " + summary.from + " .. " + summary.to;
  } else {
    extras.cause = "new input";
    for (std::size_t i = 0; i < fresh.size() && i < 5; ++i)
      extras.cause += (i ? ", " : " ") + fresh[i].file;
    if (fresh.size() > 5) extras.cause += " and " + std::to_string(fresh.size() - 5) + " more";
  }
  log.now = Now();
  auto outcome = store->RecordRun(std::move(*run), result->findings, log, extras);
  if (!outcome.ok())
    return fail("cannot record the run: " + outcome.status().message(),
                ExitCodeFor(outcome.status()));
  spdlog::debug(
      "batch: new files checked in {:.2f} s, inputs read in {:.2f} s, rules evaluated in "
      "{:.2f} s, the run recorded in {:.2f} s",
      seconds(t0, t1), seconds(t1, t2), seconds(t2, t3), seconds(t3, Clock::now()));
  summary.status = "recorded";
  summary.run_id = outcome->run_id;
  summary.changes = std::move(outcome->changes);
  summary.tree_size = outcome->checkpoint.checkpoint.tree_size;
  summary.root = ToHex(outcome->checkpoint.checkpoint.root);
  summary.lines = in->ingest.totals.lines;
  summary.events = result->stats.events;
  summary.quarantined = in->ingest.totals.quarantined;
  finish();
}

}  // namespace

void AddBatchCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<BatchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "batch",
      "The nightly audit: evaluate when the sources have new files, record the run, sign the log");
  AddScanInputOptions(cmd, &args->inputs);
  cmd->add_option("--date", args->date,
                  "Evaluate up to this day (YYYY-MM-DD); default: the last day with events");
  cmd->add_option("--from", args->from,
                  "Backfill: first evaluation day (YYYY-MM-DD), even with no new file");
  cmd->add_option("--to", args->to,
                  "Backfill: last evaluation day (YYYY-MM-DD), even with no new file");
  cmd->add_option("--summary", args->summary, "Also write the run's summary as JSON to this file");
  cmd->add_option("--format", args->format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--wait", args->wait,
                "Wait for another batch on the same store to finish instead of exiting 75");
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
