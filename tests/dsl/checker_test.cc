// Unit tests of the checker's rules: names, types, units, phases, ranges, metadata.
#include <catch2/catch.hpp>

#include "dsl_test_util.h"

using namespace tosguard;
using namespace tosguard::dsl;
using namespace tosguard::dsl::testing;

namespace {
CheckEnv Detectors(std::vector<std::string> names) {
  CheckEnv env;
  env.detectors = std::move(names);
  return env;
}
}  // namespace

TEST_CASE("checker: a minimal rule loads", "[dsl][checker]") {
  auto l = LoadText(RuleWith("  violation when count() > 10"));
  INFO(l.Text());
  REQUIRE(l.rules);
  REQUIRE(l.rules->plan.rules.size() == 1);
  CHECK(l.diags.empty());
}

TEST_CASE("checker: unknown names get suggestions", "[dsl][checker]") {
  auto l = LoadText(RuleWith("  where modle == \"x\"\n  violation when count() > 1"));
  CHECK_FALSE(l.rules);
  CHECK(l.Has("4:9: error: unknown name 'modle' (did you mean 'model'?)"));
  auto a = LoadText(RuleWith("  unless account.tierr == \"x\"\n  violation when count() > 1"));
  CHECK(a.Has("unknown account attribute 'tierr' (did you mean 'tier'?)"));
}

TEST_CASE("checker: detectors must be declared unless any is allowed", "[dsl][checker]") {
  std::string text = RuleWith("  violation when max(signal(\"distill\")) > 0.9");
  CHECK(LoadText(text, Detectors({"distill"})).rules);
  auto l = LoadText(text, Detectors({"distil2"}));
  CHECK(l.Has("unknown detector 'distill' (did you mean 'distil2'?)"));
  CheckEnv any;
  any.any_detector = true;
  CHECK(LoadText(text, any).rules);
}

TEST_CASE("checker: a duration never compares with a count", "[dsl][checker]") {
  auto l = LoadText(RuleWith("  violation when max_gap() > 5"));
  CHECK(l.Has("cannot compare a duration and a number"));
  CHECK(LoadText(RuleWith("  violation when max_gap() > 5h")).rules);
}

TEST_CASE("checker: timestamp and duration arithmetic", "[dsl][checker]") {
  CHECK(LoadText(RuleWith("  where ts - account.created_at < 2d\n  violation when count() > 1")).rules);
  CHECK(LoadText(RuleWith("  where ts > 2024-01-01 + 3d\n  violation when count() > 1")).rules);
  CHECK(LoadText(RuleWith("  where ts + ts > ts\n  violation when count() > 1")).Has("cannot add a timestamp and a timestamp"));
  CHECK(LoadText(RuleWith("  let d = max_gap() / 1h\n  violation when d > 3")).rules);
}

TEST_CASE("checker: a share threshold lies between 0 and 1", "[dsl][checker]") {
  auto l = LoadText(RuleWith("  let s = share(status == \"error\")\n  violation when s >= 60"));
  CHECK(l.Has("a share is a fraction in [0, 1]; 60 is out of range"));
  auto d = LoadText(RuleWith("  violation when share(status == \"error\") > -0.5"));
  CHECK(d.Has("a share is a fraction in [0, 1]"));
}

TEST_CASE("checker: aggregates only where events are in context", "[dsl][checker]") {
  CHECK(LoadText(RuleWith("  where count() > 1\n  violation when count() > 1")).Has("aggregate 'count' is not allowed in 'where'"));
  CHECK(LoadText(RuleWith("  violation when max(count()) > 1")).Has("aggregate 'count' inside another aggregate"));
  CHECK(LoadText(RuleWith("  violation when input_tokens > 1")).Has("a level sees the whole window"));
  CHECK(LoadText(RuleWith("  violation when count() + input_tokens > 1")).Has("mixes a per-event value with a window aggregate"));
  // A per-event let is fine inside an aggregate, not outside.
  CHECK(LoadText(RuleWith("  let big = input_tokens > 100\n  violation when share(big) > 0.5")).rules);
  CHECK(LoadText(RuleWith("  let big = input_tokens > 100\n  violation when big")).Has("a level sees the whole window"));
  // A window let inside an aggregate is an aggregate inside an aggregate.
  CHECK(LoadText(RuleWith("  let n = count()\n  violation when max(n) > 1")).Has("aggregate inside an aggregate"));
}

TEST_CASE("checker: unless tests account attributes only", "[dsl][checker]") {
  CHECK(LoadText(RuleWith("  unless model == \"x\"\n  violation when count() > 1")).Has("'unless' tests account attributes"));
  CHECK(LoadText(RuleWith("  unless account.contract has \"x\" or account.country in [\"US\"]\n  violation when count() > 1")).rules);
}

