// Building the shared indexes of an evaluation (see context.h).
#include "engine/eval/context.h"

#include <algorithm>
#include <future>
#include <map>
#include <numeric>
#include <thread>

#include "base/threads.h"

namespace tosguard::engine {

namespace {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
  std::uint32_t Find(std::uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  // The root is the smaller number: with numbers given in account-id order that makes the
  // partition's roots independent of the order of unions.
  void Union(std::uint32_t a, std::uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (a < b) parent_[b] = a; else parent_[a] = b;
  }

 private:
  std::vector<std::uint32_t> parent_;
};

}  // namespace

EvalContext::EvalContext(const dsl::Plan& plan, const Dataset& data, const IngestConfig& config,
                         unsigned threads)
    : data_(data), config_(config), account_index_(data.accounts.rows() * 2 + 16) {
  threads = ThreadCount(threads);
  // The signal index reads neither accounts nor clusters: with a second thread it is
  // built meanwhile (its event-id lookups miss the cache; at 10 million events both take
  // about a second).
  std::future<void> signals;
  if (threads > 1) signals = std::async(std::launch::async, [&] { BuildSignals(plan); });
  BuildAccounts();
  BuildClusters();
  BuildBindings(plan);
  if (signals.valid()) {
    signals.get();  // rethrows what the signal index threw
  } else {
    BuildSignals(plan);
  }
  BuildEventColumns(plan, threads);
}

std::uint32_t EvalContext::FindAccount(std::string_view id) const {
  const SymbolId sym = dict().strings.Find(id);
  if (sym == Dictionary::kNone) return FlatMap::kNone;
  return account_index_.Find(sym);
}

void EvalContext::BuildAccounts() {
  const RecordTable& acc = data_.accounts;
  for (std::size_t r = 0; r < acc.rows(); ++r) {
    if (!acc.Has(account_slot::kAccountId, r)) continue;
    const SymbolId sym = acc.Sym(account_slot::kAccountId, r);
    const auto next = static_cast<std::uint32_t>(accounts_.size());
    if (account_index_.FindOrInsert(sym, next) == next) {
      accounts_.push_back({sym, static_cast<std::int64_t>(r), 0});
    }
  }
  const RecordTable& ev = data_.events;
  const std::size_t n = ev.rows();
  ev_account_.resize(n);
  ev_day_.resize(n);
  ts_ = n ? ev.column(event_slot::kTs).ints.data() : nullptr;
  for (std::size_t r = 0; r < n; ++r) {
    const SymbolId sym = ev.Sym(event_slot::kAccountId, r);
    const auto next = static_cast<std::uint32_t>(accounts_.size());
    const std::uint32_t a = account_index_.FindOrInsert(sym, next);
    if (a == next) accounts_.push_back({sym, -1, 0});
    ev_account_[r] = a;
    const std::int64_t day = BucketDay(ts_[r]);
    ev_day_[r] = day;
    if (r == 0 || day < min_day_) min_day_ = day;
    if (r == 0 || day > max_day_) max_day_ = day;
  }
}

void EvalContext::BuildClusters() {
  const std::size_t n = accounts_.size();
  // Number accounts by id so union-find roots (and so every tie) do not depend on the
  // order records were read in.
  std::vector<std::uint32_t> by_name(n);
  std::iota(by_name.begin(), by_name.end(), 0u);
  std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) {
    return AccountName(a) < AccountName(b);
  });
  std::vector<std::uint32_t> rank(n);
  for (std::uint32_t i = 0; i < n; ++i) rank[by_name[i]] = i;

  UnionFind uf(n);
  struct Link {
    std::size_t identifier;
    SymbolId value;
    std::vector<std::uint32_t> ranks;
  };
  std::vector<Link> links;
  const auto& ids = config_.linking.identifiers;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    std::vector<std::uint64_t> pairs;  // value << 32 | account rank
    const bool is_account = ids[k].kind == RecordKind::kAccount;
    const RecordTable& table = is_account ? data_.accounts : data_.events;
    if (ids[k].slot >= table.schema().size() || !table.column(ids[k].slot).materialised) continue;
    for (std::size_t r = 0; r < table.rows(); ++r) {
      if (!table.Has(ids[k].slot, r)) continue;
      std::uint32_t a = 0;
      if (is_account) {
        if (!table.Has(account_slot::kAccountId, r)) continue;
        a = account_index_.Find(table.Sym(account_slot::kAccountId, r));
      } else {
        a = ev_account_[r];
      }
      pairs.push_back(static_cast<std::uint64_t>(table.Sym(ids[k].slot, r)) << 32 | rank[a]);
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    for (std::size_t i = 0; i < pairs.size();) {
      std::size_t j = i;
      while (j < pairs.size() && pairs[j] >> 32 == pairs[i] >> 32) ++j;
      const std::size_t sharing = j - i;
      if (sharing > config_.linking.max_accounts_per_value) {
        ++common_values_;
      } else if (sharing >= 2) {
        Link l{k, static_cast<SymbolId>(pairs[i] >> 32), {}};
        for (std::size_t m = i; m < j; ++m) {
          l.ranks.push_back(static_cast<std::uint32_t>(pairs[m] & 0xFFFFFFFFu));
          uf.Union(l.ranks.front(), l.ranks.back());
        }
        links.push_back(std::move(l));
      }
      i = j;
    }
  }
  // Clusters numbered by their smallest member.
  std::vector<std::uint32_t> cluster_of_root(n, FlatMap::kNone);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t root = uf.Find(i);
    if (cluster_of_root[root] == FlatMap::kNone) {
      cluster_of_root[root] = static_cast<std::uint32_t>(clusters_.size());
      clusters_.push_back({by_name[i], {}, {}});
    }
    ClusterInfo& c = clusters_[cluster_of_root[root]];
    c.members.push_back(by_name[i]);
    accounts_[by_name[i]].cluster = cluster_of_root[root];
  }
  for (const ClusterInfo& c : clusters_) {
    if (c.members.size() > 1) ++linked_clusters_;
  }
  for (const Link& l : links) {
    ClusterInfo& c = clusters_[cluster_of_root[uf.Find(l.ranks.front())]];
    ClusterLink out;
    out.identifier = ids[l.identifier].name;
    out.value = std::string(dict().strings.Name(l.value));
    for (std::uint32_t r : l.ranks) out.accounts.emplace_back(AccountName(by_name[r]));
    c.links.push_back(std::move(out));
  }
  for (ClusterInfo& c : clusters_) {
    std::stable_sort(c.links.begin(), c.links.end(), [&](const ClusterLink& a, const ClusterLink& b) {
      if (a.identifier != b.identifier) {
        auto pos = [&](const std::string& name) {
          for (std::size_t k = 0; k < ids.size(); ++k) if (ids[k].name == name) return k;
          return ids.size();
        };
        return pos(a.identifier) < pos(b.identifier);
      }
      return a.value < b.value;
    });
  }
}

