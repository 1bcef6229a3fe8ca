// Drives the X3 grammar one declaration at a time and lowers its tree to dsl/ast.h.
//
// Before Spirit sees the text, a scan rejects oversized files, invalid UTF-8 and
// bracket nesting past kMaxBracketDepth (so recursion stays bounded), and collects
// comments for the formatter. After a syntax error, parsing resumes at the next line
// that starts with a declaration keyword, so every broken declaration is reported.
#include "dsl/parser/parser.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "dsl/parser/ast.h"
#include "dsl/parser/ast_adapted.h"
#include "dsl/parser/config.h"
#include "dsl/parser/grammar.h"

namespace tosguard::dsl {
namespace {

namespace pa = parser::ast;
namespace x3 = boost::spirit::x3;

const std::vector<std::string> kDeclKeywords = {"import", "policy", "list", "define", "rule"};
const std::vector<std::string> kItemKeywords = {
    "clause", "title", "text", "owner", "severity", "status", "scope", "tags", "references",
    "window", "require", "unless", "where", "let", "evidence", "violation", "review"};

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// Offset of the first byte that is not part of well-formed UTF-8 (or a NUL), or npos.
std::size_t FirstBadByte(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return i;
    if (c < 0x80) { ++i; continue; }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1Fu; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0Fu; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07u; }
    else return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

// Scans for comments and bracket depth. Returns false (with a diagnostic) when the
// nesting is too deep.
bool Prescan(const SourceSet& sources, std::uint32_t index, File* file, Diagnostics* diags) {
  const std::string& t = sources.file(index).text;
  int depth = 0;
  bool line_has_code = false;
  std::string_view last_word;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '\n') { line_has_code = false; continue; }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') continue;
    if (c == '#' || (c == '/' && i + 1 < t.size() && t[i + 1] == '/')) {
      // Like the grammar's skipper, a comment ends at any line break, "\r" included.
      std::size_t end = t.find_first_of("\r\n", i);
      if (end == std::string::npos) end = t.size();
      std::size_t stop = end;
      while (stop > i && (t[stop - 1] == ' ' || t[stop - 1] == '\t')) --stop;
      file->comments.push_back({{index, static_cast<std::uint32_t>(i)}, t.substr(i, stop - i),
                                !line_has_code});
      i = end - 1;
      continue;
    }
    line_has_code = true;
    if (c == '"') {
      for (++i; i < t.size() && t[i] != '"' && t[i] != '\n' && t[i] != '\r'; ++i) {
        if (t[i] == '\\') ++i;
      }
      if (i < t.size() && t[i] == '\n') { line_has_code = false; }
      last_word = {};
      continue;
    }
    if (c == '/' && last_word == "matches") {
      for (++i; i < t.size() && t[i] != '/' && t[i] != '\n' && t[i] != '\r'; ++i) {
        if (t[i] == '\\') ++i;
      }
      if (i < t.size() && t[i] == '\n') { line_has_code = false; }
      last_word = {};
      continue;
    }
    if (IsIdentStart(c)) {
      std::size_t j = i;
      while (j < t.size() && IsIdentChar(t[j])) ++j;
      last_word = std::string_view(t).substr(i, j - i);
      i = j - 1;
      continue;
    }
    last_word = {};
    if (c == '(' || c == '[' || c == '{') {
      if (++depth > kMaxBracketDepth) {
        sources.Error(diags, {index, static_cast<std::uint32_t>(i)},
                      "brackets nested more than " + std::to_string(kMaxBracketDepth) +
                          " levels deep");
        return false;
      }
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

const char* SkipBlank(const char* p, const char* end) {
  return parser::annotate::SkipBlank(p, end);
}

std::string WordAt(const char* p, const char* end) {
  const char* q = p;
  while (q < end && IsIdentChar(*q)) ++q;
  return std::string(p, q);
}

// The next line start after `p` that begins (in column 1) with a word: a declaration
// keyword, or a misspelt one, which then gets its own diagnostic.
const char* Resync(const char* p, const char* end) {
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (nl == nullptr) return end;
    p = nl + 1;
    // Unindented rule items are not declarations: keep skipping.
    if (p < end && IsIdentStart(*p) &&
        std::find(kItemKeywords.begin(), kItemKeywords.end(), WordAt(p, end)) ==
            kItemKeywords.end()) {
      return p;
    }
  }
  return end;
}


// Describes what is at `p` for "expected X, found Y".
std::string FoundAt(const char* p, const char* end) {
  if (p >= end) return "end of file";
  if (IsIdentStart(*p)) return "'" + WordAt(p, end) + "'";
  auto c = static_cast<unsigned char>(*p);
  if (c < 0x20 || c >= 0x7f) return "an unexpected character";
  return "'" + std::string(1, *p) + "'";
}

int Precedence(Op op) {
  switch (op) {
    case Op::kOr: return 1;
    case Op::kAnd: return 2;
    case Op::kNot: return 3;
    case Op::kEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
    case Op::kIn: case Op::kNotIn: case Op::kHas: case Op::kStartsWith: case Op::kEndsWith:
    case Op::kContains: case Op::kMatches: return 4;
    case Op::kAdd: case Op::kSub: return 5;
    case Op::kMul: case Op::kDiv: case Op::kMod: return 6;
    case Op::kNeg: return 7;
  }
  return 0;
}

Op BinaryOp(const std::string& s) {
  static const std::pair<const char*, Op> kOps[] = {
      {"or", Op::kOr}, {"and", Op::kAnd}, {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},
      {"<=", Op::kLe}, {">", Op::kGt}, {">=", Op::kGe}, {"in", Op::kIn}, {"not in", Op::kNotIn},
      {"has", Op::kHas}, {"starts_with", Op::kStartsWith}, {"ends_with", Op::kEndsWith},
      {"contains", Op::kContains}, {"matches", Op::kMatches}, {"+", Op::kAdd}, {"-", Op::kSub},
      {"*", Op::kMul}, {"/", Op::kDiv}, {"%", Op::kMod}};
  for (const auto& [text, op] : kOps) {
    if (s == text) return op;
  }
  return Op::kAnd;
}

class Lowerer {
 public:
  Lowerer(const SourceSet& sources, std::uint32_t index, Diagnostics* diags)
      : sources_(sources), index_(index), diags_(diags),
        begin_(sources.file(index).text.data()) {}

