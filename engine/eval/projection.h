// What the evaluation reads of each event, so ingest reads no more: the fields the
// rules' event programs load, and the `field matches /re/` tests that ingest decides
// as it parses (TextMatch) so that a field read only through them is not kept.
#pragma once

#include <cstdint>
#include <vector>

#include "dsl/compiler/plan.h"
#include "engine/ingest/ingest.h"

namespace tosguard::engine {

struct EventProjection {
  std::vector<std::uint32_t> slots;  // fields loaded as values (sorted)
  std::vector<TextMatch> matches;    // distinct (slot, pattern), sorted; `re` set
  // Fields read only as a whole shown value (`show model`), not in `slots`: evidence
  // reads them back from the cited lines, so ingest need not keep them (sorted).
  std::vector<std::uint32_t> shown;
};

// Walks every event program of every rule: where, unless, the aggregates' predicates
// and values, the evidence's order and shown values. A field load directly followed by
// a match becomes a TextMatch; a shown value that is one field load puts the field in
// `shown` unless another program loads it; any other load keeps it in `slots`.
EventProjection ProjectEvents(const dsl::Plan& plan);

// What ingest must read for an evaluation of `plan`: the projection's fields, the
// scopes' and linking identifiers' fields, and the projection's matches. Required
// fields are always read; acceptances and signals are read whole. The `shown` fields
// are left out unless an event source is CSV (its lines cannot be parsed alone).
IngestOptions IngestOptionsFor(const IngestConfig& config, const dsl::Plan& plan);

// Whether shown value `p` is one event field load, which evidence can read back from
// the cited line when ingest did not keep the field.
bool IsShownField(const dsl::Program& p);

// `p` with each (field load, match) pair that `data` has a derived column for replaced
// by a load of that column: the same three-valued result, decided at ingest.
dsl::Program UseDerivedMatches(const dsl::Program& p, const dsl::RulePlan& rule, const Dataset& data);

}  // namespace tosguard::engine
