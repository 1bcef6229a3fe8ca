// Day states and windows (see window.h).
#include "engine/eval/window.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tosguard::engine {

using dsl::AggKind;

namespace {

// A list cell's first word: no value yet, a distinct() cell's one value (kept in its
// second word, no list made), or the number of the cell's list.
constexpr std::uint64_t kNoList = ~std::uint64_t{0};
constexpr std::uint64_t kOneValue = kNoList - 1;
bool IsList(std::uint64_t w) { return w < kOneValue; }

// to[i] = from[order[i]] for states of kStride words: a fixed stride copies a state in a
// few moves, without a call.
template <std::size_t kStride>
void GatherStates(const std::vector<std::uint32_t>& order, const std::vector<std::uint64_t>& from,
                  std::vector<std::uint64_t>& to) {
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::uint64_t* src = &from[std::size_t{order[i]} * kStride];
    std::uint64_t* dst = &to[i * kStride];
    for (std::size_t k = 0; k < kStride; ++k) dst[k] = src[k];
  }
}

bool AddOverflows(Int128 a, Int128 b, Int128* out) { return __builtin_add_overflow(a, b, out); }

// v as a 64.64 fixed-point number, rounded to nearest even; false when |v| >= 2^63.
bool ToFixed(double v, Int128* out) {
  if (!std::isfinite(v)) return false;
  if (v == 0) {
    *out = 0;
    return true;
  }
  int exp = 0;
  const double m = std::frexp(v, &exp);  // v = m * 2^exp, 0.5 <= |m| < 1
  if (exp > 63) return false;
  const auto mant = static_cast<std::int64_t>(std::ldexp(m, 53));  // exact
  const int shift = exp - 53 + 64;  // fixed = mant * 2^shift
  if (shift >= 0) {
    *out = static_cast<Int128>(mant) * (static_cast<Int128>(1) << shift);
    return true;
  }
  const int s = -shift;
  if (s > 120) {
    *out = 0;
    return true;
  }
  const Int128 wide = mant;
  Int128 q = wide >> s;  // floor
  const Int128 rem = wide - q * (static_cast<Int128>(1) << s);
  const Int128 half = static_cast<Int128>(1) << (s - 1);
  if (rem > half || (rem == half && (q & 1) != 0)) q += 1;
  *out = q;
  return true;
}

}  // namespace

void ExactSum::Add(const Val& v) {
  if (overflow || !v.known) return;
  Int128 x = 0;
  if (v.type == Type::kNumber) {
    if (!ToFixed(v.num, &x)) {
      overflow = true;
      return;
    }
  } else {
    x = static_cast<Int128>(v.i) * (static_cast<Int128>(1) << 64);
  }
  if (AddOverflows(total, x, &total)) overflow = true;
}

void ExactSum::Merge(const ExactSum& other, bool subtract) {
  if (other.overflow) overflow = true;
  if (overflow) return;
  Int128 r = 0;
  if (subtract ? __builtin_sub_overflow(total, other.total, &r) : AddOverflows(total, other.total, &r)) {
    overflow = true;
    return;
  }
  total = r;
}

double ExactSum::Value() const { return std::ldexp(static_cast<double>(total), -64); }

double ExactSum::Quotient(std::uint64_t n) const {
  __extension__ typedef unsigned __int128 U128;
  const bool negative = total < 0;
  U128 num = negative ? static_cast<U128>(-(total + 1)) + 1 : static_cast<U128>(total);
  if (num == 0) return 0;
  auto bits = [](U128 x) {
    int b = 0;
    while (x != 0) {
      ++b;
      x >>= 1;
    }
    return b;
  };
  // Scale the dividend so the integer quotient has at least 56 significant bits: 53 for
  // the double, a guard and a round bit, and below them a sticky bit for the remainder.
  const int shift = std::max(0, 56 - (bits(num) - bits(n)));
  num <<= shift;  // fits: bits(num) + shift <= 56 + bits(n) <= 120
  U128 q = num / n;
  if (num % n != 0) q |= 1;  // inexact: the sticky bit rounds a tie the right way
  const double r = std::ldexp(static_cast<double>(q), -64 - shift);
  return negative ? -r : r;
}

std::int64_t DoubleKey(double d) {
  const auto bits = std::bit_cast<std::int64_t>(d == 0 ? 0.0 : d);
  return bits >= 0 ? bits : bits ^ 0x7FFFFFFFFFFFFFFFLL;
}

