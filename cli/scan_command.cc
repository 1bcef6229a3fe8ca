// `tosguard scan`: evaluate a rule pack over the configured sources and print findings.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "audit/finding_id.h"
#include "base/json_writer.h"
#include "base/time.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/evidence.h"
#include "cli/scan_inputs.h"
#include "engine/eval/evaluate.h"

namespace tosguard::cli {
namespace {

// The process's peak resident memory so far, in MiB (for the debug log).
long PeakMemoryMiB() {
  rusage u{};
  return ::getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_maxrss / 1024 : -1;
}

struct ScanArgs {
  ScanInputArgs inputs;
  std::string from, to;
  std::string out;
  std::string format;  // overrides the global --format
  std::string store;   // overrides the configuration's evidence.store
  bool no_store = false;
  bool quiet = false;
};


std::string SummaryJson(const engine::EvalResult& r, const engine::IngestResult& in) {
  JsonWriter w;
  w.BeginObject();
  w.Key("events").Uint(r.stats.events);
  w.Key("lines").Uint(in.totals.lines);
  w.Key("quarantined").Uint(in.totals.quarantined);
  w.Key("accounts").Uint(r.stats.accounts);
  w.Key("linked_clusters").Uint(r.stats.clusters);
  w.Key("common_identifier_values").Uint(r.stats.common_values);
  if (r.stats.events > 0) {
    w.Key("from").String(DayText(r.stats.from_day));
    w.Key("to").String(DayText(r.stats.to_day));
  }
  w.Key("rules").BeginArray();
  for (const auto& s : r.stats.rules) {
    w.BeginObject();
    w.Key("rule").String(s.rule_id);
    w.Key("counted").Uint(s.counted);
    w.Key("no_scope").Uint(s.no_scope);
    w.Key("not_applicable").Uint(s.not_applicable);
    w.Key("exempted").Uint(s.exempted);
    w.Key("waived").Uint(s.waived);
    w.Key("filtered").Uint(s.filtered);
    w.Key("scopes").Uint(s.scopes);
    w.Key("points").Uint(s.points);
    w.Key("findings").Uint(s.findings);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

std::string Table(const engine::EvalResult& r) {
  std::string out;
  char buf[512];
  if (r.stats.events > 0) {
    std::snprintf(buf, sizeof buf,
                  "audited %s .. %s: %llu events, %llu accounts, %llu linked clusters\n",
                  DayText(r.stats.from_day).c_str(), DayText(r.stats.to_day).c_str(),
                  static_cast<unsigned long long>(r.stats.events),
                  static_cast<unsigned long long>(r.stats.accounts),
                  static_cast<unsigned long long>(r.stats.clusters));
    out += buf;
  } else {
    out += "no events: nothing to audit\n";
  }
  std::snprintf(buf, sizeof buf, "%-30s %9s %9s %9s %9s\n", "rule", "counted", "scopes", "points",
                "findings");
  out += buf;
  for (const auto& s : r.stats.rules) {
    std::snprintf(
        buf, sizeof buf, "%-30s %9llu %9llu %9llu %9llu\n", SafeExcerpt(s.rule_id, 30).c_str(),
        static_cast<unsigned long long>(s.counted), static_cast<unsigned long long>(s.scopes),
        static_cast<unsigned long long>(s.points), static_cast<unsigned long long>(s.findings));
    out += buf;
  }
  out += "\n";
  if (r.findings.empty()) return out + "no findings\n";
  std::snprintf(buf, sizeof buf, "%-18s %-30s %-21s %-32s %-23s %-10s %s\n", "finding", "rule",
                "level", "scope", "days", "peak", "evidence");
  out += buf;
  for (const engine::Finding& f : r.findings) {
    const std::string scope = SafeExcerpt(f.scope_kind + ":" + f.scope_value, 32);
    const std::string days = DayText(f.first_day) + ".." + DayText(f.last_day).substr(5);
    const std::string evidence =
        std::to_string(f.evidence.size()) + " of " + std::to_string(f.evidence_total);
    std::snprintf(buf, sizeof buf, "%-18s %-30s %-21s %-32s %-23s %-10s %s\n", f.id.c_str(),
                  SafeExcerpt(f.rule_id, 30).c_str(), engine::OutcomeName(f.level), scope.c_str(),
                  days.c_str(), DayText(f.peak_day).c_str(), evidence.c_str());
    out += buf;
  }
  return out;
}

// The keys and the store a scan records into, opened before the ingest so that a missing
// key fails at once; or, for a scan that records nothing, the pseudonym key if the
// configuration names one that can be read.
struct Recording {
  std::optional<EvidenceKeys> keys;
  std::optional<audit::Store> store;
  std::optional<audit::KeyedHasher> id_key;  // a scan that records nothing
};

bool PrepareRecording(const std::string& store_path, const ScanInputs& in, Recording* rec,
                      int* exit_code) {
  if (store_path.empty()) {
    const std::string& key_path = in.config.evidence.pseudonym_key;
    if (key_path.empty()) return true;
    auto key = LoadPseudonymKey(key_path);
    if (key.ok()) {
      rec->id_key.emplace(std::move(*key));
    } else {
      spdlog::warn(
          "finding ids are the evaluator's unkeyed digests, not those a store would "
          "record: {}",
          key.status().message());
    }
    return true;
  }
  auto keys = LoadEvidenceKeys(in.config, /*need_signing=*/true);
  if (!keys.ok()) {
    spdlog::error("cannot record the run: {}", keys.status().message());
    *exit_code = kExitUsage;
    return false;
  }
  rec->keys.emplace(std::move(*keys));
  rec->store = OpenStoreOrReport(store_path, /*create=*/true, exit_code);
  return rec->store.has_value();
}

// Names the findings as the store will record them (docs/evidence.md, "Finding ids").
bool AssignIds(Recording& rec, std::vector<engine::Finding>* findings, CliContext& ctx) {
  if (!rec.store) {
    audit::AssignFindingIds(
        rec.id_key ? audit::FindingIdScheme::kKeyed : audit::FindingIdScheme::kDigest,
        rec.id_key ? &*rec.id_key : nullptr, findings);
    return true;
  }
  auto scheme = rec.store->FindingIds();
  if (!scheme.ok()) {
    spdlog::error("{}", scheme.status().message());
    ctx.exit_code = ExitCodeFor(scheme.status());
    return false;
  }
  audit::AssignFindingIds(*scheme, &*rec.keys->hasher, findings);
  return true;
}

// Records the run and its findings in the store; false (with the exit code set) on failure.
bool RecordInStore(Recording& rec, const ScanInputs& in, const engine::EvalResult& result,
                   TimestampUs started, CliContext& ctx) {
  auto run = ScanRunRow(CommandLine(), in.config, in.rules, in.ingest, started, Now());
  if (!run.ok()) {
    spdlog::error("cannot record the run: {}", run.status().message());
    ctx.exit_code = kExitInput;
    return false;
  }
  if (result.stats.events > 0) {
    run->from_day = DayText(result.stats.from_day);
    run->to_day = DayText(result.stats.to_day);
  }
  const std::string& path = rec.store->path();
  audit::LogWriter log = rec.keys->Writer(in.config, Now());
  auto outcome = rec.store->RecordRun(std::move(*run), result.findings, log);
  if (!outcome.ok()) {
    spdlog::error("cannot record the run in '{}': {}", SafeExcerpt(path, 200),
                  outcome.status().message());
    ctx.exit_code = ExitCodeFor(outcome.status());
    return false;
  }
  spdlog::info(
      "recorded run {} in {}: {} new, {} revised, {} unchanged findings; log of {} leaves signed "
      "by key {}",
      outcome->run_id, SafeExcerpt(path, 200), outcome->new_findings, outcome->revised_findings,
      outcome->unchanged_findings, outcome->checkpoint.checkpoint.tree_size,
      outcome->checkpoint.key_id);
  return true;
}

void Run(const ScanArgs& args, CliContext& ctx) {
  const TimestampUs started = Now();
  engine::EvalOptions options;
  if (!ParseDayOption(args.from, "--from", &options.from_day) ||
      !ParseDayOption(args.to, "--to", &options.to_day)) {
    ctx.exit_code = kExitUsage;
    return;
  }
  const bool bar = !args.quiet && ::isatty(STDERR_FILENO) == 1;
  if (bar) std::cerr << "reading inputs ..." << std::flush;
  int code = kExitOk;
  const auto t0 = std::chrono::steady_clock::now();
  auto in = LoadScanSetup(args.inputs, &code);
  Recording rec;
  const bool ready =
      in &&
      PrepareRecording(args.no_store ? "" : StorePath(args.store, in->config), *in, &rec, &code) &&
      IngestScanInputs(args.inputs, &*in, &code);
  if (bar) std::cerr << "\r\033[K" << std::flush;
  const auto t1 = std::chrono::steady_clock::now();
  const long peak_after_inputs = PeakMemoryMiB();
  if (!ready) {
    ctx.exit_code = code;
    return;
  }
  options.threads = args.inputs.threads;
  options.waivers = in->waivers;
  if (bar) {
    options.progress = [](std::size_t done, std::size_t total) {
      const std::size_t width = 30, filled = total ? done * width / total : width;
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.')
                << "] rules " << done << "/" << total << std::flush;
    };
  }
  auto result = engine::Evaluate(in->rules.plan, in->ingest.data, in->config, options);
  if (bar) std::cerr << "\r\033[K" << std::flush;
  const auto t2 = std::chrono::steady_clock::now();
  spdlog::debug("scan: inputs read in {:.2f} s (peak memory {} MiB), rules evaluated in {:.2f} s "
                "(peak memory {} MiB)",
                std::chrono::duration<double>(t1 - t0).count(), peak_after_inputs,
                std::chrono::duration<double>(t2 - t1).count(), PeakMemoryMiB());
  if (!result.ok()) {
    spdlog::error("scan failed: {}", result.status().message());
    ctx.exit_code = result.status().code() == StatusCode::kCorruption        ? kExitIntegrity
                    : result.status().code() == StatusCode::kInvalidArgument ? kExitUsage
                                                                             : kExitInternal;
    return;
  }
  LogEvaluationTimes(result->stats);
  if (!AssignIds(rec, &result->findings, ctx)) return;
  if (!args.out.empty()) {
    std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
    for (const engine::Finding& f : result->findings) out << engine::FindingJson(f) << '\n';
    out.flush();
    if (!out) {
      spdlog::error("cannot write findings to '{}'", SafeExcerpt(args.out, 200));
      ctx.exit_code = kExitInput;
      return;
    }
  }
  if (rec.store && !RecordInStore(rec, *in, *result, started, ctx)) return;
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  if (format == "json") {
    std::cout << "{\"summary\":" << SummaryJson(*result, in->ingest) << ",\"findings\":[";
    for (std::size_t i = 0; i < result->findings.size(); ++i) {
      std::cout << (i ? ",\n" : "\n") << engine::FindingJson(result->findings[i]);
    }
    std::cout << "]}\n";
  } else {
    std::cout << Table(*result);
  }
  WarnQuarantined(in->ingest);
  if (in->ingest.over_quarantine_limit) {
    spdlog::error("too much bad input: {}", in->ingest.limit_message);
    ctx.exit_code = kExitInput;
  }
}

}  // namespace

void AddScanCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan", "Evaluate rules over the configured sources and print the findings");
  AddScanInputOptions(cmd, &args->inputs);
  cmd->add_option("--from", args->from,
                  "First evaluation day (YYYY-MM-DD); default: the first day with events");
  cmd->add_option("--to", args->to,
                  "Last evaluation day (YYYY-MM-DD); default: the last day with events");
  cmd->add_option("-o,--out", args->out,
                  "Write the findings here as JSONL (one canonical JSON finding a line)");
  cmd->add_option("--format", args->format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--store", args->store,
                  "Record the run and its findings in this evidence store "
                  "(default: evidence.store of the configuration)");
  cmd->add_flag("--no-store", args->no_store,
                "Do not record the run, even if the configuration names a store");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress display");
  cmd->callback([args, &ctx] { Run(*args, ctx); });
}

}  // namespace tosguard::cli
