// `hostprocess pull`'s node side (pull.cc is the verb, the same on both builds): where the image
// goes. Linux: the image store, through the image module (pull_node.cc); Windows: the directory
// store of imported images (windows/pull.cc, core/image/windows/pull.h).
#pragma once

#include <string>

#include "cli/hostprocess/command.h"
#include "core/base/result.h"
#include "core/image/registry.h"

namespace hp::cli {

Result<image::PullResult> PullOnNode(const GlobalOptions& g, const std::string& ref,
                                     const image::PullOptions& opts);

}  // namespace hp::cli
