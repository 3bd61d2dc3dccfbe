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
  // The run ended: its record goes, unless Keep() was called (something of it is left for
  // ReapForegroundRuns).
  ~ForegroundRun();
  // Keeps the record past this object: a container's volume, user or job could not be removed.
  void Keep() { keep_ = true; }
  // Adds `path` (a container volume or the run's emptyDir directory) to the record, before it
  // is made.
  Status Add(const std::string& path);

 private:
  ForegroundRun(std::string file, std::string json) : file_(std::move(file)), json_(json) {}
  std::string file_;
  std::string json_;
  bool keep_ = false;  // the record as written (nlohmann's, kept as text to keep this header light)
};

// Removes what the foreground runs under `root` whose process is gone left: their containers'
// jobs, ephemeral users and volumes (RemoveLeftovers), and their records. Returns what it could
// not remove, each quoted or named for a message; a record stays until all of it is gone.
std::vector<std::string> ReapForegroundRuns(const std::string& root);

}  // namespace hp::cli::windows_node
