// The report as GitHub-flavoured Markdown: the sections of the HTML page, tables where
// the content is tabular, every string escaped to literal text.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "audit/render/render.h"
#include "audit/render/report.h"
#include "audit/render/text.h"

namespace tosguard::audit {
namespace {

using render::GroupDigits;
using render::Newlines;
using render::Report;

// Block text (paragraphs): newlines are hard line breaks.
std::string B(std::string_view s) { return render::Markdown(s, Newlines::kKeep); }
// One-line text (table cells, headings, list items): newlines are shown as "\n".
std::string I(std::string_view s) { return render::Markdown(s, Newlines::kEscape); }

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

// Width of the bar of `events` in a timeline whose largest day has `max` events.
std::size_t BarWidth(std::uint64_t events, std::uint64_t max) {
  constexpr double kMaxBar = 40;
  if (events == 0 || max == 0) return 0;
  const double w = std::round(kMaxBar * static_cast<double>(events) / static_cast<double>(max));
  return std::max<std::size_t>(1, static_cast<std::size_t>(w));
}

class MarkdownDoc {
 public:
  explicit MarkdownDoc(const Report& r) : r_(r) {}

  std::string Render() {
    CaseHeader();
    Narrative();
    Clause();
    Facts();
    Metrics();
    Detectors();
    Accounts();
    Timeline();
    Evidence();
    Waivers();
    Paragraphs("methodology", r_.methodology, "No methodology is stated.");
    Paragraphs("limitations", r_.limitations, "No limitations are stated.");
    Reviews();
    Custody();
    Reproduce();
    Integrity();
    Line("---");
    Line();
    Line(B("Rendered from a report of schema " + std::string(render::kReportSchema) +
           ". Text from logs and configurations is shown as text: control characters appear "
           "as \\xNN, bidirectional and other invisible formatting characters as \\uNNNN."));
    return std::move(out_);
  }

 private:
  void Line(std::string_view s = {}) {
    out_ += s;
    out_ += '\n';
  }
  // A paragraph of our own words (already Markdown) followed by a blank line.
  void Para(std::string_view s) {
    Line(s);
    Line();
  }
  void None(std::string_view sentence) { Para("*" + I(sentence) + "*"); }

  // An identifier: the real value with its pseudonym beside it when revealed.
  std::string Id(std::string_view id) const {
    if (const std::string* real = r_.Revealed(id)) {
      return I(*real) + " (pseudonym " + I(id) + ")";
    }
    return I(id);
  }
  std::string Ids(const std::vector<std::string>& ids) const {
    std::vector<std::string> out;
    for (const auto& id : ids) out.push_back(Id(id));
    return Join(out, ", ");
  }
  static std::string Plain(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& s : items) out.push_back(I(s));
    return Join(out, ", ");
  }
  static std::string Span(const render::SourceSpan& s) {
    return I(s.file) + "\\:" + std::to_string(s.offset) + "\\+" + std::to_string(s.length);
  }

  void Section(std::string_view id) {
    const std::size_t number = render::SectionNumber(id);
    Para("## " + std::to_string(number) + "\\. " + I(render::kSections[number - 1].title));
  }

  // Table rows take cells that are already Markdown.
  void Header(std::initializer_list<std::string_view> columns) {
    std::string head = "|", rule = "|";
    for (auto c : columns) {
      head += " " + I(c) + " |";
      rule += " --- |";
    }
    Line(head);
    Line(rule);
  }
  void Row(std::initializer_list<std::string> cells) {
    std::string row = "|";
    for (const auto& c : cells) row += " " + c + " |";
    Line(row);
  }
  void EndTable() { Line(); }
  // A two-column table of labelled values.
  void Field(std::string_view label, std::string value) { Row({"**" + I(label) + "**", value}); }