double KeyDouble(std::int64_t k) {
  return std::bit_cast<double>(k >= 0 ? k : k ^ 0x7FFFFFFFFFFFFFFFLL);
}

DayStates::DayStates(const dsl::RulePlan& rule, std::int64_t base_day)
    : rule_(rule), base_day_(base_day), index_(0) {
  for (const dsl::AggregateSpec& a : rule.aggregates) {
    offset_.push_back(static_cast<std::uint32_t>(stride_));
    switch (a.kind) {
      case AggKind::kActiveDays: break;
      case AggKind::kCount:
      case AggKind::kShare:
      case AggKind::kRate:
      case AggKind::kPercentile:
      case AggKind::kMaxGap: stride_ += 1; break;
      case AggKind::kDistinct:  // the list, and the value appended to it last
      case AggKind::kSum:
      case AggKind::kAvg:
      case AggKind::kMin:
      case AggKind::kMax: stride_ += 2; break;
    }
  }
}

std::uint64_t DayStates::Key(std::uint32_t scope, std::int64_t day) const {
  return static_cast<std::uint64_t>(scope) << 32 | static_cast<std::uint32_t>(day - base_day_);
}

std::uint32_t DayStates::Get(std::uint32_t scope, std::int64_t day) {
  if (!indexed_) {
    // The first lookup: from now on every state is in the index.
    index_ = FlatMap(keys_.size() * 2 + 1024);
    for (std::uint32_t s = 0; s < keys_.size(); ++s) index_.Set(Key(keys_[s].first, keys_[s].second), s);
    indexed_ = true;
  }
  const auto next = static_cast<std::uint32_t>(keys_.size());
  const std::uint32_t s = index_.FindOrInsert(Key(scope, day), next);
  if (s != next) return s;
  return Append(scope, day);
}

std::uint32_t DayStates::Create(std::uint32_t scope, std::int64_t day) {
  const auto s = static_cast<std::uint32_t>(keys_.size());
  if (indexed_) index_.Set(Key(scope, day), s);
  return Append(scope, day);
}

std::uint32_t DayStates::Append(std::uint32_t scope, std::int64_t day) {
  const auto s = static_cast<std::uint32_t>(keys_.size());
  keys_.emplace_back(scope, day);
  const std::size_t at = words_.size();
  words_.resize(at + stride_, 0);
  for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
    std::uint64_t* w = &words_[at + offset_[a]];
    switch (rule_.aggregates[a].kind) {
      case AggKind::kSum:
      case AggKind::kAvg:
        w[0] = sums_.size();
        sums_.emplace_back();
        break;
      case AggKind::kDistinct:
      case AggKind::kPercentile:
      case AggKind::kMaxGap: w[0] = kNoList; break;
      default: break;
    }
  }
  return s;
}

void DayStates::Add(std::uint32_t state, const Val* values, TimestampUs ts) {
  std::uint64_t* base = &words_[state * stride_];
  base[0] += 1;
  auto append = [&](std::uint64_t* w, std::int64_t value) {
    if (*w == kNoList) *w = lists_++;
    pending_.emplace_back(static_cast<std::uint32_t>(*w), value);
  };
  for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
    const dsl::AggregateSpec& spec = rule_.aggregates[a];
    std::uint64_t* w = base + offset_[a];
    const Val& v = values[a];
    switch (spec.kind) {
      case AggKind::kCount:
      case AggKind::kShare:
      case AggKind::kRate:
        if (v.IsTrue()) w[0] += 1;
        break;
      case AggKind::kSum:
      case AggKind::kAvg:
        if (!v.known) break;
        sums_[w[0]].Add(v);
        w[1] += 1;
        break;
      case AggKind::kMin:
      case AggKind::kMax: {
        if (!v.known) break;
        const bool is_num = v.type == Type::kNumber;
        if (w[1] == 0) {
          w[0] = is_num ? std::bit_cast<std::uint64_t>(v.num == 0 ? 0.0 : v.num) : static_cast<std::uint64_t>(v.i);
          w[1] = 1;
          break;
        }
        const bool less = spec.kind == AggKind::kMin;
        if (is_num) {
          const double cur = std::bit_cast<double>(w[0]);
          if (less ? v.num < cur : v.num > cur) w[0] = std::bit_cast<std::uint64_t>(v.num == 0 ? 0.0 : v.num);
        } else {
          const auto cur = static_cast<std::int64_t>(w[0]);
          if (less ? v.i < cur : v.i > cur) w[0] = static_cast<std::uint64_t>(v.i);
        }
        break;
      }
      case AggKind::kDistinct: {
        if (!v.known) break;
        // A scope's events of a day mostly repeat its values: a value equal to the
        // latest is not appended again, so a list grows with the day's distinct values
        // rather than its events (Finish still removes every other repeat). Most cells
        // never see a second value: the first stays in the cell, and a list is made only
        // when another value comes.
        const auto x = static_cast<std::uint64_t>(v.type == Type::kNumber ? DoubleKey(v.num) : v.i);
        if (w[0] == kNoList) {
          w[0] = kOneValue;
          w[1] = x;
          break;
        }
        if (w[1] == x) break;
        if (w[0] == kOneValue) {
          w[0] = lists_++;
          pending_.emplace_back(static_cast<std::uint32_t>(w[0]), static_cast<std::int64_t>(w[1]));
        }
        pending_.emplace_back(static_cast<std::uint32_t>(w[0]), static_cast<std::int64_t>(x));
        w[1] = x;
        break;
      }
      case AggKind::kPercentile:
        if (v.known) append(w, v.type == Type::kNumber ? DoubleKey(v.num) : v.i);
        break;
      case AggKind::kMaxGap: append(w, ts); break;
      case AggKind::kActiveDays: break;
    }
  }
}