TEST_CASE("checker: string tests, sets and lists", "[dsl][checker]") {
  CHECK(LoadText(RuleWith("  where model starts_with \"gpt\" and user_agent contains \"curl\" and endpoint ends_with \"s\"\n  violation when count() > 1")).rules);
  CHECK(LoadText(RuleWith("  where tags has \"a\" and model not in [\"x\", \"y\"]\n  violation when count() > 1")).rules);
  CHECK(LoadText(RuleWith("  where model has \"a\"\n  violation when count() > 1")).Has("'has' tests a set"));
  CHECK(LoadText(RuleWith("  where model in tags\n  violation when count() > 1")).Has("use 'has' for sets"));
  CHECK(LoadText("list l = [\"a\", 1]\n" + RuleWith("  violation when count() > 1")).Has("list mixes string and number items"));
}

TEST_CASE("checker: regexes compile with RE2 at check time", "[dsl][checker]") {
  CHECK(LoadText(RuleWith("  violation when share(text matches /a(b/) > 0.1")).Has("invalid regex: missing )"));
  CHECK(LoadText(RuleWith("  violation when share(text matches /step[- ]by/is) > 0.1")).rules);
  CHECK(LoadText(RuleWith("  violation when share(text matches \"x\") > 0.1")).Has("needs a regex literal"));
}

TEST_CASE("checker: aggregate arguments", "[dsl][checker]") {
  CHECK(LoadText(RuleWith("  violation when percentile(input_tokens, 1.5) > 1")).Has("quantile of percentile() is a number constant in (0, 1)"));
  CHECK(LoadText(RuleWith("  violation when rate(0s) > 1")).Has("positive duration constant"));
  CHECK(LoadText(RuleWith("  violation when rate(1h, status == \"x\") > 1 and rate(1d) > 2")).rules);
  CHECK(LoadText(RuleWith("  violation when share(input_tokens) > 0.1")).Has("share() needs a condition (bool)"));
  CHECK(LoadText(RuleWith("  violation when sum(model) > 1")).Has("sum() needs a number or duration"));
  CHECK(LoadText(RuleWith("  violation when distinct(tags) > 1")).Has("distinct() counts strings"));
  CHECK(LoadText(RuleWith("  violation when cuont() > 1")).Has("unknown function 'cuont' (did you mean 'count'?)"));
}

TEST_CASE("checker: policies, versions and clauses", "[dsl][checker]") {
  std::string policy =
      "policy p \"P\" {\n  version \"v1\" effective 2024-01-01\n  version \"v2\" effective 2025-01-01\n"
      "  version \"v3\" effective 2026-01-01\n}\n";
  auto ok = LoadText(policy + "rule r {\n  clause p \"1\" since \"v2\"\n  severity low\n  window 1d\n"
                              "  require accepted(p)\n  violation when count() > 1\n}\n");
  INFO(ok.Text());
  REQUIRE(ok.rules);
  CHECK(ok.rules->plan.rules[0].require_versions == std::vector<std::string>{"v2", "v3"});
  auto until = LoadText(policy + "rule r {\n  clause p \"1\" since \"v1\" until \"v2\"\n  severity low\n"
                                 "  window 1d\n  require accepted(p)\n  violation when count() > 1\n}\n");
  REQUIRE(until.rules);
  CHECK(until.rules->plan.rules[0].require_versions == std::vector<std::string>{"v1", "v2"});
  CHECK(LoadText(policy + "rule r {\n  clause p \"1\" since \"v3\" until \"v1\"\n  severity low\n"
                          "  window 1d\n  violation when count() > 1\n}\n")
            .Has("takes effect before its 'since' version"));
  CHECK(LoadText(policy + "rule r {\n  clause p \"1\" since \"v4\"\n  severity low\n"
                          "  window 1d\n  violation when count() > 1\n}\n")
            .Has("policy 'p' has no version 'v4'"));
  CHECK(LoadText(RuleWith("  require accepted(q)\n  violation when count() > 1")).Has("unknown policy 'q'"));
  CHECK(LoadText(RuleWith("  require count()\n  violation when count() > 1")).Has("'require' takes accepted(POLICY)"));
}

TEST_CASE("checker: rule metadata", "[dsl][checker]") {
  CHECK(LoadText("rule r {\n  window 1d\n  violation when count() > 1\n}\n").Has("has no severity"));
  CHECK(LoadText("rule r {\n  severity low\n  violation when count() > 1\n}\n").Has("has no window"));
  CHECK(LoadText("rule r {\n  severity low\n  window 1d\n}\n").Has("has no level"));
  CHECK(LoadText(RuleWith("  scope clustr\n  violation when count() > 1")).Has("unknown scope 'clustr' (did you mean 'cluster'?)"));
  CHECK(LoadText(RuleWith("  violation when count() > 1\n  violation when count() > 2")).Has("level 'violation' is given twice"));
  auto dup = LoadText(RuleWith("  violation when count() > 1") + RuleWith("  violation when count() > 1"));
  CHECK(dup.Has("rule 'r' is already declared at main.tos:1:1"));
}

TEST_CASE("checker: warnings for levels that can never or always fire", "[dsl][checker]") {
  auto never = LoadText(RuleWith("  violation when share(status == \"x\") > 1 or count() < 0"));
  REQUIRE(never.rules);
  CHECK(never.Has("warning: level 'violation' of rule 'r' can never fire"));
  auto always = LoadText(RuleWith("  review when count() >= 0"));
  CHECK(always.Has("always fires"));
  auto neither = LoadText(RuleWith("  review when count() >= 5"));
  CHECK(neither.diags.empty());
}

