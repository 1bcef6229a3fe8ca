// Renderers of the canonical evidence report (schema "tosguard.report/1") for people:
// a self-contained HTML page and a GitHub-flavoured Markdown file.
//
// The report JSON is produced by the report builder; the renderers lay out what it
// states and compute no facts. Every string in it is treated as hostile: it is shown as
// text in both formats, never as markup, and control and bidirectional-override
// characters are shown as visible escapes. See docs/reports.md.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace tosguard::audit {

// The report as one HTML document: inline CSS only, no script, no external resource (a
// Content-Security-Policy forbids both), a print stylesheet for A4.
//
// Returns InvalidArgument naming the offending field (for example "case.revision") when
// `report_json` is not a report of schema tosguard.report/1: not JSON, another schema, a
// missing, mistyped, duplicated or unknown field. The output depends only on
// `report_json` (the same input gives the same bytes); no clock, environment or file is
// read. Thread-safe.
Result<std::string> RenderReportHtml(std::string_view report_json);

// The same report as GitHub-flavoured Markdown, with the same sections, errors and
// guarantees; no string of the report can create Markdown structure or raw HTML.
Result<std::string> RenderReportMarkdown(std::string_view report_json);

}  // namespace tosguard::audit