  void CaseHeader() {
    const auto& c = r_.case_;
    Para("# Evidence report: finding " + I(c.finding));
    if (!c.title.empty()) Para("**" + I(c.title) + "**");  // "****" would be a rule
    Header({"Field", "Value"});
    Field("Finding", I(c.finding + " (revision " + std::to_string(c.revision) + ")"));
    Field("Rule", I(c.rule + ": " + c.title));
    Field("Severity", I(c.severity));
    Field("Level", I(c.level));
    if (!c.tags.empty()) Field("Tags", Plain(c.tags));
    Field("Scope", I(c.scope_kind) + " " + Id(c.scope));
    Field("Period", I(c.first + " to " + c.last + " (" + std::to_string(c.days) +
                      (c.days == 1 ? " day" : " days") + ", window " + c.window + ")"));
    Field("Peak day", I(c.peak));
    Field("Status", I(c.status));
    if (r_.reviews.empty()) {
      Field("Review", "*not reviewed*");
    } else {
      const auto& last = r_.reviews.back();
      std::string review = "**" + I(last.decision) + "** " + I("by " + last.by + " at " + last.at);
      if (r_.reviews.size() > 1) {
        review += I(" (latest of " + std::to_string(r_.reviews.size()) + " decisions, see §" +
                    std::to_string(render::SectionNumber("reviews")) + ")");
      }
      Field("Review", review);
    }
    Field("Tool", I(r_.tool.name + " " + r_.tool.version + " (revision " + r_.tool.revision + ")"));
    Field("Generated at", I(r_.generated_at));
    Field("Examiner", I(r_.examiner));
    Field("Identifiers",
          I(r_.options.pseudonymised ? "pseudonymised"
                                     : "revealed (" + std::to_string(r_.revealed.size()) +
                                           " shown with their pseudonyms)"));
    Field("Log text",
          I(r_.options.include_text ? "excerpts included" : "not included (values hidden)"));
    EndTable();
  }

  void Narrative() {
    Section("narrative");
    if (r_.narrative.empty()) None("The report has no narrative.");
    for (const auto& p : r_.narrative) Para(B(p));
  }

  void Clause() {
    Section("clause");
    if (!r_.clause) {
      None("The rule cites no clause of the terms.");
    } else {
      const auto& cl = *r_.clause;
      Header({"Field", "Value"});
      Field("Policy", I(cl.policy_title + " (" + cl.policy + ")"));
      Field("Section", I(cl.section));
      Field("In force",
            I("from " + cl.since) + (cl.until ? I(" until " + *cl.until) : ", *with no end date*"));
      Field("Versions", cl.versions.empty() ? "*none listed*" : Plain(cl.versions));
      EndTable();
      Para("Clause text:");
      Para(B(cl.text));
      Para("SHA-256 of the clause text: " + I(cl.text_sha256));
    }
    Para("### Acceptance records");
    if (r_.acceptances.empty()) return None("The report holds no acceptance record.");
    Header({"Account", "Policy", "Version", "Accepted at", "Method", "Source", "Record"});
    for (const auto& a : r_.acceptances) {
      Row({Id(a.account), I(a.policy), I(a.version), I(a.accepted_at), I(a.method), I(a.source),
           Span(a.record)});
    }
    EndTable();
  }

  void Facts() {
    Section("facts");
    if (r_.facts.empty()) return None("The report states no facts.");
    Para("Rows of the level that fired are marked ▶ and set in bold.");
    Header({"Level", "Condition", "Value", "Threshold", "Held"});
    for (const auto& f : r_.facts) {
      if (f.fired) {
        Row({"**▶ " + I(f.level) + " (fired)**", "**" + I(f.condition) + "**",
             "**" + I(f.value) + "**", "**" + I(f.threshold) + "**", "**" + I(f.held) + "**"});
      } else {
        Row({I(f.level), I(f.condition), I(f.value), I(f.threshold), I(f.held)});
      }
    }
    EndTable();
  }

  void Metrics() {
    Section("metrics");
    if (r_.metrics.empty()) return None("The report lists no metrics.");
    Header({"Name", "Kind", "Type", "Value"});
    for (const auto& m : r_.metrics) Row({I(m.name), I(m.kind), I(m.type), I(m.value)});
    EndTable();
  }

