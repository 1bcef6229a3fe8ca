// What every rule's evaluation shares, built once from the dataset: dense account
// numbers, each event's account and day bucket, clusters of linked accounts, the
// binding ToS version of each account over time, and the signal joins.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dsl/compiler/plan.h"
#include "engine/eval/finding.h"
#include "engine/eval/flat_map.h"
#include "engine/ingest/config.h"
#include "engine/ingest/ingest.h"

namespace tosguard::engine {

// The day bucket of an event time: the day D with ts in (start of D, start of D+1].
inline std::int64_t BucketDay(TimestampUs ts) { return DayIndex(ts - 1); }

struct AccountInfo {
  SymbolId sym = Dictionary::kNone;  // the account id
  std::int64_t row = -1;             // in the accounts table; -1: no account record
  std::uint32_t cluster = 0;
};

struct ClusterInfo {
  std::uint32_t id_account = 0;         // the member with the smallest id (by bytes)
  std::vector<std::uint32_t> members;   // dense account numbers, by account id
  std::vector<ClusterLink> links;       // identifier order, then value
};

// A signal chosen for a subject: the latest, and the higher score at equal times.
struct SignalPick {
  double score = 0;
  TimestampUs ts = 0;
  SymbolId version = Dictionary::kNone;
};

class EvalContext {
 public:
  // Builds every index, using up to `threads` threads (0: one per core) for the
  // per-event columns.
  EvalContext(const dsl::Plan& plan, const Dataset& data, const IngestConfig& config, unsigned threads = 1);

  const Dataset& data() const { return data_; }
  const Dictionaries& dict() const { return data_.dict; }
  const IngestConfig& config() const { return config_; }

  std::size_t accounts() const { return accounts_.size(); }
  const AccountInfo& account(std::uint32_t a) const { return accounts_[a]; }
  std::string_view AccountName(std::uint32_t a) const { return dict().strings.Name(accounts_[a].sym); }
  // The dense number of an account id, or FlatMap::kNone.
  std::uint32_t FindAccount(std::string_view id) const;

  std::uint32_t EventAccount(std::size_t row) const { return ev_account_[row]; }
  // The row of the event's account in the account table, or -1 without an account record.
  std::int64_t EventAccountRow(std::size_t row) const { return accounts_[ev_account_[row]].row; }
  std::int64_t EventDay(std::size_t row) const { return ev_day_[row]; }
  TimestampUs EventTs(std::size_t row) const { return ts_[row]; }
  std::int64_t min_day() const { return min_day_; }
  std::int64_t max_day() const { return max_day_; }

  const ClusterInfo& cluster(std::uint32_t c) const { return clusters_[c]; }
  std::size_t linked_clusters() const { return linked_clusters_; }
  std::uint64_t common_values() const { return common_values_; }

  // The binding version of policy `policy` (index into Plan::policies) for account `a`
  // at time `ts`: the index of the version in the policy, or -1 when there is none.
  // `acceptance_row` receives the acceptance record that made it binding.
  int Binding(std::size_t policy, std::uint32_t a, TimestampUs ts, std::uint32_t* acceptance_row) const;
  // The same at an event's own time and for its account, precomputed for the policies
  // the rules require.
  int EventBinding(std::size_t policy, std::size_t row) const { return ev_binding_[policy][row]; }

  // The signal of detector `d` (index into Plan::detectors) for an event: about the
  // event itself, else the latest about its account at or before `ts`; nullptr if none.
  const SignalPick* Signal(std::size_t d, std::size_t row) const {
    const std::uint32_t k = signals_[d].ev_pick[row];
    return k == FlatMap::kNone ? nullptr : &signals_[d].picks[k];
  }

 private:
  void BuildAccounts();
  void BuildClusters();
  void BuildBindings(const dsl::Plan& plan);
  void BuildSignals(const dsl::Plan& plan);
  void BuildEventColumns(const dsl::Plan& plan, unsigned threads);
  // The latest account pick of detector `d` at or before an event's time, or kNone.
  std::uint32_t FindAccountSignal(std::size_t d, std::size_t row) const;

  const Dataset& data_;
  const IngestConfig& config_;
  std::vector<AccountInfo> accounts_;
  FlatMap account_index_;  // account SymbolId -> dense number
  std::vector<std::uint32_t> ev_account_;
  std::vector<std::int64_t> ev_day_;
  const std::int64_t* ts_ = nullptr;
  std::int64_t min_day_ = 0, max_day_ = -1;

  std::vector<ClusterInfo> clusters_;
  std::size_t linked_clusters_ = 0;
  std::uint64_t common_values_ = 0;

  struct Step {
    TimestampUs from = 0;
    int version = -1;
    std::uint32_t acceptance_row = 0;
  };
  // Per policy: per account, a range [begin, end) of steps sorted by `from`.
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> binding_ranges_;
  std::vector<Step> steps_;
  std::vector<std::vector<std::int16_t>> ev_binding_;  // per policy (empty when unused), per event

  struct DetectorIndex {
    std::vector<SignalPick> picks;        // event picks, then account picks
    FlatMap by_account;                   // account SymbolId -> index into account_ranges
    std::vector<std::pair<std::uint32_t, std::uint32_t>> account_ranges;  // into picks, by time
    // Per event: index into picks, or kNone. BuildSignals sets the events' own picks,
    // BuildEventColumns those that fall back to their account's.
    std::vector<std::uint32_t> ev_pick;
  };
  std::vector<DetectorIndex> signals_;
};

}  // namespace tosguard::engine
