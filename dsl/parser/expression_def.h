// The expression grammar: a flat chain of terms and binary operators.
//
// Precedence is not encoded here; lowering (parse.cc) applies it, which keeps the
// grammar small and the compile time low. See grammar_def.h for the full EBNF.
#pragma once

#include "dsl/parser/lexical_def.h"

namespace tosguard::dsl::parser {

struct number_class : annotate {};
struct duration_class : annotate {};
struct date_class : annotate {};
struct regex_class : annotate {};
struct path_class : annotate {};
struct call_class : annotate {};
struct list_class : annotate {};
struct paren_class : annotate {};
struct operand_class : annotate {};
struct term_class : annotate {};
struct operation_class : annotate {};
struct binop_class : annotate {};
struct expression_class : annotate {};

const x3::rule<number_class, ast::NumberLit> number_lit = "number";
const x3::rule<duration_class, ast::DurationLit> duration_lit = "duration";
const x3::rule<date_class, ast::DateLit> date_lit = "date";
const x3::rule<regex_class, ast::RegexLit> regex_lit = "regex";
const x3::rule<path_class, ast::Path> path = "name";
const x3::rule<call_class, ast::Call> call = "call";
const x3::rule<list_class, ast::ListLit> list_lit = "list";
const x3::rule<paren_class, ast::Expr> paren = "parenthesised expression";
const x3::rule<operand_class, ast::Operand> operand = "operand";
const x3::rule<term_class, ast::Term> term = "operand";
const x3::rule<operation_class, ast::Operation> operation = "operator";
const x3::rule<binop_class, std::string> binop = "operator";
const expression_type expression = "expression";

const auto number_lit_def =
    x3::raw[x3::lexeme[+x3::digit >> -('.' >> +x3::digit) >>
                       -(x3::char_("eE") >> -x3::char_("+-") >> +x3::digit)]];
const auto duration_lit_def = duration_text;
const auto date_lit_def =
    x3::raw[x3::lexeme[x3::repeat(4)[x3::digit] >> '-' >> x3::repeat(2)[x3::digit] >> '-' >>
                       x3::repeat(2)[x3::digit] >>
                       -(x3::char_("Tt") >> +(x3::alnum | x3::char_(":.+-")))]];
const auto regex_lit_def =
    x3::lexeme[('/' >> x3::raw[+(('\\' >> (x3::char_ - x3::eol)) | (x3::char_ - '/' - '\\' - x3::eol))]) >
               ('/' >> *x3::char_("imsU"))];
const auto path_def = ident >> *('.' > ident);
const auto call_def = (ident >> '(') > -(expression % ',') > ')';
const auto list_lit_def = '[' > -(expression % ',') > -x3::lit(',') > ']';
const auto paren_def = '(' > expression > ')';
const auto operand_def =
    date_lit | duration_lit | number_lit | string_lit | regex_lit | call | path | list_lit | paren;
const auto term_def = *(KwAttr("not") | x3::string("-")) >> operand;
const auto binop_def = x3::string("==") | x3::string("!=") | x3::string("<=") |
                       x3::string(">=") | x3::string("<") | x3::string(">") | x3::string("+") |
                       x3::string("-") | x3::string("*") | x3::string("/") | x3::string("%") |
                       KwAttr("and") | KwAttr("or") |
                       (Kw("not") >> Kw("in") >> x3::attr(std::string("not in"))) |
                       KwAttr("in") | KwAttr("has") | KwAttr("starts_with") |
                       KwAttr("ends_with") | KwAttr("contains") | KwAttr("matches");
const auto operation_def = binop > term;
const auto expression_def = term >> *operation;

BOOST_SPIRIT_DEFINE(number_lit, duration_lit, date_lit, regex_lit, path, call, list_lit, paren,
                    operand, term, operation, binop, expression)

}  // namespace tosguard::dsl::parser
