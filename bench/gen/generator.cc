// The usage-log generator: population, campaigns, acceptances, events and signals.
#include "bench/gen/generator.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string_view>
#include <thread>

#include "base/json_writer.h"
#include "bench/gen/prng.h"
#include "bench/gen/sink.h"
#include "bench/gen/text.h"

namespace tosguard::gen {
namespace {

using Ms = std::int64_t;  // milliseconds since the epoch: the resolution of generated times
constexpr Ms kSecond = 1000;
constexpr Ms kMinute = 60 * kSecond;
constexpr Ms kHour = 60 * kMinute;
constexpr Ms kDay = 24 * kHour;
constexpr Ms kNone = INT64_MIN;

Ms ToMs(TimestampUs us) { return us / 1000; }

enum class Role : std::uint8_t {
  kOrdinary,
  kHeavy,
  kDistill,
  kKeySharing,
  kLogprobProbe,
  kUnsupportedRegion,
  kRateLimit,
  kSignupBurst,
};

enum class TextMode : std::uint8_t { kFull, kRedacted, kAbsent };

struct Country {
  std::string_view code;
  int weight;
  int utc_offset;  // hours, for business-hour traffic
};

// Rough shares of API traffic by country; offsets are standard time, rounded.
constexpr std::array<Country, 28> kCountries = {{
    {"US", 300, -6}, {"IN", 90, 5},  {"GB", 60, 0},  {"DE", 55, 1},  {"FR", 40, 1}, {"BR", 45, -3},
    {"JP", 40, 9},   {"CA", 35, -5}, {"KR", 30, 9},  {"AU", 20, 10}, {"NL", 20, 1}, {"ES", 20, 1},
    {"IT", 18, 1},   {"MX", 18, -6}, {"SG", 15, 8},  {"PL", 12, 1},  {"SE", 10, 1}, {"NG", 10, 1},
    {"ID", 15, 7},   {"TR", 10, 3},  {"AE", 8, 4},   {"IL", 8, 2},   {"CH", 8, 1},  {"ZA", 8, 2},
    {"VN", 10, 7},   {"PH", 10, 8},  {"AR", 10, -3}, {"KE", 5, 3},
}};
constexpr std::array<Country, 4> kUnsupported = {
    {{"KP", 1, 9}, {"IR", 1, 3}, {"SY", 1, 3}, {"CU", 1, -5}}};

// Local-hour weights of people at work: a morning and an afternoon peak, a little night.
constexpr std::array<int, 24> kHumanHours = {2,  1,  1,  1,  1,  2,  5,  12, 30, 55, 65, 60,
                                             45, 55, 65, 60, 50, 35, 22, 18, 16, 12, 7,  4};

constexpr std::array<std::string_view, 6> kModels = {"acme-large-2025-05", "acme-medium-2025-03",
                                                     "acme-small-2024-11", "acme-reasoner-1",
                                                     "acme-large-2024-12", "acme-embed-3"};
constexpr std::array<int, 6> kModelWeights = {25, 35, 25, 8, 5, 2};

constexpr std::array<std::string_view, 9> kUserAgents = {
    "openai-python/1.30.1",
    "openai-node/4.52.0",
    "python-requests/2.31.0",
    "curl/8.5.0",
    "acme-sdk-python/2.4.0",
    "acme-sdk-js/2.1.3",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/125.0 Safari/537.36",
    "langchain/0.2.1 python/3.11",
};

constexpr std::array<std::string_view, 10> kEmailDomains = {
    "example.com",      "example.org",       "example.net",       "mail.example",
    "inbox.example",    "acme-labs.example", "northwind.example", "contoso.example",
    "fabrikam.example", "university.example"};

constexpr std::array<std::string_view, 7> kDeclaredUses = {
    "personal",  "coding_assistant",   "customer_support", "research",
    "education", "content_generation", "internal_tools"};

// Policy versions: "2024-01" effective 2024-01-15, "2025-06" effective 2025-06-01.
constexpr std::string_view kPolicy = "acme_terms";
const Ms kV1Effective = ToMs(DayStart(DaysFromCivil(2024, 1, 15)));
const Ms kV2Effective = ToMs(DayStart(DaysFromCivil(2025, 6, 1)));

struct Account {
  std::string id;
  std::string org_id;
  Role role = Role::kOrdinary;
  int group = -1;  // campaign instance
  Ms created_at = 0;
  Ms banned_at = kNone;
  std::string tier;
  std::string country;
  std::string traffic_country;  // where requests come from, when it differs
  int utc_offset = 0;
  std::string payment_fp;
  std::vector<std::string> contract;
  std::string declared_use;
  std::string status = "active";
  std::string signup_ip;
  std::string device_id;
  std::string email_domain;
  std::vector<std::string> api_keys;
  std::string home_ip;
  TextMode text_mode = TextMode::kFull;
  bool app = false;  // sends end-user ids
  bool sends_device = false;
  bool risk_scored = false;  // gets a daily account_risk signal
  std::size_t model = 0;     // favourite model
  std::size_t agent = 0;     // favourite user agent
  std::uint64_t variant = 0;
  double weight = 1.0;  // relative requests per active day
  std::uint64_t active_permille = 1000;
  int first_day = 0;  // campaign activity window, in days from the start
  int end_day = 0;
  std::uint64_t key = 0;
};

bool Machine(Role r) {
  return r == Role::kDistill || r == Role::kLogprobProbe || r == Role::kRateLimit;
}

std::string Hex(std::uint64_t v, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = kDigits[v & 15];
    v >>= 4;
  }
  return s;
}

// Appends `v` as a JSON string. Strings without a byte that AppendJsonString would
// escape or check (controls, '"', '\\', '<', '>', '&', DEL, non-ASCII) are copied
// directly, with the same result; the rest go through AppendJsonString.
void JsonStr(std::string& out, std::string_view v) {
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
      AppendJsonString(out, v);
      return;
    }
  }
  out += '"';
  out.append(v);
  out += '"';
}

// FNV-1a: a fixed hash of short names (std::hash differs between libraries).
std::uint64_t Fnv(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

std::string Padded(std::string_view prefix, std::int64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(n));
  return std::string(prefix) + buf;
}

void AppendInt(std::string& out, std::int64_t v) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  out.append(buf, static_cast<std::size_t>(n));
}

// A fraction in thousandths as a JSON number, e.g. 937 -> 0.937.
void AppendPermille(std::string& out, std::int64_t permille) {
  char buf[24];
  const int n =
      std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(permille / 1000),
                    static_cast<long long>(permille % 1000));
  out.append(buf, static_cast<std::size_t>(n));
}

// Civil date of a day index (Howard Hinnant's algorithm), "YYYY-MM-DD".
std::string DateText(std::int64_t day) { return FormatDate(DayStart(day)); }

