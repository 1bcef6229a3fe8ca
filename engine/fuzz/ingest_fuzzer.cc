// libFuzzer entry: any bytes as one input file of a source, through the whole ingest
// (reading, decompression, chunking, parsing, merging, duplicate detection,
// quarantine), asserting the properties of engine/fuzz/properties.h.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "engine/fuzz/properties.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tosguard::engine::fuzz::IngestHarness harness;
  const std::string failed =
      harness.Check(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!failed.empty()) {
    std::fprintf(stderr, "ingest property violated: %s\n", failed.c_str());
    __builtin_trap();
  }
  return 0;
}
