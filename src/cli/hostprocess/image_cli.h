// Helpers shared by the image verbs (pull, import, images, rmi, inspect), on Linux and Windows.
#pragma once

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "cli/hostprocess/printers/tabwriter.h"
#include "core/base/result.h"
#include "core/image/store.h"
#ifndef _WIN32
#include "core/sys/owner.h"
#endif

namespace hp::cli::image_cli {

inline int Fail(const Error& e) {
  std::cerr << "error: " << e.ToString() << "\n";
  return 1;
}

inline Result<image::Store> OpenStore(const GlobalOptions& g) {
#ifndef _WIN32
  TRY(sys::CheckStateRoot(g.root));  // Windows: the root's ACL (sys/windows/private_dir.h)
#endif
  return image::Store::Open(g.root);
}

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

// `crictl images`' table (IMAGE, TAG, IMAGE ID, SIZE): a tabwriter with min width 20 and
// padding 3, the cells joined by tabs.
inline std::string ImagesTable(const std::vector<image::ImageRecord>& images) {
  std::string text = "IMAGE\tTAG\tIMAGE ID\tSIZE\n";
  for (const auto& r : images) {
    std::string repo = r.name, tag = "<none>";
    auto at = repo.find('@');
    auto colon = repo.rfind(':');
    if (at != std::string::npos) {
      repo = repo.substr(0, at);
    } else if (colon != std::string::npos && colon > repo.rfind('/')) {
      tag = repo.substr(colon + 1);
      repo = repo.substr(0, colon);
    }
    text += fmt::format("{}\t{}\t{}\t{}\n", repo, tag, ShortId(r.id), HumanSize(r.size));
  }
  return TabWrite(text, 20, 3);
}

inline bool StderrIsTty() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace hp::cli::image_cli
