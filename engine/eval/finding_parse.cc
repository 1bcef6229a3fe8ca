// Reading a finding back from its canonical JSON: the inverse of FindingJson.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_writer.h"
#include "base/status.h"
#include "base/time.h"
#include "base/utf8.h"
#include "engine/eval/finding.h"

namespace tosguard::engine {

namespace {

namespace od = simdjson::ondemand;

// Deeper JSON is refused before simdjson reads it: its on-demand parser keeps state for
// DEFAULT_MAX_DEPTH levels only (and asserts past them in debug builds), and explanation
// trees are read recursively, two levels a node, so hostile input cannot exhaust the
// stack. An expression is at most 256 operators deep (dsl kMaxExprDepth).
constexpr std::size_t kMaxJsonDepth = 1000;
static_assert(kMaxJsonDepth < simdjson::DEFAULT_MAX_DEPTH);

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Status Fail(const std::string& path, std::string_view what) {
  return Status::InvalidArgument((path.empty() ? std::string("$") : path) + ": " +
                                 std::string(what));
}

// The keys one object may hold, and which of them it must.
struct Key {
  std::string_view name;
  bool required = true;
};

// Which keys an object held, for rules that tie one key to another.
class Seen {
 public:
  bool Has(std::string_view key) const {
    for (std::string_view k : keys_) {
      if (k == key) return true;
    }
    return false;
  }
  void Add(std::string_view key) { keys_.push_back(key); }

 private:
  std::vector<std::string_view> keys_;  // names from the static Key lists, not the input
};

// A duration as FormatDuration writes it ("30d", "-2h", "1500us"), in exactly that form.
std::optional<DurationUs> ParseCanonicalDuration(std::string_view text) {
  struct Unit {
    std::string_view name;
    DurationUs us;
  };
  static constexpr Unit kUnits[] = {{"us", 1},
                                    {"s", kMicrosPerSecond},
                                    {"m", 60 * kMicrosPerSecond},
                                    {"h", 3600 * kMicrosPerSecond},
                                    {"d", kMicrosPerDay},
                                    {"w", 7 * kMicrosPerDay}};
  for (const Unit& u : kUnits) {
    if (text.size() <= u.name.size() || text.substr(text.size() - u.name.size()) != u.name)
      continue;
    std::string_view digits = text.substr(0, text.size() - u.name.size());
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    DurationUs d = 0;
    if (__builtin_mul_overflow(n, u.us, &d)) return std::nullopt;
    if (FormatDuration(d) != text) return std::nullopt;  // "60s" is "1m", "+1s" is no duration
    return d;
  }
  return std::nullopt;
}

std::string NumText(double d) {
  if (d == 0) d = 0;  // no "-0", as the evaluator renders numbers
  return ShortestNumber(d);
}

// The microseconds of a known duration value's text, as the evaluator renders it:
// FormatDuration for whole non-zero seconds, else seconds as a number ("0s", "1.5s").
std::optional<DurationUs> DurationValueText(std::string_view text) {
  if (auto d = ParseCanonicalDuration(text); d && *d != 0 && *d % kMicrosPerSecond == 0) return d;
  if (text.size() < 2 || text.back() != 's') return std::nullopt;
  double secs = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, secs);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || !std::isfinite(secs))
    return std::nullopt;
  const double us = std::round(secs * 1e6);
  if (!(std::fabs(us) < 9.0e18)) return std::nullopt;
  const auto d = static_cast<DurationUs>(us);
  if ((d != 0 && d % kMicrosPerSecond == 0) ||
      NumText(static_cast<double>(d) / 1e6) + "s" != text) {
    return std::nullopt;
  }
  return d;
}

std::optional<Outcome> OutcomeFromName(std::string_view name) {
  for (Outcome o : {Outcome::kViolation, Outcome::kReview, Outcome::kInsufficient,
                    Outcome::kCompliant, Outcome::kNotEvaluated}) {
    if (name == OutcomeName(o)) return o;
  }
  return std::nullopt;
}

bool KnownType(std::string_view type) {
  for (std::string_view t :
       {"number", "string", "bool", "duration", "timestamp", "set", "list", "regex", "unknown"}) {
    if (type == t) return true;
  }
  return false;
}

