// `tosguard findings list|show` and `tosguard review`: the review workflow over the store.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "base/json_writer.h"
#include "base/utf8.h"
#include "cli/command.h"
#include "cli/config_loading.h"
#include "cli/evidence.h"

namespace tosguard::cli {
namespace {

struct StoreArgs {
  std::string config = "tosguard.yaml";
  std::string store, format;
};

struct ListArgs : StoreArgs {
  std::string rule, level, status, since;
};

struct ShowArgs : StoreArgs {
  std::string finding;
};

struct ReviewArgs : StoreArgs {
  std::string finding, decision, by, reason;
};

// The configuration and the store, or an exit code.
std::optional<audit::Store> Open(const StoreArgs& args, CliContext& ctx,
                                 std::optional<engine::IngestConfig>* config) {
  *config = LoadConfigOrReport(args.config);
  if (!*config) {
    ctx.exit_code = kExitUsage;
    return std::nullopt;
  }
  const std::string path = StorePath(args.store, **config);
  if (path.empty()) {
    spdlog::error("no store: give --store or set evidence.store in {}",
                  SafeExcerpt(args.config, 200));
    ctx.exit_code = kExitUsage;
    return std::nullopt;
  }
  return OpenStoreOrReport(path, /*create=*/false, &ctx.exit_code);
}

void SummaryJson(JsonWriter& w, const audit::FindingSummary& s) {
  const audit::FindingRow& r = s.row;
  w.BeginObject()
      .Key("id")
      .String(r.finding_id)
      .Key("revision")
      .Int(r.revision)
      .Key("rule")
      .String(r.rule_id);
  w.Key("level").String(r.level).Key("scope").String(r.scope_kind + ":" + r.scope_value);
  w.Key("first_day")
      .String(r.first_day)
      .Key("last_day")
      .String(r.last_day)
      .Key("peak_day")
      .String(r.peak_day);
  w.Key("evidence_total")
      .Int(r.evidence_total)
      .Key("status")
      .String(s.status)
      .Key("run")
      .String(r.run_id);
  w.Key("first_run").String(s.first_run).EndObject();
}

void List(const ListArgs& args, CliContext& ctx) {
  std::optional<engine::IngestConfig> config;
  auto store = Open(args, ctx, &config);
  if (!store) return;
  audit::FindingFilter filter;
  if (!args.rule.empty()) filter.rule = args.rule;
  if (!args.level.empty()) filter.level = args.level;
  if (!args.status.empty()) filter.status = args.status;
  if (!args.since.empty()) {
    if (!ParseDate(args.since)) {
      spdlog::error("--since takes a date YYYY-MM-DD, not '{}'", SafeExcerpt(args.since, 40));
      ctx.exit_code = kExitUsage;
      return;
    }
    filter.since = args.since;
  }
  auto list = store->ListFindings(filter);
  if (!list.ok()) {
    spdlog::error("{}", list.status().message());
    ctx.exit_code = ExitCodeFor(list.status());
    return;
  }
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  if (format == "json") {
    JsonWriter w;
    w.BeginArray();
    for (const auto& s : *list) SummaryJson(w, s);
    w.EndArray();
    std::cout << w.Take() << "\n";
    return;
  }
  if (list->empty()) {
    std::cout << "no findings\n";
    return;
  }
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-18s %-30s %-21s %-32s %-23s %-10s\n", "finding", "rule",
                "level", "scope", "days", "status");
  std::cout << buf;
  for (const auto& s : *list) {
    const audit::FindingRow& r = s.row;
    std::snprintf(buf, sizeof buf, "%-18s %-30s %-21s %-32s %-23s %-10s\n", r.finding_id.c_str(),
                  SafeExcerpt(r.rule_id, 30).c_str(), r.level.c_str(),
                  SafeExcerpt(r.scope_kind + ":" + r.scope_value, 32).c_str(),
                  (r.first_day + ".." + r.last_day.substr(5)).c_str(), s.status.c_str());
    std::cout << buf;
  }
}

void Show(const ShowArgs& args, CliContext& ctx) {
  std::optional<engine::IngestConfig> config;
  auto store = Open(args, ctx, &config);
  if (!store) return;
  auto d = store->GetFinding(args.finding);
  if (!d.ok()) {
    spdlog::error("{}", d.status().message());
    ctx.exit_code = ExitCodeFor(d.status());
    return;
  }
  const std::string& format = args.format.empty() ? ctx.format : args.format;
  const audit::FindingRow& r = d->summary.row;
  if (format == "json") {
    JsonWriter w;
    w.BeginObject().Key("summary");
    SummaryJson(w, d->summary);
    w.Key("revisions").BeginArray();
    for (auto v : d->revisions) w.Int(v);
    w.EndArray();
    w.Key("run_by").String(d->run.by);
    w.Key("reviews").BeginArray();
    for (const auto& v : d->reviews) {
      w.BeginObject();
      audit::WriteReviewFields(w, v);
      w.EndObject();
    }
    w.EndArray();
    w.Key("custody").BeginArray();
    for (const auto& c : d->custody) {
      w.BeginObject();
      audit::WriteCustodyFields(w, c);
      w.Key("report_sha256").String(c.report_sha256).EndObject();
    }
    w.EndArray();
    std::string out = w.Take();
    out.pop_back();  // the closing brace: the finding's own JSON follows
    std::cout << out << ",\"finding\":" << r.body << "}\n";
    return;
  }
  std::cout << "finding   " << r.finding_id << " (revision " << r.revision << " of "
            << d->revisions.size() << ")\n";
  std::cout << "rule      " << SafeExcerpt(r.rule_id, 80) << "\n";
  std::cout << "level     " << r.level << "\n";
  std::cout << "scope     " << SafeExcerpt(r.scope_kind + ":" + r.scope_value, 120) << "\n";
  std::cout << "days      " << r.first_day << " .. " << r.last_day << " (" << r.days << "), peak "
            << r.peak_day << "\n";
  std::cout << "evidence  " << r.evidence_shown << " of " << r.evidence_total << " cited\n";
  std::cout << "status    " << d->summary.status << "\n";
  std::cout << "run       " << r.run_id
            << (d->run.by.empty() ? "" : " by " + SafeExcerpt(d->run.by, 80))
            << " (first recorded by " << d->summary.first_run << ")\n";
  for (const auto& e : d->evidence) {
    std::cout << "  " << e.n << ". " << SafeExcerpt(e.event_id, 60) << " " << e.time << " "
              << SafeExcerpt(e.file, 80) << ":" << e.line << " sha256 "
              << e.line_sha256.substr(0, 16) << "...\n";
  }
  for (const auto& v : d->reviews) {
    std::cout << "review    " << v.at << " " << v.decision << " by " << SafeExcerpt(v.by, 60)
              << ": " << SafeExcerpt(v.reason, 200) << "\n";
  }
  for (const auto& w : d->withdrawals) {
    std::cout << "withdrawn revision " << w.revision << " by " << w.run_id << ": "
              << SafeExcerpt(w.reason, 300) << "\n";
  }
  for (const auto& c : d->custody) {
    std::cout << "custody   " << c.at << " " << c.action << " (" << SafeExcerpt(c.what, 60)
              << ") by " << SafeExcerpt(c.by, 60) << ": " << SafeExcerpt(c.why, 200) << "\n";
  }
}

void Review(const ReviewArgs& args, CliContext& ctx) {
  std::optional<engine::IngestConfig> config;
  auto store = Open(args, ctx, &config);
  if (!store) return;
  if (args.by.empty() || args.reason.empty()) {
    spdlog::error("a review decision needs --by NAME and --reason TEXT");
    ctx.exit_code = kExitUsage;
    return;
  }
  auto keys = LoadEvidenceKeys(*config, /*need_signing=*/true);
  if (!keys.ok()) {
    spdlog::error("{}", keys.status().message());
    ctx.exit_code = kExitUsage;
    return;
  }
  audit::LogWriter log = keys->Writer(*config, Now());
  auto review = store->AddReview(args.finding, args.decision, args.by, args.reason, log);
  if (!review.ok()) {
    spdlog::error("{}", review.status().message());
    ctx.exit_code = ExitCodeFor(review.status());
    return;
  }
  std::cout << args.finding << ": " << args.decision << " by " << SafeExcerpt(args.by, 80) << " at "
            << review->at << " (review " << review->seq << ", log leaf " << review->leaf << ")\n";
}

void AddStoreOptions(CLI::App* cmd, StoreArgs* args) {
  cmd->add_option("-c,--config", args->config, "Configuration (store path and keys)")
      ->capture_default_str();
  cmd->add_option("--store", args->store,
                  "The store (default: evidence.store of the configuration)");
  cmd->add_option("--format", args->format, "Output: table or json")
      ->check(CLI::IsMember({"table", "json"}));
}

}  // namespace

