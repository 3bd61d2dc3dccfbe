// kubectl describe's text for pods and DaemonSets (pkg/describe: describePod,
// describeDaemonSet, describeContainers, describeVolumes, tolerations, events), shared by the
// Linux and the Windows node (describe.cc over node_pods.h). Pure: the caller gives the
// object as the API server would show it and its status.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli/hostprocess/printers/tabwriter.h"
#include "core/agent/pod_status.h"
#include "core/agent/schedule.h"

namespace hp::cli {

// kubectl describe's writer: lines with tab-separated cells at an indentation level (two
// spaces each), aligned at the end by Go's tabwriter with kubectl's settings (min width 0,
// padding 2): a key column is as wide as the longest key of its block of consecutive lines.
class Describer {
 public:
  // Writes `text` at `level` (kubectl's LEVEL_0..3).
  void W(int level, const std::string& text) { out_ += std::string(level * 2, ' ') + text; }
  // printLabelsMultiline: "Title:\tk=v" then "\tk2=v2", sorted; "<none>" when empty.
  void Multiline(const std::string& title, const nlohmann::json& m) {
    out_ += title + ":\t";
    if (!m.is_object() || m.empty()) {
      out_ += "<none>\n";
      return;
    }
    bool first = true;
    for (const auto& [k, v] : m.items()) {
      if (!first) out_ += "\t";
      first = false;
      out_ += k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()) + "\n";
    }
  }
  std::string str() const { return TabWrite(out_, 0, 2); }

 private:
  std::string out_;
};

// A quantity or port as kubectl prints it (a string as is, a number as JSON).
std::string IntOrString(const nlohmann::json& v);
// Resolves a downward-API field path (`metadata.name`, ...) for the env listing.
using FieldResolver = std::function<std::string(const std::string& path)>;
// The service account volume the API server's admission adds to a pod: kube-api-access-<5
// chars of the uid's hash>, unless automountServiceAccountToken is false or a volume is mounted
// at its path. "" when there is none.
std::string ServiceAccountVolume(const nlohmann::json& spec, const std::string& uid);
// A node's own block under a container, after its Restart Count: a title line ("Job Object:
// JobContainer_<id>") and (key, value) lines one level deeper. kubectl has none; the Windows
// node shows a running container's job accounting there (docs/windows.md).
struct ContainerBlock {
  std::string title, value;
  std::vector<std::pair<std::string, std::string>> lines;
};
// By container name.
using ContainerBlocks = std::map<std::string, ContainerBlock>;
// describeContainers: `space` is "  " inside a pod template; `statuses` null there. `blocks`:
// the node's blocks of the containers that have one (null: none).
void Containers(Describer& d, const std::string& title, const nlohmann::json& specs,
                const std::vector<agent::ContainerStatus>* statuses, const std::string& space,
                const std::string& sa_volume, const FieldResolver& resolve,
                const ContainerBlocks* blocks = nullptr);
// describeVolumes with kubectl's wording per volume type.
void Volumes(Describer& d, const nlohmann::json& volumes, const std::string& space,
             const std::string& sa_volume);
void Tolerations(Describer& d, const std::string& title, nlohmann::json tolerations);
void Events(Describer& d, const std::vector<agent::Event>& events, int64_t now);

// Adds to a daemon pod's `spec` the tolerations the DaemonSet controller gives every daemon pod
// (agent::DaemonSetDefaultTolerations), those it has already not repeated.
void AddDaemonSetTolerations(nlohmann::json& spec);

// What `describe pod` shows of one pod.
struct PodDescription {
  nlohmann::json pod;  // the API object: the API server's defaults and `status`
  const agent::PodStatus* status = nullptr;
  std::string node_name;
  std::string owner_kind, owner_name;  // "DaemonSet", its name; "" for a bare pod
  std::string qos_class;
  std::string sa_volume;   // ServiceAccountVolume, or "" when the node mounts none
  bool lost = false;       // its supervisor died and nothing re-adopted it yet
  ContainerBlocks blocks;  // the node's own blocks per container (Windows: job accounting)
};
// kubectl describe pod's text (tab-aligned).
std::string DescribePodText(const PodDescription& p, int64_t now);

// What `describe daemonset` shows of one DaemonSet on this node.
struct DaemonSetDescription {
  nlohmann::json object;  // the API object, with the API server's defaults
  int desired = 0, current = 0, up_to_date = 0, available = 0;  // its status' numbers
  int running = 0, waiting = 0, succeeded = 0, failed = 0;      // its pods by phase
  agent::FitResult fit;              // whether its template fits this node, and if not why
  std::vector<agent::Event> events;  // the controller's (SuccessfulCreate, SuccessfulDelete)
};
// kubectl describe daemonset's text (tab-aligned); when the template does not fit this node it
// adds why (kube-scheduler's reason and each failing term), which a cluster's describe has not.
std::string DescribeDaemonSetText(const DaemonSetDescription& ds, int64_t now);

}  // namespace hp::cli
