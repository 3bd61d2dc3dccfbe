// hp/agent: the DaemonSet controller's events (SuccessfulCreate and SuccessfulDelete of its
// pods), one log for both nodes, kept apart from the applied object (an apply never rewrites
// them) and, like the pods, run state:
//
//   <root>/run/daemonsets/<ns>_<name>.events.json    a JSON array of agent::Event (pod_status.h)
//
// Written through a temp file and a rename (sys::WriteFileAtomic); paths use the platform's
// separator.
#pragma once

#include <string>
#include <vector>

#include "core/agent/desired.h"
#include "core/agent/pod_status.h"
#include "core/base/result.h"

namespace hp::agent {

class DaemonSetEvents {
 public:
  explicit DaemonSetEvents(const std::string& root);

  const std::string& Dir() const { return dir_; }
  // The events of the DaemonSet `key` (<ns>_<name>).
  std::string Path(const std::string& key) const;
  // None when the file is missing or damaged (the next event starts it again).
  std::vector<Event> Read(const std::string& key) const;
  // Adds the controller's Normal event (or counts it again: AddEvent's aggregation).
  Status Record(const std::string& key, const std::string& reason, const std::string& message);
  // Removes the events of the DaemonSets that `desired` no longer holds; an applied one that
  // cannot be read is no deleted one, and keeps them. The errors, each naming its file.
  std::vector<std::string> Prune(const DesiredObjects& desired);
  // Removes the temp files of writers killed before their rename (the caller holds the node's
  // lock: no live writer has one).
  Status RemoveStaleTempFiles();

 private:
  std::string dir_;
};

}  // namespace hp::agent
