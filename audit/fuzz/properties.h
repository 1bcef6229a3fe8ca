// The properties readers of untrusted JSON keep, checked by the fuzzer and by the replay
// of its corpus in the test suite (tests/audit/fuzz_regression_test.cc). The same bytes
// are tried as a report to render (HTML and Markdown) and to verify offline (what
// `verify --report` is handed), and as a finding line (`scan --out`, the store's bodies):
// - a rendered report holds no markup from its content: every tag of the HTML is one the
//   renderer writes, no tag holds an event handler ("on...=") or "javascript:", and the
//   Markdown holds no "<" at all outside its own escapes;
// - a finding that parses is written back by FindingJson to text that parses to the same
//   finding: FindingJson(Parse(FindingJson(Parse(x)))) == FindingJson(Parse(x)).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

#include "audit/render/render.h"
#include "audit/verify.h"
#include "engine/eval/finding.h"

namespace tosguard::audit::fuzz {

// The tags the HTML renderer writes (audit/render/html.cc); content can add none.
inline bool RendererTag(std::string_view name) {
  static constexpr std::string_view kTags[] = {
      "!DOCTYPE", "blockquote", "body",    "br",         "circle", "code",    "dd",   "defs",
      "desc",     "dl",         "dt",      "figcaption", "figure", "footer",  "h1",   "h2",
      "h3",       "head",       "header",  "html",       "li",     "line",    "meta", "ol",
      "p",        "path",       "pattern", "pre",        "rect",   "section", "span", "strong",
      "style",    "svg",        "table",   "tbody",      "td",     "text",    "th",   "thead",
      "title",    "tr",         "ul"};
  for (std::string_view t : kTags) {
    if (t == name) return true;
  }
  return false;
}

// "" when every tag of `html` is the renderer's own and holds no script, else the tag.
inline std::string ForeignMarkup(const std::string& html) {
  for (std::size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    std::size_t end = html.find('>', at);
    if (end == std::string::npos) end = html.size();
    const std::string tag = html.substr(at, end - at);
    std::size_t name_end = 1 + (tag.size() > 1 && tag[1] == '/');
    const std::size_t name_begin = name_end;
    while (name_end < tag.size() &&
           (std::isalnum(static_cast<unsigned char>(tag[name_end])) || tag[name_end] == '!')) {
      ++name_end;
    }
    if (!RendererTag(std::string_view(tag).substr(name_begin, name_end - name_begin)))
      return tag.substr(0, 80);
    if (tag.find("javascript:") != std::string::npos) return tag.substr(0, 80);
    for (std::size_t on = tag.find(" on"); on != std::string::npos; on = tag.find(" on", on + 1)) {
      std::size_t k = on + 3;
      while (k < tag.size() && std::isalpha(static_cast<unsigned char>(tag[k]))) ++k;
      if (k < tag.size() && tag[k] == '=') return tag.substr(0, 80);
    }
  }
  return "";
}

// "" when every property holds for `json`, else which one failed.
inline std::string CheckProperties(std::string_view json) {
  if (auto html = RenderReportHtml(json); html.ok()) {
    // Inside <style>, the renderer's own CSS may hold '<' nowhere; it is scanned as well.
    if (std::string tag = ForeignMarkup(*html); !tag.empty()) return "markup in the HTML: " + tag;
  }
  if (auto md = RenderReportMarkdown(json); md.ok() && md->find('<') != std::string::npos)
    return "markup in the Markdown: " + md->substr(md->find('<'), 80);
  (void)VerifyReport(json, {}, "");
  if (auto f = engine::ParseFindingJson(json); f.ok()) {
    const std::string once = engine::FindingJson(*f);
    auto again = engine::ParseFindingJson(once);
    if (!again.ok()) return "FindingJson's output does not parse: " + again.status().message();
    if (engine::FindingJson(*again) != once) return "the finding changed in a round trip";
  }
  return "";
}

}  // namespace tosguard::audit::fuzz