// Reads one document. `poison` is the offset of the first byte that was not UTF-8 (and
// was replaced so that simdjson would read the rest), or npos: the first string or key
// that spans it reports invalid UTF-8 at its path.
class Reader {
 public:
  Reader(const char* base, std::size_t poison) : base_(base), poison_(poison) {}

  bool poison_hit() const { return poison_hit_; }

  Status Root(od::document& doc, Finding* f) {
    od::object obj;
    if (doc.get_object().get(obj)) return Fail("", "expected an object");
    return FindingFields(obj, f);
  }

 private:
  template <typename Fn>
  Status Fields(od::object obj, const std::string& path, std::initializer_list<Key> keys,
                Seen* seen, Fn&& fn) {
    Seen local;
    if (seen == nullptr) seen = &local;
    for (auto result : obj) {
      od::field field;
      if (std::move(result).get(field)) return Fail(path, "malformed JSON object");
      const char* key_start = field.key().raw();
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail(path, "malformed key");
      od::value v = field.value();
      if (Poisoned(key_start, v.raw_json_token().data()))
        return Fail(path, "invalid UTF-8 in a key");
      const Key* known = nullptr;
      for (const Key& k : keys) {
        if (k.name == key) known = &k;
      }
      if (known == nullptr) return Fail(Child(path, SafeExcerpt(key, 60)), "unknown key");
      if (seen->Has(known->name)) return Fail(Child(path, known->name), "duplicate key");
      seen->Add(known->name);
      TOSGUARD_RETURN_IF_ERROR(fn(known->name, v, Child(path, known->name)));
    }
    for (const Key& k : keys) {
      if (k.required && !seen->Has(k.name)) return Fail(Child(path, k.name), "missing key");
    }
    return Status::Ok();
  }

  template <typename Fn>
  Status Object(od::value v, const std::string& path, std::initializer_list<Key> keys, Seen* seen,
                Fn&& fn) {
    od::object obj;
    if (v.get_object().get(obj)) return Fail(path, "expected an object");
    return Fields(obj, path, keys, seen, fn);
  }

  template <typename Fn>
  Status Array(od::value v, const std::string& path, Fn&& fn) {
    od::array arr;
    if (v.get_array().get(arr)) return Fail(path, "expected an array");
    std::size_t i = 0;
    for (auto result : arr) {
      od::value item;
      if (std::move(result).get(item)) return Fail(Index(path, i), "malformed JSON array");
      TOSGUARD_RETURN_IF_ERROR(fn(item, Index(path, i)));
      ++i;
    }
    return Status::Ok();
  }

  bool Poisoned(const char* begin, const char* end) {
    if (poison_ == std::string_view::npos) return false;
    const auto b = static_cast<std::size_t>(begin - base_);
    const auto e = static_cast<std::size_t>(end - base_);
    if (poison_ < b || poison_ >= e) return false;
    poison_hit_ = true;
    return true;
  }

  Status String(od::value v, const std::string& path, std::string* out) {
    const std::string_view raw = v.raw_json_token();  // before get_string() consumes the value
    if (Poisoned(raw.data(), raw.data() + raw.size())) return Fail(path, "invalid UTF-8");
    std::string_view s;
    if (auto e = v.get_string().get(s); e) {
      return Fail(path, e == simdjson::INCORRECT_TYPE ? "expected a string" : "malformed string");
    }
    if (s.find(kReplacement) == std::string_view::npos) {
      out->assign(s);
    } else {
      *out = RestoreInvalidBytes(s, raw);
    }
    return Status::Ok();
  }

  // JsonWriter writes each byte that is not UTF-8 as the escape \ufffd; such an escape is
  // read back as the invalid byte 0xFF, which the writer turns into \ufffd again, so the
  // JSON round trips exactly. A literal U+FFFD stays U+FFFD.
  static std::string RestoreInvalidBytes(std::string_view decoded, std::string_view raw) {
    std::vector<bool> escaped;  // per U+FFFD of `decoded`, in order
    for (std::size_t i = 1; i < raw.size() && raw[i] != '"';) {
      if (raw[i] == '\\') {
        if (i + 1 < raw.size() && raw[i + 1] == 'u') {
          std::string hex(raw.substr(i + 2, 4));
          for (char& c : hex) c = static_cast<char>(c | 0x20);
          if (hex == "fffd") escaped.push_back(true);
          i += 6;
        } else {
          i += 2;
        }
      } else if (raw.substr(i, 3) == kReplacement) {
        escaped.push_back(false);
        i += 3;
      } else {
        ++i;
      }
    }
    std::string out;
    std::size_t k = 0;
    for (std::size_t i = 0; i < decoded.size();) {
      if (decoded.substr(i, 3) == kReplacement) {
        out += k < escaped.size() && escaped[k] ? std::string_view("\xFF") : kReplacement;
        ++k;
        i += 3;
      } else {
        out += decoded[i++];
      }
    }
    return out;
  }

