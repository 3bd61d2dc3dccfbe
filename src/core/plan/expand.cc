#include "core/plan/expand.h"

namespace hp::plan {
namespace {

constexpr std::string_view kSandboxVar = "CONTAINER_SANDBOX_MOUNT_POINT";

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdent(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

// One scanner for both modes. `extras` enables `${NAME}` and `$CONTAINER_SANDBOX_MOUNT_POINT`.
std::string Expand(std::string_view in, const Lookup& kube, const Lookup* shell,
                   std::string_view sandbox) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    // kubelet: a trailing `$` (nothing after it) is copied as is.
    if (c != '$' || i + 1 >= in.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    char next = in[i + 1];
    if (next == '$') {  // escaped operator
      out.push_back('$');
      i += 2;
      continue;
    }
    if (next == '(') {
      size_t close = in.find(')', i + 2);
      if (close == std::string_view::npos) {  // incomplete reference: copy "$(" and go on
        out.append("$(");
        i += 2;
        continue;
      }
      std::string_view name = in.substr(i + 2, close - (i + 2));
      if (auto v = kube(name)) {
        out.append(*v);
      } else {
        out.append("$(").append(name).append(")");
      }
      i = close + 1;
      continue;
    }
    if (shell != nullptr && next == '{') {
      size_t close = in.find('}', i + 2);
      if (close != std::string_view::npos && close > i + 2) {
        std::string_view name = in.substr(i + 2, close - (i + 2));
        bool ident = IsIdentStart(name[0]);
        for (char n : name) ident = ident && IsIdent(n);
        if (ident) {
          std::optional<std::string> v = name == kSandboxVar
                                             ? std::optional<std::string>(std::string(sandbox))
                                             : (*shell)(name);
          if (v) {
            out.append(*v);
            i = close + 1;
            continue;
          }
        }
      }
    }
    if (shell != nullptr && in.substr(i + 1, kSandboxVar.size()) == kSandboxVar &&
        (i + 1 + kSandboxVar.size() >= in.size() || !IsIdent(in[i + 1 + kSandboxVar.size()]))) {
      out.append(sandbox);
      i += 1 + kSandboxVar.size();
      continue;
    }
    // kubelet: "$x" that starts no expression is copied as the operator and that one byte.
    out.push_back('$');
    out.push_back(next);
    i += 2;
  }
  return out;
}

}  // namespace

std::string ExpandKubernetes(std::string_view input, const Lookup& lookup) {
  return Expand(input, lookup, nullptr, {});
}

std::string ExpandCommand(std::string_view input, const Lookup& kube_lookup,
                          const Lookup& shell_lookup, std::string_view sandbox_mount_point) {
  return Expand(input, kube_lookup, &shell_lookup, sandbox_mount_point);
}

Lookup LookupIn(const std::vector<std::pair<std::string, std::string>>* vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    for (auto it = vars->rbegin(); it != vars->rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return std::nullopt;
  };
}

}  // namespace hp::plan
