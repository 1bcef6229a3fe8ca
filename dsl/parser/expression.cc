// Instantiates the expression rule (the grammar's first translation unit).
#include "dsl/parser/config.h"
#include "dsl/parser/expression_def.h"

namespace tosguard::dsl::parser {
BOOST_SPIRIT_INSTANTIATE(expression_type, iterator_type, context_type)
}  // namespace tosguard::dsl::parser
