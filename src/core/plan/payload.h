// hp/plan: the files of a configMap or secret volume, as kubelet's MakePayload computes them:
// every key of the object, or only its `items` (each at its path, with its mode); an item whose
// key is missing fails the volume unless the volume is optional (then it is skipped). Pure:
// Linux writes the files with hp/sandbox (volumes.cc), Windows with its container backend.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/k8s/types.h"

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

}  // namespace hp::plan
