// DayStates, the per (scope, day) states of one rule, on their own.
#include "engine/eval/window.h"

#include <catch2/catch.hpp>

#include "tests/engine/eval_test_util.h"

namespace tosguard::engine {
namespace {

using testing::Rule;
using testing::Run;
using testing::Scenario;

Scenario OneRule(const std::string& body) {
  Scenario s;
  s.events = {testing::Ev("e1", "a1", "2025-06-10T10:00:00Z")};
  s.rules = Rule("r", body);
  return s;
}

Val Str(std::int64_t symbol) { return Val::Int(Type::kString, symbol); }

TEST_CASE("day states: a distinct list grows with the day's distinct values, not its events") {
  const Run run(
      OneRule("  window 1d\n  let models = distinct(model)\n  violation when models > 1\n"));
  const dsl::RulePlan& rule = run.plan().rules.at(0);
  DayStates states(rule, 0);
  const std::uint32_t repeats = states.Get(1, 0);
  const std::uint32_t alternating = states.Get(2, 0);
  for (int k = 0; k < 1000; ++k) {
    const Val same = Str(7);
    states.Add(repeats, &same, k);
    const Val either = Str(k % 2);
    states.Add(alternating, &either, k);
  }
  // Scope 1 repeats one value: its list holds it once. Scope 2 alternates two: each
  // differs from the one before, so all are listed until Finish keeps one of each.
  CHECK(states.listed_values() == 1 + 1000);
  CHECK(states.lists() == 1);  // scope 1's one value stays in its state
  states.Finish();
  CHECK(states.listed_values() == 1 + 2);
  CHECK(states.lists() == 1);
  const std::vector<DayStates::Entry> entries = states.Sorted();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].scope == 1);
  CHECK(entries[1].scope == 2);
  CHECK(states.Events(entries[0].state) == 1000);
  CHECK(states.Events(entries[1].state) == 1000);
}

TEST_CASE("day states: a distinct cell keeps its one value without a list, and a window counts it with the listed ones") {
  const Run run(
      OneRule("  window 3d\n  let models = distinct(model)\n  violation when models > 1\n"));
  DayStates states(run.plan().rules.at(0), 0);
  // Day 0 sees only model 5, day 1 models 5 and 6, day 2 only model 6 (twice).
  const std::uint32_t d0 = states.Get(1, 0), d1 = states.Get(1, 1), d2 = states.Get(1, 2);
  const Val five = Str(5), six = Str(6);
  states.Add(d0, &five, 0);
  states.Add(d1, &five, 1);
  states.Add(d1, &six, 2);
  states.Add(d1, &five, 3);
  states.Add(d2, &six, 4);
  states.Add(d2, &six, 5);
  CHECK(states.lists() == 1);  // only day 1 saw a second value
  CHECK(states.listed_values() == 1 + 3 + 1);
  states.Finish();
  CHECK(states.listed_values() == 1 + 2 + 1);
  const std::vector<DayStates::Entry> entries = states.Sorted();
  REQUIRE(entries.size() == 3);
  Window w(states, entries);
  w.SetBegin(0);
  w.Reset();
  w.PushBack();  // day 0: {5}
  CHECK(w.Result(0, 3 * kMicrosPerDay).num == 1);
  w.PushBack();  // days 0-1: {5, 6}
  CHECK(w.Result(0, 3 * kMicrosPerDay).num == 2);
  w.PushBack();  // days 0-2: {5, 6}
  CHECK(w.Result(0, 3 * kMicrosPerDay).num == 2);
  w.PopFront();  // days 1-2: {5, 6}
  CHECK(w.Result(0, 3 * kMicrosPerDay).num == 2);
  w.PopFront();  // day 2: {6}
  CHECK(w.Result(0, 3 * kMicrosPerDay).num == 1);
  w.PopFront();  // nothing
  CHECK(w.Result(0, 3 * kMicrosPerDay).num == 0);
}

TEST_CASE("day states: percentile lists keep every value, repeats included") {
  const Run run(
      OneRule("  window 1d\n  let high = p90(input_tokens)\n  violation when high > 1\n"));
  DayStates states(run.plan().rules.at(0), 0);
  const std::uint32_t s = states.Get(1, 0);
  for (int k = 0; k < 10; ++k) {
    const Val v = Val::Number(5);
    states.Add(s, &v, k);
  }
  states.Finish();
  CHECK(states.listed_values() == 10);
}

