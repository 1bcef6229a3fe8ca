// libFuzzer entry: any bytes as a rule file through load (parse, check, compile) and fmt.
//
// Beyond "no crash, no hang, no sanitizer report", it asserts the properties of
// dsl/fuzz/properties.h: fmt(fmt(x)) == fmt(x), and a pack that loads compiles to the
// same plan after formatting.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/fuzz/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!tosguard::dsl::fuzz::CheckProperties(text).empty()) __builtin_trap();
  return 0;
}
