// libFuzzer entry: any bytes as a rule file through load (parse, check, compile) and fmt.
//
// Beyond "no crash, no hang, no sanitizer report", it asserts the formatter's
// contract: fmt(fmt(x)) == fmt(x), and a pack that loads compiles to the same plan
// after formatting.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/fmt/fmt.h"
#include "dsl/loader.h"

namespace {

using namespace tosguard;
using namespace tosguard::dsl;

std::optional<RuleSet> Load(const std::string& text, Diagnostics* diags) {
  CheckEnv env;
  env.any_detector = true;
  ReadFileFn read = [&](const std::string& path) -> Result<std::string> {
    if (path == "main.tos") return text;
    return Status::NotFound("no such file");
  };
  return LoadRulesWith({"main.tos"}, env, read, diags);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  auto loaded = Load(text, &diags);
  if (loaded) (void)DumpPlan(loaded->plan);
  for (const auto& d : diags.items()) (void)FormatDiagnostic(d, text);

  Diagnostics fd;
  auto once = FormatSource(text, "main.tos", &fd);
  if (!once) return 0;
  Diagnostics fd2;
  auto twice = FormatSource(*once, "main.tos", &fd2);
  if (!twice || *twice != *once) __builtin_trap();  // fmt must be idempotent
  if (loaded) {
    Diagnostics d2;
    auto reloaded = Load(*once, &d2);
    if (!reloaded || DumpPlan(reloaded->plan) != DumpPlan(loaded->plan)) __builtin_trap();
  }
  return 0;
}
