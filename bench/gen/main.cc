// tosguard-gen: writes a deterministic synthetic usage-log data set (see generator.h).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <thread>

#include "base/time.h"
#include "bench/gen/generator.h"

int main(int argc, char** argv) {
  using namespace tosguard;
  gen::GeneratorOptions o;
  o.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App app{"tosguard-gen: deterministic synthetic usage logs with planted ToS campaigns"};
  std::string start = "2025-05-10";
  std::string format = "canonical";
  std::string compress = "none";
  app.add_option("--out", o.out_dir, "output directory (created if missing)")->required();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--start", start, "first day, YYYY-MM-DD (UTC)")->capture_default_str();
  app.add_option("--days", o.days, "number of days")->capture_default_str();
  app.add_option("--accounts", o.accounts, "number of accounts")->capture_default_str();
  app.add_option("--events", o.events, "target number of events (approximate)")
      ->capture_default_str();
  app.add_option("--format", format, "events format: canonical or litellm")
      ->check(CLI::IsMember({"canonical", "litellm"}))
      ->capture_default_str();
  app.add_option("--compress", compress, "events file compression: none, gz or zst")
      ->check(CLI::IsMember({"none", "gz", "zst"}))
      ->capture_default_str();
  app.add_option("--level", o.compression_level, "compression level (0: codec default)");
  app.add_option("--prompts-dir", o.prompts_dir,
                 "directory of *.jsonl files with real prompt texts (benchmarks only)");
  app.add_option("--threads", o.threads, "threads rendering events (output is the same)")
      ->capture_default_str();
  auto& k = o.campaigns;
  app.add_option("--distill-clusters", k.distill_clusters, "distillation clusters (-1: auto)");
  app.add_option("--key-sharing", k.key_sharing, "key-sharing accounts (-1: auto)");
  app.add_option("--logprob-probes", k.logprob_probes, "logprob-probing accounts (-1: auto)");
  app.add_option("--unsupported-region", k.unsupported_region,
                 "accounts in unsupported regions (-1: auto)");
  app.add_option("--rate-limit-clusters", k.rate_limit_clusters,
                 "rate-limit circumvention clusters (-1: auto)");
  app.add_option("--rate-limit-cluster-size", k.rate_limit_cluster_size,
                 "accounts per rate-limit cluster")
      ->capture_default_str();
  app.add_option("--signup-bursts", k.signup_bursts, "automated sign-up bursts (-1: auto)");
  app.add_option("--signup-burst-size", k.signup_burst_size, "accounts per sign-up burst")
      ->capture_default_str();
  app.add_option("--heavy-permille", k.heavy_permille,
                 "heavy legitimate users per 1000 ordinary accounts")
      ->capture_default_str();
  bool quiet = false;
  app.add_flag("--quiet", quiet, "print nothing on success");
  CLI11_PARSE(app, argc, argv);

  auto parsed = ParseDate(start);
  if (!parsed) {
    std::fprintf(stderr, "tosguard-gen: --start '%s' is not a date YYYY-MM-DD\n", start.c_str());
    return 2;
  }
  o.start = *parsed;
  o.format = format == "litellm" ? gen::EventFormat::kLiteLlm : gen::EventFormat::kCanonical;
  o.compression = compress == "gz"    ? gen::Compression::kGzip
                  : compress == "zst" ? gen::Compression::kZstd
                                      : gen::Compression::kNone;
  auto result = gen::Generate(o);
  if (!result.ok()) {
    std::fprintf(stderr, "tosguard-gen: %s\n", result.status().ToString().c_str());
    return 1;
  }
  if (quiet) return 0;
  const gen::GenerationSummary& s = *result;
  std::printf("accounts %lld, acceptances %lld, events %lld, signals %lld\n",
              static_cast<long long>(s.accounts), static_cast<long long>(s.acceptances),
              static_cast<long long>(s.events), static_cast<long long>(s.signals));
  for (const gen::CampaignInfo& c : s.campaigns) {
    std::printf("%s: %s\n  ", c.kind.c_str(), c.note.c_str());
    for (std::size_t i = 0; i < c.account_ids.size(); ++i) {
      std::printf("%s%s", i > 0 ? " " : "", c.account_ids[i].c_str());
    }
    std::printf("\n");
  }
  return 0;
}