// "YYYY-MM-DDTHH:MM:SS.mmm" (+ "Z" when `zulu`), fast: the date part is cached per day.
class TimeFormatter {
 public:
  void Append(std::string& out, Ms t, bool zulu) {
    const std::int64_t day = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
    if (day != day_) {
      day_ = day;
      date_ = DateText(day);
    }
    const Ms in_day = t - day * kDay;
    const auto h = in_day / kHour, m = in_day / kMinute % 60, s = in_day / kSecond % 60,
               ms = in_day % 1000;
    char buf[16];
    buf[0] = 'T';
    buf[1] = static_cast<char>('0' + h / 10);
    buf[2] = static_cast<char>('0' + h % 10);
    buf[3] = ':';
    buf[4] = static_cast<char>('0' + m / 10);
    buf[5] = static_cast<char>('0' + m % 10);
    buf[6] = ':';
    buf[7] = static_cast<char>('0' + s / 10);
    buf[8] = static_cast<char>('0' + s % 10);
    buf[9] = '.';
    buf[10] = static_cast<char>('0' + ms / 100);
    buf[11] = static_cast<char>('0' + ms / 10 % 10);
    buf[12] = static_cast<char>('0' + ms % 10);
    out.append(date_);
    out.append(buf, 13);
    if (zulu) out.push_back('Z');
  }

 private:
  std::int64_t day_ = INT64_MIN;
  std::string date_;
};

std::string Rfc3339(Ms t) {
  TimeFormatter f;
  std::string s;
  f.Append(s, t, true);
  return s;
}

// ---------------------------------------------------------------------------------------
// Population.

struct Population {
  std::vector<Account> accounts;  // in id order (= creation order)
  std::vector<CampaignInfo> campaigns;
};

struct ResolvedKnobs {
  int distill_clusters, key_sharing, logprob_probes, unsupported_region, rate_limit_clusters,
      rate_limit_cluster_size, signup_bursts, signup_burst_size, heavy_permille;
};

int Auto(int knob, std::int64_t accounts, std::int64_t per, int minimum) {
  if (knob >= 0) return knob;
  return static_cast<int>(std::max<std::int64_t>(minimum, accounts / per));
}

ResolvedKnobs Resolve(const CampaignKnobs& k, std::int64_t n) {
  return {Auto(k.distill_clusters, n, 5000, 1),
          Auto(k.key_sharing, n, 10000, 1),
          Auto(k.logprob_probes, n, 10000, 1),
          Auto(k.unsupported_region, n, 5000, 2),
          Auto(k.rate_limit_clusters, n, 10000, 1),
          k.rate_limit_cluster_size,
          Auto(k.signup_bursts, n, 10000, 1),
          k.signup_burst_size,
          k.heavy_permille};
}

// An IPv6 address of the documentation prefix 2001:db8::/32, unique per (a, b).
std::string Ipv6(std::uint64_t a, std::uint64_t b) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2001:db8:%x:%x::%x", static_cast<unsigned>((a >> 16) & 0xFFFF),
                static_cast<unsigned>(a & 0xFFFF), static_cast<unsigned>(b & 0xFFFF));
  return buf;
}

// An IPv4 address of a documentation range: 0 = 192.0.2.0/24, 1 = 198.51.100.0/24,
// 2 = 203.0.113.0/24.
std::string Ipv4(int range, std::uint64_t host) {
  static constexpr std::array<std::string_view, 3> kPrefix = {"192.0.2.", "198.51.100.",
                                                              "203.0.113."};
  return std::string(kPrefix[static_cast<std::size_t>(range)]) + std::to_string(1 + host % 254);
}

const Country& PickCountry(Rng& rng) {
  static const auto kWeights = [] {
    std::array<int, kCountries.size()> w{};
    for (std::size_t i = 0; i < kCountries.size(); ++i) w[i] = kCountries[i].weight;
    return w;
  }();
  return kCountries[rng.Weighted(kWeights)];
}