TEST_CASE("checker: defines and lists are shared across imported files", "[dsl][checker]") {
  auto l = LoadText({{"main.tos", "import \"lib/common.tos\"\n" + RuleWith("  where chat\n  violation when count(country in bad) > 1")},
                     {"lib/common.tos", "import \"more.tos\"\ndefine chat = endpoint == \"chat\"\n"},
                     {"lib/more.tos", "list bad = [\"KP\"]\n"}});
  INFO(l.Text());
  REQUIRE(l.rules);
  CHECK(l.rules->sources.size() == 3);
  CHECK(l.rules->sources.file(0).sha256.size() == 64);
  auto cyc = LoadText({{"main.tos", "import \"a.tos\"\n"}, {"a.tos", "import \"main.tos\"\n"}});
  CHECK(cyc.Has("import cycle: main.tos -> a.tos -> main.tos"));
  auto self = LoadText("define a = b\ndefine b = a\n" + RuleWith("  where a\n  violation when count() > 1"));
  CHECK(self.Has("refers to itself"));
  CHECK_FALSE(self.rules);
}

TEST_CASE("checker: imports stay inside the folders of the files given", "[dsl][checker]") {
  const std::string rule = RuleWith("  violation when count() > 1");
  // Beside or below the root, also through a detour: fine.
  auto inside = LoadText({{"main.tos", "import \"lib/../lib/a.tos\"\n" + rule}, {"lib/a.tos", "import \"../b.tos\"\n"},
                          {"b.tos", "list l = [\"x\"]\n"}});
  INFO(inside.Text());
  CHECK(inside.rules);
  // Above it: an error naming the import, and the file is never read.
  bool read_outside = false;
  ReadFileFn read = [&](const std::string& path) -> Result<std::string> {
    if (path == "main.tos") return "import \"../secret.tos\"\nimport \"lib/../../secret.tos\"\n" + rule;
    read_outside = true;
    return std::string("secret\n");
  };
  Diagnostics diags;
  CHECK_FALSE(LoadRulesWith({"main.tos"}, {}, read, &diags));
  CHECK_FALSE(read_outside);
  REQUIRE(diags.items().size() == 2);
  CHECK(diags.items()[0].message ==
        "imports stay inside the folders of the rule files given; '../secret.tos' leads outside them");
  CHECK(diags.items()[1].line == 2);
  // A file given beside the pack opens its folder too.
  auto shared = LoadRulesWith({"acme/main.tos", "shared/policy.tos"}, {},
                              [&](const std::string& path) -> Result<std::string> {
                                if (path == "acme/main.tos") return "import \"../shared/policy.tos\"\n" + rule;
                                if (path == "shared/policy.tos") return std::string("list l = [\"x\"]\n");
                                return Status::NotFound("no such file");
                              },
                              &diags);
  CHECK(shared);
}

TEST_CASE("checker: constants fold, division by zero is an error", "[dsl][checker]") {
  auto l = LoadText(RuleWith("  violation when count() > 2 * 3 + 4"));
  REQUIRE(l.rules);
  const auto& prog = l.rules->plan.rules[0].levels[0].condition.code;
  REQUIRE(prog.size() == 3);  // agg, const 10, gt
  CHECK(l.rules->plan.rules[0].constants[prog[1].arg].number == 10);
  CHECK(LoadText(RuleWith("  violation when count() > 1 / 0")).Has("division by zero"));
}

TEST_CASE("checker: define expansion is bounded in depth and size", "[dsl][checker]") {
  std::string chain = "define d0 = input_tokens > 1\n";
  for (int i = 1; i < 2000; ++i) {
    chain += "define d" + std::to_string(i) + " = d" + std::to_string(i - 1) + " and true\n";
  }
  auto deep = LoadText(chain + RuleWith("  where d1999\n  violation when count() > 1"));
  CHECK(deep.Has("nested too deeply once defines are expanded"));
  std::string doubling = "define e0 = input_tokens > 1\n";
  for (int i = 1; i < 40; ++i) {
    std::string p = "e" + std::to_string(i - 1);
    doubling += "define e" + std::to_string(i) + " = " + p + " and " + p + "\n";
  }
  auto big = LoadText(doubling + RuleWith("  where e39\n  violation when count() > 1"));
  CHECK(big.Has("expression too large (more than 100000 nodes, counting expanded defines)"));
}

TEST_CASE("checker: a pack's total checking work is bounded", "[dsl][checker]") {
  // e13 expands to about 50k nodes, under the per-expression cap; 30 uses of it are not (the pack budget is 1M).
  std::string text = "define e0 = input_tokens > 1\n";
  for (int i = 1; i <= 13; ++i) {
    std::string p = "e" + std::to_string(i - 1);
    text += "define e" + std::to_string(i) + " = " + p + " and " + p + "\n";
  }
  for (int i = 0; i < 30; ++i) text += "define f" + std::to_string(i) + " = e13 or false\n";
  auto l = LoadText(text);
  CHECK(l.Has("rule pack too large to check"));
}
