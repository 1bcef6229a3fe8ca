// What makes rendered report HTML unsafe, checked against the renderer's vocabulary: by
// the render security tests (tests/render/security_test.cc) on the hostile sample and on
// Chromium's serialisation of it, and by the report fuzzer on every report it renders.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tosguard::audit::fuzz {

// The Content-Security-Policy every rendered report carries.
inline constexpr std::string_view kCsp =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

struct Tag {
  std::string name;  // lower case; "/p" for an end tag
  std::vector<std::pair<std::string, std::string>> attributes;
};

inline char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The tags of an HTML document as a browser's tokenizer would see them, well enough for
// documents that only our renderer or Chromium's serializer wrote: text and attribute
// values are escaped there, so every '<' starts a tag, a comment or the doctype. The
// content of <style> is raw text up to "</style".
inline std::vector<Tag> ScanTags(std::string_view html) {
  std::vector<Tag> tags;
  std::size_t i = 0;
  auto is_space = [](char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
  };
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      const auto end = html.find("-->", i + 4);
      tags.push_back({"!--", {}});
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    ++i;
    Tag tag;
    while (i < html.size() && !is_space(html[i]) && html[i] != '>' &&
           !(html[i] == '/' && !tag.name.empty())) {
      tag.name += Lower(html[i++]);
    }
    while (i < html.size() && html[i] != '>') {
      if (is_space(html[i]) || html[i] == '/') {
        ++i;
        continue;
      }
      std::string name, value;
      while (i < html.size() && !is_space(html[i]) && html[i] != '=' && html[i] != '>' &&
             html[i] != '/') {
        name += Lower(html[i++]);
      }
      if (i < html.size() && html[i] == '=') {
        ++i;
        if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
          const char quote = html[i++];
          while (i < html.size() && html[i] != quote) value += html[i++];
          ++i;
        } else {
          while (i < html.size() && !is_space(html[i]) && html[i] != '>') value += html[i++];
        }
      }
      tag.attributes.emplace_back(name, value);
    }
    ++i;
    if (tag.name == "style") {
      const auto end = html.find("</style", i);
      i = end == std::string_view::npos ? html.size() : end;
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

// What is wrong with `html` as a rendered report: any element or attribute outside the
// renderer's vocabulary, an event handler, a URL, a second <svg> or <style>, a raw ESC or
// bidi override, a missing or different Content-Security-Policy.
inline std::vector<std::string> HtmlProblems(std::string_view html) {
  static const std::set<std::string> kElements = {
      "!doctype",   "html",   "head",  "meta", "title",      "style",   "body", "header",
      "section",    "h1",     "h2",    "h3",   "p",          "dl",      "dt",   "dd",
      "span",       "strong", "code",  "pre",  "blockquote", "ul",      "ol",   "li",
      "table",      "thead",  "tbody", "tr",   "th",         "td",      "br",   "figure",
      "figcaption", "footer", "svg",   "desc", "defs",       "pattern", "rect", "circle",
      "path",       "line",   "text"};
  static const std::set<std::string> kAttributes = {"lang",
                                                    "charset",
                                                    "http-equiv",
                                                    "name",
                                                    "content",
                                                    "id",
                                                    "class",
                                                    "colspan",
                                                    "role",
                                                    "aria-labelledby",
                                                    "viewbox",
                                                    "preserveaspectratio",
                                                    "patternunits",
                                                    "width",
                                                    "height",
                                                    "x",
                                                    "y",
                                                    "x1",
                                                    "y1",
                                                    "x2",
                                                    "y2",
                                                    "cx",
                                                    "cy",
                                                    "r",
                                                    "d",
                                                    "fill",
                                                    "stroke",
                                                    "stroke-width",
                                                    "stroke-dasharray",
                                                    "text-anchor"};
  std::vector<std::string> problems;
  int svgs = 0, styles = 0, csp = 0;
  for (const Tag& tag : ScanTags(html)) {
    const std::string name = tag.name[0] == '/' ? tag.name.substr(1) : tag.name;
    if (!kElements.count(name)) problems.push_back("element <" + tag.name + ">");
    if (tag.name == "svg") ++svgs;
    if (tag.name == "style") ++styles;
    if (tag.name == "!doctype") continue;
    for (const auto& [attr, value] : tag.attributes) {
      if (!kAttributes.count(attr))
        problems.push_back("attribute " + attr + " of <" + tag.name + ">");
      std::string lower;
      for (char c : value) lower += Lower(c);
      for (const char* bad : {"javascript:", "http:", "https:", "//", "data:", "file:"}) {
        if (lower.find(bad) != std::string::npos && attr != "content") {
          problems.push_back("URL in " + attr + "=\"" + value + "\"");
        }
      }
      if (attr == "fill" && lower.find("url(") != std::string::npos &&
          lower.rfind("url(#outcome-", 0) != 0) {
        problems.push_back("fill " + value);
      }
      if (attr == "http-equiv" && lower == "content-security-policy") {
        ++csp;
        bool same = false;
        for (const auto& [a, v] : tag.attributes) same = same || (a == "content" && v == kCsp);
        if (!same) problems.push_back("a different Content-Security-Policy");
      }
    }
  }
  if (svgs > 1) problems.push_back(std::to_string(svgs) + " <svg> elements");
  if (styles != 1) problems.push_back(std::to_string(styles) + " <style> elements");
  if (csp != 1) problems.push_back(std::to_string(csp) + " Content-Security-Policy metas");
  if (html.find('\x1b') != std::string_view::npos) problems.push_back("a raw ESC");
  if (html.find("\u202E") != std::string_view::npos) problems.push_back("a raw U+202E");
  return problems;
}

}  // namespace tosguard::audit::fuzz