Result<Population> BuildPopulation(const GeneratorOptions& o, const ResolvedKnobs& k) {
  const std::int64_t n = o.accounts;
  const Ms start = ToMs(o.start);
  const Ms end = start + o.days * kDay;
  Rng rng(StreamKey(o.seed, 0xACC0));

  // Campaign members first; ordinary accounts fill the rest.
  struct Proto {
    Role role;
    int group;
    int member;
  };
  std::vector<Proto> protos;
  std::vector<int> distill_sizes;
  for (int c = 0; c < k.distill_clusters; ++c) {
    distill_sizes.push_back(rng.Int(5, 8));
    for (int m = 0; m < distill_sizes.back(); ++m) protos.push_back({Role::kDistill, c, m});
  }
  for (int i = 0; i < k.key_sharing; ++i) protos.push_back({Role::kKeySharing, i, 0});
  for (int i = 0; i < k.logprob_probes; ++i) protos.push_back({Role::kLogprobProbe, i, 0});
  for (int i = 0; i < k.unsupported_region; ++i) {
    protos.push_back({Role::kUnsupportedRegion, i, 0});
  }
  for (int c = 0; c < k.rate_limit_clusters; ++c) {
    for (int m = 0; m < k.rate_limit_cluster_size; ++m) protos.push_back({Role::kRateLimit, c, m});
  }
  for (int c = 0; c < k.signup_bursts; ++c) {
    for (int m = 0; m < k.signup_burst_size; ++m) {
      protos.push_back({Role::kSignupBurst, c, m});
    }
  }
  if (static_cast<std::int64_t>(protos.size()) * 2 > n) {
    return Status::InvalidArgument("the campaigns need " + std::to_string(protos.size()) +
                                   " accounts, more than half of --accounts " + std::to_string(n) +
                                   "; raise --accounts or lower the campaign knobs");
  }
  while (static_cast<std::int64_t>(protos.size()) < n) {
    protos.push_back({Role::kOrdinary, -1, 0});
  }

  // Fixed points in the period (days from the start), kept inside short periods.
  const int days = o.days;
  const Ms ban_time = start + (days / 4) * kDay + 14 * kHour + 23 * kMinute;
  const Ms burst_day = start + ((days * 2) / 5) * kDay;

  std::vector<Account> accounts(static_cast<std::size_t>(n));
  // Shared identifiers of each campaign instance.
  auto shared = [&](std::string_view what, int role, int group) {
    return Hex(StreamKey(o.seed, Fnv(what), static_cast<std::uint64_t>(role),
                         static_cast<std::uint64_t>(group)),
               12);
  };
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const Proto& p = protos[i];
    Account& a = accounts[i];
    Rng r(StreamKey(o.seed, 0xACC1, i));
    a.role = p.role;
    a.group = p.group;
    a.key = StreamKey(o.seed, 0xACC2, i);
    a.variant = r.Next() >> 8;
    const Country& c = PickCountry(r);
    a.country = std::string(c.code);
    a.utc_offset = c.utc_offset;
    a.model = r.Weighted(kModelWeights);
    a.agent = r.Index(kUserAgents.size());
    a.email_domain = std::string(kEmailDomains[r.Index(kEmailDomains.size())]);
    a.declared_use = std::string(kDeclaredUses[r.Index(kDeclaredUses.size())]);
    a.device_id = "dev-" + Hex(Permute48(i, o.seed * 0x9E37), 12);
    a.sends_device = r.Permille(600);
    a.home_ip = Ipv6(i + 0x100, 1 + r.Below(std::uint64_t{3}));
    a.signup_ip = a.home_ip;
    a.payment_fp = "pf-" + Hex(Permute48(i, o.seed * 0x7F4A + 1), 12);
    a.first_day = 0;
    a.end_day = days;
    a.active_permille = 1000;
    a.risk_scored = true;
    // Most accounts predate the period; some sign up during it.
    a.created_at = r.Permille(920) ? start - r.Range(kHour, 540 * kDay)
                                   : start + r.Below(std::int64_t{days} * kDay);
    const std::uint64_t tier_roll = r.Below(std::uint64_t{1000});
    switch (p.role) {
      case Role::kOrdinary: {
        a.risk_scored = r.Permille(50);
        if (r.Below(std::uint64_t{1000}) < static_cast<std::uint64_t>(k.heavy_permille)) {
          a.role = Role::kHeavy;
          a.tier = tier_roll < 600 ? "scale" : "enterprise";
          a.weight = 10.0 + 10.0 * r.Uniform();
          a.active_permille = 950;
          a.app = r.Permille(600);
          if (r.Permille(250)) a.contract.push_back("distillation_permitted");
          if (r.Permille(300)) a.contract.push_back("zero_data_retention");
        } else {
          a.tier = tier_roll < 350   ? "free"
                   : tier_roll < 850 ? "pay_as_you_go"
                   : tier_roll < 970 ? "scale"
                                     : "enterprise";
          const double u = r.Uniform();
          a.weight = 0.3 + 2.7 * u * u;  // a long tail of chattier people
          a.active_permille = 150 + r.Below(std::uint64_t{700});
          a.app = r.Permille(80);
          if (a.tier == "enterprise" && r.Permille(400)) {
            a.contract.push_back("zero_data_retention");
          }
        }
        if (a.tier == "free") a.payment_fp.clear();
        const bool zdr = std::find(a.contract.begin(), a.contract.end(), "zero_data_retention") !=
                         a.contract.end();
        a.text_mode = zdr              ? TextMode::kAbsent
                      : r.Permille(30) ? TextMode::kRedacted
                                       : TextMode::kFull;
        break;
      }
      case Role::kDistill: {
        a.tier = "scale";
        a.declared_use = p.member % 2 == 0 ? "research" : "content_generation";
        a.weight = 25.0;
        a.payment_fp = "pf-" + shared("pay", 1, p.group);
        if (p.member % 3 == 1) a.device_id = "dev-" + shared("dev", 1, p.group);
        if (p.member >= 2 && p.member % 2 == 0) {
          a.signup_ip = Ipv6(0xD15000 + static_cast<std::uint64_t>(p.group), 0x10);
        }
        a.sends_device = true;
        a.created_at = start - (30 + 11 * p.member) * kDay - r.Below(std::int64_t{kDay});
        if (p.member == 0) {
          a.status = "banned";
          a.banned_at = ban_time;
        }
        // The evader: created a day after the ban, with the same payment method.
        if (p.member == distill_sizes[static_cast<std::size_t>(p.group)] - 1) {
          a.created_at = ban_time + kDay + 2 * kHour + r.Below(std::int64_t{kHour});
          if (a.created_at >= end) a.created_at = ban_time + kHour;
        }
        a.variant = static_cast<std::uint64_t>(p.group);
        break;
      }
      case Role::kKeySharing:
        a.tier = "pay_as_you_go";
        a.weight = 15.0;
        a.created_at = start - 90 * kDay - r.Below(std::int64_t{60} * kDay);
        a.sends_device = false;
        break;
      case Role::kLogprobProbe:
        a.tier = "scale";
        a.declared_use = "research";
        a.weight = 20.0;
        a.first_day = days / 5;
        a.end_day = std::max(a.first_day + 1, (days * 7) / 10);
        a.created_at = start - 20 * kDay - r.Below(std::int64_t{10} * kDay);
        break;
      case Role::kUnsupportedRegion: {
        const Country& u = kUnsupported[static_cast<std::size_t>(p.group) % kUnsupported.size()];
        a.tier = "pay_as_you_go";
        a.traffic_country = std::string(u.code);
        a.utc_offset = u.utc_offset;
        // One declares the country; the other bills elsewhere and connects from it.
        a.country = p.group % 2 == 0 ? std::string(u.code) : "AE";
        a.weight = 2.0;
        a.active_permille = 800;
        a.created_at = start - 60 * kDay - r.Below(std::int64_t{90} * kDay);
        break;
      }
      case Role::kRateLimit:
        a.tier = "pay_as_you_go";
        a.declared_use = "internal_tools";
        a.weight = 6.0;
        a.org_id = "org-" + shared("org", 5, p.group).substr(0, 8);
        a.payment_fp = "pf-" + shared("pay", 5, p.group);
        a.email_domain = "northwind.example";
        a.first_day = days / 9;
        a.created_at =
            start - 15 * kDay + Ms{p.member} * 37 * kMinute + r.Below(std::int64_t{kHour});
        break;
      case Role::kSignupBurst:
        a.tier = "free";
        a.payment_fp.clear();
        a.declared_use = "content_generation";
        a.weight = 1.5;
        a.active_permille = 700;
        a.signup_ip = Ipv4(2, 200 + static_cast<std::uint64_t>(p.group));
        a.home_ip = a.signup_ip;
        a.email_domain = "mailbox-" + shared("mail", 6, p.group).substr(0, 6) + ".example";
        a.created_at = burst_day + 3 * kHour + Ms{p.member} * 23 * kSecond +
                       r.Below(std::int64_t{20} * kSecond);
        a.utc_offset = 0;
        break;
      case Role::kHeavy: break;
    }
    if (a.role != Role::kOrdinary && a.role != Role::kHeavy) a.risk_scored = true;
  }

  // Account ids follow creation order, as a real sign-up system would number them.
  std::vector<std::size_t> order(accounts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return accounts[x].created_at != accounts[y].created_at
               ? accounts[x].created_at < accounts[y].created_at
               : x < y;
  });
  std::vector<Account> sorted;
  sorted.reserve(accounts.size());
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    Account a = std::move(accounts[order[rank]]);
    a.id = Padded("acct-", static_cast<std::int64_t>(rank) + 1, 6);
    sorted.push_back(std::move(a));
  }
  // Teams: about half of the ordinary accounts belong to an organisation of a few.
  std::int64_t org_count = std::max<std::int64_t>(1, n / 5);
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    Account& a = sorted[i];
    Rng r(StreamKey(o.seed, 0xACC3, i));
    if (a.org_id.empty() && (a.role == Role::kOrdinary || a.role == Role::kHeavy) &&
        r.Permille(500)) {
      a.org_id = Padded("org-", 1 + r.Below(org_count), 5);
    }
    const int keys = a.role == Role::kHeavy ? 3 : a.role == Role::kKeySharing ? 1 : 1 + r.Int(0, 1);
    for (int j = 0; j < keys; ++j) {
      a.api_keys.push_back(
          "key-" + Hex(Permute48(i * 4 + static_cast<std::size_t>(j), o.seed * 0x3C6E + 7), 12));
    }
  }

  // Campaign descriptions, in a fixed order.
  Population pop;
  auto collect = [&](Role role, std::string_view kind, int groups, auto note) {
    for (int g = 0; g < groups; ++g) {
      CampaignInfo info;
      info.kind = std::string(kind);
      for (const Account& a : sorted) {
        if (a.role == role && a.group == g) info.account_ids.push_back(a.id);
      }
      info.note = note(g, info);
      pop.campaigns.push_back(std::move(info));
    }
  };
  collect(Role::kDistill, "distill", k.distill_clusters, [&](int g, const CampaignInfo&) {
    std::string banned, evader;
    Ms latest = kNone;
    for (const Account& a : sorted) {
      if (a.role != Role::kDistill || a.group != g) continue;
      if (a.banned_at != kNone) banned = a.id;
      if (a.created_at > latest) {
        latest = a.created_at;
        evader = a.id;
      }
    }
    return "shared payment_fingerprint; " + banned + " banned at " + Rfc3339(ban_time) + "; " +
           evader + " created after the ban";
  });
  collect(Role::kKeySharing, "key_sharing", k.key_sharing, [](int, const CampaignInfo&) {
    return std::string("one api key used from many IPs, user agents and countries");
  });
  collect(Role::kLogprobProbe, "logprob_probe", k.logprob_probes, [&](int, const CampaignInfo&) {
    const int last = std::max(days / 5 + 1, (days * 7) / 10) - 1;
    return "logprobs, top_logprobs 20, logit_bias_size > 100; from " +
           FormatDate((start + (days / 5) * kDay) * 1000) + " to " +
           FormatDate((start + last * kDay) * 1000);
  });
  collect(
      Role::kUnsupportedRegion, "unsupported_region", k.unsupported_region,
      [&](int g, const CampaignInfo&) {
        return "traffic from " +
               std::string(kUnsupported[static_cast<std::size_t>(g) % kUnsupported.size()].code);
      });
  collect(Role::kRateLimit, "rate_limit_circumvention", k.rate_limit_clusters,
          [](int, const CampaignInfo&) {
            return std::string("shared org and payment_fingerprint; frequent rate_limited");
          });
  collect(Role::kSignupBurst, "signup_burst", k.signup_bursts, [&](int, const CampaignInfo& info) {
    for (const Account& a : sorted) {
      if (!info.account_ids.empty() && a.id == info.account_ids.front()) {
        return "created within minutes on " + FormatDate(a.created_at * 1000) + " from " +
               a.signup_ip + ", e-mail domain " + a.email_domain;
      }
    }
    return std::string();
  });
  pop.accounts = std::move(sorted);
  return pop;
}

