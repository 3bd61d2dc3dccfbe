// What every verb prints the same way on Linux and Windows: the namespace flags, kubectl's error
// and not-found lines.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "core/base/result.h"

namespace hp::cli {

struct NamespaceFlags {
  std::string ns = "default";
  bool all = false;
};

inline void AddNamespaceFlags(CLI::App* cmd, NamespaceFlags& f, bool all_namespaces) {
  cmd->add_option("-n,--namespace", f.ns, "The namespace")->capture_default_str();
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

}  // namespace hp::cli
