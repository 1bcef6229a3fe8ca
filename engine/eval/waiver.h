// Governed waivers: exemptions approved outside the rules, read from a YAML file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/diagnostic.h"
#include "base/status.h"
#include "base/time.h"

namespace tosguard::engine {

enum class WaiverScope : std::uint8_t { kAccount, kOrg, kApiKey, kCluster };

struct Waiver {
  std::string id;
  std::string rule;        // a rule id, or "*" for every rule
  WaiverScope kind = WaiverScope::kAccount;
  std::string value;       // account, org or key id; for kCluster an account of the cluster
  std::string approver, basis;
  TimestampUs from = 0;                // inclusive
  std::optional<TimestampUs> until;    // exclusive; none: no expiry
  std::string file;
  std::uint32_t line = 0;
};

// "account", "org", "api_key", "cluster".
const char* WaiverScopeName(WaiverScope s);
// "account:acct-1" as written in the file.
std::string WaiverScopeText(const Waiver& w);

// Reads a waiver file (`waivers:` list, docs/engine.md). Every mistake (unknown keys,
// missing fields, bad dates, duplicate ids, until before from) goes to `diags` with
// file:line:col, and the result is then an InvalidArgument status; I/O failures name
// the file.
Result<std::vector<Waiver>> LoadWaivers(const std::string& path, Diagnostics* diags);
Result<std::vector<Waiver>> ParseWaivers(const std::string& text, const std::string& path,
                                         Diagnostics* diags);

}  // namespace tosguard::engine