void AddFindingsCommand(CLI::App& app, CliContext& ctx) {
  CLI::App* cmd =
      app.add_subcommand("findings", "List and show the findings recorded in the evidence store");
  cmd->require_subcommand(1);
  auto list = std::make_shared<ListArgs>();
  CLI::App* l =
      cmd->add_subcommand("list", "The latest revision of every finding, with its review status");
  AddStoreOptions(l, list.get());
  l->add_option("--rule", list->rule, "Only this rule's findings");
  l->add_option("--level", list->level, "Only this level")
      ->check(CLI::IsMember({"violation", "review", "insufficient_evidence"}));
  l->add_option("--status", list->status, "Only this review status")
      ->check(CLI::IsMember({"open", "confirmed", "dismissed", "escalated", "withdrawn"}));
  l->add_option("--since", list->since,
                "Only findings that last held on or after this day (YYYY-MM-DD)");
  l->callback([list, &ctx] { List(*list, ctx); });
  auto show = std::make_shared<ShowArgs>();
  CLI::App* s =
      cmd->add_subcommand("show", "One finding: its evidence, revisions, reviews and custody");
  AddStoreOptions(s, show.get());
  s->add_option("finding", show->finding, "The finding's id (F-...)")->required();
  s->callback([show, &ctx] { Show(*show, ctx); });
}

void AddReviewCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<ReviewArgs>();
  CLI::App* cmd =
      app.add_subcommand("review", "Record a review decision on a finding (stored and logged)");
  AddStoreOptions(cmd, args.get());
  cmd->add_option("finding", args->finding, "The finding's id (F-...)")->required();
  cmd->add_option("--decision", args->decision, "confirmed, dismissed or escalated")
      ->required()
      ->check(CLI::IsMember({"confirmed", "dismissed", "escalated"}));
  cmd->add_option("--by", args->by, "Who decides")->required();
  cmd->add_option("--reason", args->reason, "Why")->required();
  cmd->callback([args, &ctx] { Review(*args, ctx); });
}

}  // namespace tosguard::cli
