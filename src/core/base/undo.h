// hp/base: what a creation step returns to take itself back.
#pragma once

#include <functional>

#include "core/base/result.h"

namespace hp {

// Removes what a Prepare/Mount/Resolve step created. Idempotent; must work after a partial step.
using Undo = std::function<Status()>;

}  // namespace hp
