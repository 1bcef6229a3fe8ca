// The crash-test hook: when the environment variable TOSGUARD_FAULT names `point`, the
// process ends there at once with exit code 86, as a crash would (docs/development.md).
// It only ends the process; it cannot change what is written.
#pragma once

namespace tosguard {

void FaultPoint(const char* point);

}  // namespace tosguard