void DayStates::Reserve(std::size_t events) {
  std::size_t lists = 0;
  for (const dsl::AggregateSpec& a : rule_.aggregates) {
    if (a.kind == AggKind::kDistinct || a.kind == AggKind::kPercentile || a.kind == AggKind::kMaxGap) ++lists;
  }
  pending_.reserve(events * lists);
}

std::vector<std::uint32_t> DayStates::ScopeDayOrder() const {
  const std::size_t n = keys_.size();
  std::vector<std::uint32_t> order(n);
  if (n == 0) return order;
  std::uint32_t max_scope = 0;
  std::int64_t min_day = keys_[0].second, max_day = keys_[0].second;
  for (const auto& [scope, day] : keys_) {
    max_scope = std::max(max_scope, scope);
    min_day = std::min(min_day, day);
    max_day = std::max(max_day, day);
  }
  const auto days = static_cast<std::uint64_t>(max_day - min_day) + 1;
  if (std::uint64_t{max_scope} + 1 > 4 * n + 1024 || days > 4 * n + 1024) {
    // Sparse keys: a comparison sort costs less than the counters would.
    for (std::uint32_t s = 0; s < n; ++s) order[s] = s;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return keys_[a] < keys_[b]; });
    return order;
  }
  // Two stable counting sorts: by day, then by scope.
  std::vector<std::uint32_t> by_day(n);
  {
    std::vector<std::uint32_t> start(days + 1, 0);
    for (const auto& key : keys_) ++start[static_cast<std::size_t>(key.second - min_day) + 1];
    for (std::size_t d = 1; d <= days; ++d) start[d] += start[d - 1];
    for (std::uint32_t s = 0; s < n; ++s) by_day[start[static_cast<std::size_t>(keys_[s].second - min_day)]++] = s;
  }
  std::vector<std::uint32_t> start(std::size_t{max_scope} + 2, 0);
  for (const auto& key : keys_) ++start[std::size_t{key.first} + 1];
  for (std::size_t v = 1; v < start.size(); ++v) start[v] += start[v - 1];
  for (const std::uint32_t s : by_day) order[start[keys_[s].first]++] = s;
  return order;
}

