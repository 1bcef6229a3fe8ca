// Built-in prompt texts for generated traffic, written for this project, and the
// optional loader of real prompt texts for benchmarks.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "bench/gen/prng.h"

namespace tosguard::gen {

enum class PromptStyle : std::uint8_t {
  kChat,     // varied questions of a person
  kWork,     // longer work requests of heavy users
  kDistill,  // "generate N diverse instructions ... step by step"
  kProbe,    // one-word answers, asked for log-probabilities
  kBulk,     // bulk classification / extraction at machine cadence
  kSpam,     // promotional content from freshly created accounts
};

// Real prompts read from a directory, used instead of (or beside) the templates.
struct PromptPool {
  std::vector<std::string> texts;
};

// Appends a prompt of `style` to `out`, drawing every choice from `rng`.
// `variant` picks the account's own favourite templates (campaigns reuse a few).
// With a non-empty pool, chat prompts come from it and distillation prompts quote
// three of its texts as examples.
void AppendPrompt(PromptStyle style, std::uint64_t variant, Rng& rng, const PromptPool& pool,
                  std::string& out);

// Reads every *.jsonl file of `dir` (sorted by name): lines that are JSON strings, or
// objects with an "instruction", "prompt" or "text" string member. Missing directory:
// NotFound. Lines that are not JSON are skipped.
Result<PromptPool> LoadPrompts(const std::string& dir);

}  // namespace tosguard::gen
