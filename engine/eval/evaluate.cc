// Evaluate and ExplainPoint: the shared context once, then the rules on a thread pool.
#include "engine/eval/evaluate.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <new>
#include <thread>

#include "base/threads.h"
#include "engine/eval/context.h"
#include "engine/eval/rule_eval.h"
#include "engine/ingest/input_file.h"

namespace tosguard::engine {

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool PlainId(std::string_view id) {
  for (const char ch : id) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') return false;
  }
  return !id.empty();
}

// Re-reads the cited lines, each input file once: with `hash`, every cited line, to
// record its SHA-256; in any case the lines of items with shown fields that ingest did
// not keep, which are parsed again to read those values. A line that no longer holds
// its event means the file changed after it was read.
Status CiteEvidence(const Dataset& data, const IngestConfig& config, bool hash,
                    std::vector<Finding>* findings) {
  std::vector<std::vector<EvidenceItem*>> by_file(data.files.size());
  for (Finding& f : *findings) {
    for (EvidenceItem& e : f.evidence) {
      if (hash || !e.reread.empty()) by_file[e.ref.file].push_back(&e);
    }
  }
  for (std::size_t file = 0; file < by_file.size(); ++file) {
    if (by_file[file].empty()) continue;
    std::vector<SourceRef> refs;
    for (const EvidenceItem* e : by_file[file]) refs.push_back(e->ref);
    const std::string& path = data.files[file].path;
    auto lines = ReadCitedLines(path, refs);
    if (!lines.ok()) return lines.status();
    std::vector<std::string_view> reread_lines;
    std::vector<SourceRef> reread_refs;
    std::vector<EvidenceItem*> reread_items;
    std::vector<bool> needed(CanonicalSchema(RecordKind::kEvent).size(), false);
    for (std::size_t k = 0; k < refs.size(); ++k) {
      EvidenceItem& e = *by_file[file][k];
      if (PlainId(e.event_id) && (*lines)[k].bytes.find(e.event_id) == std::string::npos) {
        return Status::Corruption("'" + path + "' line " + std::to_string(e.ref.line) +
                                  " (offset " + std::to_string(e.ref.offset) +
                                  "): the cited line no longer holds event " + e.event_id +
                                  "; the file changed after it was read");
      }
      if (hash) e.line_sha256 = ToHex((*lines)[k].sha256);
      if (e.reread.empty()) continue;
      for (const auto& [shown, slot] : e.reread) needed.at(slot) = true;
      reread_lines.push_back((*lines)[k].bytes);
      reread_refs.push_back(e.ref);
      reread_items.push_back(&e);
    }
    if (reread_items.empty()) continue;
    auto parsed = ReparseLines(config, data.files[file].source, path, reread_lines, reread_refs, needed);
    if (!parsed.ok()) return parsed.status();
    for (std::size_t row = 0; row < reread_items.size(); ++row) {
      EvidenceItem& e = *reread_items[row];
      for (const auto& [shown, slot] : e.reread) {
        e.shown.at(shown).second = Render(ColumnValue(*parsed->table, slot, row, parsed->dict), parsed->dict);
      }
      e.reread.clear();
    }
  }
  return Status::Ok();
}

}  // namespace