// ---------------------------------------------------------------------------------------
// Accounts and acceptances.

std::string AccountLine(const Account& a) {
  std::string s = "{\"account_id\":";
  JsonStr(s, a.id);
  if (!a.org_id.empty()) {
    s += ",\"org_id\":";
    JsonStr(s, a.org_id);
  }
  s += ",\"created_at\":\"" + Rfc3339(a.created_at) + "\"";
  s += ",\"tier\":";
  JsonStr(s, a.tier);
  s += ",\"country\":";
  JsonStr(s, a.country);
  if (!a.payment_fp.empty()) {
    s += ",\"payment_fingerprint\":";
    JsonStr(s, a.payment_fp);
  }
  s += ",\"contract\":[";
  for (std::size_t i = 0; i < a.contract.size(); ++i) {
    if (i > 0) s += ',';
    JsonStr(s, a.contract[i]);
  }
  s += "],\"declared_use\":";
  JsonStr(s, a.declared_use);
  s += ",\"status\":";
  JsonStr(s, a.status);
  if (a.banned_at != kNone) s += ",\"banned_at\":\"" + Rfc3339(a.banned_at) + "\"";
  s += ",\"signup_ip\":";
  JsonStr(s, a.signup_ip);
  s += ",\"device_id\":";
  JsonStr(s, a.device_id);
  s += ",\"email_domain\":";
  JsonStr(s, a.email_domain);
  s += "}\n";
  return s;
}

struct Acceptance {
  Ms at;
  std::size_t account;
  std::string_view version;
  std::string_view method;
  std::string_view source;
};

// Most accounts accept at sign-up; some late, some never; version "2025-06" is accepted
// by most active accounts in the weeks after it takes effect.
std::vector<Acceptance> PlanAcceptances(const GeneratorOptions& o, const Population& pop) {
  const Ms end = ToMs(o.start) + o.days * kDay;
  const Ms start = ToMs(o.start);
  std::vector<Acceptance> out;
  for (std::size_t i = 0; i < pop.accounts.size(); ++i) {
    const Account& a = pop.accounts[i];
    Rng r(StreamKey(o.seed, 0xACCE, i));
    std::string_view method = "clickwrap", source = "console";
    if (a.tier == "enterprise") {
      method = "signed";
      source = "sales";
    } else if (r.Permille(120)) {
      method = "api";
      source = "api";
    }
    const std::uint64_t roll = r.Below(std::uint64_t{1000});
    const bool campaign = a.role == Role::kDistill || a.role == Role::kRateLimit;
    const bool never = !campaign && (a.role == Role::kSignupBurst ? roll < 500 : roll < 70);
    const bool late = !campaign && !never && roll < 140;
    if (never) continue;
    Ms v1_at = kNone;
    if (a.created_at < kV2Effective) {
      // Accounts older than the policy accept it at their next visit after it appears.
      v1_at = a.created_at >= kV1Effective ? a.created_at + r.Range(5 * kSecond, 15 * kMinute)
                                           : kV1Effective + r.Range(kHour, 30 * kDay);
      if (late) v1_at = std::max(v1_at, start + r.Below(std::int64_t{o.days} * kDay * 2 / 3));
      // A late acceptance after 2025-06-01 is of the version then in force.
      const bool v1_current = v1_at < kV2Effective;
      if (v1_current && v1_at < end) out.push_back({v1_at, i, "2024-01", method, source});
      const bool stopped = a.banned_at != kNone && a.banned_at < kV2Effective;
      if (!stopped && (campaign || !v1_current || r.Permille(750))) {
        Ms v2_at = v1_at;
        if (v1_current) {
          v2_at = kV2Effective +
                  (campaign ? r.Below(std::int64_t{2} * kDay) : r.Below(std::int64_t{20} * kDay));
        }
        if (v2_at < end) out.push_back({v2_at, i, "2025-06", method, source});
      }
    } else {
      Ms at = a.created_at + r.Range(5 * kSecond, 15 * kMinute);
      if (late) at += r.Below(std::int64_t{10} * kDay);
      if (at < end) out.push_back({at, i, "2025-06", method, source});
    }
  }
  std::sort(out.begin(), out.end(), [](const Acceptance& x, const Acceptance& y) {
    return x.at != y.at             ? x.at < y.at
           : x.account != y.account ? x.account < y.account
                                    : x.version < y.version;
  });
  return out;
}

std::string AcceptanceLine(const Acceptance& c, const Population& pop) {
  std::string s = "{\"account_id\":";
  JsonStr(s, pop.accounts[c.account].id);
  s += ",\"policy\":";
  JsonStr(s, kPolicy);
  s += ",\"version\":";
  JsonStr(s, c.version);
  s += ",\"accepted_at\":\"" + Rfc3339(c.at) + "\",\"method\":";
  JsonStr(s, c.method);
  s += ",\"source\":";
  JsonStr(s, c.source);
  s += "}\n";
  return s;
}

