// Helpers shared by the image verbs (pull, import, images, rmi, inspect).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <string>

#include "cli/hostprocess/command.h"
#include "core/base/result.h"
#include "core/image/store.h"

namespace hp::cli::image_cli {

inline int Fail(const Error& e) {
  std::cerr << "error: " << e.ToString() << "\n";
  return 1;
}

inline Result<image::Store> OpenStore(const GlobalOptions& g) { return image::Store::Open(g.root); }

inline std::string HumanSize(int64_t b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? fmt::format("{}B", b) : fmt::format("{:.3g}{}", v, units[u]);
}

inline std::string ShortId(const std::string& id) { return id.size() > 19 ? id.substr(7, 12) : id; }

inline bool StderrIsTty() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace hp::cli::image_cli