void DayStates::Finish() {
  // The states are laid out again in (scope, day) order, the order the window sweep
  // reads them in, and their lists and sums are numbered in that order too: the sweep
  // then reads each array front to back instead of jumping between the states' creation
  // (event) order. States are found through Sorted() from here on.
  index_ = FlatMap(0);
  indexed_ = false;
  const std::vector<std::uint32_t> order = ScopeDayOrder();
  // State s takes the words of state order[s]: gathered into a new array, written front
  // to back.
  std::vector<std::uint64_t> words(words_.size());
  switch (stride_) {
    case 1: GatherStates<1>(order, words_, words); break;
    case 2: GatherStates<2>(order, words_, words); break;
    case 3: GatherStates<3>(order, words_, words); break;
    case 4: GatherStates<4>(order, words_, words); break;
    case 5: GatherStates<5>(order, words_, words); break;
    case 6: GatherStates<6>(order, words_, words); break;
    case 7: GatherStates<7>(order, words_, words); break;
    default:
      for (std::size_t i = 0; i < order.size(); ++i) {
        std::copy_n(&words_[order[i] * stride_], stride_, &words[i * stride_]);
      }
  }
  words_.swap(words);
  std::vector<std::uint64_t>().swap(words);
  {
    std::vector<std::pair<std::uint32_t, std::int64_t>> keys(keys_.size());
    for (std::size_t i = 0; i < order.size(); ++i) keys[i] = keys_[order[i]];
    keys_.swap(keys);
  }
  std::vector<ExactSum> sums;
  sums.reserve(sums_.size());
  std::vector<std::uint32_t> list_of(lists_);  // a list's number in the new order
  std::uint32_t lists = 0;
  for (std::size_t s = 0; s < keys_.size(); ++s) {
    for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
      std::uint64_t& w = words_[s * stride_ + offset_[a]];
      switch (rule_.aggregates[a].kind) {
        case AggKind::kSum:
        case AggKind::kAvg:
          sums.push_back(sums_[w]);
          w = sums.size() - 1;
          break;
        case AggKind::kDistinct:
        case AggKind::kPercentile:
        case AggKind::kMaxGap:
          if (IsList(w)) {
            list_of[w] = lists;
            w = lists++;
          }
          break;
        default: break;
      }
    }
  }
  sums_.swap(sums);
  for (auto& entry : pending_) entry.first = list_of[entry.first];

  // Counting sort of the appended values by list, then each list sorted in place.
  list_begin_.assign(lists_ + 1, 0);
  for (const auto& [l, v] : pending_) ++list_begin_[l + 1];
  for (std::size_t l = 0; l < lists_; ++l) list_begin_[l + 1] += list_begin_[l];
  values_.resize(pending_.size());
  list_end_.assign(list_begin_.begin(), list_begin_.end() - 1);
  for (const auto& [l, v] : pending_) values_[list_end_[l]++] = v;
  std::vector<std::pair<std::uint32_t, std::int64_t>>().swap(pending_);
  std::vector<std::uint8_t> kind_of(lists_, 0);  // 1 distinct, 2 max_gap
  for (std::size_t s = 0; s < keys_.size(); ++s) {
    for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
      const AggKind kind = rule_.aggregates[a].kind;
      if (kind != AggKind::kDistinct && kind != AggKind::kMaxGap) continue;
      const std::uint64_t w = words_[s * stride_ + offset_[a]];  // only list cells own this word
      if (IsList(w)) kind_of[w] = kind == AggKind::kDistinct ? 1 : 2;
    }
  }
  const bool gaps = std::any_of(rule_.aggregates.begin(), rule_.aggregates.end(),
                                [](const dsl::AggregateSpec& a) { return a.kind == AggKind::kMaxGap; });
  if (gaps) gap_.resize(lists_);  // indexed by list; only max_gap lists fill theirs
  for (std::uint32_t l = 0; l < lists_; ++l) {
    auto first = values_.begin() + static_cast<std::ptrdiff_t>(list_begin_[l]);
    auto last = values_.begin() + static_cast<std::ptrdiff_t>(list_end_[l]);
    std::sort(first, last);
    if (kind_of[l] == 1) list_end_[l] = static_cast<std::uint64_t>(std::unique(first, last) - values_.begin());
    if (kind_of[l] == 2) {
      // Only the first and last time and the largest gap between them are needed.
      std::int64_t gap = 0;
      for (auto it = first + 1; it < last; ++it) gap = std::max(gap, *it - *(it - 1));
      gap_[l] = {*first, *(last - 1), gap};
    }
  }
}

std::size_t DayStates::listed_values() const {
  std::size_t n = pending_.size();
  for (std::size_t l = 0; l < list_end_.size(); ++l) n += list_end_[l] - list_begin_[l];
  for (std::size_t s = 0; s < keys_.size(); ++s) {
    for (std::size_t a = 0; a < rule_.aggregates.size(); ++a) {
      if (rule_.aggregates[a].kind == AggKind::kDistinct && words_[s * stride_ + offset_[a]] == kOneValue) ++n;
    }
  }
  return n;
}