// ---------------------------------------------------------------------------------------
// Events.

// The part of day `d` (from the period start) in which account `a` can send requests.
struct Span {
  Ms lo, hi;
};
Span ActiveSpan(const Account& a, Ms day_start, int d) {
  if (d < a.first_day || d >= a.end_day) return {0, 0};
  Ms lo = std::max(day_start, a.created_at + 10 * kMinute);
  Ms hi = day_start + kDay;
  if (a.banned_at != kNone) hi = std::min(hi, a.banned_at);
  return lo < hi ? Span{lo, hi} : Span{0, 0};
}

double DayFactor(const Account& a, std::int64_t day_index) {
  if (Machine(a.role) || a.role == Role::kKeySharing) return 1.0;
  const std::int64_t weekday = (day_index + 4) % 7;  // 0 = Sunday; 1970-01-01 was a Thursday
  return weekday == 0 || weekday == 6 ? 0.45 : 1.0;
}

struct Planned {
  Ms ts;
  std::uint32_t account;
  std::uint32_t seq;
};

// The requests of one account on one day, appended to `out`.
void PlanDay(const GeneratorOptions& o, const Account& a, std::uint32_t index, int d, double scale,
             std::vector<Planned>& out) {
  const Ms day_start = ToMs(o.start) + d * kDay;
  const Span span = ActiveSpan(a, day_start, d);
  if (span.hi <= span.lo) return;
  Rng r(StreamKey(a.key, 0xDA7, static_cast<std::uint64_t>(d)));
  const bool human = !Machine(a.role) && a.role != Role::kKeySharing;
  if (human && !r.Permille(a.active_permille)) return;
  const double fraction = static_cast<double>(span.hi - span.lo) / static_cast<double>(kDay);
  const double variation = human ? 0.4 + 1.2 * r.Uniform() : 0.9 + 0.2 * r.Uniform();
  const double x = a.weight * scale * DayFactor(a, day_start / kDay) * fraction * variation;
  auto count = static_cast<std::int64_t>(x);
  if (r.Uniform() < x - static_cast<double>(count)) ++count;
  if (count <= 0) return;
  const Ms width = span.hi - span.lo;
  if (Machine(a.role)) {
    // Machine cadence: evenly spaced, with a little jitter, round the clock.
    const Ms interval = std::max<Ms>(1, width / count);
    const Ms offset = r.Below(interval);
    for (std::int64_t i = 0; i < count; ++i) {
      Ms t = span.lo + offset + i * interval + r.Below(interval / 25 + 1);
      out.push_back({std::min(t, span.hi - 1), index, static_cast<std::uint32_t>(i)});
    }
    return;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    Ms t = span.lo + r.Below(width);
    if (human) {
      // Business hours of the account's country; retry a few times on partial days.
      for (int attempt = 0; attempt < 6; ++attempt) {
        const auto local_hour = static_cast<Ms>(r.Weighted(kHumanHours));
        const Ms utc_hour = ((local_hour - a.utc_offset) % 24 + 24) % 24;
        const Ms c = day_start + utc_hour * kHour + r.Below(kHour);
        if (c >= span.lo && c < span.hi) {
          t = c;
          break;
        }
      }
    }
    out.push_back({t, index, static_cast<std::uint32_t>(i)});
  }
}

struct Context {
  const GeneratorOptions* options;
  const Population* pop;
  const PromptPool* pool;
  std::uint64_t id_salt;
};

struct SignalLine {
  Ms ts;
  std::string line;
};

// Everything about one request, derived from its own random stream.
struct EventFields {
  std::string event_id;
  Ms ts = 0;
  std::string_view api_key;
  std::string user_id;
  std::string_view model;
  std::string_view endpoint;
  std::int64_t input_tokens = 0, output_tokens = 0, max_tokens = -1;
  bool logprobs = false;
  int top_logprobs = 0, logit_bias = 0, n = 1, temperature_centi = 100;
  std::string_view status;
  std::string client_ip;
  std::string_view country;
  std::string_view user_agent;
  bool device = false;
  std::string text;
  std::string text_hash;
  std::vector<std::string_view> tags;
  int distill = -1, template_reuse = -1;  // signal scores in 1/1000, -1: not scored
  Ms latency = 0;
};

// FNV-1a over the text lower-cased with runs of white space folded: a stand-in for
// the normalised-text hash of a real pipeline.
std::string TextHash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  bool space = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space) {
      h = (h ^ ' ') * 0x100000001b3ULL;
      space = false;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
    h = (h ^ c) * 0x100000001b3ULL;
  }
  return Hex(Mix64(h), 16);
}

constexpr std::array<int, 6> kTemperatures = {0, 20, 50, 70, 100, 120};