  static Status Uint(od::value v, const std::string& path, std::uint64_t max, std::uint64_t* out) {
    std::uint64_t n = 0;
    if (v.get_uint64().get(n)) return Fail(path, "expected an unsigned integer");
    if (n > max) return Fail(path, "expected an unsigned integer at most " + std::to_string(max));
    *out = n;
    return Status::Ok();
  }
  template <typename T>
  static Status UintAs(od::value v, const std::string& path, T* out) {
    std::uint64_t n = 0;
    TOSGUARD_RETURN_IF_ERROR(Uint(v, path, std::numeric_limits<T>::max(), &n));
    *out = static_cast<T>(n);
    return Status::Ok();
  }

  static Status Bool(od::value v, const std::string& path, bool* out) {
    if (v.get_bool().get(*out)) return Fail(path, "expected true or false");
    return Status::Ok();
  }

  // A number, or null (JsonWriter's form of NaN and infinities, and of an absent optional).
  static Status NumberOrNull(od::value v, const std::string& path, std::optional<double>* out) {
    od::json_type t{};
    if (v.type().get(t)) return Fail(path, "expected a number or null");
    if (t == od::json_type::null) {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return Fail(path, "expected a number or null");
      out->reset();
      return Status::Ok();
    }
    double d = 0;
    if (t != od::json_type::number || v.get_double().get(d))
      return Fail(path, "expected a number or null");
    *out = d;
    return Status::Ok();
  }

  Status Day(od::value v, const std::string& path, std::int64_t* out) {
    std::string text;
    TOSGUARD_RETURN_IF_ERROR(String(v, path, &text));
    auto ts = ParseDate(text);
    if (!ts || FormatDate(*ts) != text) return Fail(path, "expected a date (YYYY-MM-DD)");
    *out = DayIndex(*ts);
    return Status::Ok();
  }

  Status Time(od::value v, const std::string& path, TimestampUs* out) {
    std::string text;
    TOSGUARD_RETURN_IF_ERROR(String(v, path, &text));
    auto ts = ParseRfc3339(text);
    if (!ts || FormatRfc3339(*ts) != text) {
      return Fail(path, "expected a UTC RFC 3339 time in canonical form (2025-06-01T12:00:00Z)");
    }
    *out = *ts;
    return Status::Ok();
  }

  Status Strings(od::value v, const std::string& path, std::vector<std::string>* out) {
    return Array(v, path, [&](od::value item, const std::string& p) {
      return String(item, p, &out->emplace_back());
    });
  }

  Status LevelName(od::value v, const std::string& path, Outcome* out) {
    std::string name;
    TOSGUARD_RETURN_IF_ERROR(String(v, path, &name));
    auto o = OutcomeFromName(name);
    if (!o)
      return Fail(path,
                  "expected an outcome (violation, review, insufficient_evidence, compliant, "
                  "not_evaluated)");
    *out = *o;
    return Status::Ok();
  }

