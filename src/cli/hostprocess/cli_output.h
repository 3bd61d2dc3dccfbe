// What every verb takes and prints the same way on Linux and Windows: the namespace flags,
// kubectl's error and not-found lines, `--timeout` values, `TYPE NAME` and `TYPE/NAME`.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/agent/naming.h"
#include "core/base/result.h"
#include "core/pod/duration.h"

namespace hp::cli {

struct NamespaceFlags {
  std::string ns = "default";
  bool all = false;
  bool given = false;  // -n was on the command line
};

inline void AddNamespaceFlags(CLI::App* cmd, NamespaceFlags& f, bool all_namespaces) {
  cmd->add_option("-n,--namespace", f.ns, "The namespace")
      ->capture_default_str()
      ->each([&f](const std::string&) { f.given = true; });
  if (all_namespaces) {
    cmd->add_flag("-A,--all-namespaces", f.all, "List the objects of every namespace");
  }
}

inline void Print(FILE* f, const std::string& s) {
  if (!s.empty()) fwrite(s.data(), 1, s.size(), f);
  fflush(f);
}

inline int Fail(const Error& e) {
  Print(stderr, "error: " + e.ToString() + "\n");
  return 1;
}

// kubectl's not-found line.
inline int NotFound(const std::string& plural, const std::string& name) {
  Print(stderr, fmt::format("Error from server (NotFound): {} \"{}\" not found\n", plural, name));
  return 1;
}

// A `--timeout` value in Go's duration syntax; nothing, with kubectl's flag error printed, when
// it does not parse.
inline std::optional<std::chrono::milliseconds> ParseTimeoutFlag(const std::string& value) {
  auto timeout = pod::ParseDuration(value);
  if (!timeout) {
    Print(stderr, fmt::format("error: invalid argument \"{}\" for \"--timeout\" flag: {}\n", value,
                              timeout.error().message()));
    return std::nullopt;
  }
  return *timeout;
}

// kubectl's `TYPE NAME...` and `TYPE/NAME`: moves a NAME given as TYPE/NAME to the front of
// `names` and returns the kind of TYPE ("pods" or "daemonsets"); "" with kubectl's error
// printed for any other type.
inline std::string PodOrDaemonSetKind(std::string& resource, std::vector<std::string>& names) {
  if (auto slash = resource.find('/'); slash != std::string::npos) {
    names.insert(names.begin(), resource.substr(slash + 1));
    resource = resource.substr(0, slash);
  }
  std::string kind = agent::ResourceKind(resource);
  if (kind != "pods" && kind != "daemonsets") {
    Print(stderr, fmt::format("error: the server doesn't have a resource type \"{}\"\n", resource));
    return "";
  }
  return kind;
}

}  // namespace hp::cli
