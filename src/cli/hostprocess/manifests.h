// The CLI's `-f` inputs: files, directories and standard input, read up to the API server's
// request body limit, then decoded by k8s/decode.h (which does no I/O itself).
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/decode.h"

namespace hp::cli {

// Decodes a file, a directory (its *.yaml, *.yml, *.json files, sorted by name; with
// `recursive`, kubectl's -R, its subdirectories' too, in place) or "-" (standard input).
Result<k8s::Decoded> DecodeManifest(const std::string& path, const k8s::DecodeOptions& options = {},
                                    bool recursive = false);
// Decodes several inputs in order and concatenates their objects and warnings; every
// input's errors are reported, one input after the other.
Result<k8s::Decoded> DecodeManifests(const std::vector<std::string>& paths,
                                     const k8s::DecodeOptions& options = {},
                                     bool recursive = false);

// kubectl's -n for the objects of -f: a namespaced object without a namespace takes `ns`; with
// `given` (-n was on the command line), one in another namespace is refused with kubectl's
// words ("the namespace from the provided object ... does not match ..."). Cluster-scoped
// objects (Namespaces) are left alone.
Status SetNamespaceOfObjects(std::vector<k8s::Object>& objects, const std::string& ns, bool given);

}  // namespace hp::cli
