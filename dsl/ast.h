// The rule language's own syntax tree, lowered from the parser's; every node has a location.
//
// This is what the checker, the compiler and the formatter see. It is plain data
// (values and vectors) with no parser types, so any module may include it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"

namespace tosguard::dsl {

// A position in one source file: the file's index in a SourceSet and a byte offset.
struct Loc {
  std::uint32_t file = 0;
  std::uint32_t offset = 0;
};

enum class Op : std::uint8_t {
  kOr, kAnd, kNot, kNeg,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIn, kNotIn, kHas, kStartsWith, kEndsWith, kContains, kMatches,
  kAdd, kSub, kMul, kDiv, kMod,
};

// The operator as written ("and", "==", "not in", ...).
const char* OpText(Op op);

enum class ExprKind : std::uint8_t {
  kNumber,     // number (text keeps the spelling)
  kString,     // text is the decoded value
  kDuration,   // int_value in microseconds; text as written
  kTimestamp,  // int_value in microseconds since the epoch; text as written
  kBool,
  kRegex,      // text is the pattern, flags the flags
  kName,       // path: a name or a dotted field (account.tier, params.logprobs)
  kCall,       // text is the function name, args the arguments
  kList,       // args are the items
  kUnary,      // op, args[0]
  kBinary,     // op, args[0], args[1]
};

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  Loc loc;
  Op op = Op::kAnd;
  double number = 0;
  std::int64_t int_value = 0;
  bool bool_value = false;
  std::string text;
  std::string flags;
  std::vector<std::string> path;
  std::vector<Expr> args;
};

struct PolicyVersion {
  Loc loc;
  std::string name;
  std::string date;  // YYYY-MM-DD as written
  TimestampUs effective = 0;
};

struct Policy {
  Loc loc;
  std::string id;
  std::string title;
  std::vector<PolicyVersion> versions;
};

struct ListDecl {
  Loc loc;
  std::string name;
  Expr value;  // kList
};

struct Define {
  Loc loc;
  std::string name;
  Expr value;
};

struct Import {
  Loc loc;
  std::string path;  // as written, relative to the importing file
};

struct Clause {
  Loc loc;
  std::string policy;
  std::string section;
  std::string since;
  std::optional<std::string> until;
};

// A metadata item with a word or text value, and where it was written.
struct Word {
  Loc loc;
  std::string value;
};

struct Let {
  Loc loc;
  std::string name;
  Expr value;
};

struct Level {
  Loc loc;
  std::string level;  // "violation" or "review" (checked)
  Expr condition;
};

struct Evidence {
  Loc loc;
  std::optional<std::uint32_t> sample;
  Loc sample_loc;
  std::optional<Expr> by;
  std::optional<std::string> order;  // "asc" or "desc"
  std::vector<Expr> show;
};

struct Window {
  Loc loc;
  std::string text;  // as written, e.g. "30d"
  DurationUs duration = 0;
  std::optional<std::uint32_t> min_active_days;
};

struct Rule {
  Loc loc;
  std::uint32_t end_offset = 0;  // one past the closing brace
  std::string id;
  std::optional<Word> title, text, owner;
  std::optional<Word> severity, status, scope;
  std::optional<Clause> clause;
  std::optional<std::vector<Word>> tags, references;
  Loc tags_loc, references_loc;
  std::optional<Window> window;
  std::vector<Expr> requires_;  // `require` items
  std::vector<Expr> unless;
  std::vector<Expr> where;
  std::vector<Let> lets;
  std::vector<Level> levels;
  std::optional<Evidence> evidence;
  // Items in source order (kind, index into the vectors above), for the formatter.
  std::vector<std::pair<std::string, std::size_t>> order;
};

// A comment, kept so the formatter can put it back.
struct Comment {
  Loc loc;
  std::string text;  // including the leading `//` or `#`
  bool own_line = true;
};

// One parsed file.
struct File {
  std::uint32_t index = 0;
  std::vector<Import> imports;
  std::vector<Policy> policies;
  std::vector<ListDecl> lists;
  std::vector<Define> defines;
  std::vector<Rule> rules;
  std::vector<Comment> comments;
  // Declarations in source order: (kind, index), kind in import/policy/list/define/rule.
  std::vector<std::pair<std::string, std::size_t>> order;
};

}  // namespace tosguard::dsl