  Status Value(od::value v, const std::string& path, EvalValueOut* out) {
    Seen seen;
    std::optional<double> number;
    TOSGUARD_RETURN_IF_ERROR(
        Object(v, path, {{"type"}, {"known"}, {"text"}, {"value", false}}, &seen,
               [&](std::string_view key, od::value x, const std::string& p) -> Status {
                 if (key == "type") return String(x, p, &out->type);
                 if (key == "known") return Bool(x, p, &out->known);
                 if (key == "text") return String(x, p, &out->text);
                 return NumberOrNull(x, p, &number);
               }));
    if (!KnownType(out->type)) return Fail(Child(path, "type"), "unknown value type");
    const bool has_value = out->known && out->type == "number";
    if (has_value != seen.Has("value")) {
      return Fail(Child(path, "value"),
                  has_value ? "missing key" : "unexpected key: only known numbers have one");
    }
    if (!out->known) return Status::Ok();
    // The number behind the text, where FindingJson does not write it.
    if (out->type == "number") {
      if (number) {
        out->number = *number;
      } else {
        out->number = out->text == "inf"    ? std::numeric_limits<double>::infinity()
                      : out->text == "-inf" ? -std::numeric_limits<double>::infinity()
                                            : std::numeric_limits<double>::quiet_NaN();
      }
    } else if (out->type == "bool") {
      if (out->text != "true" && out->text != "false")
        return Fail(Child(path, "text"), "expected true or false");
      out->number = out->text == "true" ? 1 : 0;
    } else if (out->type == "timestamp") {
      auto ts = ParseRfc3339(out->text);
      if (!ts) return Fail(Child(path, "text"), "expected an RFC 3339 time");
      out->number = static_cast<double>(*ts);
    } else if (out->type == "duration") {
      auto d = DurationValueText(out->text);
      if (!d) return Fail(Child(path, "text"), "expected a duration (30d, 1.5s)");
      out->number = static_cast<double>(*d);
    }
    return Status::Ok();
  }

  Status Node(od::value v, const std::string& path, ExplainNode* out) {
    Seen seen;
    TOSGUARD_RETURN_IF_ERROR(
        Object(v, path, {{"text"}, {"op"}, {"value"}, {"children", false}}, &seen,
               [&](std::string_view key, od::value x, const std::string& p) -> Status {
                 if (key == "text") return String(x, p, &out->text);
                 if (key == "op") return String(x, p, &out->op);
                 if (key == "value") return Value(x, p, &out->value);
                 return Array(x, p, [&](od::value c, const std::string& cp) {
                   return Node(c, cp, &out->children.emplace_back());
                 });
               }));
    if (seen.Has("children") && out->children.empty()) {
      return Fail(Child(path, "children"), "expected a non-empty array (no children is no key)");
    }
    return Status::Ok();
  }