std::vector<DayStates::Entry> DayStates::Sorted() const {
  std::vector<Entry> out;
  out.reserve(keys_.size());
  for (std::size_t s = 0; s < keys_.size(); ++s) {  // Finish put them in this order
    out.push_back({keys_[s].first, keys_[s].second, static_cast<std::uint32_t>(s)});
  }
  return out;
}

Window::Window(const DayStates& states, const std::vector<DayStates::Entry>& entries)
    : s_(states), entries_(entries) {
  const std::size_t n = states.rule_.aggregates.size();
  counts_.assign(n, 0);
  sums_.assign(n, {});
  known_.assign(n, 0);
  extreme_.resize(n);
  extreme_head_.assign(n, 0);
  distinct_at_.assign(n, FlatMap::kNone);
  for (std::size_t a = 0; a < n; ++a) {
    if (states.rule_.aggregates[a].kind != AggKind::kDistinct) continue;
    distinct_at_[a] = static_cast<std::uint32_t>(value_index_.size());
    value_index_.emplace_back(0);
    value_days_.emplace_back();
  }
}

void Window::Reset() {
  events_ = 0;
  std::fill(counts_.begin(), counts_.end(), 0);
  std::fill(sums_.begin(), sums_.end(), ExactSum{});
  std::fill(known_.begin(), known_.end(), 0);
  for (auto& q : extreme_) q.clear();
  std::fill(extreme_head_.begin(), extreme_head_.end(), 0);
  for (std::size_t d = 0; d < value_days_.size(); ++d) {
    if (value_days_[d].empty()) continue;
    value_index_[d] = FlatMap(0);
    value_days_[d].clear();
  }
}

std::uint64_t Window::ExtremeOf(std::size_t entry, std::size_t a) const {
  return s_.words_[entries_[entry].state * s_.stride_ + s_.offset_[a]];
}

void Window::PushBack() { Apply(hi_++, false); }
void Window::PopFront() { Apply(lo_++, true); }

void Window::Apply(std::size_t entry, bool remove) {
  const std::uint64_t* base = &s_.words_[entries_[entry].state * s_.stride_];
  events_ = remove ? events_ - base[0] : events_ + base[0];
  for (std::size_t a = 0; a < counts_.size(); ++a) {
    const std::uint64_t* w = base + s_.offset_[a];
    switch (s_.rule_.aggregates[a].kind) {
      case AggKind::kCount:
      case AggKind::kShare:
      case AggKind::kRate: counts_[a] = remove ? counts_[a] - w[0] : counts_[a] + w[0]; break;
      case AggKind::kSum:
      case AggKind::kAvg:
        sums_[a].Merge(s_.sums_[w[0]], remove);
        known_[a] = remove ? known_[a] - w[1] : known_[a] + w[1];
        if (remove && known_[a] == 0) sums_[a] = ExactSum{};  // drop a stale overflow
        break;
      case AggKind::kMin:
      case AggKind::kMax: {
        std::vector<std::uint32_t>& q = extreme_[a];
        std::size_t& head = extreme_head_[a];
        if (remove) {
          if (head < q.size() && q[head] == entry) ++head;
          break;
        }
        if (w[1] == 0) break;  // no known value that day
        // Drop the entries this one beats or equals: they can never be the answer again.
        const bool less = s_.rule_.aggregates[a].kind == AggKind::kMin;
        const bool is_num = s_.rule_.aggregates[a].value_type == Type::kNumber;
        auto beats = [&](std::uint64_t x, std::uint64_t y) {  // x at least as extreme as y
          if (is_num) {
            const double dx = std::bit_cast<double>(x), dy = std::bit_cast<double>(y);
            return less ? dx <= dy : dx >= dy;
          }
          const auto ix = static_cast<std::int64_t>(x), iy = static_cast<std::int64_t>(y);
          return less ? ix <= iy : ix >= iy;
        };
        while (q.size() > head && beats(w[0], ExtremeOf(q.back(), a))) q.pop_back();
        q.push_back(static_cast<std::uint32_t>(entry));
        break;
      }
      case AggKind::kDistinct: {
        if (w[0] == kNoList) break;
        // Each day's values count once (Finish made every list unique).
        FlatMap& index = value_index_[distinct_at_[a]];
        std::vector<std::uint32_t>& days = value_days_[distinct_at_[a]];
        auto apply = [&](std::uint64_t key) {
          if (remove) {
            if (--days[index.Find(key)] == 0) --counts_[a];
            return;
          }
          const auto next = static_cast<std::uint32_t>(days.size());
          const std::uint32_t k = index.FindOrInsert(key, next);
          if (k == next) days.push_back(0);
          if (days[k]++ == 0) ++counts_[a];
        };
        if (w[0] == kOneValue) {
          apply(w[1]);
          break;
        }
        for (std::uint64_t i = s_.list_begin_[w[0]]; i < s_.list_end_[w[0]]; ++i) {
          apply(static_cast<std::uint64_t>(s_.values_[i]));
        }
        break;
      }
      default: break;
    }
  }
}