void EvalContext::BuildBindings(const dsl::Plan& plan) {
  const RecordTable& acc = data_.acceptances;
  binding_ranges_.assign(plan.policies.size(), {});
  for (std::size_t p = 0; p < plan.policies.size(); ++p) {
    const dsl::CheckedPolicy& policy = plan.policies[p];
    const SymbolId policy_sym = dict().strings.Find(policy.id);
    std::vector<std::vector<Step>> per_account(accounts_.size());
    if (policy_sym != Dictionary::kNone) {
      for (std::size_t r = 0; r < acc.rows(); ++r) {
        if (!acc.Has(acceptance_slot::kPolicy, r) || acc.Sym(acceptance_slot::kPolicy, r) != policy_sym) continue;
        if (!acc.Has(acceptance_slot::kAccountId, r) || !acc.Has(acceptance_slot::kVersion, r) ||
            !acc.Has(acceptance_slot::kAcceptedAt, r)) {
          continue;
        }
        const std::uint32_t a = account_index_.Find(acc.Sym(acceptance_slot::kAccountId, r));
        if (a == FlatMap::kNone) continue;  // an account with neither a record nor events
        const std::string_view version = dict().strings.Name(acc.Sym(acceptance_slot::kVersion, r));
        int v = -1;
        for (std::size_t k = 0; k < policy.versions.size(); ++k) {
          if (policy.versions[k].name == version) v = static_cast<int>(k);
        }
        if (v < 0) continue;  // a version the policy does not declare
        const TimestampUs from =
            std::max(acc.Int(acceptance_slot::kAcceptedAt, r), policy.versions[static_cast<std::size_t>(v)].effective);
        per_account[a].push_back({from, v, static_cast<std::uint32_t>(r)});
      }
    }
    auto& ranges = binding_ranges_[p];
    ranges.assign(accounts_.size(), {0, 0});
    for (std::size_t a = 0; a < accounts_.size(); ++a) {
      auto& list = per_account[a];
      if (list.empty()) continue;
      // By time; at equal times the newer version, then the earlier record.
      std::sort(list.begin(), list.end(), [](const Step& x, const Step& y) {
        if (x.from != y.from) return x.from < y.from;
        if (x.version != y.version) return x.version > y.version;
        return x.acceptance_row < y.acceptance_row;
      });
      const auto begin = static_cast<std::uint32_t>(steps_.size());
      int best = -1;
      for (const Step& s : list) {
        if (s.version <= best) continue;  // an older version accepted later binds nothing new
        best = s.version;
        steps_.push_back(s);
      }
      ranges[a] = {begin, static_cast<std::uint32_t>(steps_.size())};
    }
  }
}