void Derive(const Context& ctx, const Account& a, const Planned& p, int d, std::uint64_t number,
            EventFields& f) {
  Rng r(StreamKey(a.key, 0xE7, static_cast<std::uint64_t>(d), p.seq));
  f.event_id = "ev-" + Hex(Permute48(number, ctx.id_salt), 12);
  f.ts = p.ts;
  f.api_key = a.api_keys[r.Index(a.api_keys.size())];
  f.user_id.clear();
  if (a.app) f.user_id = "eu-" + Hex(Mix64(a.key ^ r.Below(std::uint64_t{400})), 8);
  f.model = kModels[r.Permille(800) ? a.model : r.Weighted(kModelWeights)];
  f.endpoint = f.model == "acme-embed-3" ? "embeddings"
               : r.Permille(120)         ? "responses"
               : r.Permille(60)          ? "completions"
                                         : "chat.completions";
  f.logprobs = r.Permille(8);
  f.top_logprobs = f.logprobs ? r.Int(1, 5) : 0;
  f.logit_bias = r.Permille(15) ? r.Int(1, 6) : 0;
  f.n = r.Permille(30) ? r.Int(2, 4) : 1;
  f.temperature_centi = kTemperatures[r.Index(kTemperatures.size())];
  f.client_ip = a.home_ip;
  f.country = a.traffic_country.empty() ? std::string_view(a.country) : a.traffic_country;
  f.user_agent = kUserAgents[r.Permille(900) ? a.agent : r.Index(kUserAgents.size())];
  f.device = a.sends_device;
  f.tags.clear();
  f.distill = -1;
  f.template_reuse = -1;
  f.text.clear();
  std::int64_t context_tokens = 0;
  f.max_tokens = r.Permille(650) ? 256 * r.Int(1, 16) : -1;
  std::int64_t out_tokens = 20 + static_cast<std::int64_t>(800.0 * r.Uniform() * r.Uniform());
  PromptStyle style = PromptStyle::kChat;
  switch (a.role) {
    case Role::kOrdinary:
      if (r.Permille(30)) {
        f.distill = r.Int(5, 300);
        f.template_reuse = r.Int(5, 350);
      }
      if (r.Permille(300)) f.tags.push_back(r.Permille(500) ? "console" : "sdk");
      context_tokens = r.Permille(300) ? r.Range(50, 1500) : 0;
      break;
    case Role::kHeavy:
      style = r.Permille(500) ? PromptStyle::kWork : PromptStyle::kChat;
      context_tokens = r.Range(200, 6000);
      out_tokens += r.Range(0, 1200);
      if (r.Permille(100)) {
        f.distill = r.Int(50, 500);
        f.template_reuse = r.Int(50, 550);
      }
      f.tags.push_back("production");
      break;
    case Role::kDistill:
      style = PromptStyle::kDistill;
      f.model = kModels[r.Permille(900) ? 0 : 3];
      f.endpoint = "chat.completions";
      f.max_tokens = 4096;
      out_tokens = r.Range(1500, 4000);
      f.temperature_centi = 100;
      f.distill = r.Int(900, 995);
      f.template_reuse = r.Int(850, 990);
      f.tags.push_back("batch");
      f.device = true;
      break;
    case Role::kKeySharing: {
      // Many people behind one key: addresses, agents and countries all over the place.
      const Country& c = PickCountry(r);
      f.country = c.code;
      f.client_ip =
          r.Permille(500) ? Ipv4(0, r.Next()) : Ipv6(0xFF0000 + r.Below(std::uint64_t{5000}), 1);
      f.user_agent = kUserAgents[r.Index(kUserAgents.size())];
      f.device = false;
      if (r.Permille(30)) {
        f.distill = r.Int(5, 300);
        f.template_reuse = r.Int(5, 300);
      }
      break;
    }
    case Role::kLogprobProbe:
      style = PromptStyle::kProbe;
      f.model = kModels[0];
      f.endpoint = "chat.completions";
      f.logprobs = true;
      f.top_logprobs = 20;
      f.logit_bias = r.Int(101, 300);
      f.max_tokens = 1;
      out_tokens = 1;
      f.temperature_centi = 0;
      f.distill = r.Int(300, 650);
      f.template_reuse = r.Int(800, 950);
      break;
    case Role::kUnsupportedRegion:
      if (a.country != a.traffic_country && r.Permille(150)) f.country = a.country;
      f.client_ip = Ipv4(1, 100 + (a.key % 50) + r.Below(std::uint64_t{4}));
      break;
    case Role::kRateLimit:
      style = PromptStyle::kBulk;
      f.model = kModels[2];
      f.endpoint = "chat.completions";
      out_tokens = r.Range(5, 60);
      f.max_tokens = 64;
      f.temperature_centi = 0;
      f.client_ip =
          Ipv4(1, 20 + static_cast<std::uint64_t>(a.group) * 5 + r.Below(std::uint64_t{3}));
      f.template_reuse = r.Int(700, 950);
      f.distill = r.Int(100, 400);
      f.tags.push_back("pipeline");
      break;
    case Role::kSignupBurst:
      style = PromptStyle::kSpam;
      f.model = kModels[1];
      if (r.Permille(500)) f.template_reuse = r.Int(600, 900);
      break;
  }
  AppendPrompt(style, a.variant, r, *ctx.pool, f.text);
  if (f.endpoint == "embeddings") out_tokens = 0;
  // Outcomes: a few errors everywhere; the rate-limit cluster hits its limits often.
  const std::uint64_t roll = r.Below(std::uint64_t{1000});
  const std::uint64_t limited = a.role == Role::kRateLimit ? 120
                                : a.role == Role::kDistill ? 20
                                                           : 2;
  f.status = roll < limited ? "rate_limited" : roll < limited + 6 ? "error" : "success";
  f.input_tokens = static_cast<std::int64_t>(f.text.size() / 4) + 8 + context_tokens;
  if (f.max_tokens > 0) out_tokens = std::min(out_tokens, f.max_tokens);
  f.output_tokens = f.status == "success" ? out_tokens : 0;
  f.latency =
      f.status == "rate_limited" ? r.Range(5, 40) : r.Range(300, 900) + f.output_tokens * 12;
  f.text_hash = a.text_mode == TextMode::kAbsent ? std::string() : TextHash(f.text);
}

void AppendField(std::string& s, std::string_view key, std::string_view value) {
  s += ",\"";
  s += key;
  s += "\":";
  JsonStr(s, value);
}

void AppendIntField(std::string& s, std::string_view key, std::int64_t value) {
  s += ",\"";
  s += key;
  s += "\":";
  AppendInt(s, value);
}

void AppendTemperature(std::string& s, int centi) {
  AppendInt(s, centi / 100);
  s += '.';
  s += static_cast<char>('0' + centi / 10 % 10);
  if (centi % 10 != 0) s += static_cast<char>('0' + centi % 10);
}

void RenderCanonical(const Account& a, const EventFields& f, TimeFormatter& tf, std::string& s) {
  s += "{\"event_id\":\"";
  s += f.event_id;
  s += "\",\"ts\":\"";
  tf.Append(s, f.ts, true);
  s += '"';
  AppendField(s, "account_id", a.id);
  if (!a.org_id.empty()) AppendField(s, "org_id", a.org_id);
  AppendField(s, "api_key_id", f.api_key);
  if (!f.user_id.empty()) AppendField(s, "user_id", f.user_id);
  AppendField(s, "model", f.model);
  AppendField(s, "endpoint", f.endpoint);
  AppendIntField(s, "input_tokens", f.input_tokens);
  AppendIntField(s, "output_tokens", f.output_tokens);
  if (f.max_tokens > 0) AppendIntField(s, "max_tokens", f.max_tokens);
  s += ",\"params\":{\"logprobs\":";
  s += f.logprobs ? "true" : "false";
  if (f.logprobs) AppendIntField(s, "top_logprobs", f.top_logprobs);
  AppendIntField(s, "logit_bias_size", f.logit_bias);
  AppendIntField(s, "n", f.n);
  s += ",\"temperature\":";
  AppendTemperature(s, f.temperature_centi);
  s += '}';
  AppendField(s, "status", f.status);
  AppendField(s, "client_ip", f.client_ip);
  AppendField(s, "country", f.country);
  AppendField(s, "user_agent", f.user_agent);
  if (f.device) AppendField(s, "device_id", a.device_id);
  switch (a.text_mode) {
    case TextMode::kFull:
      AppendField(s, "text", f.text);
      AppendField(s, "text_hash", f.text_hash);
      AppendField(s, "text_availability", "full");
      break;
    case TextMode::kRedacted:
      AppendField(s, "text_hash", f.text_hash);
      AppendField(s, "text_availability", "redacted");
      break;
    case TextMode::kAbsent: AppendField(s, "text_availability", "absent"); break;
  }
  s += ",\"tags\":[";
  for (std::size_t i = 0; i < f.tags.size(); ++i) {
    if (i > 0) s += ',';
    JsonStr(s, f.tags[i]);
  }
  s += "]}\n";
}

