#include "audit/finding_id.h"

#include <cassert>

namespace tosguard::audit {

std::string_view FindingIdSchemeName(FindingIdScheme s) {
  return s == FindingIdScheme::kKeyed ? "hmac-sha256" : "sha256";
}

std::optional<FindingIdScheme> ParseFindingIdScheme(std::string_view name) {
  if (name == "hmac-sha256") return FindingIdScheme::kKeyed;
  if (name == "sha256") return FindingIdScheme::kDigest;
  return std::nullopt;
}

std::string KeyedFindingId(const KeyedHasher& hasher, const engine::Finding& f) {
  return "F-" + ToHex(hasher.Hash("tosguard/finding-id", engine::FindingIdInput(f))).substr(0, 16);
}

void AssignFindingIds(FindingIdScheme scheme, const KeyedHasher* hasher,
                      std::vector<engine::Finding>* findings) {
  assert((scheme == FindingIdScheme::kDigest || hasher != nullptr) &&
         "keyed finding ids need the pseudonym key");
  for (engine::Finding& f : *findings) {
    f.id =
        scheme == FindingIdScheme::kKeyed ? KeyedFindingId(*hasher, f) : engine::DigestFindingId(f);
  }
}

}  // namespace tosguard::audit
