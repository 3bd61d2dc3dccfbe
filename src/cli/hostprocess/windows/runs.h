// What a foreground `run -f` made, recorded so that nothing is left when it is killed (Windows
// preview, docs/windows.md). Its containers die with it (kill-on-job-close: it holds their Job
// Objects), but their volumes are files: `<root>\runs\<pid>.json` names the process (pid and
// creation time: Windows reuses pids) and every volume before the volume is made; the next
// `run`, `apply` or `delete` removes the volumes of a run whose process is gone.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"

namespace hp::cli::windows_node {

class ForegroundRun {
 public:
  // Records this process as a foreground run under `root`.
  static Result<ForegroundRun> Begin(const std::string& root);
  ForegroundRun(ForegroundRun&&) = default;
  ForegroundRun& operator=(ForegroundRun&&) = delete;
  ForegroundRun(const ForegroundRun&) = delete;
  // The run ended on its own: its record goes (its volumes were removed by then).
  ~ForegroundRun();
  // Adds `path` (a container volume or the run's emptyDir directory) to the record, before it
  // is made.
  Status Add(const std::string& path);

 private:
  ForegroundRun(std::string file, std::string json) : file_(std::move(file)), json_(json) {}
  std::string file_;
  std::string json_;  // the record as written (nlohmann's, kept as text to keep this header light)
};

// Removes what the foreground runs under `root` whose process is gone left: their volumes and
// records. Returns the volumes it could not remove (named in warnings by the caller).
std::vector<std::string> ReapForegroundRuns(const std::string& root);

}  // namespace hp::cli::windows_node