// A LiteLLM proxy spend-log row (LiteLLM_SpendLogs, as exported to JSON). Times carry
// no offset, as in the proxy's database export; they are UTC.
void RenderLiteLlm(const Account& a, const EventFields& f, TimeFormatter& tf, std::string& s) {
  s += "{\"request_id\":\"chatcmpl-";
  s += std::string_view(f.event_id).substr(3);
  s += "\",\"call_type\":";
  JsonStr(s, f.endpoint == "embeddings" ? "aembedding" : "acompletion");
  AppendField(s, "api_key", f.api_key);
  // Spend in micro-dollars from integer per-token prices, printed with 6 decimals.
  const std::int64_t micro = f.input_tokens * 2 + f.output_tokens * 8;
  s += ",\"spend\":";
  AppendInt(s, micro / 1000000);
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(micro % 1000000));
  s += frac;
  AppendIntField(s, "total_tokens", f.input_tokens + f.output_tokens);
  AppendIntField(s, "prompt_tokens", f.input_tokens);
  AppendIntField(s, "completion_tokens", f.output_tokens);
  s += ",\"startTime\":\"";
  tf.Append(s, f.ts, false);
  s += "\",\"endTime\":\"";
  tf.Append(s, f.ts + f.latency, false);
  s += '"';
  AppendField(s, "model", f.model);
  AppendField(s, "api_base", "https://api.acme.example/v1");
  AppendField(s, "user", a.id);
  if (a.org_id.empty()) {
    s += ",\"team_id\":null,\"organization_id\":null";
  } else {
    AppendField(s, "team_id", "team-" + a.org_id.substr(4));
    AppendField(s, "organization_id", a.org_id);
  }
  if (!f.user_id.empty()) {
    AppendField(s, "end_user", f.user_id);
  } else {
    s += ",\"end_user\":\"\"";
  }
  s += ",\"metadata\":{\"user_api_key_alias\":";
  JsonStr(s, a.id + "-key");
  AppendField(s, "user_agent", f.user_agent);
  AppendField(s, "country", f.country);
  s += ",\"optional_params\":{\"logprobs\":";
  s += f.logprobs ? "true" : "false";
  if (f.logprobs) AppendIntField(s, "top_logprobs", f.top_logprobs);
  AppendIntField(s, "logit_bias_size", f.logit_bias);
  AppendIntField(s, "n", f.n);
  if (f.max_tokens > 0) AppendIntField(s, "max_tokens", f.max_tokens);
  s += ",\"temperature\":";
  AppendTemperature(s, f.temperature_centi);
  s += "}}";
  AppendField(s, "cache_hit", "False");
  AppendField(s, "cache_key", "Cache OFF");
  s += ",\"request_tags\":[";
  for (std::size_t i = 0; i < f.tags.size(); ++i) {
    if (i > 0) s += ',';
    JsonStr(s, f.tags[i]);
  }
  s += "]";
  AppendField(s, "requester_ip_address", f.client_ip);
  AppendField(s, "status", f.status == "success" ? "success" : "failure");
  s += ",\"messages\":[";
  if (a.text_mode == TextMode::kFull) {
    s += "{\"role\":\"user\",\"content\":";
    JsonStr(s, f.text);
    s += '}';
  }
  s += "]}\n";
}

std::string_view Label(std::string_view detector, int score) {
  if (detector == "distill")
    return score >= 900 ? "distillation" : score >= 500 ? "suspect" : "benign";
  if (detector == "template_reuse") return score >= 800 ? "templated" : "varied";
  return score >= 700 ? "high" : score >= 400 ? "medium" : "low";
}

void AppendSignal(std::string& s, std::string_view detector, std::string_view version,
                  std::string_view kind, std::string_view subject, Ms ts, int score,
                  TimeFormatter& tf) {
  s += "{\"detector\":";
  JsonStr(s, detector);
  AppendField(s, "detector_version", version);
  AppendField(s, "subject_kind", kind);
  AppendField(s, "subject", subject);
  s += ",\"ts\":\"";
  tf.Append(s, ts, true);
  s += "\",\"score\":";
  AppendPermille(s, score);
  AppendField(s, "label", Label(detector, score));
  s += "}\n";
}

constexpr std::string_view kDistillVersion = "distill-2.3.1";
constexpr std::string_view kTemplateVersion = "template-reuse-1.2.0";
constexpr std::string_view kRiskVersion = "account-risk-1.4.0";

struct Chunk {
  std::string events;
  std::vector<SignalLine> signals;
};

void RenderChunk(const Context& ctx, const std::vector<Planned>& planned, std::size_t begin,
                 std::size_t end, int d, std::uint64_t first_number, Chunk& chunk) {
  EventFields f;
  TimeFormatter tf;
  TimeFormatter stf;
  const Ms day_end = ToMs(ctx.options->start) + (d + 1) * kDay;
  for (std::size_t i = begin; i < end; ++i) {
    const Planned& p = planned[i];
    const Account& a = ctx.pop->accounts[p.account];
    Derive(ctx, a, p, d, first_number + (i - begin), f);
    if (ctx.options->format == EventFormat::kCanonical) {
      RenderCanonical(a, f, tf, chunk.events);
    } else {
      RenderLiteLlm(a, f, tf, chunk.events);
    }
    // Detectors score a request shortly after it ends, within the same day.
    const Ms at = std::min(f.ts + f.latency + 20 * kSecond, day_end - 1);
    if (f.distill >= 0) {
      SignalLine sl{at, {}};
      AppendSignal(sl.line, "distill", kDistillVersion, "event", f.event_id, at, f.distill, stf);
      chunk.signals.push_back(std::move(sl));
    }
    if (f.template_reuse >= 0) {
      SignalLine sl{at, {}};
      AppendSignal(sl.line, "template_reuse", kTemplateVersion, "event", f.event_id, at,
                   f.template_reuse, stf);
      chunk.signals.push_back(std::move(sl));
    }
  }
}

int RiskScore(const Account& a, int d) {
  Rng r(StreamKey(a.key, 0x215C, static_cast<std::uint64_t>(d)));
  switch (a.role) {
    case Role::kOrdinary: return r.Int(5, 300);
    case Role::kHeavy: return r.Int(50, 450);
    case Role::kDistill: return r.Int(750, 960);
    case Role::kRateLimit: return r.Int(550, 850);
    case Role::kSignupBurst: return r.Int(600, 900);
    case Role::kKeySharing: return r.Int(450, 800);
    case Role::kLogprobProbe: return r.Int(600, 900);
    case Role::kUnsupportedRegion: return r.Int(300, 700);
  }
  return 0;
}

