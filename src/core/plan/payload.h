// hp/plan: the files of a configMap, secret, downwardAPI or projected volume, as kubelet's
// MakePayload computes them: every key of the object, or only its `items` (each at its path,
// with its mode); an item whose key is missing fails the volume unless the volume is optional
// (then it is skipped). Pure: Linux writes the files with hp/sandbox (volumes.cc), Windows with
// its container backend.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/types.h"
#include "core/plan/plan.h"

namespace hp::plan {

// The object named `name` among `objects` (the pod's namespace's ConfigMaps or Secrets), or null.
template <class Object>
const Object* FindNamed(const std::vector<const Object*>& objects, const std::string& name) {
  for (const Object* o : objects)
    if (o && o->metadata.name == name) return o;
  return nullptr;
}

struct PayloadFile {
  std::string content;
  int32_t mode = 0644;  // the item's mode, else the volume's defaultMode, else 0644
};
// Relative path, as written in the object or the item → its file.
using Payload = std::map<std::string, PayloadFile>;

// Adds the keys of `data` (and of `binary` when given: a ConfigMap's binaryData; null for a
// Secret) to `files`, or only `items` when there are any. `what` names the volume in errors
// (kubelet's words: `configmap references non-existent config key: K`, `secret references
// non-existent secret key: K`).
Status AddKeyItems(Payload& files, const k8s::StringMap& data, const k8s::StringMap* binary,
                   const std::vector<k8s::KeyToPath>& items, int32_t mode, bool optional,
                   const std::string& what);

// The files of a configMap / secret volume source over the objects of the pod's namespace
// (found by name). A missing object is `volume "V": configmaps "N" not found` (`secrets`), or
// no files at all when the source is optional.
Result<Payload> ConfigMapPayload(const std::string& volume, const k8s::ConfigMapVolumeSource& src,
                                 const std::vector<const k8s::ConfigMap*>& config_maps);
Result<Payload> SecretPayload(const std::string& volume, const k8s::SecretVolumeSource& src,
                              const std::vector<const k8s::Secret*>& secrets);

// What a file volume's files are made from: the pod and container (the downward API's), the
// node, the ConfigMaps and Secrets of the pod's namespace, and the node's own service account
// material when it has some (else an unsigned local token and an empty CA).
struct PayloadSources {
  PlanInput input;  // the pod, container, node and the namespace's ConfigMaps and Secrets
  std::optional<std::string> token, ca;  // the node's `token` and `ca.crt`
  int64_t now = 0;                       // Unix seconds: the local token's iat
};

// The files of a configMap, secret, downwardAPI or projected volume (serviceAccountToken,
// configMap (kube-root-ca.crt from the node's CA when the namespace has none), secret and
// downwardAPI sources). Errors name the volume in kubelet's words.
Result<Payload> VolumePayload(const k8s::Volume& v, const PayloadSources& in);

// The projected volume that the API server's admission adds for the service account (the
// token, the cluster CA `kube-root-ca.crt` and the namespace), named `name`; mounted at
// kServiceAccountMountPath (plan/plan.h PlanMounts, and the Windows containers).
k8s::Volume ServiceAccountVolume(const std::string& name);

// An unsigned (alg "none") token with the claims a projected token carries, for a node without
// its own: it names the pod, its namespace and service account, issued at `now`.
std::string LocalServiceAccountToken(const k8s::Pod& pod, int64_t expiration, int64_t now);

}  // namespace hp::plan
