// The canonical record schemas (events, accounts, acceptances, signals) as data.
//
// Every input is mapped onto one of these schemas by a source mapping; the rule
// checker resolves field names against them and the compiled plan refers to fields by
// slot. A schema is a value: the configuration may extend the account schema with
// typed attributes of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tosguard {

enum class FieldType : std::uint8_t {
  kBool,
  kInt,        // 64-bit signed integer (token counts)
  kNumber,     // double
  kString,     // identifier-like text, interned (account ids, models, countries)
  kText,       // free text that is never interned (prompt text)
  kTimestamp,  // microseconds since the epoch, UTC
  kStringSet,  // a set of strings (tags, contract flags)
};

// Stable lower-case name, e.g. "timestamp", "string_set".
std::string_view FieldTypeName(FieldType type);
std::optional<FieldType> ParseFieldType(std::string_view name);

enum class RecordKind : std::uint8_t { kEvent, kAccount, kAcceptance, kSignal };

// "event", "account", "acceptance", "signal".
std::string_view RecordKindName(RecordKind kind);
std::optional<RecordKind> ParseRecordKind(std::string_view name);

struct FieldDef {
  std::string name;  // dotted for nested canonical fields, e.g. "params.logprobs"
  FieldType type;
  bool required = false;
  std::string doc;  // one line, for docs and "did you mean" listings
};

// The fields of one record kind; a field's slot is its index in fields().
class RecordSchema {
 public:
  RecordSchema(RecordKind kind, std::vector<FieldDef> fields);

  RecordKind kind() const { return kind_; }
  const std::vector<FieldDef>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  const FieldDef& field(std::size_t slot) const { return fields_[slot]; }
  // The slot of `name`, or nullopt when the schema has no such field.
  std::optional<std::size_t> Slot(std::string_view name) const;

  // Adds a field (an account attribute declared in the configuration). Returns false,
  // changing nothing, when the name is already taken.
  bool AddField(FieldDef field);

 private:
  RecordKind kind_;
  std::vector<FieldDef> fields_;
};

// The canonical schema of `kind`, as documented in docs/data-model.md.
const RecordSchema& CanonicalSchema(RecordKind kind);

// Slots of the canonical event schema, fixed so the engine can address them directly.
namespace event_slot {
inline constexpr std::size_t kEventId = 0;
inline constexpr std::size_t kTs = 1;
inline constexpr std::size_t kAccountId = 2;
inline constexpr std::size_t kOrgId = 3;
inline constexpr std::size_t kApiKeyId = 4;
inline constexpr std::size_t kUserId = 5;
inline constexpr std::size_t kModel = 6;
inline constexpr std::size_t kEndpoint = 7;
inline constexpr std::size_t kInputTokens = 8;
inline constexpr std::size_t kOutputTokens = 9;
inline constexpr std::size_t kMaxTokens = 10;
inline constexpr std::size_t kLogprobs = 11;
inline constexpr std::size_t kTopLogprobs = 12;
inline constexpr std::size_t kLogitBiasSize = 13;
inline constexpr std::size_t kN = 14;
inline constexpr std::size_t kTemperature = 15;
inline constexpr std::size_t kStatus = 16;
inline constexpr std::size_t kClientIp = 17;
inline constexpr std::size_t kIpHash = 18;
inline constexpr std::size_t kCountry = 19;
inline constexpr std::size_t kUserAgent = 20;
inline constexpr std::size_t kDeviceId = 21;
inline constexpr std::size_t kText = 22;
inline constexpr std::size_t kTextHash = 23;
inline constexpr std::size_t kTextAvailability = 24;
inline constexpr std::size_t kTags = 25;
}  // namespace event_slot

namespace account_slot {
inline constexpr std::size_t kAccountId = 0;
inline constexpr std::size_t kOrgId = 1;
inline constexpr std::size_t kCreatedAt = 2;
inline constexpr std::size_t kTier = 3;
inline constexpr std::size_t kCountry = 4;
inline constexpr std::size_t kPaymentFingerprint = 5;
inline constexpr std::size_t kContract = 6;
inline constexpr std::size_t kDeclaredUse = 7;
inline constexpr std::size_t kStatus = 8;
inline constexpr std::size_t kBannedAt = 9;
inline constexpr std::size_t kSignupIp = 10;
inline constexpr std::size_t kDeviceId = 11;
inline constexpr std::size_t kEmailDomain = 12;
}  // namespace account_slot

namespace acceptance_slot {
inline constexpr std::size_t kAccountId = 0;
inline constexpr std::size_t kPolicy = 1;
inline constexpr std::size_t kVersion = 2;
inline constexpr std::size_t kAcceptedAt = 3;
inline constexpr std::size_t kMethod = 4;
inline constexpr std::size_t kSource = 5;
}  // namespace acceptance_slot

namespace signal_slot {
inline constexpr std::size_t kDetector = 0;
inline constexpr std::size_t kDetectorVersion = 1;
inline constexpr std::size_t kSubjectKind = 2;  // "event" or "account"
inline constexpr std::size_t kSubject = 3;
inline constexpr std::size_t kTs = 4;
inline constexpr std::size_t kScore = 5;
inline constexpr std::size_t kLabel = 6;
}  // namespace signal_slot

}  // namespace tosguard
