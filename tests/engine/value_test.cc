// Unit tests of the evaluation's stack machine: short-circuited and/or give what the
// operators give, without running the operand they skip.
#include <catch2/catch.hpp>

#include "engine/eval/value.h"

using namespace tosguard;
using namespace tosguard::engine;
using dsl::Instr;
using dsl::OpCode;

TEST_CASE("value: and/or short-circuit only where the left operand decides, same results") {
  const Val kinds[] = {Val::Bool(false), Val::Bool(true), Val::Unknown(Type::kBool)};
  BoundConstants consts;
  std::vector<Val> stack;
  for (const OpCode op : {OpCode::kAnd, OpCode::kOr}) {
    for (const Val& a : kinds) {
      for (const Val& b : kinds) {
        // (let 0) op (let 1): the right operand is one load.
        dsl::Program p;
        p.code = {{OpCode::kLet, Type::kBool, 0}, {OpCode::kLet, Type::kBool, 1},
                  {op, Type::kBool, 0}};
        dsl::LinkProgram(&p);
        REQUIRE(p.code[1].skip == 2);
        int right_loads = 0;
        const Val got = RunProgram(p, consts, stack, [&](const Instr& in) {
          if (in.arg == 1) ++right_loads;
          return in.arg == 0 ? a : b;
        });
        const Val want = ApplyOp(p.code[2], a, b, consts);
        INFO(OpText(op) << " left " << (a.known ? a.i : -1) << " right " << (b.known ? b.i : -1));
        CHECK(got.type == want.type);
        CHECK(got.known == want.known);
        CHECK(got.i == want.i);
        const bool decided = a.known && ((a.i == 0) == (op == OpCode::kAnd));
        CHECK(right_loads == (decided ? 0 : 1));
      }
    }
  }
}

TEST_CASE("value: operands are found through the links, left and right in order") {
  // (l0 - l1) - (l2 - l3) with 5, 3, 10, 4: (5 - 3) - (10 - 4) = -4.
  const double v[] = {5, 3, 10, 4};
  dsl::Program p;
  p.code = {{OpCode::kLet, Type::kNumber, 0}, {OpCode::kLet, Type::kNumber, 1},
            {OpCode::kSub, Type::kNumber, 0}, {OpCode::kLet, Type::kNumber, 2},
            {OpCode::kLet, Type::kNumber, 3}, {OpCode::kSub, Type::kNumber, 0},
            {OpCode::kSub, Type::kNumber, 0}};
  dsl::LinkProgram(&p);
  CHECK(p.code[6].left == 2);
  BoundConstants consts;
  std::vector<Val> stack;
  const Val got = RunProgram(p, consts, stack, [&](const Instr& in) { return Val::Number(v[in.arg]); });
  REQUIRE(got.known);
  CHECK(got.num == -4);
}