  Status Ref(od::value v, const std::string& path, std::string* file, SourceRef* ref) {
    return Object(v, path, {{"file"}, {"line"}, {"offset"}, {"length"}}, nullptr,
                  [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "file") return String(x, p, file);
                    if (key == "line") return UintAs(x, p, &ref->line);
                    if (key == "offset") return UintAs(x, p, &ref->offset);
                    return UintAs(x, p, &ref->length);
                  });
  }

  Status MetricItem(od::value v, const std::string& path, Metric* m) {
    return Object(v, path, {{"name"}, {"kind"}, {"value"}}, nullptr,
                  [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "name") return String(x, p, &m->name);
                    if (key == "kind") return String(x, p, &m->kind);
                    return Value(x, p, &m->value);
                  });
  }

  Status Level(od::value v, const std::string& path, LevelExplanation* l) {
    return Object(v, path, {{"level"}, {"condition"}}, nullptr,
                  [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "level") return String(x, p, &l->level);
                    return Node(x, p, &l->condition);
                  });
  }

  Status Link(od::value v, const std::string& path, ClusterLink* l) {
    return Object(v, path, {{"identifier"}, {"value"}, {"accounts"}}, nullptr,
                  [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "identifier") return String(x, p, &l->identifier);
                    if (key == "value") return String(x, p, &l->value);
                    return Strings(x, p, &l->accounts);
                  });
  }

  Status Acceptance(od::value v, const std::string& path, AcceptanceUse* a) {
    return Object(v, path,
                  {{"account_id"},
                   {"policy"},
                   {"version"},
                   {"accepted_at"},
                   {"method"},
                   {"source"},
                   {"record"}},
                  nullptr, [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "account_id") return String(x, p, &a->account_id);
                    if (key == "policy") return String(x, p, &a->policy);
                    if (key == "version") return String(x, p, &a->version);
                    if (key == "accepted_at") return Time(x, p, &a->accepted_at);
                    if (key == "method") return String(x, p, &a->method);
                    if (key == "source") return String(x, p, &a->source);
                    return Ref(x, p, &a->file, &a->ref);
                  });
  }

  Status Waiver(od::value v, const std::string& path, WaiverUse* w) {
    return Object(v, path,
                  {{"id"}, {"rule"}, {"scope"}, {"approver"}, {"basis"}, {"from"}, {"until"}},
                  nullptr, [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "id") return String(x, p, &w->id);
                    if (key == "rule") return String(x, p, &w->rule);
                    if (key == "scope") return String(x, p, &w->scope);
                    if (key == "approver") return String(x, p, &w->approver);
                    if (key == "basis") return String(x, p, &w->basis);
                    if (key == "from") return Time(x, p, &w->from);
                    bool is_null = false;
                    if (x.is_null().get(is_null) == simdjson::SUCCESS && is_null)
                      return Status::Ok();
                    return Time(x, p, &w->until.emplace());
                  });
  }

  Status Detector(od::value v, const std::string& path, DetectorUse* d) {
    return Object(v, path, {{"name"}, {"versions"}, {"threshold"}, {"false_positive_rate"}},
                  nullptr, [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "name") return String(x, p, &d->name);
                    if (key == "versions") return Strings(x, p, &d->versions);
                    if (key == "threshold") return NumberOrNull(x, p, &d->threshold);
                    return NumberOrNull(x, p, &d->false_positive_rate);
                  });
  }

  Status Shown(od::value v, const std::string& path, std::pair<std::string, EvalValueOut>* s) {
    return Object(v, path, {{"expr"}, {"value"}}, nullptr,
                  [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "expr") return String(x, p, &s->first);
                    return Value(x, p, &s->second);
                  });
  }

  Status Evidence(od::value v, const std::string& path, EvidenceItem* e) {
    return Object(v, path,
                  {{"event_id"},
                   {"ts"},
                   {"account_id"},
                   {"source"},
                   {"file_sha256"},
                   {"line_sha256"},
                   {"sort_key"},
                   {"shown"}},
                  nullptr, [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "event_id") return String(x, p, &e->event_id);
                    if (key == "ts") return Time(x, p, &e->ts);
                    if (key == "account_id") return String(x, p, &e->account_id);
                    if (key == "source") return Ref(x, p, &e->file, &e->ref);
                    if (key == "file_sha256") return String(x, p, &e->file_sha256);
                    if (key == "line_sha256") return String(x, p, &e->line_sha256);
                    if (key == "sort_key") return Value(x, p, &e->sort_key);
                    return Array(x, p, [&](od::value item, const std::string& ip) {
                      return Shown(item, ip, &e->shown.emplace_back());
                    });
                  });
  }

  Status Timeline(od::value v, const std::string& path, TimelineDay* t) {
    return Object(v, path, {{"day"}, {"events"}, {"outcome"}}, nullptr,
                  [&](std::string_view key, od::value x, const std::string& p) -> Status {
                    if (key == "day") return Day(x, p, &t->day);
                    if (key == "events") return UintAs(x, p, &t->events);
                    return LevelName(x, p, &t->outcome);
                  });
  }

  template <typename T, typename Fn>
  Status List(od::value v, const std::string& path, std::vector<T>* out, Fn item) {
    return Array(v, path, [&](od::value x, const std::string& p) {
      return (this->*item)(x, p, &out->emplace_back());
    });
  }

  Status FindingFields(od::object obj, Finding* f) {
    Seen seen;
    Status st = Fields(
        obj, "",
        {{"id"},
         {"rule"},
         {"scope"},
         {"level"},
         {"first_day"},
         {"last_day"},
         {"peak_day"},
         {"days"},
         {"window"},
         {"metrics"},
         {"explanation"},
         {"accounts"},
         {"cluster_members", false},
         {"links", false},
         {"acceptances"},
         {"waivers"},
         {"detectors"},
         {"evidence_total"},
         {"sample_method"},
         {"evidence"},
         {"timeline"}},
        &seen, [&](std::string_view key, od::value x, const std::string& p) -> Status {
          if (key == "id") return String(x, p, &f->id);
          if (key == "rule") return String(x, p, &f->rule_id);
          if (key == "scope") {
            return Object(x, p, {{"kind"}, {"value"}}, nullptr,
                          [&](std::string_view k, od::value y, const std::string& q) -> Status {
                            return String(y, q, k == "kind" ? &f->scope_kind : &f->scope_value);
                          });
          }
          if (key == "level") return LevelName(x, p, &f->level);
          if (key == "first_day") return Day(x, p, &f->first_day);
          if (key == "last_day") return Day(x, p, &f->last_day);
          if (key == "peak_day") return Day(x, p, &f->peak_day);
          if (key == "days") return UintAs(x, p, &f->days);
          if (key == "window") {
            std::string text;
            TOSGUARD_RETURN_IF_ERROR(String(x, p, &text));
            auto d = ParseCanonicalDuration(text);
            if (!d) return Fail(p, "expected a duration in canonical form (30d, 12h)");
            f->window = *d;
            return Status::Ok();
          }
          if (key == "metrics") return List(x, p, &f->metrics, &Reader::MetricItem);
          if (key == "explanation") return List(x, p, &f->explanation, &Reader::Level);
          if (key == "accounts") return Strings(x, p, &f->accounts);
          if (key == "cluster_members") return Strings(x, p, &f->cluster_members);
          if (key == "links") return List(x, p, &f->links, &Reader::Link);
          if (key == "acceptances") return List(x, p, &f->acceptances, &Reader::Acceptance);
          if (key == "waivers") return List(x, p, &f->waivers, &Reader::Waiver);
          if (key == "detectors") return List(x, p, &f->detectors, &Reader::Detector);
          if (key == "evidence_total") return UintAs(x, p, &f->evidence_total);
          if (key == "sample_method") return String(x, p, &f->sample_method);
          if (key == "evidence") return List(x, p, &f->evidence, &Reader::Evidence);
          return List(x, p, &f->timeline, &Reader::Timeline);
        });
    if (!st.ok()) return st;
    // FindingJson writes a cluster's members and links, and only a cluster's.
    const bool cluster = f->scope_kind == "cluster";
    for (std::string_view key : {"cluster_members", "links"}) {
      if (cluster && !seen.Has(key)) return Fail(std::string(key), "missing key");
      if (!cluster && seen.Has(key))
        return Fail(std::string(key), "unexpected key: only a cluster scope has it");
    }
    return Status::Ok();
  }

  const char* base_;
  std::size_t poison_;
  bool poison_hit_ = false;
};

