// hp/pod: Go-style durations, as kubectl and kubelet take them (`run --timeout`,
// `logs --since`), on Linux and Windows.
#pragma once

#include <chrono>
#include <string_view>

#include "core/base/result.h"

namespace hp::pod {

// Parses a Go-style duration: "1h2m3s", "500ms", "1.5s", "90" (seconds).
Result<std::chrono::milliseconds> ParseDuration(std::string_view s);

}  // namespace hp::pod
