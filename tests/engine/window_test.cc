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
  states.Finish();
  CHECK(states.listed_values() == 1 + 2);
  CHECK(states.Events(repeats) == 1000);
  CHECK(states.Events(alternating) == 1000);
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

}  // namespace
}  // namespace tosguard::engine