TEST_CASE(
    "day states: Finish lays the states out by scope and day, whatever the order they came in") {
  const Run run(
      OneRule("  window 3d\n  let n = count()\n  let total = sum(input_tokens)\n"
              "  let models = distinct(model)\n  violation when n > 100\n"));
  DayStates states(run.plan().rules.at(0), 0);
  // Created out of order: (scope 9, day 2), (3, 5), (9, 1), (3, 0); each gets its own
  // count of events, tokens and model symbol, so a state mixed up with another shows.
  const std::uint32_t keys[][2] = {{9, 2}, {3, 5}, {9, 1}, {3, 0}};
  for (std::uint32_t k = 0; k < 4; ++k) {
    const std::uint32_t s = states.Get(keys[k][0], keys[k][1]);
    for (std::uint32_t e = 0; e <= k; ++e) {
      const Val values[] = {Val::Bool(true), Val::Number(10.0 * (k + 1)), Str(100 + k)};
      states.Add(s, values, e);
    }
  }
  states.Finish();
  const std::vector<DayStates::Entry> entries = states.Sorted();
  REQUIRE(entries.size() == 4);
  const std::uint32_t expected_order[] = {3, 1, 2, 0};  // (3,0) (3,5) (9,1) (9,2)
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint32_t k = expected_order[i];
    CHECK(entries[i].scope == keys[k][0]);
    CHECK(entries[i].day == keys[k][1]);
    CHECK(entries[i].state == i);
    CHECK(states.Events(entries[i].state) == k + 1);
  }
  // The window over scope 3's two states sees their own sums and values.
  Window w(states, entries);
  w.SetBegin(0);
  w.Reset();
  w.PushBack();
  w.PushBack();
  CHECK(w.events() == 4 + 2);
  CHECK(w.Result(1, 3 * kMicrosPerDay).num == 4 * 40.0 + 2 * 20.0);
  CHECK(w.Result(2, 3 * kMicrosPerDay).num == 2);
  w.PopFront();
  CHECK(w.Result(1, 3 * kMicrosPerDay).num == 2 * 20.0);
  CHECK(w.Result(2, 3 * kMicrosPerDay).num == 1);
}

TEST_CASE("day states: states made without a lookup are found by a later one, before and after the index exists") {
  const Run run(OneRule("  window 3d\n  let n = count()\n  violation when n > 100\n"));
  DayStates states(run.plan().rules.at(0), 0);
  const std::uint32_t a5 = states.Create(1, 5);
  const std::uint32_t b5 = states.Create(2, 5);
  // An event of scope 1 for an earlier day: looked up, a new state.
  const std::uint32_t a3 = states.Get(1, 3);
  CHECK(a3 != a5);
  CHECK(states.Get(1, 5) == a5);  // made by Create before the index existed
  CHECK(states.Get(2, 5) == b5);
  const std::uint32_t a7 = states.Create(1, 7);  // after the index exists
  CHECK(states.Get(1, 7) == a7);
  CHECK(states.Get(1, 3) == a3);
  const Val one = Val::Bool(true);
  for (const std::uint32_t s : {a5, a5, b5, a3, a7, a7, a7}) states.Add(s, &one, 0);
  states.Finish();
  const std::vector<DayStates::Entry> entries = states.Sorted();
  REQUIRE(entries.size() == 4);
  const std::int64_t days[] = {3, 5, 7, 5};
  const std::uint64_t events[] = {1, 2, 3, 1};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(entries[i].scope == (i < 3 ? 1u : 2u));
    CHECK(entries[i].day == days[i]);
    CHECK(states.Events(entries[i].state) == events[i]);
  }
}

TEST_CASE("day states: states with sparse scope values or days far apart are ordered too") {
  const Run run(OneRule("  window 3d\n  let n = count()\n  violation when n > 100\n"));
  DayStates states(run.plan().rules.at(0), 0);
  // Scope values near 2^32 and days 100,000 apart: too sparse for counting, sorted by
  // comparison instead; the order must be the same (scope, then day).
  const std::uint32_t keys[][2] = {{4000000000u, 100000}, {7, 100000}, {4000000000u, 3}, {7, 0}};
  for (std::uint32_t k = 0; k < 4; ++k) {
    const std::uint32_t s = states.Get(keys[k][0], keys[k][1]);
    for (std::uint32_t e = 0; e <= k; ++e) {
      const Val one = Val::Bool(true);
      states.Add(s, &one, e);
    }
  }
  states.Finish();
  const std::vector<DayStates::Entry> entries = states.Sorted();
  REQUIRE(entries.size() == 4);
  const std::uint32_t expected_order[] = {3, 1, 2, 0};  // (7,0) (7,100000) (4e9,3) (4e9,100000)
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint32_t k = expected_order[i];
    CHECK(entries[i].scope == keys[k][0]);
    CHECK(entries[i].day == keys[k][1]);
    CHECK(states.Events(entries[i].state) == k + 1);
  }
}

}  // namespace
}  // namespace tosguard::engine
