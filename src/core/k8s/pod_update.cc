#include "core/k8s/pod_update.h"

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "core/k8s/defaults_json.h"

namespace hp::k8s {
namespace {

using nlohmann::json;

constexpr const char* kUpdatableSpecFields =
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
    "negative)";

json Defaulted(const json& pod) {
  json p = pod;
  DefaultPodJson(p);
  return p;
}

// One line per leaf that differs, in path order: "- spec.x: old" / "+ spec.x: new".
void Diff(const json& a, const json& b, const std::string& path, std::vector<std::string>& out) {
  if (a == b) return;
  if (a.is_object() && b.is_object()) {
    json keys = json::object();
    for (const auto& [k, v] : a.items()) keys[k] = true;
    for (const auto& [k, v] : b.items()) keys[k] = true;
    for (const auto& [k, v] : keys.items()) {
      Diff(a.contains(k) ? a[k] : json(), b.contains(k) ? b[k] : json(),
           path.empty() ? k : path + "." + k, out);
    }
    return;
  }
  if (a.is_array() && b.is_array()) {
    for (size_t i = 0; i < std::max(a.size(), b.size()); i++) {
      Diff(i < a.size() ? a[i] : json(), i < b.size() ? b[i] : json(),
           fmt::format("{}[{}]", path, i), out);
    }
    return;
  }
  if (!a.is_null()) out.push_back(fmt::format("- {}: {}", path, a.dump()));
  if (!b.is_null()) out.push_back(fmt::format("+ {}: {}", path, b.dump()));
}

bool SameTolerationButSeconds(json a, json b) {
  a.erase("tolerationSeconds");
  b.erase("tolerationSeconds");
  return a == b;
}

}  // namespace

void StripServerSetFields(json& applied, const json& stored, const std::string& node_name) {
  if (!applied.is_object()) return;
  applied.erase("status");
  if (applied.contains("metadata") && applied["metadata"].is_object()) {
    for (const char* k : {"uid", "resourceVersion", "generation", "creationTimestamp",
                          "managedFields", "selfLink", "ownerReferences"})
      applied["metadata"].erase(k);
  }
  if (applied.contains("spec") && applied["spec"].is_object()) {
    json& spec = applied["spec"];
    bool stored_has = stored.is_object() && stored.contains("spec") && stored["spec"].is_object() &&
                      stored["spec"].contains("nodeName");
    // Only an update can tell the binding from the user's own nodeName.
    if (stored.is_object() && !stored_has && spec.value("nodeName", "") == node_name)
      spec.erase("nodeName");
  }
}

// Whether container `i` of `list` in the pod as applied names its imagePullPolicy (its default
// depends on the image, which may change: an update keeps the policy the pod has).
static bool ExplicitPullPolicy(const json& pod, const char* list, size_t i) {
  if (!pod.contains("spec") || !pod["spec"].is_object()) return false;
  const json& spec = pod["spec"];
  if (!spec.contains(list) || !spec[list].is_array() || i >= spec[list].size()) return false;
  return spec[list][i].is_object() && spec[list][i].contains("imagePullPolicy");
}

json ImmutablePart(const json& pod) {
  json p = Defaulted(pod);
  if (p.contains("metadata") && p["metadata"].is_object()) {
    for (const char* k : {"labels", "annotations", "generation", "resourceVersion"})
      p["metadata"].erase(k);
  }
  if (p.contains("spec") && p["spec"].is_object()) {
    json& spec = p["spec"];
    spec.erase("activeDeadlineSeconds");
    spec.erase("tolerations");
    for (const char* list : {"initContainers", "containers"}) {
      if (!spec.contains(list) || !spec[list].is_array()) continue;
      for (json& c : spec[list]) {
        if (!c.is_object()) continue;
        // The policy's default follows the image; a change of the policy itself is refused by
        // ValidatePodUpdate before it could reach a revision.
        c.erase("image");
        c.erase("imagePullPolicy");
      }
    }
  }
  return p;
}

field::ErrorList ValidatePodUpdate(const json& old_pod, const json& new_pod) {
  field::ErrorList errs;
  json o = Defaulted(old_pod), n = Defaulted(new_pod);
  json os = o.value("spec", json::object()), ns = n.value("spec", json::object());

  // activeDeadlineSeconds: may be set, or lowered; never raised or removed.
  if (ns.contains("activeDeadlineSeconds") && ns["activeDeadlineSeconds"].is_number_integer()) {
    int64_t now = ns["activeDeadlineSeconds"].get<int64_t>();
    if (now < 0 || now > std::numeric_limits<int32_t>::max()) {
      errs.push_back(field::Invalid("spec.activeDeadlineSeconds", field::Int(now),
                                    "must be between 0 and 2147483647, inclusive"));
      return errs;
    }
    if (os.contains("activeDeadlineSeconds") && os["activeDeadlineSeconds"].is_number_integer() &&
        os["activeDeadlineSeconds"].get<int64_t>() < now) {
      errs.push_back(field::Invalid("spec.activeDeadlineSeconds", field::Int(now),
                                    "must be less than or equal to previous value"));
      return errs;
    }
  } else if (os.contains("activeDeadlineSeconds")) {
    errs.push_back(field::Invalid("spec.activeDeadlineSeconds", field::Raw("null"),
                                  "must not update from a positive integer to nil value"));
  }

  // Tolerations: each old one stays (only its tolerationSeconds may change).
  const json old_t = os.value("tolerations", json::array());
  const json new_t = ns.value("tolerations", json::array());
  for (const json& t : old_t) {
    bool kept = false;
    for (const json& u : new_t) kept |= SameTolerationButSeconds(t, u);
    if (!kept) {
      errs.push_back(
          field::Forbidden("spec.tolerations",
                           "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }

  // Everything else of the spec is fixed: compare with the updatable fields taken from the old
  // spec (the API server's mungedPodSpec).
  json munged = ns;
  for (const char* list : {"initContainers", "containers"}) {
    if (!munged.contains(list) || !os.contains(list) || !munged[list].is_array() ||
        !os[list].is_array() || munged[list].size() != os[list].size())
      continue;
    for (size_t i = 0; i < munged[list].size(); i++) {
      if (!munged[list][i].is_object() || !os[list][i].is_object()) continue;
      if (os[list][i].contains("image")) munged[list][i]["image"] = os[list][i]["image"];
      // An omitted policy is the one the pod has (its default came from the old image).
      if (!ExplicitPullPolicy(new_pod, list, i) && os[list][i].contains("imagePullPolicy"))
        munged[list][i]["imagePullPolicy"] = os[list][i]["imagePullPolicy"];
    }
  }
  auto copy_old = [&](const char* key) {
    if (os.contains(key)) {
      munged[key] = os[key];
    } else {
      munged.erase(key);
    }
  };
  copy_old("activeDeadlineSeconds");
  copy_old("tolerations");
  if (os.value("terminationGracePeriodSeconds", int64_t{0}) < 0 &&
      ns.value("terminationGracePeriodSeconds", int64_t{0}) == 1)
    copy_old("terminationGracePeriodSeconds");
  if (munged != os) {
    std::vector<std::string> diff;
    Diff(os, munged, "spec", diff);
    std::string text =
        fmt::format("pod updates may not change fields other than {}", kUpdatableSpecFields);
    for (const std::string& d : diff) text += "\n  " + d;
    errs.push_back(field::Forbidden("spec", text));
  }

  return errs;
}

}  // namespace hp::k8s
