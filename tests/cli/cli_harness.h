// Runs the built `tosguard` binary as a user would, capturing its output.
#pragma once

#include <string>
#include <vector>

namespace tosguard::testing {

struct CommandResult {
  int exit_code = -1;  // the process's exit status, or 128 + signal
  std::string out;
  std::string err;
};

// Runs `tosguard ARGS...` in `cwd` (the current directory when empty) with
// `stdin_text` on its standard input.
CommandResult RunTosguard(const std::vector<std::string>& args, const std::string& stdin_text = "",
                          const std::string& cwd = "");

// A fresh empty directory under the system's temporary directory, removed with
// everything in it when the test program exits (unless TOSGUARD_KEEP_TEMP is set).
std::string MakeTempDir(const std::string& prefix);
// Writes `content` to `path`, creating parent directories.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// The source tree and the built binary, as configured by CMake.
std::string SourceDir();
std::string TosguardBinary();

}  // namespace tosguard::testing
