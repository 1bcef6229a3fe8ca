// The canonical schemas. Keep docs/data-model.md in step with this file.
#include "base/schema.h"

#include <cassert>

namespace tosguard {

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kBool: return "bool";
    case FieldType::kInt: return "int";
    case FieldType::kNumber: return "number";
    case FieldType::kString: return "string";
    case FieldType::kText: return "text";
    case FieldType::kTimestamp: return "timestamp";
    case FieldType::kStringSet: return "string_set";
  }
  return "unknown";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (FieldType t : {FieldType::kBool, FieldType::kInt, FieldType::kNumber, FieldType::kString,
                      FieldType::kText, FieldType::kTimestamp, FieldType::kStringSet}) {
    if (FieldTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kEvent: return "event";
    case RecordKind::kAccount: return "account";
    case RecordKind::kAcceptance: return "acceptance";
    case RecordKind::kSignal: return "signal";
  }
  return "unknown";
}

std::optional<RecordKind> ParseRecordKind(std::string_view name) {
  for (RecordKind k :
       {RecordKind::kEvent, RecordKind::kAccount, RecordKind::kAcceptance, RecordKind::kSignal}) {
    if (RecordKindName(k) == name) return k;
  }
  return std::nullopt;
}

RecordSchema::RecordSchema(RecordKind kind, std::vector<FieldDef> fields)
    : kind_(kind), fields_(std::move(fields)) {}

std::optional<std::size_t> RecordSchema::Slot(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

bool RecordSchema::AddField(FieldDef field) {
  if (Slot(field.name)) return false;
  fields_.push_back(std::move(field));
  return true;
}

namespace {

using T = FieldType;

RecordSchema MakeEventSchema() {
  return RecordSchema(
      RecordKind::kEvent,
      {
          {"event_id", T::kString, true, "unique id of the request"},
          {"ts", T::kTimestamp, true, "time the request was received, UTC"},
          {"account_id", T::kString, true, "account that made the request"},
          {"org_id", T::kString, false, "organisation of the account"},
          {"api_key_id", T::kString, false, "API key used (an id, never the secret)"},
          {"user_id", T::kString, false, "end user named by the caller"},
          {"model", T::kString, true, "model requested"},
          {"endpoint", T::kString, false, "API endpoint, e.g. chat.completions"},
          {"input_tokens", T::kInt, false, "prompt tokens"},
          {"output_tokens", T::kInt, false, "completion tokens"},
          {"max_tokens", T::kInt, false, "max_tokens requested"},
          {"params.logprobs", T::kBool, false, "log-probabilities requested"},
          {"params.top_logprobs", T::kInt, false, "number of top log-probabilities requested"},
          {"params.logit_bias_size", T::kInt, false, "number of logit_bias entries"},
          {"params.n", T::kInt, false, "completions requested per prompt"},
          {"params.temperature", T::kNumber, false, "sampling temperature"},
          {"status", T::kString, true, "outcome: success, error, rate_limited, ..."},
          {"client_ip", T::kString, false, "client IP address"},
          {"ip_hash", T::kString, false, "keyed hash of the client IP, when the IP is withheld"},
          {"country", T::kString, false, "ISO 3166-1 alpha-2 country of the client"},
          {"user_agent", T::kString, false, "client user agent"},
          {"device_id", T::kString, false, "client device fingerprint"},
          {"text", T::kText, false, "prompt text, when retained"},
          {"text_hash", T::kString, false, "hash of the normalised prompt text"},
          {"text_availability", T::kString, false, "full, redacted or absent"},
          {"tags", T::kStringSet, false, "free-form tags of the request"},
      });
}

RecordSchema MakeAccountSchema() {
  return RecordSchema(
      RecordKind::kAccount,
      {
          {"account_id", T::kString, true, "account id"},
          {"org_id", T::kString, false, "organisation"},
          {"created_at", T::kTimestamp, false, "creation time"},
          {"tier", T::kString, false, "commercial tier"},
          {"country", T::kString, false, "country of the billing address"},
          {"payment_fingerprint", T::kString, false, "fingerprint of the payment method"},
          {"contract", T::kStringSet, false, "contract flags, e.g. distillation_permitted"},
          {"declared_use", T::kString, false, "use declared at sign-up"},
          {"status", T::kString, false, "active, suspended, banned, ..."},
          {"banned_at", T::kTimestamp, false, "time the account was banned"},
          {"signup_ip", T::kString, false, "IP address at sign-up"},
          {"device_id", T::kString, false, "device fingerprint at sign-up"},
          {"email_domain", T::kString, false, "domain of the account's e-mail address"},
      });
}

RecordSchema MakeAcceptanceSchema() {
  return RecordSchema(RecordKind::kAcceptance,
                      {
                          {"account_id", T::kString, true, "account that accepted"},
                          {"policy", T::kString, true, "policy id, as declared in the rules"},
                          {"version", T::kString, true, "policy version accepted"},
                          {"accepted_at", T::kTimestamp, true, "time of acceptance"},
                          {"method", T::kString, false, "how: clickwrap, signed, api, ..."},
                          {"source", T::kString, false, "where: console, sales, ..."},
                      });
}

RecordSchema MakeSignalSchema() {
  return RecordSchema(RecordKind::kSignal,
                      {
                          {"detector", T::kString, true, "detector name"},
                          {"detector_version", T::kString, false, "detector version"},
                          {"subject_kind", T::kString, true, "event or account"},
                          {"subject", T::kString, true, "event_id or account_id"},
                          {"ts", T::kTimestamp, true, "time of the signal"},
                          {"score", T::kNumber, true, "score, usually in [0, 1]"},
                          {"label", T::kString, false, "label given by the detector"},
                      });
}

}  // namespace

const RecordSchema& CanonicalSchema(RecordKind kind) {
  static const RecordSchema kEvent = MakeEventSchema();
  static const RecordSchema kAccount = MakeAccountSchema();
  static const RecordSchema kAcceptance = MakeAcceptanceSchema();
  static const RecordSchema kSignal = MakeSignalSchema();
  switch (kind) {
    case RecordKind::kEvent: return kEvent;
    case RecordKind::kAccount: return kAccount;
    case RecordKind::kAcceptance: return kAcceptance;
    case RecordKind::kSignal: return kSignal;
  }
  assert(false);
  return kEvent;
}

}  // namespace tosguard
