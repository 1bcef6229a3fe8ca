// Mergeable per (scope, day) aggregate states and the window that slides over them.
//
// One DayStates holds every (scope, day) state of one rule. A state is a fixed run of
// 64-bit words (the layout depends on the rule's aggregates) plus, for distinct,
// percentile and max_gap, a list of values. A distinct() list skips a value equal to the
// one it took last, so it grows with the scope's distinct values of the day, not with
// its events; a distinct() cell that only ever sees one value keeps it in its own words
// and makes no list at all. Every state is exact and independent of the order events are added in
// (sums are 128-bit fixed point, value lists are sorted when the states are finished).
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "dsl/compiler/plan.h"
#include "engine/eval/flat_map.h"
#include "engine/eval/value.h"

namespace tosguard::engine {

__extension__ typedef __int128 Int128;

// A 64.64 fixed-point exact accumulator; `overflow` once a term or the total left
// ±2^63.
struct ExactSum {
  Int128 total = 0;
  bool overflow = false;
  void Add(const Val& v);               // a known number or duration
  void Merge(const ExactSum& other, bool subtract);
  double Value() const;                 // rounded once
  // The total divided by `n` (> 0), the exact quotient rounded once.
  double Quotient(std::uint64_t n) const;
};

class DayStates {
 public:
  DayStates(const dsl::RulePlan& rule, std::int64_t base_day);

  // The state of (scope, day), created empty when new.
  std::uint32_t Get(std::uint32_t scope, std::int64_t day);
  // A new, empty state of (scope, day), which the caller knows has none yet (it is later
  // than every day of the scope so far). Until the first Get, states need no index:
  // events in time order never look one up.
  std::uint32_t Create(std::uint32_t scope, std::int64_t day);
  // Adds a counted event: `values[a]` is aggregate a's value for it (its predicate folded
  // in: for count/share/rate a bool, for the others the value or unknown when the
  // predicate is not true), `ts` its time.
  void Add(std::uint32_t state, const Val* values, TimestampUs ts);
  // Makes room for the values of up to `events` counted events at once, so the value
  // lists do not grow (and copy, and touch fresh pages) step by step; untouched room
  // costs address space only.
  void Reserve(std::size_t events);
  // Lays the states out by scope then day and sorts the value lists; after this only
  // reads are allowed, and states are found through Sorted() (their numbers change).
  void Finish();
  // Values the lists hold: before Finish as appended, after it as kept (distinct values
  // once per list).
  std::size_t listed_values() const;
  // Value lists made (a distinct() cell with a single value makes none).
  std::size_t lists() const { return lists_; }

  struct Entry {
    std::uint32_t scope;
    std::int64_t day;
    std::uint32_t state;
  };
  // Every state, by scope then day (after Finish; entry i is state i).
  std::vector<Entry> Sorted() const;

  std::uint64_t Events(std::uint32_t state) const { return words_[state * stride_]; }
  const dsl::RulePlan& rule() const { return rule_; }

 private:
  friend class Window;
  // The states' numbers in (scope, day) order.
  std::vector<std::uint32_t> ScopeDayOrder() const;
  std::uint64_t Key(std::uint32_t scope, std::int64_t day) const;
  std::uint32_t Append(std::uint32_t scope, std::int64_t day);
  const dsl::RulePlan& rule_;
  std::int64_t base_day_;
  std::vector<std::uint32_t> offset_;  // per aggregate: first word in a state
  std::size_t stride_ = 1;             // word 0: counted events
  std::vector<std::uint64_t> words_;
  // Value lists of distinct, percentile and max_gap cells, without one allocation per
  // list: values are appended as (list, value) and laid out list by list in Finish.
  std::uint32_t lists_ = 0;
  std::vector<std::pair<std::uint32_t, std::int64_t>> pending_;
  std::vector<std::int64_t> values_;                   // after Finish: list by list, sorted
  std::vector<std::uint64_t> list_begin_, list_end_;   // per list, into values_
  std::vector<std::array<std::int64_t, 3>> gap_;       // per max_gap list: first, last, gap
  std::vector<ExactSum> sums_;         // per sum/avg cell, indexed by a word
  FlatMap index_;         // (scope, day) to state, built by the first Get
  bool indexed_ = false;
  std::vector<std::pair<std::uint32_t, std::int64_t>> keys_;  // per state: scope, day
};

// The aggregates of a window: a contiguous range of one scope's states in day order.
class Window {
 public:
  Window(const DayStates& states, const std::vector<DayStates::Entry>& entries);
  void Reset();
  // Moves the window's end past entry `i` (the next one) or its start past its first.
  void PushBack();
  void PopFront();
  std::size_t begin() const { return lo_; }
  std::size_t end() const { return hi_; }
  bool empty() const { return lo_ == hi_; }
  void SetBegin(std::size_t i) { lo_ = hi_ = i; }

  std::uint64_t events() const { return events_; }
  std::uint32_t active_days() const { return static_cast<std::uint32_t>(hi_ - lo_); }
  // Aggregate a's result over the window.
  Val Result(std::size_t a, DurationUs window) const;

 private:
  void Apply(std::size_t entry, bool remove);
  // The best value (min/max cell word 0) of aggregate `a` on entry `entry`.
  std::uint64_t ExtremeOf(std::size_t entry, std::size_t a) const;
  const DayStates& s_;
  const std::vector<DayStates::Entry>& entries_;
  std::size_t lo_ = 0, hi_ = 0;
  std::uint64_t events_ = 0;
  std::vector<std::uint64_t> counts_;  // per aggregate
  std::vector<ExactSum> sums_;         // per aggregate
  std::vector<std::uint64_t> known_;   // per aggregate
  // distinct() slides too: per distinct aggregate, how many of the window's days hold
  // each value (a value's number in `value_index_`, its count in `value_days_`);
  // counts_ holds the number of values with a count above zero.
  std::vector<std::uint32_t> distinct_at_;               // per aggregate: index into the two below
  std::vector<FlatMap> value_index_;                     // per distinct aggregate
  std::vector<std::vector<std::uint32_t>> value_days_;   // per distinct aggregate
  // min() and max() slide as monotonic queues: per aggregate, the window's entries whose
  // value no later entry beats, oldest first (from `extreme_head_[a]` on).
  std::vector<std::vector<std::uint32_t>> extreme_;
  std::vector<std::size_t> extreme_head_;
  mutable std::vector<std::int64_t> scratch_;
};

// Sortable 64-bit key of a double (total order, -0 == 0), and its inverse.
std::int64_t DoubleKey(double d);
double KeyDouble(std::int64_t k);

}  // namespace tosguard::engine
