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
};

// Walks every event program of every rule: where, unless, the aggregates' predicates
// and values, the evidence's order and shown values. A field load directly followed by
// a match becomes a TextMatch; any other load of the field keeps it in `slots`.
EventProjection ProjectEvents(const dsl::Plan& plan);

// What ingest must read for an evaluation of `plan`: the projection's fields, the
// scopes' and linking identifiers' fields, and the projection's matches. Required
// fields are always read; acceptances and signals are read whole.
IngestOptions IngestOptionsFor(const IngestConfig& config, const dsl::Plan& plan);

// `p` with each (field load, match) pair that `data` has a derived column for replaced
// by a load of that column: the same three-valued result, decided at ingest.
dsl::Program UseDerivedMatches(const dsl::Program& p, const dsl::RulePlan& rule, const Dataset& data);

}  // namespace tosguard::engine
