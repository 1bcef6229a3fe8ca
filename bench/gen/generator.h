// A deterministic generator of synthetic usage logs: accounts, ToS acceptances, usage
// events and detector signals, with a realistic population and planted ToS campaigns.
//
// Same options give the same bytes on any compiler and platform: the generator uses
// its own PRNG (splitmix64 / xoshiro256**) and only integer arithmetic and exactly
// rounded floating-point operations (+ - * /), never std:: distributions, libm
// transcendental functions or the wall clock. Every random choice is drawn from a
// stream keyed by (seed, account, day, request), so the output does not depend on the
// number of threads. (Compressed output is deterministic for a given zlib / zstd
// version; the uncompressed content is what is guaranteed.)
//
// The population:
//   - ordinary accounts: people chatting in the business hours of their country,
//     varied prompts from built-in templates, varied models, small token counts,
//     rare logprobs; some retain no prompt text (text_availability absent/redacted).
//   - heavy legitimate users (heavy_permille of the ordinary ones): high volume,
//     varied prompts, some with a "distillation_permitted" contract flag.
//   - campaigns, each a knob (a count; negative means "scale with accounts"):
//     1. distill_clusters: linked clusters of 5-8 accounts (shared
//        payment_fingerprint; some share device_id or signup_ip) sending templated
//        "generate N diverse instructions ... step by step" prompts at machine cadence
//        round the clock with high output tokens; their events always carry high
//        distill and template_reuse scores. All accepted the policy. The first member
//        is banned a quarter into the period and one member is created a day after
//        the ban (ban evasion).          auto: max(1, accounts / 5000)
//     2. key_sharing: accounts whose single api key is used from many client IPs,
//        user agents and countries at once.   auto: max(1, accounts / 10000)
//     3. logprob_probes: accounts sending many requests with params.logprobs true,
//        top_logprobs 20 and logit_bias_size > 100. auto: max(1, accounts / 10000)
//     4. unsupported_region: accounts whose traffic comes from KP, IR, SY or CU.
//        auto: max(2, accounts / 5000)
//     5. rate_limit_clusters: clusters of rate_limit_cluster_size accounts sharing an
//        org and a payment fingerprint, each often answered "rate_limited", summing
//        far above one account's volume.      auto: max(1, accounts / 10000)
//     6. signup_bursts: signup_burst_size accounts created within minutes from one
//        signup_ip and email_domain.          auto: max(1, accounts / 10000)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace tosguard::gen {

enum class EventFormat : std::uint8_t { kCanonical, kLiteLlm };
enum class Compression : std::uint8_t { kNone, kGzip, kZstd };

// Campaign sizes. A negative count means "scale with the number of accounts".
struct CampaignKnobs {
  int distill_clusters = -1;
  int key_sharing = -1;
  int logprob_probes = -1;
  int unsupported_region = -1;
  int rate_limit_clusters = -1;
  int rate_limit_cluster_size = 12;
  int signup_bursts = -1;
  int signup_burst_size = 20;
  int heavy_permille = 20;  // share of ordinary accounts that are heavy users, in 1/1000
};

struct GeneratorOptions {
  std::string out_dir;  // created if missing
  std::uint64_t seed = 1;
  TimestampUs start = 0;  // first instant of the first day (UTC midnight)
  int days = 45;
  std::int64_t accounts = 300;
  std::int64_t events = 8000;  // target total; the realised count is close to it
  EventFormat format = EventFormat::kCanonical;
  Compression compression = Compression::kNone;
  int compression_level = 0;  // 0: the codec's default (zlib 6, zstd 3)
  std::string prompts_dir;    // optional: real prompt texts (*.jsonl) for benchmarks
  int threads = 1;            // threads that render events; output is the same
  CampaignKnobs campaigns;
};

// One planted campaign and the accounts that take part in it.
struct CampaignInfo {
  std::string kind;  // distill, key_sharing, logprob_probe, unsupported_region, ...
  std::string note;  // one line, e.g. "banned acct-000012 at ...; evader acct-000290"
  std::vector<std::string> account_ids;
};

struct GenerationSummary {
  std::int64_t accounts = 0;
  std::int64_t acceptances = 0;
  std::int64_t events = 0;
  std::int64_t signals = 0;
  std::vector<std::string> files;  // names written into out_dir, in write order
  std::vector<CampaignInfo> campaigns;
};

// The default start date: 2025-05-10, so a 45-day period straddles 2025-06-01, the
// date the policy version "2025-06" takes effect.
TimestampUs DefaultStart();

// Writes accounts.jsonl, acceptances.jsonl, events.jsonl (spend_logs.jsonl for the
// litellm format; with .gz or .zst when compressed) and signals.jsonl into
// options.out_dir. Events are streamed day by day (memory grows with one day's
// events, not with the total) in order of time. Fails with InvalidArgument for
// impossible options (e.g. campaigns that need more accounts than asked for) and
// IoError when a file cannot be written; files already written are left in place.
// Thread-compatible: concurrent calls must use different out_dirs.
Result<GenerationSummary> Generate(const GeneratorOptions& options);

}  // namespace tosguard::gen