  Loc At(const char* where) const {
    if (where == nullptr) return {index_, 0};
    return {index_, static_cast<std::uint32_t>(where - begin_)};
  }
  void Error(Loc loc, std::string m) { sources_.Error(diags_, loc, std::move(m)); }

  // Lowers a sub-expression, adding its depth to `*depth`.
  Expr LowerNested(const pa::Expr& e, int* depth) { return LowerChain(e, depth); }

  // Lowers an expression and rejects trees deeper than kMaxExprDepth.
  Expr LowerExpr(const pa::Expr& e) {
    int depth = 0;
    too_deep_ = false;
    Expr out = LowerChain(e, &depth);
    if (too_deep_) {
      Error(At(e.where), "expression nested more than " + std::to_string(kMaxExprDepth) +
                             " levels deep");
      too_deep_ = false;
    }
    return out;
  }

  // Records that a tree got too deep; building stops there, so no deeper tree is
  // ever made (its recursive destruction could exhaust the stack).
  bool TooDeep(int depth) {
    if (depth > kMaxExprDepth) too_deep_ = true;
    return too_deep_;
  }

  void LowerDeclaration(const pa::Declaration& d, File* file);

 private:
  struct Chain {
    const pa::Expr& e;
    std::size_t term = 0;      // index of the current term (0 = first)
    std::size_t prefix = 0;    // prefixes of the current term already applied
    const pa::Term& Term() const { return term == 0 ? e.first : e.rest[term - 1].term; }
    bool HasOp() const { return term < e.rest.size(); }
    const pa::Operation& NextOp() const { return e.rest[term]; }
  };