  void Detectors() {
    Section("detectors");
    if (r_.detectors.empty()) return None("The rule uses no detector signal.");
    Header({"Detector", "Description", "Versions seen", "Threshold", "False-positive rate"});
    for (const auto& d : r_.detectors) {
      auto number = [](const std::optional<render::Number>& n) {
        return n ? I(n->text) : std::string("*not configured*");
      };
      Row({I(d.name), I(d.description), d.versions.empty() ? "*none*" : Plain(d.versions),
           number(d.threshold), number(d.false_positive_rate)});
    }
    EndTable();
  }

  void IdList(std::string_view heading, const std::vector<std::string>& ids,
              std::string_view empty) {
    Para("### " + I(std::string(heading) + " (" + std::to_string(ids.size()) + ")"));
    if (ids.empty()) return None(empty);
    for (const auto& id : ids) Line("- " + Id(id));
    Line();
  }

  void Accounts() {
    Section("accounts");
    const auto& a = r_.accounts;
    IdList("Accounts involved", a.involved, "No account is listed.");
    IdList("Cluster members", a.members, "The scope is not a cluster of accounts.");
    Para("### Identifiers linking the accounts");
    if (a.links.empty()) return None("No link between accounts is listed.");
    Header({"Identifier", "Shared value", "Accounts"});
    for (const auto& l : a.links) Row({I(l.identifier), Id(l.value), Ids(l.accounts)});
    EndTable();
  }

  void Timeline() {
    Section("timeline");
    const auto& days = r_.timeline;
    if (days.empty()) return None("The report has no timeline.");
    std::uint64_t max = 0;
    for (const auto& d : days) max = std::max(max, d.events);
    Para(I(std::to_string(days.size()) + (days.size() == 1 ? " day" : " days") + " from " +
           days.front().day + " to " + days.back().day + "; at most " + GroupDigits(max) +
           " events on a day. The finding runs from " + r_.case_.first + " to " + r_.case_.last +
           ", its peak is " + r_.case_.peak + "."));
    if (max == 0) None("No events were counted on any day.");
    Header({"Day", "Events", "Outcome", "Note", "Bar"});
    bool in_finding = false;
    for (const auto& d : days) {
      if (d.day == r_.case_.first) in_finding = true;
      std::string note = in_finding ? "finding" : "";
      if (d.day == r_.case_.peak) note += note.empty() ? "peak" : ", peak";
      std::string bar;
      for (std::size_t i = BarWidth(d.events, max); i > 0; --i) bar += "█";
      Row({I(d.day), GroupDigits(d.events), I(d.outcome), note, bar});
      if (d.day == r_.case_.last) in_finding = false;
    }
    EndTable();
  }

  void Evidence() {
    Section("evidence");
    const auto& ev = r_.evidence;
    Para("**" + I(GroupDigits(ev.shown) + " of " + GroupDigits(ev.total) + " events shown.") +
         "** Selection: " + I(ev.method));
    if (ev.items.empty()) return None("No event is shown.");
    Header({"#", "Time", "Event", "Account", "Source (file:offset+length)", "File SHA-256",
            "Line SHA-256", "Sort key", "Shown values"});
    for (const auto& it : ev.items) {
      std::vector<std::string> shown;
      for (const auto& s : it.shown) {
        shown.push_back(I(s.name) + " \\= " +
                        (s.hidden || !s.value ? "*hidden (use --include-text)*" : I(*s.value)));
      }
      Row({std::to_string(it.n), I(it.time), I(it.event), Id(it.account), Span(it.source),
           I(it.file_sha256), I(it.line_sha256), I(it.sort_key), Join(shown, "; ")});
    }
    EndTable();
    for (const auto& it : ev.items) {
      if (it.excerpt) Para("**Excerpt of " + std::to_string(it.n) + ":** " + I(*it.excerpt));
    }
  }

  void Waivers() {
    Section("waivers");
    Para("### Waivers");
    if (r_.waivers.empty()) {
      None("No waiver applied to the events of this finding.");
    } else {
      Header({"Waiver", "Rule", "Scope", "Approver", "Basis", "From", "Until"});
      for (const auto& w : r_.waivers) {
        Row({I(w.id), I(w.rule), Id(w.scope), I(w.approver), I(w.basis), I(w.from),
             w.until ? I(*w.until) : "*open-ended*"});
      }
      EndTable();
    }
    Para("### Exemption");
    if (r_.exemption) {
      Para("Accounts are exempt when: " + B(*r_.exemption));
    } else {
      None("The rule declares no exemption.");
    }
  }

