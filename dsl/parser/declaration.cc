// Instantiates the declaration rule (the grammar's second translation unit).
#include "dsl/parser/config.h"
#include "dsl/parser/grammar_def.h"

namespace tosguard::dsl::parser {
BOOST_SPIRIT_INSTANTIATE(declaration_type, iterator_type, context_type)
}  // namespace tosguard::dsl::parser
