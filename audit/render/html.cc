// The report as one self-contained HTML page: inline CSS, no script, no external
// resource, a print stylesheet, the timeline as inline SVG.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "audit/render/render.h"
#include "audit/render/report.h"
#include "audit/render/text.h"

namespace tosguard::audit {
namespace {

using render::Fixed2;
using render::GroupDigits;
using render::Html;
using render::Report;
using render::SectionNumber;

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: #111; background: #fff; max-width: 190mm; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 1.55em; margin: 0 0 .2em; }
h2 { font-size: 1.2em; margin: 1.8em 0 .5em; padding-bottom: .2em; border-bottom: 2px solid #333; }
h3 { font-size: 1.02em; margin: 1.2em 0 .4em; }
p, li, dd, td, th, blockquote, figcaption, .subtitle { white-space: pre-wrap; overflow-wrap: break-word; }
.subtitle { font-size: 1.1em; margin: 0 0 1em; }
.mono, pre, code, .hash { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em; }
.mono, code, .excerpt { overflow-wrap: anywhere; }
.hash { overflow-wrap: anywhere; word-break: break-all; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; border: 1px solid #bbb; padding: 8px 10px; margin: .4em 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; font-size: .92em; }
th, td { border: 1px solid #999; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
tr.fired td { font-weight: 600; background: #fff1e6; }
tr.fired td:first-child { border-left: 5px solid #b42318; }
.badge { border: 1.5px solid #333; border-radius: 3px; padding: 0 5px; font-weight: 600; }
.pseudo { color: #444; font-size: .9em; }
.none { font-style: italic; color: #444; }
.hidden { font-style: italic; }
blockquote { margin: .4em 0; padding: 4px 12px; border-left: 4px solid #666; }
.excerpt { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
figure { margin: .4em 0 1em; }
svg.timeline { width: 100%; height: auto; border: 1px solid #ccc; }
svg.timeline text { font: 13px system-ui, "DejaVu Sans", sans-serif; fill: #111; }
ol.days { columns: 4 11em; font-size: .82em; padding-left: 0; list-style: none; }
ol.days li { break-inside: avoid; white-space: normal; }
footer { margin-top: 3em; font-size: .85em; color: #333; border-top: 1px solid #999; padding-top: .5em; }
@page { size: A4; margin: 15mm 13mm; }
@media print {
  body { font-size: 9.5pt; max-width: none; padding: 0; }
  section.major { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, tbody.item, figure, svg, pre, dl.meta, .leaf { break-inside: avoid; }
  thead { display: table-header-group; }
  th, tr.fired td { background: none; }
  svg.timeline { border: none; }
}
)css";

// The timeline's outcome categories: a fill pattern each, so that a bar's outcome can
// be told without colour. Unknown outcomes share the last one and are told by label.
struct OutcomeStyle {
  std::string_view outcome;  // empty: any other outcome
  std::string_view pattern;  // the <pattern> element's content (6x6 user units)
  std::string_view look;     // its description in the legend
};
constexpr OutcomeStyle kOutcomeStyles[] = {
    {"violation",
     R"(<rect width="6" height="6" fill="#b42318"/><path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#fff" stroke-width="1.4"/>)",
     "dark, striped"},
    {"review",
     R"(<rect width="6" height="6" fill="#d08700"/><circle cx="3" cy="3" r="1.3" fill="#fff"/>)",
     "amber, dotted"},
    {"insufficient_evidence",
     R"(<rect width="6" height="6" fill="#7a7f87"/><path d="M0 3H6" stroke="#fff" stroke-width="1.2"/>)",
     "grey, lined"},
    {"compliant", R"(<rect width="6" height="6" fill="#8fb3e0"/>)", "light, plain"},
    {"",
     R"(<rect width="6" height="6" fill="#8e6bbf"/><path d="M3 0V6M0 3H6" stroke="#fff" stroke-width="1"/>)",
     "purple, cross-hatched"},
};
constexpr std::size_t kOtherOutcome = std::size(kOutcomeStyles) - 1;

std::size_t OutcomeStyleIndex(std::string_view outcome) {
  for (std::size_t i = 0; i < kOtherOutcome; ++i) {
    if (kOutcomeStyles[i].outcome == outcome) return i;
  }
  return kOtherOutcome;
}

class HtmlPage {
 public:
  explicit HtmlPage(const Report& r) : r_(r) {}

  std::string Render() {
    Head();
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
    Foot();
    return std::move(out_);
  }

 private:
  // --- building blocks -----------------------------------------------------------

  void Raw(std::string_view s) { out_ += s; }
  void Text(std::string_view s) { out_ += Html(s); }

  // An identifier: the real value with its pseudonym beside it when revealed.
  void Id(std::string_view id) {
    if (const std::string* real = r_.Revealed(id)) {
      Raw("<span class=\"mono\">");
      Text(*real);
      Raw("</span> <span class=\"pseudo\">(pseudonym <span class=\"mono\">");
      Text(id);
      Raw("</span>)</span>");
    } else {
      Raw("<span class=\"mono\">");
      Text(id);
      Raw("</span>");
    }
  }
  void Hash(std::string_view h) {
    Raw("<span class=\"hash\">");
    Text(h);
    Raw("</span>");
  }
  void Span(const render::SourceSpan& s) {
    Raw("<span class=\"mono\">");
    Text(s.file);
    Raw(":" + std::to_string(s.offset) + "+" + std::to_string(s.length) + "</span>");
  }
  void None(std::string_view sentence) {
    Raw("<p class=\"none\">");
    Text(sentence);
    Raw("</p>\n");
  }
  void Field(std::string_view label) {
    Raw("<dt>");
    Text(label);
    Raw("</dt><dd>");
  }
  void EndField() { Raw("</dd>\n"); }
  void TextField(std::string_view label, std::string_view value) {
    Field(label);
    Text(value);
    EndField();
  }

  // Opens section `id` (one of render::kSections) with its numbered heading.
  void Section(std::string_view id, bool new_page = false) {
    const std::size_t number = SectionNumber(id);
    Raw("<section id=\"" + std::string(id) + "\"" + (new_page ? " class=\"major\"" : "") +
        ">\n<h2>" + std::to_string(number) + ". ");
    Text(render::kSections[number - 1].title);
    Raw("</h2>\n");
  }
  void EndSection() { Raw("</section>\n"); }

  void TableHead(std::initializer_list<std::string_view> columns) {
    Raw("<table>\n<thead><tr>");
    for (auto c : columns) {
      Raw("<th>");
      Text(c);
      Raw("</th>");
    }
    Raw("</tr></thead>\n<tbody>\n");
  }
  void TableEnd() { Raw("</tbody>\n</table>\n"); }
  void Cell(std::string_view text) {
    Raw("<td>");
    Text(text);
    Raw("</td>");
  }
  void HashCell(std::string_view h) {
    Raw("<td>");
    Hash(h);
    Raw("</td>");
  }
  void IdCell(std::string_view id) {
    Raw("<td>");
    Id(id);
    Raw("</td>");
  }
  void Until(const std::optional<std::string>& until, std::string_view open) {
    if (until) {
      Text(*until);
    } else {
      Raw("<span class=\"none\">");
      Text(open);
      Raw("</span>");
    }
  }

  // --- the page ------------------------------------------------------------------

  void Head() {
    const auto& c = r_.case_;
    Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">\n");
    Raw("<meta name=\"referrer\" content=\"no-referrer\">\n");
    Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    Raw("<meta name=\"generator\" content=\"tosguard report renderer, schema ");
    Text(render::kReportSchema);
    Raw("\">\n<title>");
    Text("Evidence report " + c.finding + ": " + c.title);
    Raw("</title>\n<style>");
    Raw(kStyle);
    Raw("</style>\n</head>\n<body>\n");
  }

  void CaseHeader() {
    const auto& c = r_.case_;
    Raw("<header id=\"case\">\n<h1>Evidence report: finding <span class=\"mono\">");
    Text(c.finding);
    Raw("</span></h1>\n<p class=\"subtitle\">");
    Text(c.title);
    Raw("</p>\n<dl class=\"meta\">\n");
    TextField("Finding", c.finding + " (revision " + std::to_string(c.revision) + ")");
    Field("Rule");
    Raw("<span class=\"mono\">");
    Text(c.rule);
    Raw("</span>: ");
    Text(c.title);
    EndField();
    Field("Severity");
    Raw("<span class=\"badge\">");
    Text(c.severity);
    Raw("</span>");
    EndField();
    Field("Level");
    Raw("<span class=\"badge\">");
    Text(c.level);
    Raw("</span>");
    EndField();
    if (!c.tags.empty()) {
      Field("Tags");
      for (std::size_t i = 0; i < c.tags.size(); ++i) {
        if (i > 0) Raw(", ");
        Text(c.tags[i]);
      }
      EndField();
    }
    Field("Scope");
    Text(c.scope_kind);
    Raw(" ");
    Id(c.scope);
    EndField();
    TextField("Period", c.first + " to " + c.last + " (" + std::to_string(c.days) +
                            (c.days == 1 ? " day" : " days") + ", window " + c.window + ")");
    TextField("Peak day", c.peak);
    TextField("Status", c.status);
    Field("Review");
    if (r_.reviews.empty()) {
      Raw("<span class=\"none\">not reviewed</span>");
    } else {
      const auto& last = r_.reviews.back();
      Raw("<strong>");
      Text(last.decision);
      Raw("</strong>");
      Text(" by " + last.by + " at " + last.at);
      if (r_.reviews.size() > 1) {
        Raw(" (latest of " + std::to_string(r_.reviews.size()) + " decisions, see §");
        Raw(std::to_string(SectionNumber("reviews")) + ")");
      }
    }
    EndField();
    TextField("Tool",
              r_.tool.name + " " + r_.tool.version + " (revision " + r_.tool.revision + ")");
    TextField("Generated at", r_.generated_at);
    TextField("Examiner", r_.examiner);
    TextField("Identifiers", r_.options.pseudonymised
                                 ? "pseudonymised"
                                 : "revealed (" + std::to_string(r_.revealed.size()) +
                                       " shown with their pseudonyms)");
    TextField("Log text",
              r_.options.include_text ? "excerpts included" : "not included (values hidden)");
    Raw("</dl>\n</header>\n");
  }

  void Narrative() {
    Section("narrative");
    if (r_.narrative.empty()) None("The report has no narrative.");
    for (const auto& p : r_.narrative) {
      Raw("<p>");
      Text(p);
      Raw("</p>\n");
    }
    EndSection();
  }

  void Clause() {
    Section("clause", true);
    if (!r_.clause) {
      None("The rule cites no clause of the terms.");
    } else {
      const auto& cl = *r_.clause;
      Raw("<dl class=\"meta\">\n");
      Field("Policy");
      Text(cl.policy_title);
      Raw(" (<span class=\"mono\">");
      Text(cl.policy);
      Raw("</span>)");
      EndField();
      TextField("Section", cl.section);
      Field("In force");
      Text("from " + cl.since);
      if (cl.until) {
        Text(" until " + *cl.until);
      } else {
        Raw(", <span class=\"none\">with no end date</span>");
      }
      EndField();
      Field("Versions");
      if (cl.versions.empty()) Raw("<span class=\"none\">none listed</span>");
      for (std::size_t i = 0; i < cl.versions.size(); ++i) {
        if (i > 0) Raw(", ");
        Text(cl.versions[i]);
      }
      EndField();
      Raw("</dl>\n<blockquote>");
      Text(cl.text);
      Raw("</blockquote>\n<p>SHA-256 of the clause text: ");
      Hash(cl.text_sha256);
      Raw("</p>\n");
    }
    Raw("<h3>Acceptance records</h3>\n");
    if (r_.acceptances.empty()) {
      None("The report holds no acceptance record.");
    } else {
      TableHead({"Account", "Policy", "Version", "Accepted at", "Method", "Source", "Record"});
      for (const auto& a : r_.acceptances) {
        Raw("<tr>");
        IdCell(a.account);
        Cell(a.policy);
        Cell(a.version);
        Cell(a.accepted_at);
        Cell(a.method);
        Cell(a.source);
        Raw("<td>");
        Span(a.record);
        Raw("</td></tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Facts() {
    Section("facts");
    if (r_.facts.empty()) {
      None("The report states no facts.");
    } else {
      Raw("<p>Rows of the level that fired are marked ▶ and set in bold.</p>\n");
      TableHead({"Level", "Condition", "Value", "Threshold", "Held"});
      for (const auto& f : r_.facts) {
        Raw(f.fired ? "<tr class=\"fired\"><td>▶ " : "<tr><td>");
        Text(f.level);
        if (f.fired) Raw(" (fired)");
        Raw("</td><td class=\"mono\">");
        Text(f.condition);
        Raw("</td>");
        Cell(f.value);
        Cell(f.threshold);
        Cell(f.held);
        Raw("</tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Metrics() {
    Section("metrics");
    if (r_.metrics.empty()) {
      None("The report lists no metrics.");
    } else {
      TableHead({"Name", "Kind", "Type", "Value"});
      for (const auto& m : r_.metrics) {
        Raw("<tr><td class=\"mono\">");
        Text(m.name);
        Raw("</td>");
        Cell(m.kind);
        Cell(m.type);
        Cell(m.value);
        Raw("</tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Detectors() {
    Section("detectors");
    if (r_.detectors.empty()) {
      None("The rule uses no detector signal.");
    } else {
      TableHead({"Detector", "Description", "Versions seen", "Threshold", "False-positive rate"});
      for (const auto& d : r_.detectors) {
        Raw("<tr><td class=\"mono\">");
        Text(d.name);
        Raw("</td>");
        Cell(d.description);
        Raw("<td>");
        if (d.versions.empty()) Raw("<span class=\"none\">none</span>");
        for (std::size_t i = 0; i < d.versions.size(); ++i) {
          if (i > 0) Raw(", ");
          Text(d.versions[i]);
        }
        Raw("</td>");
        for (const auto* n : {&d.threshold, &d.false_positive_rate}) {
          Raw("<td>");
          if (*n) {
            Text((*n)->text);
          } else {
            Raw("<span class=\"none\">not configured</span>");
          }
          Raw("</td>");
        }
        Raw("</tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void IdList(std::string_view heading, const std::vector<std::string>& ids,
              std::string_view empty) {
    Raw("<h3>");
    Text(std::string(heading) + " (" + std::to_string(ids.size()) + ")");
    Raw("</h3>\n");
    if (ids.empty()) return None(empty);
    Raw("<ul>\n");
    for (const auto& id : ids) {
      Raw("<li>");
      Id(id);
      Raw("</li>\n");
    }
    Raw("</ul>\n");
  }

  void Accounts() {
    Section("accounts", true);
    const auto& a = r_.accounts;
    IdList("Accounts involved", a.involved, "No account is listed.");
    IdList("Cluster members", a.members, "The scope is not a cluster of accounts.");
    Raw("<h3>Identifiers linking the accounts</h3>\n");
    if (a.links.empty()) {
      None("No link between accounts is listed.");
    } else {
      TableHead({"Identifier", "Shared value", "Accounts"});
      for (const auto& l : a.links) {
        Raw("<tr><td class=\"mono\">");
        Text(l.identifier);
        Raw("</td>");
        IdCell(l.value);
        Raw("<td>");
        for (std::size_t i = 0; i < l.accounts.size(); ++i) {
          if (i > 0) Raw(", ");
          Id(l.accounts[i]);
        }
        Raw("</td></tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Timeline() {
    Section("timeline");
    const auto& days = r_.timeline;
    if (days.empty()) {
      None("The report has no timeline.");
      return EndSection();
    }
    // Layout in user units of the viewBox; the SVG scales to the page width.
    constexpr double kWidth = 1000, kLeft = 64, kRight = 12, kTop = 22, kPlot = 150;
    constexpr double kBase = kTop + kPlot, kStrip = kBase + 4, kStripH = 9;
    const double slot = (kWidth - kLeft - kRight) / static_cast<double>(days.size());
    const double bar = slot > 4 ? slot * 0.8 : slot;
    std::uint64_t max = 0;
    for (const auto& d : days) max = std::max(max, d.events);
    auto x_of = [&](std::size_t i) { return kLeft + slot * static_cast<double>(i); };
    auto index_of = [&](std::string_view day) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < days.size(); ++i) {
        if (days[i].day == day) return i;
      }
      return std::nullopt;
    };
    // Outcome styles in legend order: the known ones, then "other", as present.
    std::vector<bool> present(std::size(kOutcomeStyles), false);
    std::vector<std::string> others;
    for (const auto& d : days) {
      const std::size_t k = OutcomeStyleIndex(d.outcome);
      present[k] = true;
      if (k == kOtherOutcome &&
          std::find(others.begin(), others.end(), d.outcome) == others.end()) {
        others.push_back(d.outcome);
      }
    }
    const double legend_y = kStrip + kStripH + 52;
    const double height =
        legend_y + 24 + 16 * static_cast<double>(others.size() > 3 ? others.size() - 3 : 0);

    Raw("<figure>\n<svg class=\"timeline\" role=\"img\" "
        "aria-labelledby=\"timeline-title timeline-desc\" viewBox=\"0 0 " +
        Fixed2(kWidth) + " " + Fixed2(height) +
        "\" preserveAspectRatio=\"xMinYMin meet\">\n<title id=\"timeline-title\">");
    Text("Events counted per day, " + days.front().day + " to " + days.back().day);
    Raw("</title>\n<desc id=\"timeline-desc\">");
    Text("One bar per day (" + std::to_string(days.size()) +
         " days); its height is the number of events counted that day (at most " +
         GroupDigits(max) +
         "), its fill pattern the outcome of that day, repeated in the strip "
         "under the axis. The dashed box marks the finding's period.");
    Raw("</desc>\n<defs>");
    for (std::size_t k = 0; k < std::size(kOutcomeStyles); ++k) {
      if (!present[k]) continue;
      Raw("<pattern id=\"outcome-" + std::to_string(k) +
          "\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">");
      Raw(kOutcomeStyles[k].pattern);
      Raw("</pattern>");
    }
    Raw("</defs>\n");
    // The finding's period, when its days are on the timeline.
    const auto first = index_of(r_.case_.first), last = index_of(r_.case_.last);
    if (first && last && *first <= *last) {
      Raw("<rect x=\"" + Fixed2(x_of(*first)) + "\" y=\"" + Fixed2(kTop - 4) + "\" width=\"" +
          Fixed2(slot * static_cast<double>(*last - *first + 1)) + "\" height=\"" +
          Fixed2(kPlot + 4) +
          "\" fill=\"#f1f1f1\" stroke=\"#555\" stroke-dasharray=\"4 3\"><title>");
      Text("Finding period: " + r_.case_.first + " to " + r_.case_.last);
      Raw("</title></rect>\n<text x=\"" + Fixed2(x_of(*first) + 3) + "\" y=\"" + Fixed2(kTop - 8) +
          "\">");
      Text("finding " + r_.case_.first + " to " + r_.case_.last);
      Raw("</text>\n");
    }
    // Axis and scale.
    Raw("<line x1=\"" + Fixed2(kLeft) + "\" y1=\"" + Fixed2(kTop) + "\" x2=\"" + Fixed2(kLeft) +
        "\" y2=\"" + Fixed2(kBase) + "\" stroke=\"#333\"/>\n");
    Raw("<line x1=\"" + Fixed2(kLeft) + "\" y1=\"" + Fixed2(kBase) + "\" x2=\"" +
        Fixed2(kWidth - kRight) + "\" y2=\"" + Fixed2(kBase) + "\" stroke=\"#333\"/>\n");
    Raw("<text x=\"" + Fixed2(kLeft - 6) + "\" y=\"" + Fixed2(kBase) +
        "\" text-anchor=\"end\">0</text>\n");
    Raw("<text x=\"" + Fixed2(kLeft - 6) + "\" y=\"" + Fixed2(kTop + 8) +
        "\" text-anchor=\"end\">" + GroupDigits(max) + "</text>\n");
    Raw("<text x=\"" + Fixed2(kLeft - 6) + "\" y=\"" + Fixed2(kTop + kPlot / 2) +
        "\" text-anchor=\"end\">events</text>\n");
    if (max == 0) {
      Raw("<text x=\"" + Fixed2(kLeft + 12) + "\" y=\"" + Fixed2(kTop + kPlot / 2) +
          "\">No events were counted on any day.</text>\n");
    }
    // Bars.
    for (std::size_t i = 0; i < days.size(); ++i) {
      const auto& d = days[i];
      double h = max == 0 ? 0 : kPlot * static_cast<double>(d.events) / static_cast<double>(max);
      if (d.events > 0 && h < 1) h = 1;
      Raw("<rect x=\"" + Fixed2(x_of(i) + (slot - bar) / 2) + "\" y=\"" + Fixed2(kBase - h) +
          "\" width=\"" + Fixed2(bar) + "\" height=\"" + Fixed2(h) + "\" fill=\"url(#outcome-" +
          std::to_string(OutcomeStyleIndex(d.outcome)) + ")\"><title>");
      Text(d.day + ": " + GroupDigits(d.events) + (d.events == 1 ? " event, " : " events, ") +
           d.outcome);
      Raw("</title></rect>\n");
    }
    // The outcome strip: one box per run of days with the same outcome.
    for (std::size_t i = 0; i < days.size();) {
      std::size_t j = i;
      while (j + 1 < days.size() && days[j + 1].outcome == days[i].outcome) ++j;
      Raw("<rect x=\"" + Fixed2(x_of(i)) + "\" y=\"" + Fixed2(kStrip) + "\" width=\"" +
          Fixed2(slot * static_cast<double>(j - i + 1)) + "\" height=\"" + Fixed2(kStripH) +
          "\" fill=\"url(#outcome-" + std::to_string(OutcomeStyleIndex(days[i].outcome)) +
          ")\" stroke=\"#333\" stroke-width=\"0.5\"><title>");
      Text((i == j ? days[i].day : days[i].day + " to " + days[j].day) + ": " + days[i].outcome);
      Raw("</title></rect>\n");
      i = j + 1;
    }
    // Day labels: the timeline's ends on one row, the peak on the next.
    const double row1 = kStrip + kStripH + 14, row2 = row1 + 16;
    Raw("<text x=\"" + Fixed2(kLeft) + "\" y=\"" + Fixed2(row1) + "\">");
    Text(days.front().day);
    Raw("</text>\n<text x=\"" + Fixed2(kWidth - kRight) + "\" y=\"" + Fixed2(row1) +
        "\" text-anchor=\"end\">");
    Text(days.back().day);
    Raw("</text>\n");
    if (const auto peak = index_of(r_.case_.peak)) {
      const double x = x_of(*peak) + slot / 2;
      const char* anchor = x < kLeft + 90 ? "start" : x > kWidth - kRight - 90 ? "end" : "middle";
      Raw("<line x1=\"" + Fixed2(x) + "\" y1=\"" + Fixed2(kStrip + kStripH) + "\" x2=\"" +
          Fixed2(x) + "\" y2=\"" + Fixed2(row2 - 10) + "\" stroke=\"#333\"/>\n<text x=\"" +
          Fixed2(x) + "\" y=\"" + Fixed2(row2) + "\" text-anchor=\"" + anchor + "\">");
      Text("peak " + r_.case_.peak + " (" + GroupDigits(days[*peak].events) + " events)");
      Raw("</text>\n");
    }
    // Legend: pattern swatch, outcome name and a word on the pattern.
    double x = kLeft;
    double y = legend_y;
    auto legend = [&](std::size_t k, std::string_view label) {
      const std::string text =
          std::string(label) + " (" + std::string(kOutcomeStyles[k].look) + ")";
      const double w = 28 + 7.4 * static_cast<double>(text.size());
      if (x + w > kWidth - kRight && x > kLeft) {
        x = kLeft;
        y += 16;
      }
      Raw("<rect x=\"" + Fixed2(x) + "\" y=\"" + Fixed2(y - 10) +
          "\" width=\"18\" height=\"12\" stroke=\"#333\" stroke-width=\"0.7\" "
          "fill=\"url(#outcome-" +
          std::to_string(k) + ")\"/>\n<text x=\"" + Fixed2(x + 23) + "\" y=\"" + Fixed2(y) + "\">");
      Text(text);
      Raw("</text>\n");
      x += w;
    };
    for (std::size_t k = 0; k < kOtherOutcome; ++k) {
      if (present[k]) legend(k, kOutcomeStyles[k].outcome);
    }
    for (const auto& o : others) legend(kOtherOutcome, o);
    Raw("</svg>\n<figcaption>");
    Text(std::to_string(days.size()) + (days.size() == 1 ? " day" : " days") +
         "; the counts of every day follow.");
    Raw("</figcaption>\n</figure>\n<ol class=\"days\">\n");
    for (const auto& d : days) {
      Raw("<li><span class=\"mono\">");
      Text(d.day);
      Raw("</span> ");
      Text(GroupDigits(d.events) + " " + d.outcome);
      Raw("</li>\n");
    }
    Raw("</ol>\n");
    EndSection();
  }

  void Evidence() {
    Section("evidence", true);
    const auto& ev = r_.evidence;
    Raw("<p><strong>");
    Text(GroupDigits(ev.shown) + " of " + GroupDigits(ev.total) + " events shown.");
    Raw("</strong> Selection: ");
    Text(ev.method);
    Raw("</p>\n");
    if (ev.items.empty()) {
      None("No event is shown.");
      return EndSection();
    }
    Raw("<table>\n<thead><tr><th>#</th><th>Time</th><th>Event</th><th>Account</th>"
        "<th>Source (file:offset+length)</th><th>Line SHA-256</th><th>Sort key</th>"
        "<th>Shown values</th></tr></thead>\n");
    for (const auto& it : ev.items) {
      Raw("<tbody class=\"item\">\n<tr><td>" + std::to_string(it.n) + "</td>");
      Cell(it.time);
      Raw("<td class=\"mono\">");
      Text(it.event);
      Raw("</td>");
      IdCell(it.account);
      Raw("<td>");
      Span(it.source);
      Raw("<br>file SHA-256 ");
      Hash(it.file_sha256);
      Raw("</td>");
      HashCell(it.line_sha256);
      Cell(it.sort_key);
      Raw("<td>");
      for (std::size_t i = 0; i < it.shown.size(); ++i) {
        const auto& s = it.shown[i];
        if (i > 0) Raw("<br>");
        Raw("<span class=\"mono\">");
        Text(s.name);
        Raw("</span> = ");
        if (s.hidden || !s.value) {
          Raw("<span class=\"hidden\">hidden (use --include-text)</span>");
        } else {
          Text(*s.value);
        }
      }
      Raw("</td></tr>\n");
      if (it.excerpt) {
        Raw("<tr><td></td><td colspan=\"7\">Excerpt: <span class=\"excerpt\">");
        Text(*it.excerpt);
        Raw("</span></td></tr>\n");
      }
      Raw("</tbody>\n");
    }
    Raw("</table>\n");
    EndSection();
  }

  void Waivers() {
    Section("waivers");
    Raw("<h3>Waivers</h3>\n");
    if (r_.waivers.empty()) {
      None("No waiver applied to the events of this finding.");
    } else {
      TableHead({"Waiver", "Rule", "Scope", "Approver", "Basis", "From", "Until"});
      for (const auto& w : r_.waivers) {
        Raw("<tr>");
        Cell(w.id);
        Cell(w.rule);
        IdCell(w.scope);
        Cell(w.approver);
        Cell(w.basis);
        Cell(w.from);
        Raw("<td>");
        Until(w.until, "open-ended");
        Raw("</td></tr>\n");
      }
      TableEnd();
    }
    Raw("<h3>Exemption</h3>\n");
    if (r_.exemption) {
      Raw("<p>Accounts are exempt when: <code>");
      Text(*r_.exemption);
      Raw("</code></p>\n");
    } else {
      None("The rule declares no exemption.");
    }
    EndSection();
  }

  void Paragraphs(std::string_view id, const std::vector<std::string>& paragraphs,
                  std::string_view empty) {
    Section(id, id == "methodology");
    if (paragraphs.empty()) None(empty);
    for (const auto& p : paragraphs) {
      Raw("<p>");
      Text(p);
      Raw("</p>\n");
    }
    EndSection();
  }

  void Reviews() {
    Section("reviews");
    if (r_.reviews.empty()) {
      None("No review decision has been recorded.");
    } else {
      TableHead({"At", "Decision", "By", "Reason"});
      for (const auto& v : r_.reviews) {
        Raw("<tr>");
        Cell(v.at);
        Raw("<td><strong>");
        Text(v.decision);
        Raw("</strong></td>");
        Cell(v.by);
        Cell(v.reason);
        Raw("</tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Custody() {
    Section("custody");
    if (r_.custody.empty()) {
      None("No custody entry has been recorded.");
    } else {
      TableHead({"At", "Action", "What", "By", "Why"});
      for (const auto& c : r_.custody) {
        Raw("<tr>");
        Cell(c.at);
        Cell(c.action);
        Cell(c.what);
        Cell(c.by);
        Cell(c.why);
        Raw("</tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Reproduce() {
    Section("reproduce", true);
    const auto& rp = r_.reproduce;
    Raw("<p>The finding is reproduced by running, in the configuration's directory:</p>\n<pre>");
    Text(rp.command);
    Raw("</pre>\n<dl class=\"meta\">\n");
    Field("Run");
    Raw("<span class=\"mono\">");
    Text(rp.run);
    Raw("</span>");
    EndField();
    Field("Run by");
    Text(rp.by ? *rp.by : render::kByNotRecorded);
    EndField();
    Field("Configuration SHA-256");
    Hash(rp.config_sha256);
    EndField();
    if (rp.rules_sha256) {
      Field("Rule pack SHA-256");
      Hash(*rp.rules_sha256);
      EndField();
    }
    Raw("</dl>\n<h3>Rule files</h3>\n");
    if (rp.rules.empty()) {
      None("No rule file is listed.");
    } else {
      TableHead({"File", "SHA-256"});
      for (const auto& f : rp.rules) {
        Raw("<tr><td class=\"mono\">");
        Text(f.file);
        Raw("</td>");
        HashCell(f.sha256);
        Raw("</tr>\n");
      }
      TableEnd();
    }
    Raw("<h3>Inputs</h3>\n");
    if (rp.inputs.empty()) {
      None("No input file is listed.");
    } else {
      TableHead({"File", "SHA-256", "Lines"});
      for (const auto& f : rp.inputs) {
        Raw("<tr><td class=\"mono\">");
        Text(f.file);
        Raw("</td>");
        HashCell(f.sha256);
        Cell(GroupDigits(f.lines));
        Raw("</tr>\n");
      }
      TableEnd();
    }
    EndSection();
  }

  void Integrity() {
    Section("integrity");
    const auto& in = r_.integrity;
    const auto& cp = in.checkpoint;
    Raw("<p>This finding and its evidence are leaves of the append-only transparency log ");
    Raw("named below. To check them independently of this page, run "
        "<code>tosguard verify --report FILE</code> on the report's JSON file: it recomputes "
        "each leaf hash from its record, follows the inclusion proof to the checkpoint's root "
        "and verifies the checkpoint's Ed25519 signature with the public key. The same checks "
        "can be made with sha256sum and openssl (docs/evidence.md).</p>\n");
    Raw("<dl class=\"meta\">\n");
    Field("Log origin");
    Raw("<span class=\"mono\">");
    Text(in.origin);
    Raw("</span>");
    EndField();
    TextField("Tree size", GroupDigits(cp.tree_size));
    Field("Root");
    Hash(cp.root);
    EndField();
    TextField("Checkpoint time", cp.time);
    Field("Signature");
    Hash(cp.signature);
    EndField();
    Field("Key id");
    Hash(cp.key_id);
    EndField();
    Field("Public key");
    Hash(cp.public_key);
    EndField();
    Raw("</dl>\n<h3>Checkpoint text (signed bytes)</h3>\n<pre>");
    Text(cp.text);
    Raw("</pre>\n<h3>Leaves</h3>\n");
    if (in.leaves.empty()) {
      None("No leaf is listed.");
      return EndSection();
    }
    TableHead({"Kind", "Index", "Leaf hash", "Proof"});
    for (const auto& l : in.leaves) {
      Raw("<tr class=\"leaf\">");
      Cell(l.kind);
      Cell(std::to_string(l.index));
      Raw("<td>");
      Hash(l.leaf_hash);
      Raw("<br>record: <span class=\"mono\">");
      Text(l.record);
      Raw("</span></td><td>");
      Text(std::to_string(l.proof.size()) + (l.proof.size() == 1 ? " hash" : " hashes"));
      for (const auto& h : l.proof) {
        Raw("<br>");
        Hash(h);
      }
      Raw("</td></tr>\n");
    }
    TableEnd();
    EndSection();
  }

  void Foot() {
    Raw("<footer><p>");
    Text("Rendered from a report of schema " + std::string(render::kReportSchema) +
         ". Text from logs and configurations is shown as text: control characters appear as "
         "\\xNN, bidirectional and other invisible formatting characters as \\uNNNN.");
    Raw("</p></footer>\n</body>\n</html>\n");
  }

  const Report& r_;
  std::string out_;
};

}  // namespace

Result<std::string> RenderReportHtml(std::string_view report_json) {
  auto report = render::ParseReport(report_json);
  if (!report.ok()) return report.status();
  return HtmlPage(*report).Render();
}

}  // namespace tosguard::audit