  void Paragraphs(std::string_view id, const std::vector<std::string>& paragraphs,
                  std::string_view empty) {
    Section(id);
    if (paragraphs.empty()) None(empty);
    for (const auto& p : paragraphs) Para(B(p));
  }

  void Reviews() {
    Section("reviews");
    if (r_.reviews.empty()) return None("No review decision has been recorded.");
    Header({"At", "Decision", "By", "Reason"});
    for (const auto& v : r_.reviews) {
      Row({I(v.at), "**" + I(v.decision) + "**", I(v.by), I(v.reason)});
    }
    EndTable();
  }

  void Custody() {
    Section("custody");
    if (r_.custody.empty()) return None("No custody entry has been recorded.");
    Header({"At", "Action", "What", "By", "Why"});
    for (const auto& c : r_.custody) Row({I(c.at), I(c.action), I(c.what), I(c.by), I(c.why)});
    EndTable();
  }

  void Reproduce() {
    Section("reproduce");
    const auto& rp = r_.reproduce;
    Para("The finding is reproduced by running, in the configuration's directory:");
    Para("**Command:** " + I(rp.command));
    Header({"Field", "Value"});
    Field("Run", I(rp.run));
    Field("Run by", I(rp.by ? *rp.by : render::kByNotRecorded));
    Field("Configuration SHA-256", I(rp.config_sha256));
    if (rp.rules_sha256) Field("Rule pack SHA-256", I(*rp.rules_sha256));
    EndTable();
    Para("### Rule files");
    if (rp.rules.empty()) {
      None("No rule file is listed.");
    } else {
      Header({"File", "SHA-256"});
      for (const auto& f : rp.rules) Row({I(f.file), I(f.sha256)});
      EndTable();
    }
    Para("### Inputs");
    if (rp.inputs.empty()) return None("No input file is listed.");
    Header({"File", "SHA-256", "Lines"});
    for (const auto& f : rp.inputs) Row({I(f.file), I(f.sha256), GroupDigits(f.lines)});
    EndTable();
  }

  void Integrity() {
    Section("integrity");
    const auto& in = r_.integrity;
    const auto& cp = in.checkpoint;
    Para(B("This finding and its evidence are leaves of the append-only transparency log "
           "named below. To check them independently of this document, run") +
         " **tosguard verify --report FILE** " +
         B("on the report's JSON file: it recomputes each leaf hash from its record, follows "
           "the inclusion proof to the checkpoint's root and verifies the checkpoint's Ed25519 "
           "signature with the public key. The same checks can be made with sha256sum and "
           "openssl (docs/evidence.md)."));
    Header({"Field", "Value"});
    Field("Log origin", I(in.origin));
    Field("Tree size", GroupDigits(cp.tree_size));
    Field("Root", I(cp.root));
    Field("Checkpoint time", I(cp.time));
    Field("Signature", I(cp.signature));
    Field("Key id", I(cp.key_id));
    Field("Public key", I(cp.public_key));
    EndTable();
    Para("### Checkpoint text (signed bytes)");
    Para(B(cp.text));
    Para("### Leaves");
    if (in.leaves.empty()) return None("No leaf is listed.");
    Header({"Kind", "Index", "Leaf hash", "Record", "Proof"});
    for (const auto& l : in.leaves) {
      std::string proof =
          std::to_string(l.proof.size()) + (l.proof.size() == 1 ? " hash" : " hashes");
      if (!l.proof.empty()) proof += ": " + Plain(l.proof);
      Row({I(l.kind), std::to_string(l.index), I(l.leaf_hash), I(l.record), proof});
    }
    EndTable();
  }

  const Report& r_;
  std::string out_;
};

}  // namespace

Result<std::string> RenderReportMarkdown(std::string_view report_json) {
  auto report = render::ParseReport(report_json);
  if (!report.ok()) return report.status();
  return MarkdownDoc(*report).Render();
}

}  // namespace tosguard::audit