// The deepest nesting of arrays and objects in `json`, brackets in strings aside. As in
// simdjson's scan, a backslash escapes the next byte inside strings and out.
std::size_t NestingDepth(std::string_view json) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '\\') {
      ++i;
    } else if (in_string) {
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// The offset of the first byte of `bytes` that is not part of valid UTF-8, or npos.
std::size_t FirstInvalidUtf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = (c & 0xE0) == 0xC0   ? 2
                          : (c & 0xF0) == 0xE0 ? 3
                          : (c & 0xF8) == 0xF0 ? 4
                                               : 0;
    if (n == 0 || i + n > bytes.size() || !IsValidUtf8(bytes.substr(i, n))) return i;
    i += n;
  }
  return std::string_view::npos;
}

Result<Finding> Parse(const simdjson::padded_string& text, std::size_t poison) {
  od::parser parser;
  od::document doc;
  Reader reader(text.data(), poison);
  Finding f;
  Status st;
  if (auto e = parser.iterate(text).get(doc); e) {
    st = Fail("", std::string("malformed JSON: ") + simdjson::error_message(e));
  } else {
    st = reader.Root(doc, &f);
  }
  if (st.ok()) {
    const char* rest = nullptr;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
      st = Fail("", "trailing content after the finding");
    }
  }
  // Whatever else failed, a byte that is not UTF-8 is the problem to name.
  if (poison != std::string_view::npos && !reader.poison_hit()) {
    return Fail("", "invalid UTF-8 at byte " + std::to_string(poison));
  }
  if (!st.ok()) return st;
  return f;
}

}  // namespace

Result<Finding> ParseFindingJson(std::string_view json) {
  if (NestingDepth(json) > kMaxJsonDepth) {
    return Fail("", "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  const std::size_t bad = FirstInvalidUtf8(json);
  if (bad == std::string_view::npos) return Parse(simdjson::padded_string(json), bad);
  // Read a copy with '?' for every byte that is not UTF-8, only to name where the first is.
  std::string copy(json);
  for (std::size_t i = bad; i != std::string_view::npos;) {
    copy[i] = '?';
    const std::size_t next = FirstInvalidUtf8(std::string_view(copy).substr(i + 1));
    i = next == std::string_view::npos ? next : i + 1 + next;
  }
  Result<Finding> r = Parse(simdjson::padded_string(copy), bad);
  if (r.ok()) return Fail("", "invalid UTF-8 at byte " + std::to_string(bad));
  return r;
}

}  // namespace tosguard::engine
