// Event projection and match push-down (see projection.h).
#include "engine/eval/projection.h"

#include <algorithm>
#include <set>
#include <utility>

namespace tosguard::engine {

using dsl::OpCode;

namespace {

bool IsMatchPair(const dsl::Program& p, std::size_t i) {
  return p.code[i].op == OpCode::kField && i + 1 < p.code.size() && p.code[i + 1].op == OpCode::kMatch;
}

}  // namespace

bool IsShownField(const dsl::Program& p) {
  return p.code.size() == 1 && p.code[0].op == OpCode::kField;
}

namespace {

template <class Fn>
void ForEachEventProgram(const dsl::RulePlan& rule, Fn&& fn) {
  fn(rule.where);
  fn(rule.unless);
  for (const dsl::AggregateSpec& a : rule.aggregates) {
    fn(a.predicate);
    fn(a.value);
  }
  fn(rule.evidence.order_by);
  for (const dsl::Program& s : rule.evidence.show) {
    if (!IsShownField(s)) fn(s);
  }
}

}  // namespace

EventProjection ProjectEvents(const dsl::Plan& plan) {
  std::set<std::uint32_t> slots;
  std::set<std::pair<std::uint32_t, std::string>> seen;
  EventProjection out;
  for (const dsl::RulePlan& rule : plan.rules) {
    ForEachEventProgram(rule, [&](const dsl::Program& p) {
      for (std::size_t i = 0; i < p.code.size(); ++i) {
        if (p.code[i].op != OpCode::kField) continue;
        if (!IsMatchPair(p, i)) {
          slots.insert(p.code[i].arg);
          continue;
        }
        const std::uint32_t r = p.code[i + 1].arg;
        if (r >= rule.regexes.size() || rule.regexes[r] == nullptr) {
          slots.insert(p.code[i].arg);  // left to the evaluator, which reports it unknown
          continue;
        }
        if (seen.emplace(p.code[i].arg, rule.regex_patterns[r]).second)
          out.matches.push_back({p.code[i].arg, rule.regex_patterns[r], rule.regexes[r].get()});
      }
    });
  }
  std::set<std::uint32_t> shown;
  for (const dsl::RulePlan& rule : plan.rules) {
    for (const dsl::Program& p : rule.evidence.show) {
      if (IsShownField(p) && slots.count(p.code[0].arg) == 0) shown.insert(p.code[0].arg);
    }
  }
  out.slots.assign(slots.begin(), slots.end());
  out.shown.assign(shown.begin(), shown.end());
  std::sort(out.matches.begin(), out.matches.end(), [](const TextMatch& a, const TextMatch& b) {
    return std::tie(a.slot, a.pattern) < std::tie(b.slot, b.pattern);
  });
  return out;
}

IngestOptions IngestOptionsFor(const IngestConfig& config, const dsl::Plan& plan) {
  IngestOptions options;
  EventProjection projection = ProjectEvents(plan);
  options.event_matches = std::move(projection.matches);
  auto& events = options.needed[static_cast<std::size_t>(RecordKind::kEvent)];
  auto& accounts = options.needed[static_cast<std::size_t>(RecordKind::kAccount)];
  events.assign(CanonicalSchema(RecordKind::kEvent).size(), false);
  accounts.assign(config.account_schema.size(), false);
  for (auto s : projection.slots) events[s] = true;
  for (const SourceConfig& source : config.sources) {
    if (source.kind == RecordKind::kEvent && !LinesParseAlone(source)) {
      for (auto s : projection.shown) events[s] = true;
    }
  }
  for (auto s : plan.account_slots) accounts[s] = true;
  for (std::size_t s : {event_slot::kEventId, event_slot::kTs, event_slot::kAccountId,
                        event_slot::kOrgId, event_slot::kApiKeyId}) {
    events[s] = true;
  }
  accounts[account_slot::kAccountId] = accounts[account_slot::kOrgId] = true;
  for (const LinkIdentifier& id : config.linking.identifiers) {
    (id.kind == RecordKind::kAccount ? accounts : events)[id.slot] = true;
  }
  return options;  // acceptances and signals: empty `needed`, every field
}

dsl::Program UseDerivedMatches(const dsl::Program& p, const dsl::RulePlan& rule, const Dataset& data) {
  if (data.event_matches.empty()) return p;
  // The derived column of (slot, the rule's regex r), or 0 when there is none.
  auto derived = [&](std::uint32_t slot, std::uint32_t r) -> std::uint32_t {
    if (r >= rule.regex_patterns.size()) return 0;
    for (std::size_t k = 0; k < data.event_matches.size(); ++k) {
      const TextMatch& m = data.event_matches[k];
      const std::size_t column = data.events.schema().size() + k;
      if (m.slot == slot && m.pattern == rule.regex_patterns[r] &&
          data.events.column(column).materialised) {
        return static_cast<std::uint32_t>(column);
      }
    }
    return 0;
  };
  dsl::Program out;
  for (std::size_t i = 0; i < p.code.size(); ++i) {
    if (IsMatchPair(p, i)) {
      if (const std::uint32_t column = derived(p.code[i].arg, p.code[i + 1].arg); column != 0) {
        out.code.push_back({OpCode::kField, dsl::Type::kBool, column});
        ++i;  // the match is decided already
        continue;
      }
    }
    out.code.push_back(p.code[i]);
  }
  dsl::LinkProgram(&out);
  return out;
}

}  // namespace tosguard::engine
