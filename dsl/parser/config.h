// The one iterator type, skipper and context type shared by every X3 translation unit.
#pragma once

#include <boost/spirit/home/x3.hpp>

namespace tosguard::dsl::parser {

namespace x3 = boost::spirit::x3;

using iterator_type = const char*;

// Blanks and comments: `// ...` and `# ...` to the end of the line.
inline const auto skipper = x3::space |
                            x3::lexeme[x3::lit("//") >> *(x3::char_ - x3::eol)] |
                            x3::lexeme[x3::lit('#') >> *(x3::char_ - x3::eol)];
using skipper_type = std::remove_cv_t<decltype(skipper)>;
using context_type = x3::phrase_parse_context<skipper_type>::type;

}  // namespace tosguard::dsl::parser
