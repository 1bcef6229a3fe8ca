// The inputs of a fuzz corpus folder, for the tests that replay them through the
// fuzzer's properties.
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/golden.h"

namespace tosguard::testing {

// Every regular file of `dir` as (name, bytes), ordered by name.
inline std::vector<std::pair<std::string, std::string>> ReadCorpus(
    const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) inputs.emplace_back(e.path().filename().string(), ReadAll(e.path()));
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

}  // namespace tosguard::testing