Val Window::Result(std::size_t a, DurationUs window) const {
  const dsl::AggregateSpec& spec = s_.rule_.aggregates[a];
  const Type vt = spec.value_type;
  auto typed = [&](std::int64_t key) {
    return vt == Type::kNumber ? Val::Number(KeyDouble(key)) : Val::Int(vt, key);
  };
  switch (spec.kind) {
    case AggKind::kCount: return Val::Number(static_cast<double>(counts_[a]));
    case AggKind::kShare:
      if (events_ == 0) return Val::Unknown(Type::kNumber);
      return Val::Number(static_cast<double>(counts_[a]) / static_cast<double>(events_));
    case AggKind::kRate:
      return Val::Number(static_cast<double>(counts_[a]) * static_cast<double>(spec.per) /
                         static_cast<double>(window));
    case AggKind::kActiveDays: return Val::Number(static_cast<double>(hi_ - lo_));
    case AggKind::kSum:
    case AggKind::kAvg: {
      if (sums_[a].overflow) return Val::Unknown(vt);
      if (spec.kind == AggKind::kAvg && known_[a] == 0) return Val::Unknown(vt);
      const double v = spec.kind == AggKind::kAvg ? sums_[a].Quotient(known_[a]) : sums_[a].Value();
      if (vt == Type::kNumber) return Val::Number(v);
      return Val::Int(vt, std::llround(v));
    }
    case AggKind::kMin:
    case AggKind::kMax: {
      if (extreme_head_[a] >= extreme_[a].size()) return Val::Unknown(vt);
      const std::uint64_t best = ExtremeOf(extreme_[a][extreme_head_[a]], a);
      return vt == Type::kNumber ? Val::Number(std::bit_cast<double>(best))
                                 : Val::Int(vt, static_cast<std::int64_t>(best));
    }
    case AggKind::kDistinct: return Val::Number(static_cast<double>(counts_[a]));
    case AggKind::kPercentile: {
      scratch_.clear();
      for (std::size_t e = lo_; e < hi_; ++e) {
        const std::uint64_t w = s_.words_[entries_[e].state * s_.stride_ + s_.offset_[a]];
        if (w == kNoList) continue;
        scratch_.insert(scratch_.end(), s_.values_.begin() + static_cast<std::ptrdiff_t>(s_.list_begin_[w]),
                        s_.values_.begin() + static_cast<std::ptrdiff_t>(s_.list_end_[w]));
      }
      if (scratch_.empty()) return Val::Unknown(vt);
      // Nearest rank: the ceil(q*n)-th smallest, with q*n taken exactly when it is a
      // whole number up to rounding error (0.9 * 10 is 9, not 9.000000000000002).
      const double qn = spec.quantile * static_cast<double>(scratch_.size());
      const double near = std::round(qn);
      double rank = std::fabs(qn - near) <= 1e-9 * std::max(1.0, qn) ? near : std::ceil(qn);
      rank = std::clamp(rank, 1.0, static_cast<double>(scratch_.size()));
      const auto k = static_cast<std::size_t>(rank) - 1;
      std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(k), scratch_.end());
      return typed(scratch_[k]);
    }
    case AggKind::kMaxGap: {
      if (events_ < 2) return Val::Unknown(Type::kDuration);
      std::int64_t gap = 0;
      bool have_prev = false;
      std::int64_t prev_last = 0;
      for (std::size_t e = lo_; e < hi_; ++e) {
        const std::uint64_t w = s_.words_[entries_[e].state * s_.stride_ + s_.offset_[a]];
        const auto& l = s_.gap_[w];  // first, last, gap
        gap = std::max(gap, l[2]);
        if (have_prev) gap = std::max(gap, l[0] - prev_last);
        prev_last = l[1];
        have_prev = true;
      }
      return Val::Int(Type::kDuration, gap);
    }
  }
  return Val::Unknown(spec.result_type);
}

}  // namespace tosguard::engine
