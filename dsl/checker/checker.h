// The checker: resolves names, checks types, units, phases and ranges of a rule pack.
//
// All errors are reported at once as diagnostics; the result holds every rule that
// checked cleanly, ready for the compiler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/schema.h"
#include "base/time.h"
#include "dsl/ast.h"
#include "dsl/checker/bound.h"
#include "dsl/source.h"

namespace tosguard::dsl {

// What the rules may refer to besides their own declarations.
struct CheckEnv {
  const RecordSchema* events = nullptr;    // nullptr: CanonicalSchema(kEvent)
  const RecordSchema* accounts = nullptr;  // nullptr: CanonicalSchema(kAccount)
  std::vector<std::string> detectors;      // names usable in signal("...")
  bool any_detector = false;  // no configuration: accept any detector name
};

enum class RuleSeverity : std::uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
enum class RuleStatus : std::uint8_t { kExperimental, kTest, kStable };
enum class Scope : std::uint8_t { kAccount, kOrg, kApiKey, kCluster };
enum class LevelKind : std::uint8_t { kViolation, kReview };
const char* SeverityText(RuleSeverity s);
const char* StatusText(RuleStatus s);
const char* ScopeText(Scope s);
const char* LevelText(LevelKind l);

struct CheckedVersion {
  std::string name;
  TimestampUs effective = 0;
};

struct CheckedPolicy {
  std::string id;
  std::string title;
  std::vector<CheckedVersion> versions;  // by effective date
};

struct CheckedClause {
  std::string policy;
  std::string section;
  std::string since;
  std::optional<std::string> until;
  std::string text;
  std::vector<std::string> versions;  // the policy's versions that contain the clause
};

struct CheckedLet {
  std::string name;
  Bound value;  // window phase (event-phase lets are inlined where used)
};

struct CheckedLevel {
  LevelKind level = LevelKind::kViolation;
  Bound condition;
};

struct CheckedRule {
  const Rule* source = nullptr;
  std::uint32_t file = 0;
  std::string id, title, owner;
  RuleSeverity severity = RuleSeverity::kMedium;
  RuleStatus status = RuleStatus::kExperimental;
  Scope scope = Scope::kAccount;
  std::vector<std::string> tags, references;
  std::optional<CheckedClause> clause;
  DurationUs window = 0;
  std::uint32_t min_active_days = 0;
  std::optional<std::string> require_policy;      // require accepted(policy)
  std::vector<std::string> require_versions;      // versions whose acceptance counts
  std::optional<Bound> where;                     // all `where` conditions, and-ed
  std::optional<Bound> unless;                    // all `unless` conditions, or-ed
  std::vector<BoundAggregate> aggregates;
  std::vector<CheckedLet> lets;
  std::vector<CheckedLevel> levels;               // violation before review
  std::uint32_t sample = 10;
  std::optional<Bound> sample_by;                 // nullopt: by ts
  bool sample_desc = false;
  std::vector<Bound> show;
  std::vector<std::string> show_text;
  std::vector<std::string> regexes;   // RE2 patterns with flags applied as (?flags)
  std::vector<std::string> detectors; // rule-local detector names, by index
};

struct CheckedPack {
  std::vector<CheckedPolicy> policies;
  std::vector<CheckedRule> rules;
};

// Checks the parsed files of a pack together (one namespace for rules, lists, defines
// and policies). Errors and warnings go to `diags`; rules with errors are left out of
// the result.
CheckedPack CheckPack(const SourceSet& sources, const std::vector<File>& files,
                      const CheckEnv& env, Diagnostics* diags);

}  // namespace tosguard::dsl
