// Finding ids: the evaluator's digest, the keyed id, and the schemes a store records.
#include "audit/finding_id.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "base/time.h"

using namespace tosguard;
using namespace tosguard::audit;
using namespace std::string_literals;

namespace {

engine::Finding Busy() {
  engine::Finding f;
  f.rule_id = "busy";
  f.scope_kind = "account";
  f.scope_value = "acct-7";
  f.level = engine::Outcome::kViolation;
  f.first_day = f.last_day = f.peak_day = DayIndex(*ParseDate("2025-03-03"));
  f.days = 1;
  return f;
}

KeyedHasher Hasher(std::uint8_t fill) {
  return KeyedHasher::Create(std::vector<std::uint8_t>(32, fill)).value();
}

}  // namespace

TEST_CASE("finding id: the evaluator's digest of rule, scope, first day and level") {
  const engine::Finding f = Busy();
  CHECK(engine::FindingIdInput(f) == "busy\0account\0acct-7\0002025-03-03\0violation"s);
  // printf 'busy\0account\0acct-7\0002025-03-03\0violation' | sha256sum
  CHECK(engine::DigestFindingId(f) == "F-915cf239dd921254");
}

TEST_CASE(
    "finding id: keyed, an HMAC under the pseudonym key that no guess can be tested against") {
  const engine::Finding f = Busy();
  const KeyedHasher key = Hasher(0x5a);
  // printf 'tosguard/finding-id\0busy\0account\0acct-7\0002025-03-03\0violation' |
  //   openssl dgst -sha256 -mac HMAC -macopt hexkey:5a5a... (32 bytes)
  CHECK(KeyedFindingId(key, f) == "F-8c70448fc843fec9");
  CHECK(KeyedFindingId(key, f) != engine::DigestFindingId(f));
  CHECK(KeyedFindingId(Hasher(0x5b), f) != KeyedFindingId(key, f));

  // Each field of the input names another finding; the rest of a finding does not.
  engine::Finding g = f;
  g.last_day += 3;
  g.days = 4;
  g.peak_day += 1;
  g.evidence_total = 12;
  CHECK(KeyedFindingId(key, g) == KeyedFindingId(key, f));
  for (int field = 0; field < 5; ++field) {
    engine::Finding h = f;
    switch (field) {
      case 0: h.rule_id = "busy2"; break;
      case 1: h.scope_kind = "org"; break;
      case 2: h.scope_value = "acct-8"; break;
      case 3: h.first_day -= 1; break;
      case 4: h.level = engine::Outcome::kReview; break;
    }
    INFO(field);
    CHECK(KeyedFindingId(key, h) != KeyedFindingId(key, f));
  }
}

TEST_CASE("finding id: AssignFindingIds names each finding under the scheme") {
  const KeyedHasher key = Hasher(0x5a);
  std::vector<engine::Finding> findings = {Busy(), Busy()};
  findings[1].scope_value = "acct-8";
  AssignFindingIds(FindingIdScheme::kKeyed, &key, &findings);
  CHECK(findings[0].id == "F-8c70448fc843fec9");
  CHECK(findings[1].id == KeyedFindingId(key, findings[1]));
  AssignFindingIds(FindingIdScheme::kDigest, nullptr, &findings);
  CHECK(findings[0].id == "F-915cf239dd921254");
  CHECK(findings[1].id == engine::DigestFindingId(findings[1]));

  for (FindingIdScheme s : {FindingIdScheme::kDigest, FindingIdScheme::kKeyed}) {
    CHECK(ParseFindingIdScheme(FindingIdSchemeName(s)) == s);
  }
  CHECK(FindingIdSchemeName(FindingIdScheme::kKeyed) == "hmac-sha256");
  CHECK(FindingIdSchemeName(FindingIdScheme::kDigest) == "sha256");
  CHECK_FALSE(ParseFindingIdScheme("md5").has_value());
  CHECK_FALSE(ParseFindingIdScheme("").has_value());
}
