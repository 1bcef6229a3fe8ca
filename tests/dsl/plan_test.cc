// Unit tests of the compiled plan: slots, constants, regexes, aggregates, metadata.
#include <catch2/catch.hpp>

#include "base/schema.h"
#include "dsl_test_util.h"

using namespace tosguard;
using namespace tosguard::dsl;
using namespace tosguard::dsl::testing;

TEST_CASE("plan: programs use resolved slots and prepared regexes", "[dsl][plan]") {
  CheckEnv env;
  env.detectors = {"distill", "template_reuse"};
  auto l = LoadText(
      "rule r {\n  severity high\n  scope api_key\n  window 2d min_active_days 2\n"
      "  where model == \"m\" and text matches /step by step/i\n"
      "  let s = share(signal(\"template_reuse\") >= 0.8)\n"
      "  violation when s >= 0.5 and count(text matches /step by step/i) > 3\n"
      "  review when max(signal(\"distill\")) > 0.5\n"
      "}\n",
      env);
  INFO(l.Text());
  REQUIRE(l.rules);
  const RulePlan& r = l.rules->plan.rules.at(0);
  CHECK(r.scope == Scope::kApiKey);
  CHECK(r.window == 2 * kMicrosPerDay);
  CHECK(r.min_active_days == 2);
  // The same regex is prepared once and shared.
  REQUIRE(r.regexes.size() == 1);
  REQUIRE(r.regexes[0]);
  CHECK(r.regexes[0]->PartialMatch("please think STEP BY STEP"));
  // where: field model; const "m"; eq; field text; match r0; and
  REQUIRE(r.where.code.size() == 6);
  CHECK(r.where.code[0].op == OpCode::kField);
  CHECK(r.where.code[0].arg == event_slot::kModel);
  CHECK(r.where.code[4].op == OpCode::kMatch);
  // Ingest reads only what the rule needs.
  std::vector<std::uint32_t> want = {event_slot::kEventId, event_slot::kTs, event_slot::kAccountId,
                                     event_slot::kApiKeyId, event_slot::kModel, event_slot::kText};
  CHECK(r.event_slots == want);
  CHECK(r.account_slots.empty());
  // Detectors are numbered per rule in order of first use.
  CHECK(r.detectors == std::vector<std::string>{"template_reuse", "distill"});
  CHECK(l.rules->plan.detectors == std::vector<std::string>{"distill", "template_reuse"});
  // Levels: violation first.
  REQUIRE(r.levels.size() == 2);
  CHECK(r.levels[0].level == LevelKind::kViolation);
  CHECK(r.aggregates.size() == 3);
  CHECK(r.lets.size() == 1);
  CHECK(r.source_text.rfind("rule r {", 0) == 0);
  CHECK(r.source_text.back() == '}');
  CHECK(r.source_sha256 == l.rules->sources.file(0).sha256);
}

TEST_CASE("plan: identical aggregates and constants are shared", "[dsl][plan]") {
  auto l = LoadText(RuleWith("  violation when count() > 5 and count() < 50 and distinct(model) > 5"));
  REQUIRE(l.rules);
  const RulePlan& r = l.rules->plan.rules[0];
  CHECK(r.aggregates.size() == 2);
  CHECK(r.constants.size() == 2);  // 5 and 50
}

TEST_CASE("plan: event-phase lets are inlined, window lets are slots", "[dsl][plan]") {
  auto l = LoadText(RuleWith("  let big = input_tokens > 1000\n  let n = count(big)\n  violation when n > 1"));
  REQUIRE(l.rules);
  const RulePlan& r = l.rules->plan.rules[0];
  REQUIRE(r.lets.size() == 1);
  CHECK(r.lets[0].name == "n");
  REQUIRE(r.aggregates.size() == 1);
  CHECK(r.aggregates[0].predicate.code.size() == 3);  // field; const; gt
  CHECK(r.levels[0].condition.code[0].op == OpCode::kLet);
}

TEST_CASE("plan: and/or mark their right operands for short-circuits", "[dsl][plan]") {
  auto l = LoadText(
      "rule r {\n  severity low\n  window 1d\n"
      "  where model == \"m\" and (status == \"ok\" or input_tokens > 3)\n"
      "  violation when count() > 1\n}\n");
  INFO(l.Text());
  REQUIRE(l.rules);
  const Program& w = l.rules->plan.rules.at(0).where;
  // 0 field model; 1 const; 2 eq; 3 field status; 4 const; 5 eq; 6 field input_tokens;
  // 7 const; 8 gt; 9 or; 10 and
  REQUIRE(w.code.size() == 11);
  CHECK(w.code[10].op == OpCode::kAnd);
  CHECK(w.code[9].op == OpCode::kOr);
  CHECK(w.code[3].skip == 10);  // the and's right operand starts with the or's left
  CHECK(w.code[6].skip == 9);
  for (std::size_t i : {0u, 1u, 2u, 4u, 5u, 7u, 8u, 9u, 10u}) CHECK(w.code[i].skip == 0);
  // Binary operators name their left operand's last instruction.
  CHECK(w.code[2].left == 0);
  CHECK(w.code[5].left == 3);
  CHECK(w.code[8].left == 6);
  CHECK(w.code[9].left == 5);
  CHECK(w.code[10].left == 2);
  // A rewrite links again; a malformed program gets no jumps and in-bounds operands.
  Program p = w;
  p.code.erase(p.code.begin() + 3, p.code.begin() + 6);  // now: ... or without a left side
  LinkProgram(&p);
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    CHECK(p.code[i].skip == 0);
    CHECK(p.code[i].left + 1 == std::max<std::size_t>(i, 1));
  }
}
