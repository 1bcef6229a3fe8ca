// How findings are named outside the evaluator (docs/evidence.md, "Finding ids").
//
// The evaluator's id (engine::DigestFindingId) is an unkeyed SHA-256 of the rule, the
// scope and the first day: whoever holds a log leaf or a pseudonymised report could test
// guessed account ids against it, one hash per guess, and so undo the pseudonyms. Under
// the keyed scheme the id is an HMAC of the same fields under the pseudonym key, and a
// guess cannot be tested without the key. An evidence store keeps the scheme it was
// created with, so a finding keeps its id for the life of the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/keyed_hash.h"
#include "engine/eval/finding.h"

namespace tosguard::audit {

enum class FindingIdScheme {
  kDigest,  // "sha256": engine::DigestFindingId (stores created before keyed ids)
  kKeyed,   // "hmac-sha256": KeyedFindingId
};

// "sha256" or "hmac-sha256", as the store's meta table records it.
std::string_view FindingIdSchemeName(FindingIdScheme s);
std::optional<FindingIdScheme> ParseFindingIdScheme(std::string_view name);

// "F-" and the first 16 hex digits of HMAC-SHA256(pseudonym key, "tosguard/finding-id" ‖
// 0x00 ‖ engine::FindingIdInput(f)).
std::string KeyedFindingId(const KeyedHasher& hasher, const engine::Finding& f);

// Gives every finding its id under `scheme`; `hasher` is needed for kKeyed (asserted).
void AssignFindingIds(FindingIdScheme scheme, const KeyedHasher* hasher,
                      std::vector<engine::Finding>* findings);

}  // namespace tosguard::audit
