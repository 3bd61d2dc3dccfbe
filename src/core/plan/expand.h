// hp/plan: variable expansion in command, args, workingDir and env values.
//
// Kubernetes' `$(VAR)` syntax with kubelet's exact rules (third_party/forked/golang/expansion):
// `$$` is an escaped `$`, `$(NAME)` is replaced by NAME's value when NAME is defined and left
// as written otherwise, an unterminated `$(` and any other `$x` are copied unchanged.
// HostProcess extras for command/args/workingDir: `${NAME}` (NAME an identifier defined in the
// container's environment) and `$CONTAINER_SANDBOX_MOUNT_POINT`. Everything else (`$HOME`,
// `${X:-d}`) is left for a shell to expand. All forms are handled in a single left-to-right
// pass, so `$$` also protects `${NAME}` and text produced by a substitution is never rescanned.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hp::plan {

// Returns the value of a variable, or nullopt when it is not defined.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Kubelet's expansion only: `$(VAR)` and `$$`.
std::string ExpandKubernetes(std::string_view input, const Lookup& lookup);

// Kubelet's expansion plus `${NAME}` (looked up with `shell_lookup`) and
// `$CONTAINER_SANDBOX_MOUNT_POINT` (the sandbox path given). `kube_lookup` serves `$(VAR)`.
std::string ExpandCommand(std::string_view input, const Lookup& kube_lookup,
                          const Lookup& shell_lookup, std::string_view sandbox_mount_point);

// A Lookup over an ordered list of NAME=value pairs: the LAST definition of a name wins.
Lookup LookupIn(const std::vector<std::pair<std::string, std::string>>* vars);

}  // namespace hp::plan