int EvalContext::Binding(std::size_t policy, std::uint32_t a, TimestampUs ts,
                         std::uint32_t* acceptance_row) const {
  const auto [begin, end] = binding_ranges_[policy][a];
  int v = -1;
  for (std::uint32_t k = begin; k < end && steps_[k].from <= ts; ++k) {
    v = steps_[k].version;
    if (acceptance_row) *acceptance_row = steps_[k].acceptance_row;
  }
  return v;
}

void EvalContext::BuildSignals(const dsl::Plan& plan) {
  const RecordTable& sig = data_.signals;
  signals_.resize(plan.detectors.size());
  auto better = [](const SignalPick& x, const SignalPick& y) {  // x replaces y
    return x.ts > y.ts || (x.ts == y.ts && x.score > y.score);
  };
  const SymbolId event_kind = dict().strings.Find("event");
  const SymbolId account_kind = dict().strings.Find("account");
  for (std::size_t d = 0; d < plan.detectors.size(); ++d) {
    DetectorIndex& idx = signals_[d];
    idx.ev_pick.assign(data_.events.rows(), FlatMap::kNone);
    const SymbolId det = dict().strings.Find(plan.detectors[d]);
    if (det == Dictionary::kNone) continue;
    std::vector<std::pair<std::uint32_t, SignalPick>> by_account;  // account sym, pick
    for (std::size_t r = 0; r < sig.rows(); ++r) {
      if (!sig.Has(signal_slot::kDetector, r) || sig.Sym(signal_slot::kDetector, r) != det) continue;
      if (!sig.Has(signal_slot::kScore, r) || !sig.Has(signal_slot::kSubject, r)) continue;
      SignalPick pick;
      pick.score = sig.Num(signal_slot::kScore, r);
      pick.ts = sig.Has(signal_slot::kTs, r) ? sig.Int(signal_slot::kTs, r) : kMinTimestamp;
      pick.version = sig.Has(signal_slot::kDetectorVersion, r) ? sig.Sym(signal_slot::kDetectorVersion, r)
                                                               : Dictionary::kNone;
      const SymbolId subject = sig.Sym(signal_slot::kSubject, r);
      const SymbolId kind = sig.Has(signal_slot::kSubjectKind, r) ? sig.Sym(signal_slot::kSubjectKind, r)
                                                                  : Dictionary::kNone;
      if (kind == account_kind) {
        by_account.emplace_back(subject, pick);
      } else if (kind == event_kind) {
        // Keyed by the event's row; a signal about an event not in the data joins nothing.
        const std::uint32_t event_row = data_.FindEvent(dict().strings.Name(subject));
        if (event_row == KeyIndex::kNone) continue;
        std::uint32_t& at = idx.ev_pick[event_row];
        if (at == FlatMap::kNone) {
          at = static_cast<std::uint32_t>(idx.picks.size());
          idx.picks.push_back(pick);
        } else if (better(pick, idx.picks[at])) {
          idx.picks[at] = pick;
        }
      }
    }
    std::sort(by_account.begin(), by_account.end(), [](const auto& x, const auto& y) {
      if (x.first != y.first) return x.first < y.first;
      if (x.second.ts != y.second.ts) return x.second.ts < y.second.ts;
      return x.second.score < y.second.score;
    });
    for (std::size_t i = 0; i < by_account.size();) {
      std::size_t j = i;
      const auto begin = static_cast<std::uint32_t>(idx.picks.size());
      while (j < by_account.size() && by_account[j].first == by_account[i].first) {
        // At equal times the higher score wins: it sorts last, so it replaces.
        if (idx.picks.size() > begin && idx.picks.back().ts == by_account[j].second.ts) {
          idx.picks.back() = by_account[j].second;
        } else {
          idx.picks.push_back(by_account[j].second);
        }
        ++j;
      }
      idx.by_account.Set(by_account[i].first, static_cast<std::uint32_t>(idx.account_ranges.size()));
      idx.account_ranges.emplace_back(begin, static_cast<std::uint32_t>(idx.picks.size()));
      i = j;
    }
  }
}

