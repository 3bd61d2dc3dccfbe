#include "core/k8s/limits.h"

#include <fmt/format.h>

namespace hp::k8s {

std::string RequestEntityTooLargeMessage() {
  return fmt::format("Request entity too large: limit is {}", kMaxRequestBodyBytes);
}

}  // namespace hp::k8s
