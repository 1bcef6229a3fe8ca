// The canonical layout of rule files.
#include "dsl/fmt/fmt.h"

#include <algorithm>
#include <map>

#include "dsl/parser/parser.h"
#include "dsl/source.h"

namespace tosguard::dsl {
namespace {

int Prec(const Expr& e) {
  if (e.kind == ExprKind::kUnary) return e.op == Op::kNot ? 3 : 7;
  if (e.kind != ExprKind::kBinary) return 8;
  switch (e.op) {
    case Op::kOr: return 1;
    case Op::kAnd: return 2;
    case Op::kAdd: case Op::kSub: return 5;
    case Op::kMul: case Op::kDiv: case Op::kMod: return 6;
    default: return 4;
  }
}

void Print(const Expr& e, std::string& out);

// Prints `e` where an operand binding at least as tight as `min_prec` is needed.
void PrintOperand(const Expr& e, int min_prec, std::string& out) {
  bool parens = Prec(e) < min_prec;
  if (parens) out += '(';
  Print(e, out);
  if (parens) out += ')';
}

bool IsIdent(std::string_view s) {
  static const char* kReserved[] = {"and", "or", "not", "in", "has", "starts_with", "ends_with",
                                    "contains", "matches", "when", "true", "false"};
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  for (const char* r : kReserved) {
    if (s == r) return false;
  }
  return true;
}

void Print(const Expr& e, std::string& out) {
  switch (e.kind) {
    case ExprKind::kNumber:
    case ExprKind::kDuration:
    case ExprKind::kTimestamp:
    case ExprKind::kName:
    case ExprKind::kBool:
      out += e.text;
      return;
    case ExprKind::kString:
      out += QuoteString(e.text);
      return;
    case ExprKind::kRegex:
      out += '/';
      out += e.text;
      out += '/';
      out += e.flags;
      return;
    case ExprKind::kCall:
    case ExprKind::kList: {
      bool call = e.kind == ExprKind::kCall;
      out += call ? e.text + "(" : "[";
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        if (i) out += ", ";
        Print(e.args[i], out);
      }
      out += call ? ")" : "]";
      return;
    }
    case ExprKind::kUnary:
      if (e.op == Op::kNot) {
        out += "not ";
        PrintOperand(e.args[0], 3, out);
      } else {
        out += '-';
        PrintOperand(e.args[0], 7, out);
      }
      return;
    case ExprKind::kBinary: {
      int p = Prec(e);
      // Left-associative: the left operand may have the same precedence, except
      // comparisons, which do not chain.
      PrintOperand(e.args[0], p == 4 ? 5 : p, out);
      out += ' ';
      out += OpText(e.op);
      out += ' ';
      PrintOperand(e.args[1], p + 1, out);
      return;
    }
  }
}

struct Anchor {
  std::uint32_t offset;
  std::vector<std::string> before;  // own-line comments
  std::vector<std::string> after;   // end-of-line comments
};

class Writer {
 public:
  Writer(const File& file) : file_(file) {
    CollectAnchors();
    AssignComments();
  }

  std::string Run() {
    std::string prev_kind;
    bool first = true;
    for (const auto& [kind, i] : file_.order) {
      if (!first && !(kind == "import" && prev_kind == "import") &&
          !(kind == "list" && prev_kind == "list") &&
          !(kind == "define" && prev_kind == "define")) {
        out_ += '\n';
      }
      first = false;
      prev_kind = kind;
      if (kind == "import") {
        const auto& d = file_.imports[i];
        Line(d.loc, "", "import " + QuoteString(d.path));
      } else if (kind == "policy") {
        const auto& p = file_.policies[i];
        Line(p.loc, "", "policy " + p.id + " " + QuoteString(p.title) + " {");
        for (const auto& v : p.versions) {
          Line(v.loc, "  ", "version " + QuoteString(v.name) + " effective " + v.date);
        }
        out_ += "}\n";
      } else if (kind == "list") {
        const auto& l = file_.lists[i];
        Line(l.loc, "", "list " + l.name + " = " + FormatExpr(l.value));
      } else if (kind == "define") {
        const auto& d = file_.defines[i];
        Line(d.loc, "", "define " + d.name + " = " + FormatExpr(d.value));
      } else {
        WriteRule(file_.rules[i]);
      }
    }
    if (!tail_.empty()) {
      if (!first) out_ += '\n';
      for (const auto& c : tail_) out_ += c + "\n";
    }
    return std::move(out_);
  }

