#include "base/fault.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace tosguard {

void FaultPoint(const char* point) {
  const char* fault = std::getenv("TOSGUARD_FAULT");
  if (fault != nullptr && std::strcmp(fault, point) == 0) ::_exit(86);
}

}  // namespace tosguard