Result<GenerationSummary> GenerateImpl(const GeneratorOptions& o) {
  if (o.out_dir.empty()) return Status::InvalidArgument("no output directory");
  if (o.days < 1 || o.days > 3660) return Status::InvalidArgument("--days must be in 1..3660");
  if (o.accounts < 10 || o.accounts > 50'000'000) {
    return Status::InvalidArgument("--accounts must be in 10..50000000");
  }
  if (o.events < 0) return Status::InvalidArgument("--events must not be negative");
  if (o.start % kMicrosPerDay != 0)
    return Status::InvalidArgument("the start must be a UTC midnight");
  if (o.campaigns.rate_limit_cluster_size < 2 || o.campaigns.signup_burst_size < 2 ||
      o.campaigns.heavy_permille < 0 || o.campaigns.heavy_permille > 1000) {
    return Status::InvalidArgument("campaign sizes must be at least 2, heavy share in 0..1000");
  }
  PromptPool pool;
  if (!o.prompts_dir.empty()) {
    auto loaded = LoadPrompts(o.prompts_dir);
    if (!loaded.ok()) return loaded.status();
    pool = std::move(loaded).value();
  }
  const ResolvedKnobs knobs = Resolve(o.campaigns, o.accounts);
  auto built = BuildPopulation(o, knobs);
  if (!built.ok()) return built.status();
  const Population& pop = *built;

  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) return Status::IoError("cannot create '" + o.out_dir + "': " + ec.message());
  const std::string dir = o.out_dir + "/";
  GenerationSummary summary;
  summary.campaigns = pop.campaigns;

  {
    auto sink = OpenSink(dir + "accounts.jsonl", Compression::kNone, 0);
    if (!sink.ok()) return sink.status();
    std::string block;
    for (const Account& a : pop.accounts) {
      block += AccountLine(a);
      if (block.size() > (1u << 20)) {
        (*sink)->Write(block);
        block.clear();
      }
    }
    (*sink)->Write(block);
    TOSGUARD_RETURN_IF_ERROR((*sink)->Close());
    summary.accounts = static_cast<std::int64_t>(pop.accounts.size());
    summary.files.push_back("accounts.jsonl");
  }
  {
    auto sink = OpenSink(dir + "acceptances.jsonl", Compression::kNone, 0);
    if (!sink.ok()) return sink.status();
    std::string block;
    for (const Acceptance& c : PlanAcceptances(o, pop)) {
      block += AcceptanceLine(c, pop);
      ++summary.acceptances;
    }
    (*sink)->Write(block);
    TOSGUARD_RETURN_IF_ERROR((*sink)->Close());
    summary.files.push_back("acceptances.jsonl");
  }

  // Scale per-account activity so the expected total meets the target.
  double expected = 0;
  for (const Account& a : pop.accounts) {
    double sum = 0;
    for (int d = 0; d < o.days; ++d) {
      const Ms day_start = ToMs(o.start) + d * kDay;
      const Span span = ActiveSpan(a, day_start, d);
      if (span.hi <= span.lo) continue;
      sum += DayFactor(a, day_start / kDay) * static_cast<double>(span.hi - span.lo) /
             static_cast<double>(kDay);
    }
    expected += sum * a.weight * static_cast<double>(a.active_permille) / 1000.0;
  }
  const double scale = expected > 0 ? static_cast<double>(o.events) / expected : 0;

  const std::string events_name =
      std::string(o.format == EventFormat::kCanonical ? "events.jsonl" : "spend_logs.jsonl") +
      std::string(CompressionSuffix(o.compression));
  auto events_sink = OpenSink(dir + events_name, o.compression, o.compression_level);
  if (!events_sink.ok()) return events_sink.status();
  auto signals_sink = OpenSink(dir + "signals.jsonl", Compression::kNone, 0);
  if (!signals_sink.ok()) return signals_sink.status();

  const Context ctx{&o, &pop, &pool, Mix64(o.seed ^ 0x1D5A17)};
  const std::size_t threads = static_cast<std::size_t>(std::clamp(o.threads, 1, 64));
  std::vector<Planned> planned;
  std::vector<Chunk> chunks(threads);  // reused day after day: no fresh pages to fault in
  std::vector<SignalLine> signals;
  std::string block;
  // The day being written by `writer`; only that thread touches the sinks meanwhile.
  std::vector<std::string> writing_events(threads);
  std::string writing_block;
  std::jthread writer;
  std::vector<std::uint32_t> active(pop.accounts.size());
  std::uint64_t number = 0;
  for (int d = 0; d < o.days; ++d) {
    planned.clear();
    for (std::size_t i = 0; i < pop.accounts.size(); ++i) {
      PlanDay(o, pop.accounts[i], static_cast<std::uint32_t>(i), d, scale, planned);
    }
    std::sort(planned.begin(), planned.end(), [](const Planned& x, const Planned& y) {
      return x.ts != y.ts             ? x.ts < y.ts
             : x.account != y.account ? x.account < y.account
                                      : x.seq < y.seq;
    });
    std::fill(active.begin(), active.end(), 0);
    for (const Planned& p : planned) ++active[p.account];

    for (Chunk& c : chunks) {
      c.events.clear();
      c.signals.clear();
    }
    const std::size_t per = (planned.size() + threads - 1) / threads;
    std::vector<std::jthread> workers;  // jthreads join even when unwinding
    for (std::size_t t = 0; t < threads; ++t) {
      const std::size_t begin = std::min(planned.size(), t * per);
      const std::size_t end = std::min(planned.size(), begin + per);
      if (t + 1 == threads) {
        RenderChunk(ctx, planned, begin, end, d, number + begin, chunks[t]);
      } else {
        workers.emplace_back([&, t, begin, end] {
          RenderChunk(ctx, planned, begin, end, d, number + begin, chunks[t]);
        });
      }
    }
    for (std::jthread& w : workers) w.join();
    number += planned.size();
    summary.events += static_cast<std::int64_t>(planned.size());

    signals.clear();
    for (Chunk& c : chunks) {
      for (SignalLine& sl : c.signals) signals.push_back(std::move(sl));
    }
    // The account-level detector runs once at the end of each day, over active accounts.
    TimeFormatter tf;
    const Ms risk_at = ToMs(o.start) + (d + 1) * kDay - kSecond;
    for (std::size_t i = 0; i < pop.accounts.size(); ++i) {
      const Account& a = pop.accounts[i];
      if (active[i] == 0 || !a.risk_scored) continue;
      SignalLine sl{risk_at, {}};
      AppendSignal(sl.line, "account_risk", kRiskVersion, "account", a.id, risk_at, RiskScore(a, d),
                   tf);
      signals.push_back(std::move(sl));
    }
    std::stable_sort(signals.begin(), signals.end(),
                     [](const SignalLine& x, const SignalLine& y) { return x.ts < y.ts; });
    block.clear();
    for (const SignalLine& sl : signals) block += sl.line;
    summary.signals += static_cast<std::int64_t>(signals.size());

    // Write (and compress) this day while the next one is generated.
    if (writer.joinable()) writer.join();
    for (std::size_t t = 0; t < threads; ++t) std::swap(chunks[t].events, writing_events[t]);
    std::swap(block, writing_block);
    writer = std::jthread([&] {
      for (const std::string& e : writing_events) (*events_sink)->Write(e);
      (*signals_sink)->Write(writing_block);
    });
  }
  if (writer.joinable()) writer.join();
  TOSGUARD_RETURN_IF_ERROR((*events_sink)->Close());
  TOSGUARD_RETURN_IF_ERROR((*signals_sink)->Close());
  summary.files.push_back(events_name);
  summary.files.push_back("signals.jsonl");
  return summary;
}

}  // namespace

TimestampUs DefaultStart() { return DayStart(DaysFromCivil(2025, 5, 10)); }

Result<GenerationSummary> Generate(const GeneratorOptions& o) {
  // Exceptions stay inside: allocation failures and thread start-up failures become a
  // Status like any other failure.
  try {
    return GenerateImpl(o);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("generator failed: ") + e.what());
  }
}

}  // namespace tosguard::gen
