// hp/image (internal to the pull): downloads one blob into the pull's target, resumable and
// bounded; the same on both platforms.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/base/result.h"
#include "core/image/manifest.h"
#include "core/image/pull_target.h"
#include "core/image/registry.h"
#include "core/image/registry_session.h"

namespace hp::image {

struct FetchCounters {
  std::atomic<int> downloaded{0}, present{0};
  std::atomic<int64_t> bytes{0}, resumed{0};
};

// Downloads blob `d` (its `size` > 0 is the exact length expected) into `target` once:
// under the blob's lock, resuming its partial download (the store's `ingest/<hex>.partial`),
// digest and size verified before the blob becomes visible, within BlobDeadline(). A partial that
// already holds the whole blob is committed without a request; a resume the registry refuses (416),
// answers from the wrong offset or whose result does not verify restarts from zero, once. A write
// error (a full disk) removes the partial and names it.
Status FetchBlob(PullTarget& target, Session& s, const Descriptor& d, const PullOptions& opts,
                 FetchCounters& c);

}  // namespace hp::image
