// libFuzzer entry: any bytes as a report to render and verify and as a finding line,
// asserting the properties of audit/fuzz/properties.h.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "audit/fuzz/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string failed = tosguard::audit::fuzz::CheckProperties(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!failed.empty()) {
    std::fprintf(stderr, "report property violated: %s\n", failed.c_str());
    __builtin_trap();
  }
  return 0;
}
