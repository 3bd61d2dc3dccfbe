#include "core/agent/apply_plan.h"

#include <fmt/format.h>

#include <exception>
#include <map>

#include "core/agent/naming.h"
#include "core/base/time.h"
#include "core/k8s/defaults_json.h"
#include "core/k8s/pod_update.h"

namespace hp::agent {

const std::vector<StoredKind>& StoredKinds() {
  static const std::vector<StoredKind> kinds = {
      {k8s::Kind::kPod, "pods", "pod", "pods", true},
      {k8s::Kind::kDaemonSet, "daemonsets", "daemonset.apps", "daemonsets.apps", true},
      {k8s::Kind::kNamespace, "namespaces", "namespace", "namespaces", false},
      {k8s::Kind::kConfigMap, "configmaps", "configmap", "configmaps", true},
      {k8s::Kind::kSecret, "secrets", "secret", "secrets", true},
      {k8s::Kind::kServiceAccount, "serviceaccounts", "serviceaccount", "serviceaccounts", true},
  };
  return kinds;
}

const StoredKind* StoredKindOf(k8s::Kind kind) {
  for (const StoredKind& k : StoredKinds())
    if (k.kind == kind) return &k;
  return nullptr;
}

const StoredKind* StoredKindOfDir(std::string_view dir) {
  for (const StoredKind& k : StoredKinds())
    if (dir == k.dir) return &k;
  return nullptr;
}

std::string ApplyStep::Line() const {
  return fmt::format("{}/{} {}", kind->singular, name, write.verb);
}

namespace {

constexpr const char* kRestartedAt = "kubectl.kubernetes.io/restartedAt";

// `rollout restart` sets the template's restartedAt annotation on the stored DaemonSet. An apply
// whose manifest does not set it keeps it, as kubectl's three-way merge keeps a field that the
// last applied configuration did not have: re-applying the unchanged manifest rolled the pod
// again. (A manifest that had the annotation and drops it keeps it too: no last applied
// configuration is stored to tell the two apart.)
void KeepRolloutRestart(const nlohmann::json& stored, nlohmann::json& applied) {
  const nlohmann::json* at = &stored;
  for (const char* key : {"spec", "template", "metadata", "annotations", kRestartedAt}) {
    if (!at->is_object() || !at->contains(key)) return;
    at = &(*at)[key];
  }
  nlohmann::json* meta = &applied;
  for (const char* key : {"spec", "template", "metadata"}) {
    if (!meta->is_object()) return;
    meta = &(*meta)[key];
  }
  if (meta->is_null()) *meta = nlohmann::json::object();
  nlohmann::json& annotations = (*meta)["annotations"];
  if (annotations.is_null()) annotations = nlohmann::json::object();
  if (annotations.is_object() && !annotations.contains(kRestartedAt))
    annotations[kRestartedAt] = *at;
}

}  // namespace

Result<std::vector<ApplyStep>> PlanApply(const DesiredObjects& desired,
                                         const std::vector<k8s::Object>& objects,
                                         const std::string& node_name,
                                         std::vector<std::string>* warnings) {
  std::vector<ApplyStep> steps;
  for (const k8s::Object& o : objects) {
    ApplyStep step;
    step.kind = StoredKindOf(o.kind);
    if (!step.kind)
      return Err(ErrorCode::kUnsupported, "\"{}\": {} \"{}\": not a kind this node stores",
                 o.source().file, k8s::KindName(o.kind), o.metadata().name);
    step.name = step.key = o.metadata().name;
    nlohmann::json raw;
    try {
      raw = nlohmann::json::parse(o.raw_json);
    } catch (const std::exception& e) {
      return Err(ErrorCode::kInvalidArgument, "{}: object is not JSON (decode with keep_raw): {}",
                 o.source().file, e.what());
    }
    if (step.kind->namespaced) {
      std::string ns = NamespaceOf(raw);
      raw["metadata"]["namespace"] = ns;
      step.key = ObjectKey(ns, step.name);
    }
    auto existing = desired.GetDesired(step.kind->dir, step.key);
    if (!existing) {  // damaged: replaced by what is applied now
      if (warnings) warnings->push_back(existing.error().ToString() + ": replaced");
    } else if (*existing) {
      step.existing = std::move(**existing);
    }
    // What the server sets (status, uid, generation, resourceVersion; on an update, the
    // scheduler's nodeName) is not the user's: never stored, and no change (re-applying
    // `get -o yaml`).
    nlohmann::json applied = step.existing ? AppliedObject(*step.existing) : nlohmann::json();
    k8s::StripServerSetFields(raw, applied, node_name);
    if (o.kind == k8s::Kind::kDaemonSet && step.existing) KeepRolloutRestart(applied, raw);
    bool same = false;
    if (step.existing) {
      if (o.kind == k8s::Kind::kPod) {
        // The API server's update rules.
        k8s::field::ErrorList errs = k8s::ValidatePodUpdate(applied, raw);
        if (!errs.empty())
          return Err(ErrorCode::kInvalidArgument, "{}",
                     k8s::field::KubectlInvalid("Pod", step.name, errs));
      }
      same = applied == raw;
      if (!same && o.kind == k8s::Kind::kPod) {
        // Equal once defaulted: an omitted default is the default.
        nlohmann::json x = applied, y = raw;
        k8s::DefaultPodJson(x);
        k8s::DefaultPodJson(y);
        same = x == y;
      }
    }
    step.write = PlanDesiredWrite(std::move(raw), step.existing, same);
    steps.push_back(std::move(step));
  }
  return steps;
}

namespace {

// The store key ("<ns>_<pod>") of a DaemonSet's pod: `<name>-<5 chars>` of its template's hash.
std::string DaemonPodKey(const nlohmann::json& daemonset) {
  std::string ns = NamespaceOf(daemonset);
  std::string name = daemonset["metadata"].value("name", "");
  return ObjectKey(ns, DaemonPodName(ns, name, DaemonSetRevision(daemonset)));
}

std::string NameOf(const nlohmann::json& object) {
  auto m = object.find("metadata");
  return m != object.end() && m->is_object() ? m->value("name", "") : "";
}

}  // namespace

Status CheckPodNames(const DesiredObjects& desired, const std::vector<k8s::Object>& objects) {
  // Store keys of the pods DaemonSets own and of bare Pods, with their owners' names.
  std::map<std::string, std::string> ds_pods, pods;  // pod key -> owner's kubectl name
  std::map<std::string, std::string> ds_of;          // DaemonSet key -> its pod's key
  auto add_ds = [&](const nlohmann::json& obj) {
    if (!obj.is_object() || !obj["metadata"].is_object()) return;
    std::string key = ObjectKey(NamespaceOf(obj), NameOf(obj));
    if (auto old = ds_of.find(key); old != ds_of.end()) ds_pods.erase(old->second);
    std::string pod = DaemonPodKey(obj);
    ds_of[key] = pod;
    ds_pods[pod] = fmt::format("daemonset.apps \"{}\"", NameOf(obj));
  };
  ASSIGN_OR_RETURN(auto stored_ds, desired.ListDesired("daemonsets"));
  for (const auto& e : stored_ds) add_ds(e.value("object", nlohmann::json()));
  // A stored Pod holds its key ("<ns>_<name>": neither holds a '_'), damaged or not: its file
  // is not read (on a node with many pods, every apply read them all twice).
  ASSIGN_OR_RETURN(auto stored_pods, desired.ListDesiredKeys("pods"));
  for (const std::string& key : stored_pods)
    pods[key] = fmt::format("pod \"{}\"", SplitObjectKey(key).name);
  for (const k8s::Object& o : objects) {
    if (o.kind != k8s::Kind::kDaemonSet && o.kind != k8s::Kind::kPod) continue;
    nlohmann::json raw = nlohmann::json::parse(o.raw_json, nullptr, false);
    if (!raw.is_object() || !raw["metadata"].is_object()) continue;  // PlanApply reports it
    if (o.kind == k8s::Kind::kDaemonSet) {
      add_ds(raw);
    } else {
      pods[ObjectKey(NamespaceOf(raw), NameOf(raw))] = fmt::format("pod \"{}\"", NameOf(raw));
    }
  }
  for (const auto& [key, owner] : pods) {
    auto ds = ds_pods.find(key);
    if (ds == ds_pods.end()) continue;
    // Both would run as one pod: the later would silently stop the other.
    KeyParts parts = SplitObjectKey(key);
    return Err(ErrorCode::kAlreadyExists,
               "{} and {} would both run the pod \"{}\" (namespace \"{}\"): rename the Pod", owner,
               ds->second, parts.name, parts.ns);
  }
  return Ok();
}

std::string BarePodRevision(const nlohmann::json& pod) {
  return fmt::format("{:016x}", Fnv64a(k8s::ImmutablePart(pod).dump()));
}

Result<std::vector<std::pair<std::string, PodRecord>>> WantedPods(
    const DesiredObjects& desired, const std::vector<DaemonSetView>& daemonsets,
    const NodeFields& node_fields, std::vector<DesiredObjects::Unreadable>* unreadable) {
  // The objects a pod may refer to, by namespace.
  std::map<std::string, std::vector<nlohmann::json>> by_ns;
  for (const char* kind : {"configmaps", "secrets", "serviceaccounts"}) {
    ASSIGN_OR_RETURN(auto list, desired.ListDesired(kind, unreadable));
    for (auto& e : list) {
      nlohmann::json obj = e.value("object", nlohmann::json::object());
      by_ns[NamespaceOf(obj)].push_back(std::move(obj));
    }
  }
  auto base = [&](const std::string& ns, const nlohmann::json& fields) {
    PodRecord r;
    r.objects = by_ns[ns];
    r.created = NowUnixSeconds();
    if (node_fields) node_fields(r, fields);
    return r;
  };
  std::vector<std::pair<std::string, PodRecord>> out;
  for (const DaemonSetView& ds : daemonsets) {
    if (!ds.fit.fits) continue;
    PodRecord r = base(ds.ns, ds.fields);
    r.pod = DaemonSetPod(ds.object, ds.ns, ds.name, ds.revision);
    r.owner_kind = "DaemonSet";
    r.owner_name = ds.name;
    r.revision = ds.revision;
    out.emplace_back(ObjectKey(ds.ns, DaemonPodName(ds.ns, ds.name, ds.revision)), std::move(r));
  }
  ASSIGN_OR_RETURN(auto pods, desired.ListDesired("pods", unreadable));
  for (nlohmann::json& e : pods) {
    nlohmann::json obj = e.value("object", nlohmann::json::object());
    std::string ns = NamespaceOf(obj);
    e.erase("object");  // the record's other fields, as a DaemonSet's
    e.erase("created");
    PodRecord r = base(ns, e);
    // What an update may change (images, labels, ...) is changed in place: not in the revision.
    r.revision = BarePodRevision(obj);
    std::string name = NameOf(obj);
    r.pod = std::move(obj);
    out.emplace_back(ObjectKey(ns, name), std::move(r));
  }
  return out;
}

}  // namespace hp::agent
