// The properties readers of untrusted JSON keep, checked by the fuzzer and by the replay
// of its corpus in the test suite (tests/audit/fuzz_regression_test.cc). The same bytes
// are tried as a report to render (HTML and Markdown) and to verify offline (what
// `verify --report` is handed), and as a finding line (`scan --out`, the store's bodies):
// - the HTML of a report passes HtmlProblems (audit/fuzz/html_check.h): only the
//   renderer's elements and attributes, no event handler or URL, one <style>, at most
//   one <svg>, the Content-Security-Policy, no raw ESC or bidi override; and the
//   Markdown holds no "<" at all;
// - a finding that parses is written back by FindingJson to text that parses to the same
//   finding: FindingJson(Parse(FindingJson(Parse(x)))) == FindingJson(Parse(x)).
#pragma once

#include <string>
#include <string_view>

#include "audit/fuzz/html_check.h"
#include "audit/render/render.h"
#include "audit/verify.h"
#include "engine/eval/finding.h"

namespace tosguard::audit::fuzz {

// "" when every property holds for `json`, else which one failed.
inline std::string CheckProperties(std::string_view json) {
  if (auto html = RenderReportHtml(json); html.ok()) {
    if (auto problems = HtmlProblems(*html); !problems.empty())
      return "unsafe HTML: " + problems.front();
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