 private:
  void WriteRule(const Rule& r) {
    Line(r.loc, "", "rule " + r.id + " {");
    group_ = -1;
    group_written_ = false;
    const std::string in = "  ";
    auto word = [&](const std::optional<Word>& w, const char* key, bool quote) {
      if (w) Line(w->loc, in, std::string(key) + " " + (quote ? QuoteString(w->value) : w->value));
    };
    auto words = [&](const std::optional<std::vector<Word>>& ws, Loc loc, const char* key,
                     bool idents) {
      if (!ws) return;
      std::string s = std::string(key) + " [";
      for (std::size_t i = 0; i < ws->size(); ++i) {
        if (i) s += ", ";
        const std::string& v = (*ws)[i].value;
        s += idents && IsIdent(v) ? v : QuoteString(v);
      }
      Line(loc, in, s + "]");
    };
    // Groups, separated by a blank line: metadata; where and when; lets; levels; evidence.
    Group(0);
    word(r.title, "title", true);
    if (r.clause) {
      const auto& c = *r.clause;
      std::string s = "clause " + c.policy + " " + QuoteString(c.section) + " since " +
                      QuoteString(c.since);
      if (c.until) s += " until " + QuoteString(*c.until);
      Line(c.loc, in, s);
    }
    word(r.text, "text", true);
    word(r.severity, "severity", false);
    word(r.status, "status", false);
    words(r.tags, r.tags_loc, "tags", true);
    word(r.owner, "owner", true);
    words(r.references, r.references_loc, "references", false);
    Group(1);
    word(r.scope, "scope", false);
    if (r.window) {
      std::string s = "window " + r.window->text;
      if (r.window->min_active_days) {
        s += " min_active_days " + std::to_string(*r.window->min_active_days);
      }
      Line(r.window->loc, in, s);
    }
    for (const auto& e : r.requires_) Line(e.loc, in, "require " + FormatExpr(e));
    for (const auto& e : r.unless) Line(e.loc, in, "unless " + FormatExpr(e));
    for (const auto& e : r.where) Line(e.loc, in, "where " + FormatExpr(e));
    Group(2);
    for (const auto& l : r.lets) Line(l.loc, in, "let " + l.name + " = " + FormatExpr(l.value));
    Group(3);
    for (const auto& l : r.levels) {
      Line(l.loc, in, l.level + " when " + FormatExpr(l.condition));
    }
    Group(4);
    if (r.evidence) {
      const auto& ev = *r.evidence;
      std::vector<std::string> lines;
      if (ev.sample) {
        std::string s = "sample " + std::to_string(*ev.sample);
        if (ev.by) s += " by " + FormatExpr(*ev.by);
        if (ev.order) s += " " + *ev.order;
        lines.push_back(s);
      }
      if (!ev.show.empty()) {
        std::string s = "show ";
        for (std::size_t i = 0; i < ev.show.size(); ++i) {
          if (i) s += ", ";
          s += FormatExpr(ev.show[i]);
        }
        lines.push_back(s);
      }
      if (lines.empty()) {
        Line(ev.loc, in, "evidence {}");
      } else {
        Line(ev.loc, in, "evidence {");
        for (const auto& l : lines) out_ += in + "  " + l + "\n";
        out_ += in + "}\n";
      }
    }
    out_ += "}\n";
    group_ = -1;
    pending_blank_ = false;
  }

  // Starts group `g` of a rule's items; the next item written opens it with a blank
  // line when an earlier group wrote something.
  void Group(int g) {
    if (group_written_) pending_blank_ = true;
    group_written_ = false;
    group_ = g;
  }

  // Writes one line for the node at `loc`, with its comments.
  void Line(Loc loc, const std::string& indent, const std::string& text) {
    if (group_ >= 0) {
      if (pending_blank_) out_ += '\n';
      pending_blank_ = false;
      group_written_ = true;
    }
    auto it = anchors_.find(loc.offset);
    if (it == anchors_.end()) {
      out_ += indent + text + "\n";
      return;
    }
    for (const auto& c : it->second.before) out_ += indent + c + "\n";
    const auto& after = it->second.after;
    for (std::size_t i = 0; i + 1 < after.size(); ++i) out_ += indent + after[i] + "\n";
    out_ += indent + text;
    if (!after.empty()) out_ += "  " + after.back();
    out_ += "\n";
  }

  void Add(Loc loc) { anchors_.try_emplace(loc.offset, Anchor{loc.offset, {}, {}}); }

  void CollectAnchors() {
    for (const auto& d : file_.imports) Add(d.loc);
    for (const auto& p : file_.policies) {
      Add(p.loc);
      for (const auto& v : p.versions) Add(v.loc);
    }
    for (const auto& l : file_.lists) Add(l.loc);
    for (const auto& d : file_.defines) Add(d.loc);
    for (const auto& r : file_.rules) {
      Add(r.loc);
      for (const auto* w : {&r.title, &r.text, &r.owner, &r.severity, &r.status, &r.scope}) {
        if (*w) Add((*w)->loc);
      }
      if (r.clause) Add(r.clause->loc);
      if (r.tags) Add(r.tags_loc);
      if (r.references) Add(r.references_loc);
      if (r.window) Add(r.window->loc);
      for (const auto* v : {&r.requires_, &r.unless, &r.where}) {
        for (const auto& e : *v) Add(e.loc);
      }
      for (const auto& l : r.lets) Add(l.loc);
      for (const auto& l : r.levels) Add(l.loc);
      if (r.evidence) Add(r.evidence->loc);
    }
  }

  void AssignComments() {
    for (const auto& c : file_.comments) {
      if (!c.own_line) {
        auto it = anchors_.lower_bound(c.loc.offset);
        if (it != anchors_.begin()) {
          --it;
          it->second.after.push_back(c.text);
          continue;
        }
      }
      auto it = anchors_.upper_bound(c.loc.offset);
      if (it == anchors_.end()) {
        tail_.push_back(c.text);
      } else {
        it->second.before.push_back(c.text);
      }
    }
  }

  const File& file_;
  std::map<std::uint32_t, Anchor> anchors_;
  std::vector<std::string> tail_;
  std::string out_;
  int group_ = -1;  // -1 outside a rule
  bool group_written_ = false;
  bool pending_blank_ = false;
};

}  // namespace

std::string QuoteString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  out += '"';
  return out;
}

std::string FormatExpr(const Expr& e) {
  std::string out;
  Print(e, out);
  return out;
}

std::string FormatFile(const File& file, std::string_view /*source*/) {
  Writer w(file);
  return w.Run();
}

std::optional<std::string> FormatSource(std::string_view text, const std::string& path,
                                        Diagnostics* diags) {
  SourceSet sources;
  std::uint32_t index = sources.Add(path, std::string(text));
  Diagnostics local;
  File file = ParseFile(sources, index, &local);
  bool failed = local.HasErrors();
  for (const auto& d : local.items()) diags->Add(d);
  if (failed) return std::nullopt;
  return FormatFile(file, text);
}

}  // namespace tosguard::dsl