std::uint32_t EvalContext::FindAccountSignal(std::size_t d, std::size_t row) const {
  const DetectorIndex& idx = signals_[d];
  const std::uint32_t range = idx.by_account.Find(accounts_[ev_account_[row]].sym);
  if (range == FlatMap::kNone) return FlatMap::kNone;
  const auto [begin, end] = idx.account_ranges[range];
  // The latest pick at or before the event's time.
  const TimestampUs ts = ts_[row];
  auto first = idx.picks.begin() + begin, last = idx.picks.begin() + end;
  auto it = std::upper_bound(first, last, ts, [](TimestampUs t, const SignalPick& p) { return t < p.ts; });
  if (it == first) return FlatMap::kNone;
  return static_cast<std::uint32_t>(it - 1 - idx.picks.begin());
}

void EvalContext::BuildEventColumns(const dsl::Plan& plan, unsigned threads) {
  const std::size_t n = data_.events.rows();
  ev_binding_.assign(plan.policies.size(), {});
  std::vector<std::size_t> policies;
  for (const dsl::RulePlan& r : plan.rules) {
    for (std::size_t p = 0; p < plan.policies.size(); ++p) {
      if (r.require_policy && plan.policies[p].id == *r.require_policy && ev_binding_[p].empty()) {
        ev_binding_[p].resize(n);
        policies.push_back(p);
      }
    }
  }
  std::vector<std::size_t> by_account;  // detectors with signals about accounts
  for (std::size_t d = 0; d < signals_.size(); ++d) {
    if (signals_[d].by_account.size() > 0) by_account.push_back(d);
  }
  auto fill = [&](std::size_t begin, std::size_t end) {
    for (std::size_t row = begin; row < end; ++row) {
      for (std::size_t p : policies) {
        ev_binding_[p][row] = static_cast<std::int16_t>(Binding(p, ev_account_[row], ts_[row], nullptr));
      }
      for (std::size_t d : by_account) {
        std::uint32_t& pick = signals_[d].ev_pick[row];
        if (pick == FlatMap::kNone) pick = FindAccountSignal(d, row);
      }
    }
  };
  if (threads == 1 || n < 65536) {
    fill(0, n);
    return;
  }
  std::vector<std::jthread> pool;
  const std::size_t step = (n + threads - 1) / threads;
  for (std::size_t begin = 0; begin < n; begin += step) pool.emplace_back(fill, begin, std::min(n, begin + step));
}

}  // namespace tosguard::engine
