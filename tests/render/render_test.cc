// Tests of the report renderers: every section in both formats, nulls and empty lists,
// invalid reports named by field, determinism, numbers, and the text escapes.
#include "audit/render/render.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/render/report.h"
#include "audit/render/text.h"

using namespace tosguard;
using namespace tosguard::audit;
using render::Newlines;

namespace {

std::string Sample(const std::string& name) {
  std::ifstream f(std::string(TOSGUARD_SOURCE_DIR) + "/tests/render/data/" + name,
                  std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `text` with its one occurrence of `from` replaced by `to`.
std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string Html(const std::string& json) {
  auto r = RenderReportHtml(json);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

std::string Md(const std::string& json) {
  auto r = RenderReportMarkdown(json);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Asserts that each of `parts` occurs in `text`, in this order.
void RequireInOrder(const std::string& text, const std::vector<std::string>& parts) {
  std::size_t at = 0;
  for (const auto& p : parts) {
    INFO("looking for " << p);
    const auto found = text.find(p, at);
    REQUIRE(found != std::string::npos);
    at = found + p.size();
  }
}

}  // namespace

TEST_CASE("the HTML of the full sample has every section, in order, with its id") {
  const std::string html = Html(Sample("report_full.json"));
  std::vector<std::string> ids = {"<header id=\"case\">"};
  for (const auto& s : render::kSections)
    ids.push_back("<section id=\"" + std::string(s.id) + "\"");
  RequireInOrder(html, ids);
  for (std::size_t i = 0; i < std::size(render::kSections); ++i) {
    CHECK(Count(html, "<h2>" + std::to_string(i + 1) + ". " +
                          std::string(render::kSections[i].title)) == 1);
  }
  RequireInOrder(html, {"<!DOCTYPE html>", "<meta charset=\"utf-8\">",
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                        "'none'; style-src 'unsafe-inline'; img-src data:\">",
                        "<title>Evidence report F-3f9a01c27be45d18: Outputs harvested", "<style>",
                        "@media print", "</style>", "</html>\n"});
  // Case header.
  CHECK(html.find("F-3f9a01c27be45d18 (revision 2)") != std::string::npos);
  CHECK(html.find("27 days, window 30d") != std::string::npos);
  CHECK(html.find("tosguard 0.1.0 (revision 6cdd395)") != std::string::npos);
  CHECK(html.find("Acme Trust &amp; Safety, compliance team") != std::string::npos);
  CHECK(html.find("<strong>confirmed</strong> by J. Doe at 2026-12-01T10:00:00Z (latest of 2") !=
        std::string::npos);
  // Revealed identifiers carry their pseudonym; others are shown as pseudonyms.
  CHECK(
      html.find("acct-000017</span> <span class=\"pseudo\">(pseudonym <span class=\"mono\">ps-") !=
      std::string::npos);
  // The clause, its hash and the acceptances.
  CHECK(html.find("3.2(c)") != std::string::npos);
  CHECK(html.find("from 2024-01, <span class=\"none\">with no end date</span>") !=
        std::string::npos);
  CHECK(html.find("data/acceptances.jsonl:1234+120") != std::string::npos);
  // Facts: both fired rows are marked, the other is not.
  CHECK(Count(html, "<tr class=\"fired\"><td>▶ violation (fired)") == 2);
  CHECK(Count(html, "<tr><td>review</td>") == 1);
  // Detectors: numbers in shortest form, nulls named.
  RequireInOrder(html, {"distill-2.3.0, distill-2.3.1", "<td>0.9</td><td>0.002</td>",
                        "template_reuse", "not configured", "not configured"});
  // Timeline: one bar per day with its title, patterns and a labelled legend.
  CHECK(Count(html, "<svg ") == 1);
  CHECK(Count(html, "\" fill=\"url(#outcome-") >= 64);
  CHECK(html.find("<title>2025-03-20: 522 events, violation</title>") != std::string::npos);
  CHECK(html.find("peak 2025-03-20 (522 events)") != std::string::npos);
  for (const char* label : {"violation (dark, striped)", "review (amber, dotted)",
                            "insufficient_evidence (grey, lined)", "compliant (light, plain)"}) {
    CHECK(html.find(label) != std::string::npos);
  }
  CHECK(html.find("finding 2025-03-03 to 2025-03-29") != std::string::npos);
  // Evidence.
  CHECK(html.find("5 of 48,113 events shown.") != std::string::npos);
  CHECK(html.find("top 5 by signal(&quot;distill&quot;) desc") != std::string::npos);
  CHECK(Count(html, "<tbody class=\"item\">") == 5);
  CHECK(Count(html, "hidden (use --include-text)") == 5);
  CHECK(html.find("data/events-2025-03.jsonl:3158016+519") != std::string::npos);
  // Waivers, exemption, reproduce, integrity.
  CHECK(html.find("W-2025-007") != std::string::npos);
  CHECK(html.find("<code>account.contract has &quot;distillation_permitted&quot;</code>") !=
        std::string::npos);
  CHECK(html.find("<td>2,048,113</td>") != std::string::npos);
  CHECK(html.find("Rule pack SHA-256") != std::string::npos);
  CHECK(html.find("Run by</dt>") != std::string::npos);
  CHECK(html.find("tosguard-audit@audit-01") != std::string::npos);
  CHECK(html.find("<pre>acme.example/tosguard-evidence\n41\n") != std::string::npos);
  CHECK(html.find("tosguard verify --report FILE") != std::string::npos);
  CHECK(Count(html, "6 hashes") == 2);
}

TEST_CASE("the Markdown of the full sample has every section, in order") {
  const std::string md = Md(Sample("report_full.json"));
  std::vector<std::string> headings = {"# Evidence report: finding F-3f9a01c27be45d18\n"};
  for (std::size_t i = 0; i < std::size(render::kSections); ++i) {
    headings.push_back("\n## " + std::to_string(i + 1) + "\\. " +
                       render::Markdown(render::kSections[i].title, Newlines::kEscape) + "\n");
  }
  RequireInOrder(md, headings);
  CHECK(md.find("| **Finding** | F-3f9a01c27be45d18 \\(revision 2\\) |") != std::string::npos);
  CHECK(md.find("acct-000017 (pseudonym ps-") != std::string::npos);
  CHECK(Count(md, "| **▶ violation (fired)** |") == 2);
  CHECK(md.find("5 of 48,113 events shown\\.") != std::string::npos);
  CHECK(Count(md, "*hidden (use --include-text)*") == 5);
  // The timeline: a row per day, the finding and its peak marked, bars scaled to 40.
  const std::string timeline =
      md.substr(md.find("## 7\\."), md.find("## 8\\.") - md.find("## 7\\."));
  CHECK(Count(timeline, "| finding |") == 26);
  CHECK(Count(timeline, "| finding, peak |") == 1);
  CHECK(md.find("| 2025-03-20 | 522 | violation | finding, peak | " + [] {
    std::string bar;
    for (int i = 0; i < 40; ++i) bar += "█";
    return bar;
  }() + " |") != std::string::npos);
  CHECK(md.find("| 2,048,113 |") != std::string::npos);
  CHECK(md.find("tosguard verify --report FILE") != std::string::npos);
  // Clause text keeps its paragraph break as hard line breaks.
  CHECK(md.find("nor permit a third party to do so\\.\\\n\\\nThis restriction") !=
        std::string::npos);
}

TEST_CASE("nulls and empty lists are rendered as statements, not omitted") {
  const std::string json = Sample("report_minimal.json");
  const std::string html = Html(json), md = Md(json);
  for (const char* sentence :
       {"The rule cites no clause of the terms.", "The report holds no acceptance record.",
        "The report has no narrative.", "The report states no facts.",
        "The rule uses no detector signal.", "The report has no timeline.", "No event is shown.",
        "No waiver applied to the events of this finding.", "The rule declares no exemption.",
        "No methodology is stated.", "No limitations are stated.",
        "No review decision has been recorded.", "No custody entry has been recorded.",
        "No rule file is listed.", "No leaf is listed.",
        "not recorded (a run of an older store)"}) {
    INFO(sentence);
    CHECK(html.find(sentence) != std::string::npos);
    CHECK(md.find(render::Markdown(sentence, Newlines::kEscape)) != std::string::npos);
  }
  CHECK(html.find("not reviewed") != std::string::npos);
  CHECK(html.find("<svg") == std::string::npos);
  CHECK(html.find("0 of 0 events shown.") != std::string::npos);
  CHECK(html.find(">pseudonymised<") != std::string::npos);
  CHECK(md.find("*not reviewed*") != std::string::npos);
  // Every section is still there.
  for (const auto& s : render::kSections) {
    CHECK(html.find("<section id=\"" + std::string(s.id) + "\"") != std::string::npos);
  }
}

TEST_CASE("a timeline of one day, of 400 days and of days without events") {
  const std::string json = Sample("report_full.json");
  const auto start = json.find("\"timeline\": [");
  const auto end = json.find("],\n  \"evidence\"");
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  auto with_days = [&](std::size_t n, std::uint64_t events) {
    std::string days;
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) days += ",";
      days += "{\"day\": \"d" + std::to_string(i) + "\", \"events\": " + std::to_string(events) +
              ", \"outcome\": \"" + (i % 3 == 0 ? "violation" : "a new outcome") + "\"}";
    }
    return json.substr(0, start) + "\"timeline\": [" + days + json.substr(end);
  };
  SECTION("one day") {
    const std::string html = Html(with_days(1, 5));
    CHECK(html.find("<title>d0: 5 events, violation</title>") != std::string::npos);
    CHECK(html.find("1 day;") != std::string::npos);
  }
  SECTION("400 days") {
    const std::string html = Html(with_days(400, 7));
    CHECK(Count(html, " events, ") == 400);
    // An outcome the renderer does not know gets the shared pattern and its own label.
    CHECK(html.find("a new outcome (purple, cross-hatched)") != std::string::npos);
    CHECK(Count(Md(with_days(400, 7)), "| a new outcome |") == 266);
  }
  SECTION("no events on any day") {
    const std::string html = Html(with_days(30, 0));
    CHECK(html.find("No events were counted on any day.") != std::string::npos);
    CHECK(html.find("height=\"nan") == std::string::npos);
    CHECK(Count(html, "height=\"0.00\"") == 30);
    CHECK(Md(with_days(30, 0)).find("No events were counted on any day") != std::string::npos);
  }
}

TEST_CASE("a report that is not of schema tosguard.report/1 is refused, naming the field") {
  const std::string json = Sample("report_full.json");
  struct Case {
    std::string json, message;
  };
  const std::vector<Case> cases = {
      {"{\"schema\": ", "report is not valid JSON"},
      {"not json at all", "report is not valid JSON"},
      {"[1, 2]", "report is not a JSON object (found an array)"},
      {ReplaceOnce(json, "\"tosguard.report/1\"", "\"tosguard.report/2\""),
       "'schema': expected \"tosguard.report/1\", found \"tosguard.report/2\""},
      {ReplaceOnce(json, "\"peak\": \"2025-03-20\",", ""), "'case.peak' is missing"},
      {ReplaceOnce(json, "\"offset\": 3158016", "\"offset\": \"3158016\""),
       "'evidence.items[2].offset': expected a non-negative integer, found a string"},
      {ReplaceOnce(json, "\"revision\": 2,", "\"revision\": 2.5,"),
       "'case.revision': expected an integer, found a number"},
      {ReplaceOnce(json, "\"pseudonymised\": false", "\"pseudonymised\": \"no\""),
       "'options.pseudonymised': expected a boolean, found a string"},
      {ReplaceOnce(json, "\"text_sha256\"", "\"text_sha256\": null, \"x\""),
       "'clause.text_sha256': expected a string, found null"},
      {ReplaceOnce(json, "\"lines\": 9120", "\"lines\": -1"),
       "'reproduce.inputs[1].lines': expected a non-negative integer, found an integer"},
      {ReplaceOnce(json, "\"narrative\": [", "\"narrative\": [7, "),
       "'narrative[0]': expected a string, found an integer"},
      {ReplaceOnce(json, "\"waivers\": [", "\"waivers\": {\"x\": 1}, \"old\": ["),
       "'waivers': expected an array, found an object"},
      {ReplaceOnce(json, "\"status\": \"open\"", "\"status\": \"open\", \"status\": \"closed\""),
       "'case.status' appears twice"},
      {ReplaceOnce(json, "\"window\": \"30d\",", "\"window\": \"30d\", \"note\": \"x\","),
       "'case.note' is not a field of schema tosguard.report/1"},
      {ReplaceOnce(json, "\"false_positive_rate\": 0.002", "\"false_positive_rate\": \"low\""),
       "'detectors[0].false_positive_rate': expected a number or null, found a string"},
      {ReplaceOnce(json, "\"acct-000311\"", "17"), "'revealed.ps-"},
      {ReplaceFirst(json, "\"value\": \"acme-large-2\"", "\"value\": null"),
       "'value' of a shown value that is not hidden is null"},
  };
  for (const auto& c : cases) {
    for (auto render : {&RenderReportHtml, &RenderReportMarkdown}) {
      auto r = render(c.json);
      INFO(c.message);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      CHECK_THAT(r.status().message(), Catch::Contains(c.message));
    }
  }
}

TEST_CASE("the same report gives the same bytes") {
  for (const char* name : {"report_full.json", "report_hostile.json", "report_minimal.json"}) {
    const std::string json = Sample(name);
    CHECK(Html(json) == Html(json));
    CHECK(Md(json) == Md(json));
  }
}

TEST_CASE("numbers are formatted deterministically") {
  CHECK(render::GroupDigits(0) == "0");
  CHECK(render::GroupDigits(999) == "999");
  CHECK(render::GroupDigits(1000) == "1,000");
  CHECK(render::GroupDigits(48113) == "48,113");
  CHECK(render::GroupDigits(18446744073709551615ULL) == "18,446,744,073,709,551,615");
  CHECK(render::Fixed2(0) == "0.00");
  CHECK(render::Fixed2(2.5) == "2.50");
  CHECK(render::Fixed2(1000.0 / 3) == "333.33");
  CHECK(render::Fixed2(0.125) == "0.13");
  CHECK(render::Fixed2(-2.5) == "-2.50");
  CHECK(render::Fixed2(-0.5) == "-0.50");
}

TEST_CASE("control and bidirectional characters become visible escapes") {
  using render::Visible;
  CHECK(Visible("\x1b[31mred\x1b[0m") == "\\x1B[31mred\\x1B[0m");
  CHECK(Visible(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(Visible("\r\x7f") == "\\x0D\\x7F");
  CHECK(Visible("tab\tand\nline") == "tab\tand\nline");
  CHECK(Visible("line\nbreak", Newlines::kEscape) == "line\\nbreak");
  CHECK(Visible("\u202Eevil\u202C") == "\\u202Eevil\\u202C");
  CHECK(Visible("\u2066\u2067\u2068\u2069\u202A\u202B\u202D") ==
        "\\u2066\\u2067\\u2068\\u2069\\u202A\\u202B\\u202D");
  CHECK(Visible("\u200E\u200F\u061C\u2028\u2029") == "\\u200E\\u200F\\u061C\\u2028\\u2029");
  CHECK(Visible("\xc2\x85") == "\\u0085");  // C1 NEL
  CHECK(Visible("né 日本 🙂 \u200D") ==
        "né 日本 🙂 \u200D");           // ordinary text is unchanged
  CHECK(Visible("\xff") == "\xEF\xBF\xBD");  // not UTF-8: U+FFFD
}

TEST_CASE("HTML escaping serves text and attributes") {
  CHECK(render::Html("<a href='x' title=\"y\">&amp;</a>") ==
        "&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;");
  CHECK(render::Html("\x1b<") == "\\x1B&lt;");
}

TEST_CASE("Markdown escaping leaves only literal text") {
  using render::Markdown;
  CHECK(Markdown("*a* _b_ [c](d) `e` | f ~g~ !h #i", Newlines::kEscape) ==
        "\\*a\\* \\_b\\_ \\[c\\]\\(d\\) \\`e\\` \\| f \\~g\\~ \\!h \\#i");
  // Punctuation that cannot open anything stays as it is.
  CHECK(Markdown("48,113; \"a\" 'b' c/d? 5% 10:00 a-b+c", Newlines::kEscape) ==
        "48,113; \"a\" 'b' c/d? 5% 10:00 a-b+c");
  CHECK(Markdown("- a\n+ b\n-- c", Newlines::kKeep) == "\\- a\\\n\\+ b\\\n\\-- c");
  CHECK(Markdown("<b>&amp;</b>", Newlines::kEscape) == "&lt;b&gt;&amp;amp;&lt;/b&gt;");
  CHECK(Markdown("javascript:x mailto:y", Newlines::kEscape) == "javascript\\:x mailto\\:y");
  CHECK(Markdown("http://x.example www.y", Newlines::kEscape) == "http\\://x\\.example www\\.y");
  CHECK(Markdown("a\\b", Newlines::kEscape) == "a\\\\b");
  // Newlines: shown as \n on one line, hard breaks in a block.
  CHECK(Markdown("a\n# b", Newlines::kEscape) == "a\\\\n\\# b");
  CHECK(Markdown("a\n# b", Newlines::kKeep) == "a\\\n\\# b");
  CHECK(Markdown("a\n\nb", Newlines::kKeep) == "a\\\n\\\nb");
  CHECK(Markdown("a\n", Newlines::kKeep) == "a\\\n&#10;");
  // Leading white space cannot open an indented code block.
  CHECK(Markdown("    code\n\tx", Newlines::kKeep) == "&#32;&#32;&#32;&#32;code\\\n&#9;x");
  CHECK(Markdown("\x1b[31m", Newlines::kEscape) == "\\\\x1B\\[31m");
}