  Expr LowerChain(const pa::Expr& e, int* depth) {
    Chain c{e};
    return Climb(c, 1, depth);
  }

  Expr Climb(Chain& c, int min_prec, int* depth) {
    Expr lhs = Primary(c, depth);
    bool lhs_is_comparison = false;
    while (c.HasOp()) {
      if (too_deep_) {
        c.term = c.e.rest.size();
        break;
      }
      const pa::Operation& o = c.NextOp();
      Op op = BinaryOp(o.op);
      int prec = Precedence(op);
      if (prec < min_prec) break;
      if (prec == 4 && lhs_is_comparison) {
        Error(At(o.where), "comparisons do not chain; combine them with 'and'");
      }
      ++c.term;
      c.prefix = 0;
      int rdepth = 0;
      Expr rhs = Climb(c, prec + 1, &rdepth);
      Expr bin;
      bin.kind = ExprKind::kBinary;
      bin.op = op;
      bin.loc = At(o.where);
      bin.args.push_back(std::move(lhs));
      bin.args.push_back(std::move(rhs));
      lhs = std::move(bin);
      *depth = std::max(*depth, rdepth) + 1;
      lhs_is_comparison = prec == 4;
      TooDeep(*depth);
    }
    return lhs;
  }

  Expr Primary(Chain& c, int* depth) {
    const pa::Term& t = c.Term();
    if (too_deep_) {
      c.prefix = t.prefixes.size();
      return Expr{};
    }
    if (c.prefix == 0 && t.prefixes.size() > 32) {
      Error(At(t.where), "more than 32 prefix operators in a row");
      c.prefix = t.prefixes.size();
    }
    if (c.prefix < t.prefixes.size()) {
      bool is_not = t.prefixes[c.prefix] == "not";
      Loc loc = At(t.where);
      ++c.prefix;
      Expr u;
      u.kind = ExprKind::kUnary;
      u.op = is_not ? Op::kNot : Op::kNeg;
      u.loc = loc;
      int d = 0;
      u.args.push_back(is_not ? Climb(c, 3, &d) : Primary(c, &d));
      *depth = d + 1;
      TooDeep(*depth);
      return u;
    }
    return LowerOperand(t.operand, depth);
  }

  Expr LowerOperand(const pa::Operand& o, int* depth);

  const SourceSet& sources_;
  std::uint32_t index_;
  Diagnostics* diags_;
  const char* begin_;
  bool too_deep_ = false;
};

struct OperandVisitor {
  using result_type = Expr;
  Lowerer* low;
  int* depth;

