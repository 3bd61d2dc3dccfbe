// hp/agent: what the node's controllers (kubelet and the DaemonSet controller) do with each
// stored pod, decided once for both nodes: the Linux agent (reconcile.cc) and the Windows node
// (cli/hostprocess/windows/pod_state.cc) gather what is applied and what is stored, and carry
// out the plan with their own stores and supervisors.
//
// The rules, in order, for each stored pod:
//  1. its object (its DaemonSet, or the applied Pod) is there but cannot be read, and the pod is
//     not wanted: left as it is. An unreadable object is not a deleted one; `delete` removes it;
//  2. its record cannot be read, it is not wanted, or it is wanted at another revision: removed.
//     A DaemonSet's pod so removed while its DaemonSet is applied gets the controller's
//     `SuccessfulDelete` event (a deleted DaemonSet's pods go without one). A pod whose record
//     cannot be read is removed with what is known of it (its directory, its supervisor, its
//     containers' volumes) and made again when it is wanted;
//  3. wanted at its revision: kept, or restarted (re-adopted) when its supervisor died before the
//     pod ended (or, Linux, it is to be placed again);
// and each wanted pod not kept, restarted or left is created.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace hp::agent {

// A pod the applied objects make: `key` is its store key (<ns>_<name>).
struct WantedPod {
  std::string key;
  std::string revision;  // controller-revision-hash of a DaemonSet's, a Pod's immutable part
};

// A pod the store holds.
struct StoredPod {
  std::string key;
  bool readable = false;  // its record could be read; the fields below come from it
  std::string ns;
  std::string owner_kind;  // "DaemonSet", or "" for a bare pod
  std::string owner_name;
  std::string revision;
  bool restart = false;  // wanted as it is, but to be started again (see rule 3)
};

struct ReconcileInput {
  std::vector<WantedPod> wanted;
  std::vector<StoredPod> stored;
  // Keys (<ns>_<name>) of the applied DaemonSets that can be read, and of the applied objects
  // that cannot (DaemonSets and Pods apart).
  std::set<std::string> applied_daemonsets;
  std::set<std::string> unreadable_daemonsets;
  std::set<std::string> unreadable_pods;
};

struct ReconcilePlan {
  struct Removal {
    std::string key;
    // The applied DaemonSet (its key) whose controller records SuccessfulDelete; empty: none.
    std::string event_daemonset;
  };
  std::vector<std::string> left;     // rule 1, in the store's order
  std::vector<Removal> remove;       // rule 2
  std::vector<std::string> keep;     // rule 3, as they are
  std::vector<std::string> restart;  // rule 3, started again
  std::vector<std::string> create;   // wanted and not stored, in `wanted`'s order
};

ReconcilePlan PlanReconcile(const ReconcileInput& in);

}  // namespace hp::agent
