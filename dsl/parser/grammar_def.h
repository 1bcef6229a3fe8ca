// The grammar of rule files (declarations); expressions are in expression_def.h.
//
// EBNF (also in docs/language.md; `kw` means the keyword as a whole word):
//
//   file        = { declaration } ;
//   declaration = import | policy | list | define | rule ;
//   import      = "import" string ;
//   policy      = "policy" ident string "{" { "version" string "effective" date } "}" ;
//   list        = "list" ident "=" "[" [ expr { "," expr } [ "," ] ] "]" ;
//   define      = "define" ident "=" expr ;
//   rule        = "rule" ident "{" { rule_item } "}" ;
//   rule_item   = "clause" ident string "since" string [ "until" string ]
//               | ( "title" | "text" | "owner" ) string
//               | ( "severity" | "status" | "scope" ) ident
//               | ( "tags" | "references" ) "[" [ word { "," word } ] "]"
//               | "window" duration [ "min_active_days" integer ]
//               | ( "require" | "unless" | "where" ) expr
//               | "let" ident "=" expr
//               | "evidence" "{" [ "sample" integer [ "by" expr ] [ "asc" | "desc" ] ]
//                                [ "show" expr { "," expr } ] "}"
//               | ident "when" expr ;                      (* a level: violation, review *)
//   word        = ident | string ;
//   expr        = term { binop term } ;                    (* precedence: see below *)
//   term        = { "not" | "-" } operand ;
//   operand     = date | duration | number | string | regex | ident "(" [ expr { "," expr } ] ")"
//               | ident { "." ident } | "[" [ expr { "," expr } [ "," ] ] "]" | "(" expr ")" ;
//   binop       = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in"
//               | "has" | "starts_with" | "ends_with" | "contains" | "matches"
//               | "+" | "-" | "*" | "/" | "%" ;
//   date        = digit{4} "-" digit{2} "-" digit{2} [ "T" time ] ;
//   duration    = digit { digit } ( "s" | "m" | "h" | "d" | "w" ) ;
//   regex       = "/" { char - "/" | "\" char } "/" { "i" | "m" | "s" | "U" } ;
//
// Precedence, loosest first: or; and; not (prefix); comparisons, in, has, string tests
// and matches (non-associative); + -; * / %; unary minus. Nesting of brackets is
// capped (parse.cc) so hostile input cannot exhaust the stack.
#pragma once

#include "dsl/parser/lexical_def.h"

namespace tosguard::dsl::parser {

struct import_class : annotate {};
struct policy_version_class : annotate {};
struct policy_class : annotate {};
struct list_decl_class : annotate {};
struct list_body_class : annotate {};
struct define_class : annotate {};
struct clause_class : annotate {};
struct key_string_class : annotate {};
struct key_word_class : annotate {};
struct key_words_class : annotate {};
struct window_class : annotate {};
struct key_expr_class : annotate {};
struct let_class : annotate {};
struct sample_class : annotate {};
struct evidence_class : annotate {};
struct level_class : annotate {};
struct rule_item_class : annotate {};
struct rule_class : annotate {};
struct declaration_class : annotate {};

const x3::rule<import_class, ast::Import> import_decl = "import";
const x3::rule<policy_version_class, ast::PolicyVersion> policy_version = "version";
const x3::rule<policy_class, ast::Policy> policy_decl = "policy";
const x3::rule<list_decl_class, ast::ListDecl> list_decl = "list";
const x3::rule<list_body_class, ast::ListLit> list_body = "list";
const x3::rule<define_class, ast::Define> define_decl = "define";
const x3::rule<clause_class, ast::Clause> clause_item = "clause";
const x3::rule<key_string_class, ast::KeyString> key_string_item = "item";
const x3::rule<key_word_class, ast::KeyWord> key_word_item = "item";
const x3::rule<key_words_class, ast::KeyWords> key_words_item = "item";
const x3::rule<window_class, ast::Window> window_item = "window";
const x3::rule<key_expr_class, ast::KeyExpr> key_expr_item = "item";
const x3::rule<let_class, ast::Let> let_item = "let";
const x3::rule<sample_class, ast::Sample> sample_item = "sample";
const x3::rule<evidence_class, ast::Evidence> evidence_item = "evidence";
const x3::rule<level_class, ast::Level> level_item = "level";
const x3::rule<rule_item_class, ast::RuleItem> rule_item = "rule item";
const x3::rule<rule_class, ast::Rule> rule_decl = "rule";
const declaration_type declaration = "declaration";
// Defined and instantiated in expression.cc.
const expression_type expr = "expression";

const auto import_decl_def = Kw("import") > string_value;
const auto policy_version_def = Kw("version") > string_value > Kw("effective") > date_text;
const auto policy_decl_def =
    Kw("policy") > ident > string_value > '{' > *policy_version > '}';
const auto list_body_def = '[' > -(expr % ',') > -x3::lit(',') > ']';
const auto list_decl_def = Kw("list") > ident > '=' > list_body;
const auto define_decl_def = Kw("define") > ident > '=' > expr;
const auto clause_item_def = Kw("clause") > ident > string_value > Kw("since") > string_value >
                             -(Kw("until") > string_value);
const auto key_string_item_def = (KwAttr("title") | KwAttr("text") | KwAttr("owner")) > string_value;
const auto key_word_item_def = (KwAttr("severity") | KwAttr("status") | KwAttr("scope")) > ident;
const auto key_words_item_def = (KwAttr("tags") | KwAttr("references")) > '[' >
                                -((string_value | ident) % ',') > ']';
const auto window_item_def =
    Kw("window") > duration_text > -(Kw("min_active_days") > x3::uint_);
const auto key_expr_item_def = (KwAttr("require") | KwAttr("unless") | KwAttr("where")) > expr;
const auto let_item_def = Kw("let") > ident > '=' > expr;
const auto sample_item_def =
    Kw("sample") > x3::uint_ > -(Kw("by") > expr) > -(KwAttr("asc") | KwAttr("desc"));
const auto evidence_item_def =
    Kw("evidence") > '{' > -sample_item > -(Kw("show") > (expr % ',')) > '}';
const auto level_item_def = (ident >> Kw("when")) > expr;
const auto rule_item_def = clause_item | key_string_item | key_word_item | key_words_item |
                           window_item | key_expr_item | let_item | evidence_item | level_item;
const auto rule_decl_def = Kw("rule") > ident > '{' > *rule_item > '}';
const auto declaration_def = import_decl | policy_decl | list_decl | define_decl | rule_decl;

BOOST_SPIRIT_DEFINE(import_decl, policy_version, policy_decl, list_body, list_decl, define_decl,
                    clause_item, key_string_item, key_word_item, key_words_item, window_item,
                    key_expr_item, let_item, sample_item, evidence_item, level_item, rule_item,
                    rule_decl, declaration)

}  // namespace tosguard::dsl::parser