  Expr operator()(const pa::NumberLit& n) const {
    Expr e;
    e.kind = ExprKind::kNumber;
    e.loc = low->At(n.where);
    e.text = n.text;
    e.number = std::strtod(n.text.c_str(), nullptr);
    if (!std::isfinite(e.number)) low->Error(e.loc, "number out of range: " + n.text);
    return e;
  }
  Expr operator()(const pa::DurationLit& d) const {
    Expr e;
    e.kind = ExprKind::kDuration;
    e.loc = low->At(d.where);
    e.text = d.text;
    auto v = ParseDuration(d.text);
    if (!v) low->Error(e.loc, "duration out of range: " + d.text);
    e.int_value = v.value_or(0);
    return e;
  }
  Expr operator()(const pa::DateLit& d) const {
    Expr e;
    e.kind = ExprKind::kTimestamp;
    e.loc = low->At(d.where);
    e.text = d.text;
    auto v = d.text.size() == 10 ? ParseDate(d.text) : ParseRfc3339(d.text);
    if (!v) {
      low->Error(e.loc, "invalid date or timestamp '" + d.text +
                            "' (write YYYY-MM-DD or an RFC 3339 time with its offset)");
    }
    e.int_value = v.value_or(0);
    return e;
  }
  Expr operator()(const pa::StringLit& s) const {
    Expr e;
    e.kind = ExprKind::kString;
    e.loc = low->At(s.where);
    e.text = s.value;
    return e;
  }
  Expr operator()(const pa::RegexLit& r) const {
    Expr e;
    e.kind = ExprKind::kRegex;
    e.loc = low->At(r.where);
    e.text = r.pattern;
    e.flags = r.flags;
    return e;
  }
  Expr operator()(const pa::Path& p) const {
    Expr e;
    e.loc = low->At(p.where);
    if (p.tail.empty() && (p.head == "true" || p.head == "false")) {
      e.kind = ExprKind::kBool;
      e.bool_value = p.head == "true";
      e.text = p.head;
      return e;
    }
    e.kind = ExprKind::kName;
    e.path.push_back(p.head);
    for (const auto& t : p.tail) e.path.push_back(t);
    e.text = p.head;
    for (const auto& t : p.tail) e.text += "." + t;
    return e;
  }
  Expr operator()(const x3::forward_ast<pa::Call>& fc) const {
    const pa::Call& c = fc.get();
    Expr e;
    e.kind = ExprKind::kCall;
    e.loc = low->At(c.where);
    e.text = c.name;
    int d = 0;
    for (const auto& a : c.args) {
      int ad = 0;
      e.args.push_back(LowerSub(a, &ad));
      d = std::max(d, ad);
    }
    *depth = d + 1;
    low->TooDeep(*depth);
    return e;
  }
  Expr operator()(const x3::forward_ast<pa::ListLit>& fl) const {
    const pa::ListLit& l = fl.get();
    Expr e;
    e.kind = ExprKind::kList;
    e.loc = low->At(l.where);
    int d = 0;
    for (const auto& a : l.items) {
      int ad = 0;
      e.args.push_back(LowerSub(a, &ad));
      d = std::max(d, ad);
    }
    *depth = d + 1;
    low->TooDeep(*depth);
    return e;
  }
  Expr operator()(const x3::forward_ast<pa::Expr>& fe) const {
    return LowerSub(fe.get(), depth);
  }
  Expr LowerSub(const pa::Expr& e, int* d) const;
};

Expr Lowerer::LowerOperand(const pa::Operand& o, int* depth) {
  OperandVisitor v{this, depth};
  return o.apply_visitor(v);
}

}  // namespace

// Declared outside the anonymous namespace's class to reach the private chain walker.
namespace {
Expr OperandVisitor::LowerSub(const pa::Expr& e, int* d) const {
  // A sub-expression's depth adds to the enclosing one; the check happens at the top.
  return low->LowerNested(e, d);
}
}  // namespace

namespace {

template <typename T>
void SetOnce(Lowerer& low, std::optional<T>& slot, T value, Loc loc, const std::string& what,
             const std::string& rule) {
  if (slot) {
    low.Error(loc, "'" + what + "' given twice in rule '" + rule + "'");
    return;
  }
  slot = std::move(value);
}

struct ItemVisitor {
  using result_type = void;
  Lowerer* low;
  Rule* rule;

  void Order(const char* kind, std::size_t i) const { rule->order.emplace_back(kind, i); }

