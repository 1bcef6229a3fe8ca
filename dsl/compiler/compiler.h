// The compiler: checked rules to a Plan (flat programs, folded constants, prepared regexes).
#pragma once

#include "dsl/checker/checker.h"
#include "dsl/compiler/plan.h"
#include "dsl/source.h"

namespace tosguard::dsl {

// Compiles every rule of `pack`. Cannot fail on checked input (regexes were validated
// by the checker).
Plan Compile(const CheckedPack& pack, const SourceSet& sources);

}  // namespace tosguard::dsl