Result<EvalResult> Evaluate(const dsl::Plan& plan, const Dataset& data, const IngestConfig& config,
                            const EvalOptions& options) {
  try {
    EvalResult result;
    const auto context_start = std::chrono::steady_clock::now();
    const EvalContext ctx(plan, data, config, options.threads);
    EvalStats& stats = result.stats;
    stats.context_seconds = SecondsSince(context_start);
    stats.events = data.events.rows();
    stats.accounts = ctx.accounts();
    stats.clusters = ctx.linked_clusters();
    stats.common_values = ctx.common_values();
    const std::size_t n = plan.rules.size();
    stats.rules.resize(n);
    std::vector<bool> selected(n, true);
    for (std::size_t r = 0; r < n; ++r) {
      stats.rules[r].rule_id = plan.rules[r].id;
      if (!options.only_rules.empty()) {
        selected[r] = std::find(options.only_rules.begin(), options.only_rules.end(),
                                plan.rules[r].id) != options.only_rules.end();
      }
    }
    if (data.events.rows() == 0 && !(options.from_day && options.to_day)) {
      if (options.progress) {
        for (std::size_t r = 1; r <= n; ++r) options.progress(r, n);
      }
      return result;
    }
    stats.from_day = options.from_day.value_or(ctx.min_day());
    stats.to_day = options.to_day.value_or(ctx.max_day());
    if (stats.from_day > stats.to_day) {
      return Status::InvalidArgument("the audited period ends (" +
                                     FormatDate(DayStart(stats.to_day)) + ") before it starts (" +
                                     FormatDate(DayStart(stats.from_day)) + ")");
    }

    std::vector<std::vector<Finding>> found(n);
    std::vector<Status> status(n);
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;
    std::mutex mu;
    std::condition_variable cv;
    auto work = [&] {
      for (std::size_t r = next++; r < n; r = next++) {
        if (selected[r]) {
          try {
            const auto start = std::chrono::steady_clock::now();
            RuleEval rule(plan, r, ctx, options.waivers);
            status[r] = rule.Run(stats.from_day, stats.to_day, &found[r], &stats.rules[r]);
            stats.rules[r].seconds = SecondsSince(start);
          } catch (const std::bad_alloc&) {
            status[r] =
                Status::ResourceExhausted("out of memory evaluating rule " + plan.rules[r].id);
          } catch (const std::exception& e) {
            status[r] = Status::Internal("evaluating rule " + plan.rules[r].id + ": " + e.what());
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        ++done;
        cv.notify_one();
      }
    };
    unsigned threads = ThreadCount(options.threads);
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(n, 1)));
    {
      std::vector<std::jthread> pool;
      for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
      std::unique_lock<std::mutex> lock(mu);
      std::size_t reported = 0;
      while (reported < n) {
        cv.wait(lock, [&] { return done > reported; });
        // Every count is reported, in order, even when several rules finished before this
        // thread woke: a display (and its test) sees 1/n, 2/n, ... n/n whatever the timing.
        const std::size_t now_done = done;
        lock.unlock();
        while (reported < now_done) {
          ++reported;
          if (options.progress) options.progress(reported, n);
        }
        lock.lock();
      }
    }
    for (std::size_t r = 0; r < n; ++r) {
      if (!status[r].ok()) return status[r];
      for (Finding& f : found[r]) result.findings.push_back(std::move(f));
    }
    TOSGUARD_RETURN_IF_ERROR(
        CiteEvidence(data, config, options.hash_evidence_lines, &result.findings));
    return result;
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory building the evaluation indexes");
  } catch (const std::exception& e) {
    return Status::Internal(std::string("evaluation failed: ") + e.what());
  }
}

Result<PointExplanation> ExplainPoint(const dsl::Plan& plan, const Dataset& data,
                                      const IngestConfig& config, const EvalOptions& options,
                                      const std::string& rule_id, const std::string& scope,
                                      std::int64_t day) {
  std::size_t r = 0;
  while (r < plan.rules.size() && plan.rules[r].id != rule_id) ++r;
  if (r == plan.rules.size())
    return Status::InvalidArgument("no rule '" + rule_id + "' in the rule pack");
  const std::string kind = dsl::ScopeText(plan.rules[r].scope);
  const std::size_t colon = scope.find(':');
  if (colon == std::string::npos || scope.substr(0, colon) != kind || colon + 1 == scope.size()) {
    return Status::InvalidArgument("rule " + rule_id + " has " + kind + " scope: name it as " +
                                   kind + ":VALUE, not '" + scope + "'");
  }
  try {
    const EvalContext ctx(plan, data, config, options.threads);
    RuleEval rule(plan, r, ctx, options.waivers);
    const std::string value = scope.substr(colon + 1);
    const std::uint32_t s = rule.ResolveScope(value);
    if (s == FlatMap::kNone) {
      return Status::InvalidArgument(
          "no " + kind + " '" + value + "' in the data" +
          (kind == "cluster" ? " (name any account of the cluster)" : ""));
    }
    return rule.Explain(s, day);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted("out of memory explaining rule " + rule_id);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("explanation failed: ") + e.what());
  }
}

}  // namespace tosguard::engine