  void operator()(const pa::Clause& c) const {
    Clause out{low->At(c.where), c.policy, c.section, c.since, std::nullopt};
    if (c.until) out.until = *c.until;
    SetOnce(*low, rule->clause, out, out.loc, "clause", rule->id);
    Order("clause", 0);
  }
  void operator()(const pa::KeyString& k) const {
    Word w{low->At(k.where), k.value};
    auto& slot = k.key == "title" ? rule->title : k.key == "text" ? rule->text : rule->owner;
    SetOnce(*low, slot, w, w.loc, k.key, rule->id);
    Order(k.key.c_str(), 0);
  }
  void operator()(const pa::KeyWord& k) const {
    Word w{low->At(k.where), k.value};
    auto& slot = k.key == "severity" ? rule->severity
                 : k.key == "status" ? rule->status
                                     : rule->scope;
    SetOnce(*low, slot, w, w.loc, k.key, rule->id);
    Order(k.key.c_str(), 0);
  }
  void operator()(const pa::KeyWords& k) const {
    std::vector<Word> words;
    for (const auto& v : k.values) words.push_back({low->At(k.where), v});
    bool tags = k.key == "tags";
    (tags ? rule->tags_loc : rule->references_loc) = low->At(k.where);
    SetOnce(*low, tags ? rule->tags : rule->references, words, low->At(k.where), k.key, rule->id);
    Order(k.key.c_str(), 0);
  }
  void operator()(const pa::Window& w) const {
    Window out;
    out.loc = low->At(w.where);
    out.text = w.duration;
    auto d = ParseDuration(w.duration);
    if (!d) low->Error(out.loc, "window out of range: " + w.duration);
    out.duration = d.value_or(0);
    if (w.min_active_days) out.min_active_days = *w.min_active_days;
    SetOnce(*low, rule->window, out, out.loc, "window", rule->id);
    Order("window", 0);
  }
  void operator()(const pa::KeyExpr& k) const {
    Expr e = low->LowerExpr(k.value);
    if (k.key == "require") {
      rule->requires_.push_back(std::move(e));
      Order("require", rule->requires_.size() - 1);
    } else if (k.key == "unless") {
      rule->unless.push_back(std::move(e));
      Order("unless", rule->unless.size() - 1);
    } else {
      rule->where.push_back(std::move(e));
      Order("where", rule->where.size() - 1);
    }
  }
  void operator()(const pa::Let& l) const {
    rule->lets.push_back({low->At(l.where), l.name, low->LowerExpr(l.value)});
    Order("let", rule->lets.size() - 1);
  }
  void operator()(const pa::Level& l) const {
    rule->levels.push_back({low->At(l.where), l.level, low->LowerExpr(l.condition)});
    Order("level", rule->levels.size() - 1);
  }
  void operator()(const pa::Evidence& ev) const {
    Evidence out;
    out.loc = low->At(ev.where);
    if (ev.sample) {
      out.sample = ev.sample->count;
      out.sample_loc = low->At(ev.sample->where);
      if (ev.sample->by) out.by = low->LowerExpr(*ev.sample->by);
      if (ev.sample->order) out.order = *ev.sample->order;
    }
    for (const auto& s : ev.show) out.show.push_back(low->LowerExpr(s));
    SetOnce(*low, rule->evidence, std::move(out), low->At(ev.where), "evidence", rule->id);
    Order("evidence", 0);
  }
};

struct DeclVisitor {
  using result_type = void;
  Lowerer* low;
  File* file;

