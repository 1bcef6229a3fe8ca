// Declarations of the grammar's entry rules (definitions in *_def.h, one TU each).
#pragma once

#include <boost/spirit/home/x3.hpp>

#include "dsl/parser/ast.h"

namespace tosguard::dsl::parser {

namespace x3 = boost::spirit::x3;

struct expression_class;
struct declaration_class;
using expression_type = x3::rule<expression_class, ast::Expr>;
using declaration_type = x3::rule<declaration_class, ast::Declaration>;
BOOST_SPIRIT_DECLARE(expression_type, declaration_type)

// Records where each tagged node starts (after any leading blanks and comments).
struct annotate {
  template <typename Iterator, typename Node, typename Context>
  void on_success(const Iterator& first, const Iterator& last, Node& node, const Context&) {
    if constexpr (std::is_base_of_v<ast::Tagged, Node>) {
      node.where = SkipBlank(first, last);
    }
  }
  static const char* SkipBlank(const char* p, const char* end) {
    while (p < end) {
      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v') {
        ++p;
      } else if (*p == '#' || (*p == '/' && p + 1 < end && p[1] == '/')) {
        while (p < end && *p != '\n' && *p != '\r') ++p;
      } else {
        break;
      }
    }
    return p;
  }
};

}  // namespace tosguard::dsl::parser
