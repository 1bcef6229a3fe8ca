#include "audit/report.h"

#include <algorithm>
#include <set>

#include "audit/encoding.h"
#include "audit/merkle.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "base/utf8.h"
#include "engine/eval/finding.h"
#include "engine/ingest/input_file.h"

namespace tosguard::audit {
namespace {

// "2025-03-03" -> "3 March 2025".
std::string LongDate(const std::string& day) {
  static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  if (day.size() != 10) return day;
  const int month = std::stoi(day.substr(5, 2));
  const int dom = std::stoi(day.substr(8, 2));
  if (month < 1 || month > 12) return day;
  return std::to_string(dom) + " " + kMonths[month - 1] + " " + day.substr(0, 4);
}

std::string Day(std::int64_t d) { return FormatDate(DayStart(d)); }

std::string Thousands(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string LevelPhrase(const std::string& level) {
  if (level == "violation") return "violation";
  if (level == "review") return "review";
  return "insufficient evidence";
}

bool IsComparison(const std::string& op) {
  return op == ">=" || op == ">" || op == "<=" || op == "<" || op == "==" || op == "!=" ||
         op == "has" || op == "in" || op == "matches";
}

struct Fact {
  std::string level;
  bool fired = false;
  std::string condition, value, threshold, held;
};

void CollectFacts(const engine::ExplainNode& n, const std::string& level, bool fired,
                  std::vector<Fact>* out) {
  if (IsComparison(n.op) && n.children.size() == 2) {
    out->push_back(
        {level, fired, n.text, n.children[0].value.text, n.children[1].value.text, n.value.text});
    return;
  }
  if (n.op == "and" || n.op == "or" || n.op == "not") {
    for (const auto& c : n.children) CollectFacts(c, level, fired, out);
    return;
  }
  out->push_back({level, fired, n.text, n.value.text, "", n.value.text});
}

class Builder {
 public:
  Builder(const FindingDossier& d, const engine::Finding& f, const RuleMeta& meta,
          const KeyedHasher& hasher, const ReportOptions& o)
      : d_(d), f_(f), meta_(meta), hasher_(hasher), o_(o) {}

  // An identifier as the report shows it: its pseudonym (revealed beside it on request).
  std::string Id(const std::string& id) {
    std::string p = Pseudonym(hasher_, id);
    if (o_.reveal) revealed_.emplace(p, id);
    return p;
  }

  std::string ScopePhrase() {
    const std::string s = Id(f_.scope_value);
    if (f_.scope_kind == "cluster") {
      return "the " + std::to_string(f_.cluster_members.size()) + " linked accounts of cluster " +
             s;
    }
    if (f_.scope_kind == "org") return "organisation " + s;
    if (f_.scope_kind == "api_key") return "API key " + s;
    return "account " + s;
  }

  std::vector<std::string> Narrative(const std::vector<Fact>& facts) {
    std::vector<std::string> out;
    const std::string level = engine::OutcomeName(f_.level);
    std::string p1 = "Between " + LongDate(Day(f_.first_day)) + " and " +
                     LongDate(Day(f_.last_day)) + " (" + std::to_string(f_.days) +
                     (f_.days == 1 ? " day" : " days") + "), " + ScopePhrase() + " met the " +
                     LevelPhrase(level) + " level of rule " + f_.rule_id;
    if (!meta_.title.empty()) p1 += " (\"" + meta_.title + "\")";
    p1 += ". At the peak, in the " + FormatDuration(f_.window) + " window ending " +
          LongDate(Day(f_.peak_day)) + ", " + Thousands(f_.evidence_total) +
          " requests counted for the rule";
    if (f_.accounts.size() > 1) p1 += ", from " + std::to_string(f_.accounts.size()) + " accounts";
    p1 += ".";
    out.push_back(p1);
    std::vector<std::string> parts;
    for (const Fact& fact : facts) {
      if (!fact.fired) continue;
      if (fact.threshold.empty()) {
        parts.push_back(fact.condition + " was " + fact.value);
      } else {
        parts.push_back(fact.condition.substr(0, fact.condition.find(' ')) + " was " + fact.value +
                        " against a threshold of " + fact.threshold + " (" + fact.condition + ": " +
                        fact.held + ")");
      }
    }
    if (!parts.empty()) {
      std::string p2 = f_.level == engine::Outcome::kInsufficient
                           ? "The decision depended on values that were unknown: "
                           : "The " + LevelPhrase(level) + " condition held: ";
      for (std::size_t i = 0; i < parts.size(); ++i) p2 += (i ? "; " : "") + parts[i];
      p2 += ".";
      if (f_.level == engine::Outcome::kInsufficient) {
        p2 +=
            " tosguard reports insufficient evidence rather than compliance when a decision hinges "
            "on an "
            "unknown value.";
      }
      out.push_back(p2);
    }
    if (meta_.clause) {
      const RuleClause& c = *meta_.clause;
      std::string p3 = "The rule enforces section " + c.section + " of " +
                       (c.policy_title.empty() ? c.policy : c.policy_title) + " (in versions ";
      for (std::size_t i = 0; i < c.versions.size(); ++i) p3 += (i ? ", " : "") + c.versions[i];
      p3 += "). Only requests made while the account was bound by such a version were counted";
      if (!f_.acceptances.empty()) {
        p3 += "; the acceptance records that bound the accounts are listed with the clause";
      }
      p3 += ".";
      out.push_back(p3);
    }
    std::string p4 =
        std::to_string(f_.evidence.size()) + " of the " + Thousands(f_.evidence_total) +
        " counted requests of the peak window are cited (" + f_.sample_method +
        "). Each is identified by its file, byte offset and the SHA-256 of its line, so it can be "
        "re-read from the original logs and checked.";
    out.push_back(p4);
    if (!f_.waivers.empty()) {
      out.push_back(std::to_string(f_.waivers.size()) +
                    " governed waiver(s) applied to the scope during the period; the requests they "
                    "covered were "
                    "not counted.");
    }
    return out;
  }

  Result<std::string> Build(Store& store) {
    auto checkpoint = store.LatestCheckpoint();
    if (!checkpoint.ok()) return checkpoint.status();
    if (!*checkpoint) return Status::FailedPrecondition("the store has no signed checkpoint");
    auto tree = store.Tree();
    if (!tree.ok()) return tree.status();
    const StoredCheckpoint& cp = **checkpoint;
    if (cp.checkpoint.tree_size != tree->size()) {
      return Status::Corruption(
          "the store's log has leaves after its last checkpoint (run tosguard verify)");
    }
    auto leaves = store.Leaves();
    if (!leaves.ok()) return leaves.status();

    std::vector<Fact> facts;
    for (const auto& level : f_.explanation) {
      CollectFacts(level.condition, level.level, level.level == engine::OutcomeName(f_.level),
                   &facts);
    }
    const FindingRow& row = d_.summary.row;
    JsonWriter w;
    w.BeginObject();
    w.Key("schema").String(kReportSchema);
    w.Key("generated_at").String(FormatRfc3339(o_.generated_at));
    w.Key("tool")
        .BeginObject()
        .Key("name")
        .String("tosguard")
        .Key("version")
        .String(o_.tool_version);
    w.Key("revision").String(o_.revision).EndObject();
    w.Key("examiner").String(o_.examiner);
    w.Key("options")
        .BeginObject()
        .Key("pseudonymised")
        .Bool(!o_.reveal)
        .Key("include_text")
        .Bool(o_.include_text);
    w.EndObject();

    w.Key("case").BeginObject();
    w.Key("finding").String(f_.id).Key("revision").Int(row.revision).Key("rule").String(f_.rule_id);
    w.Key("title").String(meta_.title).Key("severity").String(meta_.severity);
    w.Key("tags").BeginArray();
    for (const auto& t : meta_.tags) w.String(t);
    w.EndArray();
    w.Key("scope_kind").String(f_.scope_kind).Key("scope").String(Id(f_.scope_value));
    w.Key("level").String(engine::OutcomeName(f_.level));
    w.Key("first")
        .String(Day(f_.first_day))
        .Key("last")
        .String(Day(f_.last_day))
        .Key("peak")
        .String(Day(f_.peak_day));
    w.Key("days").Uint(f_.days).Key("window").String(FormatDuration(f_.window));
    w.Key("status").String(d_.summary.status);
    w.EndObject();

    w.Key("clause");
    if (meta_.clause) {
      const RuleClause& c = *meta_.clause;
      w.BeginObject().Key("policy").String(c.policy).Key("policy_title").String(c.policy_title);
      w.Key("section").String(c.section).Key("since").String(c.since).Key("until");
      if (c.until.empty()) {
        w.Null();
      } else {
        w.String(c.until);
      }
      w.Key("versions").BeginArray();
      for (const auto& v : c.versions) w.String(v);
      w.EndArray();
      w.Key("text").String(c.text).Key("text_sha256").String(ToHex(Sha256::Of(c.text)));
      w.EndObject();
    } else {
      w.Null();
    }

    w.Key("acceptances").BeginArray();
    for (const auto& a : f_.acceptances) {
      w.BeginObject().Key("account").String(Id(a.account_id)).Key("policy").String(a.policy);
      w.Key("version").String(a.version).Key("accepted_at").String(FormatRfc3339(a.accepted_at));
      w.Key("method").String(a.method).Key("source").String(a.source).Key("file").String(a.file);
      w.Key("offset").Uint(a.ref.offset).Key("length").Uint(a.ref.length).EndObject();
    }
    w.EndArray();

    w.Key("narrative").BeginArray();
    for (const auto& p : Narrative(facts)) w.String(p);
    w.EndArray();

    w.Key("facts").BeginArray();
    for (const Fact& fact : facts) {
      w.BeginObject().Key("level").String(fact.level).Key("fired").Bool(fact.fired);
      w.Key("condition").String(fact.condition).Key("value").String(fact.value);
      w.Key("threshold").String(fact.threshold).Key("held").String(fact.held).EndObject();
    }
    w.EndArray();

    w.Key("metrics").BeginArray();
    for (const auto& m : f_.metrics) {
      w.BeginObject().Key("name").String(m.name).Key("kind").String(m.kind).Key("type").String(
          m.value.type);
      w.Key("value").String(m.value.text).EndObject();
    }
    w.EndArray();

    w.Key("detectors").BeginArray();
    for (const auto& det : f_.detectors) {
      w.BeginObject().Key("name").String(det.name);
      auto desc = o_.detector_descriptions.find(det.name);
      w.Key("description").String(desc == o_.detector_descriptions.end() ? "" : desc->second);
      w.Key("versions").BeginArray();
      for (const auto& v : det.versions) w.String(v);
      w.EndArray();
      w.Key("threshold");
      if (det.threshold) {
        w.Double(*det.threshold);
      } else {
        w.Null();
      }
      w.Key("false_positive_rate");
      if (det.false_positive_rate) {
        w.Double(*det.false_positive_rate);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();

    w.Key("accounts").BeginObject();
    w.Key("involved").BeginArray();
    for (const auto& a : f_.accounts) w.String(Id(a));
    w.EndArray();
    w.Key("members").BeginArray();
    for (const auto& a : f_.cluster_members) w.String(Id(a));
    w.EndArray();
    w.Key("links").BeginArray();
    for (const auto& l : f_.links) {
      w.BeginObject().Key("identifier").String(l.identifier).Key("value").String(Id(l.value));
      w.Key("accounts").BeginArray();
      for (const auto& a : l.accounts) w.String(Id(a));
      w.EndArray().EndObject();
    }
    w.EndArray();
    w.EndObject();

    w.Key("timeline").BeginArray();
    for (const auto& t : f_.timeline) {
      w.BeginObject().Key("day").String(Day(t.day)).Key("events").Uint(t.events);
      w.Key("outcome").String(engine::OutcomeName(t.outcome)).EndObject();
    }
    w.EndArray();

    // The cited lines, re-read (and re-hashed) only when their text is to be quoted.
    std::vector<std::string> excerpts(f_.evidence.size());
    if (o_.include_text) {
      for (std::size_t i = 0; i < f_.evidence.size(); ++i) {
        const auto& e = f_.evidence[i];
        auto expected = HexDecode(e.line_sha256);
        Digest want{};
        if (expected && expected->size() == 32)
          std::copy(expected->begin(), expected->end(), want.begin());
        // Below the configuration's directory, or absolute (engine::DisplayPath).
        const std::string path = !e.file.empty() && e.file[0] == '/' ? e.file : o_.logs_dir + "/" + e.file;
        auto line = engine::ReadCitedLine(path, e.ref, &want);
        if (!line.ok()) return line.status();
        excerpts[i] = SafeExcerpt(line->bytes, o_.excerpt_bytes);
      }
    }
    w.Key("evidence").BeginObject();
    w.Key("total").Uint(f_.evidence_total).Key("shown").Uint(f_.evidence.size());
    w.Key("method").String(f_.sample_method);
    w.Key("items").BeginArray();
    for (std::size_t i = 0; i < f_.evidence.size(); ++i) {
      const auto& e = f_.evidence[i];
      w.BeginObject().Key("n").Uint(i + 1).Key("event").String(Id(e.event_id));
      w.Key("time").String(FormatRfc3339(e.ts)).Key("account").String(Id(e.account_id));
      w.Key("file").String(e.file).Key("file_sha256").String(e.file_sha256);
      w.Key("offset").Uint(e.ref.offset).Key("length").Uint(e.ref.length);
      w.Key("line_sha256").String(e.line_sha256).Key("sort_key").String(e.sort_key.text);
      w.Key("shown").BeginArray();
      for (const auto& [name, value] : e.shown) {
        const bool hidden = value.type == "string" && value.known && !o_.include_text;
        w.BeginObject().Key("name").String(name).Key("value");
        if (hidden) {
          w.Null();
        } else {
          w.String(value.text);
        }
        w.Key("hidden").Bool(hidden).EndObject();
      }
      w.EndArray();
      w.Key("excerpt");
      if (o_.include_text) {
        w.String(excerpts[i]);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    w.Key("waivers").BeginArray();
    for (const auto& x : f_.waivers) {
      std::string scope = x.scope;
      if (auto colon = scope.find(':'); colon != std::string::npos) {
        scope = scope.substr(0, colon + 1) + Id(scope.substr(colon + 1));
      }
      w.BeginObject().Key("id").String(x.id).Key("rule").String(x.rule).Key("scope").String(scope);
      w.Key("approver")
          .String(x.approver)
          .Key("basis")
          .String(x.basis)
          .Key("from")
          .String(FormatRfc3339(x.from));
      w.Key("until");
      if (x.until) {
        w.String(FormatRfc3339(*x.until));
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();
    w.Key("exemption");
    if (meta_.exemptions.empty()) {
      w.Null();
    } else {
      std::string text;
      for (std::size_t i = 0; i < meta_.exemptions.size(); ++i)
        text += (i ? " or " : "") + meta_.exemptions[i];
      w.String(text);
    }

    w.Key("methodology").BeginArray();
    for (const auto& p : Methodology()) w.String(p);
    w.EndArray();
    w.Key("limitations").BeginArray();
    for (const auto& p : Limitations()) w.String(p);
    w.EndArray();

    w.Key("reviews").BeginArray();
    for (const auto& r : d_.reviews) {
      w.BeginObject();
      WriteReviewFields(w, r);
      w.EndObject();
    }
    w.EndArray();
    w.Key("custody").BeginArray();
    for (const auto& c : d_.custody) {
      w.BeginObject();
      WriteCustodyFields(w, c);
      w.EndObject();
    }
    w.EndArray();

    w.Key("reproduce").BeginObject();
    w.Key("run").String(d_.run.run_id).Key("command").String(d_.run.command);
    if (!d_.run.by.empty()) w.Key("by").String(d_.run.by);  // runs of older stores name nobody
    w.Key("config_sha256")
        .String(d_.run.config_sha256)
        .Key("rules_sha256")
        .String(d_.run.rules_sha256);
    w.Key("rules").BeginArray();
    std::set<std::string> files;
    for (const auto& r : d_.run.rules) {
      if (!files.insert(r.file).second) continue;
      w.BeginObject().Key("file").String(r.file).Key("sha256").String(r.file_sha256).EndObject();
    }
    w.EndArray();
    w.Key("inputs").BeginArray();
    for (const auto& i : d_.run.inputs) {
      w.BeginObject().Key("file").String(i.file).Key("sha256").String(i.sha256).Key("lines").Uint(
          i.lines);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();

    w.Key("revealed").BeginObject();
    for (const auto& [p, real] : revealed_) w.Key(p).String(real);
    w.EndObject();

    // Integrity: the records of this finding and the proof that each is in the signed log.
    std::vector<std::pair<std::string, std::int64_t>> cited = {{"run", d_.run.leaf},
                                                               {"finding", row.leaf}};
    for (const auto& e : d_.evidence) cited.emplace_back("evidence", e.leaf);
    for (const auto& r : d_.reviews) cited.emplace_back("review", r.leaf);
    for (const auto& c : d_.custody) cited.emplace_back("custody", c.leaf);
    for (const auto& x : d_.withdrawals) cited.emplace_back("withdrawal", x.leaf);
    w.Key("integrity").BeginObject();
    w.Key("origin").String(cp.checkpoint.origin);
    w.Key("checkpoint").BeginObject();
    w.Key("tree_size").Uint(cp.checkpoint.tree_size).Key("root").String(ToHex(cp.checkpoint.root));
    w.Key("time").String(FormatRfc3339(cp.checkpoint.time)).Key("text").String(cp.text);
    w.Key("signature").String(Base64Encode(cp.signature)).Key("key_id").String(cp.key_id);
    w.Key("public_key").String(Base64Encode(cp.public_key));
    w.EndObject();
    w.Key("leaves").BeginArray();
    for (const auto& [kind, index] : cited) {
      if (index < 0 || static_cast<std::uint64_t>(index) >= tree->size()) {
        return Status::Corruption("finding " + f_.id + " cites leaf " + std::to_string(index) +
                                  ", which the log does not have (run tosguard verify)");
      }
      const LeafRow& leaf = (*leaves)[static_cast<std::size_t>(index)];
      auto proof = tree->InclusionProof(static_cast<std::uint64_t>(index), tree->size());
      if (!proof.ok()) return proof.status();
      w.BeginObject().Key("kind").String(kind).Key("index").Int(index).Key("record").String(
          leaf.record);
      w.Key("leaf_hash").String(ToHex(tree->leaf(static_cast<std::uint64_t>(index))));
      w.Key("proof").BeginArray();
      for (const Digest& h : *proof) w.String(ToHex(h));
      w.EndArray().EndObject();
    }
    w.EndArray();
    w.EndObject();
    w.EndObject();
    std::string out = w.Take();
    out += '\n';
    return out;
  }

 private:
  std::vector<std::string> Methodology() const {
    std::vector<std::string> m;
    m.push_back("The rule is evaluated at the end of each UTC day of the audited period (" +
                d_.run.from_day + " to " + d_.run.to_day + "), over the requests of its " +
                FormatDuration(f_.window) +
                " window: those with a time t in (end of day - window, end of day]. A finding is a "
                "maximal run of "
                "consecutive days on which the same level held for the same " +
                f_.scope_kind + ".");
    m.push_back(
        "A request counts only if, at its own time, its account had accepted a version of the "
        "policy that "
        "was in force and contains the cited clause; exempted accounts (the rule's unless "
        "conditions) and "
        "requests covered by a governed waiver do not count.");
    if (f_.scope_kind == "cluster") {
      m.push_back(
          "Accounts are linked into a cluster when they share an identifier named in the "
          "configuration "
          "(union-find over accounts and requests); each link is listed with the identifier and "
          "its "
          "(pseudonymised) value.");
    }
    m.push_back(
        "Detector signals join a request by its event id, otherwise the account's latest signal at "
        "or "
        "before the request; their versions and calibration are listed as recorded.");
    m.push_back(
        "A decision that depends on a value that is unknown gives insufficient evidence, never "
        "compliance.");
    m.push_back(
        "The evidence sample is deterministic: " + f_.sample_method +
        ". The same inputs, rules and tool version give the same finding and the same sample.");
    return m;
  }

  std::vector<std::string> Limitations() const {
    std::vector<std::string> l;
    l.push_back(
        "A finding is evidence for review, not a legal conclusion: it states that the logged "
        "activity "
        "met the rule's thresholds, as the rule's author wrote them.");
    l.push_back(
        "The findings are only as complete as the logs: requests missing from the inputs, and "
        "lines "
        "quarantined as malformed (counted in the run record), were not evaluated.");
    if (!f_.detectors.empty()) {
      l.push_back(
          "Detector scores are probabilistic; the false-positive rates listed are those measured "
          "by the "
          "detector's owners at the stated thresholds, not by this tool.");
    }
    if (f_.scope_kind == "cluster") {
      l.push_back(
          "Shared identifiers can link unrelated people (a shared network address, a family "
          "payment "
          "method); values shared by too many accounts link nobody, but each link should be "
          "reviewed.");
    }
    l.push_back(
        "Aggregates such as count(...) and share(...) treat a request whose tested value is "
        "unknown as not "
        "matching; a rule can therefore understate activity when fields are missing from the "
        "logs.");
    l.push_back(
        "Identifiers are pseudonymised with a keyed hash; only the holder of the key can link a "
        "pseudonym to an account.");
    return l;
  }

  const FindingDossier& d_;
  const engine::Finding& f_;
  const RuleMeta& meta_;
  const KeyedHasher& hasher_;
  const ReportOptions& o_;
  std::map<std::string, std::string> revealed_;
};

}  // namespace

Result<std::string> BuildReportJson(Store& store, const FindingDossier& dossier,
                                    const KeyedHasher& hasher, const ReportOptions& options) {
  auto finding = engine::ParseFindingJson(dossier.summary.row.body);
  if (!finding.ok()) {
    return Status::Corruption("finding " + dossier.summary.row.finding_id +
                              ": its stored JSON cannot be read: " + finding.status().message());
  }
  RuleMeta meta;
  for (const RuleRow& r : dossier.run.rules) {
    if (r.rule_id != finding->rule_id) continue;
    auto parsed = ParseRuleMeta(r.meta);
    if (!parsed.ok())
      return Status::Corruption("rule " + r.rule_id + ": " + parsed.status().message());
    meta = std::move(*parsed);
  }
  Builder b(dossier, *finding, meta, hasher, options);
  return b.Build(store);
}

}  // namespace tosguard::audit