  void operator()(const pa::Import& i) const {
    file->imports.push_back({low->At(i.where), i.path});
    file->order.emplace_back("import", file->imports.size() - 1);
  }
  void operator()(const pa::Policy& p) const {
    Policy out{low->At(p.where), p.id, p.title, {}};
    for (const auto& v : p.versions) {
      PolicyVersion pv{low->At(v.where), v.name, v.date, 0};
      auto ts = ParseDate(v.date);
      if (!ts) low->Error(pv.loc, "invalid effective date '" + v.date + "'");
      pv.effective = ts.value_or(0);
      out.versions.push_back(std::move(pv));
    }
    file->policies.push_back(std::move(out));
    file->order.emplace_back("policy", file->policies.size() - 1);
  }
  void operator()(const pa::ListDecl& l) const {
    ListDecl out{low->At(l.where), l.name, {}};
    out.value.kind = ExprKind::kList;
    out.value.loc = low->At(l.value.where);
    for (const auto& item : l.value.items) out.value.args.push_back(low->LowerExpr(item));
    file->lists.push_back(std::move(out));
    file->order.emplace_back("list", file->lists.size() - 1);
  }
  void operator()(const pa::Define& d) const {
    file->defines.push_back({low->At(d.where), d.name, low->LowerExpr(d.value)});
    file->order.emplace_back("define", file->defines.size() - 1);
  }
  void operator()(const pa::Rule& r) const {
    Rule out;
    out.loc = low->At(r.where);
    out.id = r.id;
    ItemVisitor iv{low, &out};
    for (const auto& item : r.items) item.apply_visitor(iv);
    file->rules.push_back(std::move(out));
    file->order.emplace_back("rule", file->rules.size() - 1);
  }
};

void Lowerer::LowerDeclaration(const pa::Declaration& d, File* file) {
  DeclVisitor v{this, file};
  d.apply_visitor(v);
}

}  // namespace

const char* OpText(Op op) {
  switch (op) {
    case Op::kOr: return "or";
    case Op::kAnd: return "and";
    case Op::kNot: return "not";
    case Op::kNeg: return "-";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kIn: return "in";
    case Op::kNotIn: return "not in";
    case Op::kHas: return "has";
    case Op::kStartsWith: return "starts_with";
    case Op::kEndsWith: return "ends_with";
    case Op::kContains: return "contains";
    case Op::kMatches: return "matches";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
  }
  return "?";
}

File ParseFile(const SourceSet& sources, std::uint32_t index, Diagnostics* diags) {
  File file;
  file.index = index;
  const std::string& text = sources.file(index).text;
  if (text.size() > kMaxFileBytes) {
    sources.Error(diags, {index, 0},
                  "file too large: " + std::to_string(text.size()) + " bytes (the limit is " +
                      std::to_string(kMaxFileBytes) + ")");
    return file;
  }
  std::size_t bad = FirstBadByte(text);
  if (bad != std::string_view::npos) {
    sources.Error(diags, {index, static_cast<std::uint32_t>(bad)},
                  text[bad] == '\0' ? "NUL byte in rule file (is it a binary file?)"
                                    : "invalid UTF-8 in rule file");
    return file;
  }
  if (!Prescan(sources, index, &file, diags)) return file;

  Lowerer low(sources, index, diags);
  const char* p = text.data();
  const char* end = text.data() + text.size();
  std::size_t errors = 0;
  while (true) {
    p = SkipBlank(p, end);
    if (p >= end) break;
    if (errors >= kMaxParseErrors) {
      sources.Error(diags, low.At(p), "too many syntax errors; giving up on this file");
      break;
    }
    pa::Declaration decl;
    const char* start = p;
    try {
      // No post-skip: `p` then ends right after the declaration (for the rule's text).
      bool ok = x3::phrase_parse(p, end, parser::declaration_type{"declaration"}, parser::skipper,
                                 decl, x3::skip_flag::dont_post_skip);
      if (ok) {
        std::size_t rules_before = file.rules.size();
        low.LowerDeclaration(decl, &file);
        if (file.rules.size() > rules_before) {
          file.rules.back().end_offset = static_cast<std::uint32_t>(p - text.data());
        }
        continue;
      }
      std::string word = WordAt(start, end);
      std::string msg = "expected a declaration (import, policy, list, define or rule), found " +
                        FoundAt(start, end);
      if (!word.empty()) msg += DidYouMean(word, kDeclKeywords);
      sources.Error(diags, low.At(start), msg);
    } catch (const x3::expectation_failure<parser::iterator_type>& e) {
      const char* where = SkipBlank(e.where(), end);
      std::string which = e.which();
      std::string msg;
      std::string word = WordAt(where, end);
      if (which == "'\"'" && e.where() < end && (*e.where() == '\n' || *e.where() == '\r')) {
        where = e.where();
        msg = "unterminated string (a string ends on the line where it starts)";
      } else if (which == "'}'" && !word.empty()) {
        msg = "unknown item '" + word + "'" + DidYouMean(word, kItemKeywords) +
              "; a rule item starts with one of: clause, title, text, owner, severity, status, "
              "scope, tags, references, window, require, unless, where, let, evidence, or a "
              "level ('violation when', 'review when')";
      } else {
        msg = "expected " + which + ", found " + FoundAt(where, end);
      }
      sources.Error(diags, low.At(where), msg);
    } catch (const std::exception& e) {
      sources.Error(diags, low.At(start), std::string("cannot parse declaration: ") + e.what());
    }
    ++errors;
    p = Resync(start, end);
  }
  return file;
}

}  // namespace tosguard::dsl
