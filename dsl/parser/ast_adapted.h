// Boost.Fusion adaptation of the parser's syntax tree (private to dsl/parser/).
#pragma once

#include <boost/fusion/include/adapt_struct.hpp>

#include "dsl/parser/ast.h"

BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::NumberLit, text)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::DurationLit, text)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::DateLit, text)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::StringLit, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::RegexLit, pattern, flags)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Path, head, tail)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Term, prefixes, operand)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Operation, op, term)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Expr, first, rest)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Call, name, args)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::ListLit, items)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Import, path)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::PolicyVersion, name, date)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Policy, id, title, versions)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::ListDecl, name, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Define, name, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Clause, policy, section, since, until)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::KeyString, key, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::KeyWord, key, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::KeyWords, key, values)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Window, duration, min_active_days)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::KeyExpr, key, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Let, name, value)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Level, level, condition)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Sample, count, by, order)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Evidence, sample, show)
BOOST_FUSION_ADAPT_STRUCT(tosguard::dsl::parser::ast::Rule, id, items)
