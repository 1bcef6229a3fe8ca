// Lexical rules (identifiers, keywords, literals) shared by the grammar's TUs.
#pragma once

#include <boost/spirit/home/x3.hpp>

#include <string>

#include "dsl/parser/ast.h"
#include "dsl/parser/ast_adapted.h"
#include "dsl/parser/grammar.h"

namespace tosguard::dsl::parser {

namespace x3 = boost::spirit::x3;

// A keyword: the word not followed by an identifier character.
inline auto Kw(const char* word) {
  return x3::lexeme[x3::lit(word) >> !(x3::alnum | x3::char_('_'))];
}
// The same, yielding the word as its attribute.
inline auto KwAttr(const char* word) {
  return x3::lexeme[x3::string(word) >> !(x3::alnum | x3::char_('_'))];
}

inline const auto reserved_word = Kw("and") | Kw("or") | Kw("not") | Kw("in") | Kw("has") |
                                  Kw("starts_with") | Kw("ends_with") | Kw("contains") |
                                  Kw("matches") | Kw("when");

struct ident_class : annotate {};
struct string_class : annotate {};
struct string_value_class : annotate {};
struct date_text_class : annotate {};
struct duration_text_class : annotate {};

const x3::rule<ident_class, std::string> ident = "identifier";
const x3::rule<string_class, ast::StringLit> string_lit = "string";
const x3::rule<string_value_class, std::string> string_value = "string";
const x3::rule<date_text_class, std::string> date_text = "date (YYYY-MM-DD)";
const x3::rule<duration_text_class, std::string> duration_text = "duration (e.g. 30d)";

const auto ident_def =
    x3::lexeme[!reserved_word >> (x3::alpha | x3::char_('_')) >> *(x3::alnum | x3::char_('_'))];

const auto escape = x3::lit('\\') > (x3::char_('"') | x3::char_('\\') |
                                     (x3::lit('n') >> x3::attr('\n')) |
                                     (x3::lit('t') >> x3::attr('\t')));
const auto string_value_def =
    x3::lexeme['"' > *(escape | (x3::char_ - '"' - '\\' - x3::eol)) > '"'];
const auto string_lit_def = string_value;

const auto date_text_def = x3::raw[x3::lexeme[x3::repeat(4)[x3::digit] >> '-' >>
                                              x3::repeat(2)[x3::digit] >> '-' >>
                                              x3::repeat(2)[x3::digit]]];
const auto duration_text_def = x3::raw[x3::lexeme[+x3::digit >> x3::char_("smhdw") >>
                                                  !(x3::alnum | x3::char_('_'))]];

BOOST_SPIRIT_DEFINE(ident, string_lit, string_value, date_text, duration_text)

}  // namespace tosguard::dsl::parser
