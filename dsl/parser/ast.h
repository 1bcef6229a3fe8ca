// The syntax tree Spirit X3 builds: private to dsl/parser/, lowered to dsl/ast.h.
//
// Nodes keep raw text (numbers, dates, durations) so lowering can report precise
// errors; `where` points at the node's first character in the source buffer.
#pragma once

#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

#include <string>
#include <vector>

namespace tosguard::dsl::parser::ast {

namespace x3 = boost::spirit::x3;

// Set by the rules' on_success handler to the first non-blank character matched.
struct Tagged {
  const char* where = nullptr;
};

struct Expr;
struct Call;
struct ListLit;

struct NumberLit : Tagged { std::string text; };
struct DurationLit : Tagged { std::string text; };
struct DateLit : Tagged { std::string text; };
struct StringLit : Tagged { std::string value; };
struct RegexLit : Tagged {
  std::string pattern;
  std::string flags;
};
struct Path : Tagged {
  std::string head;
  std::vector<std::string> tail;  // after dots: account.tier, params.logprobs
};

struct Operand : x3::variant<NumberLit, DurationLit, DateLit, StringLit, RegexLit, Path,
                             x3::forward_ast<Call>, x3::forward_ast<ListLit>,
                             x3::forward_ast<Expr>> {
  using base_type::base_type;
  using base_type::operator=;
};

// Prefix operators ("not", "-") then an operand.
struct Term : Tagged {
  std::vector<std::string> prefixes;
  Operand operand;
};

struct Operation : Tagged {
  std::string op;
  Term term;
};

// A flat chain `term (op term)*`; precedence is applied when lowering.
struct Expr : Tagged {
  Term first;
  std::vector<Operation> rest;
};

struct Call : Tagged {
  std::string name;
  std::vector<Expr> args;
};
struct ListLit : Tagged { std::vector<Expr> items; };

// ---- declarations ----

struct Import : Tagged { std::string path; };

struct PolicyVersion : Tagged {
  std::string name;
  std::string date;
};
struct Policy : Tagged {
  std::string id;
  std::string title;
  std::vector<PolicyVersion> versions;
};

struct ListDecl : Tagged {
  std::string name;
  ListLit value;
};

struct Define : Tagged {
  std::string name;
  Expr value;
};

struct Clause : Tagged {
  std::string policy;
  std::string section;
  std::string since;
  boost::optional<std::string> until;
};
struct KeyString : Tagged {  // title, text, owner
  std::string key;
  std::string value;
};
struct KeyWord : Tagged {  // severity, status, scope
  std::string key;
  std::string value;
};
struct KeyWords : Tagged {  // tags, references
  std::string key;
  std::vector<std::string> values;
};
struct Window : Tagged {
  std::string duration;
  boost::optional<unsigned> min_active_days;
};
struct KeyExpr : Tagged {  // require, unless, where
  std::string key;
  Expr value;
};
struct Let : Tagged {
  std::string name;
  Expr value;
};
struct Level : Tagged {
  std::string level;
  Expr condition;
};
struct Sample : Tagged {
  unsigned count = 0;
  boost::optional<Expr> by;
  boost::optional<std::string> order;
};
struct Evidence : Tagged {
  boost::optional<Sample> sample;
  std::vector<Expr> show;
};

struct RuleItem : x3::variant<Clause, KeyString, KeyWord, KeyWords, Window, KeyExpr, Let,
                              Evidence, Level> {
  using base_type::base_type;
  using base_type::operator=;
};

struct Rule : Tagged {
  std::string id;
  std::vector<RuleItem> items;
};

struct Declaration : x3::variant<Import, Policy, ListDecl, Define, Rule> {
  using base_type::base_type;
  using base_type::operator=;
};

}  // namespace tosguard::dsl::parser::ast
