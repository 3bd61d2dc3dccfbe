#include "core/agent/daemonset_view.h"

#include "core/agent/daemonset_events.h"
#include "core/agent/naming.h"
#include "core/k8s/decode.h"

namespace hp::agent {

Result<DaemonSetListing> ListDaemonSetViews(const DesiredObjects& desired, const Node& node) {
  DaemonSetListing out;
  DaemonSetEvents events(desired.root());
  ASSIGN_OR_RETURN(std::vector<std::string> keys, desired.ListDesiredKeys("daemonsets"));
  for (const std::string& key : keys) {
    std::string path = desired.DesiredPath("daemonsets", key);
    auto stored = desired.GetDesired("daemonsets", key);
    if (stored && !*stored) continue;  // deleted meanwhile
    if (!stored) {
      out.unreadable.push_back({key, path, stored.error().ToString()});
      continue;
    }
    nlohmann::json record = std::move(**stored);
    DaemonSetView v;
    v.key = key;
    v.object = std::move(record["object"]);
    // As `apply` decoded it, from its UTF-8 JSON (an escaped character above U+FFFF, a
    // surrogate pair, is refused by the YAML readers); one that no longer decodes is damaged.
    auto decoded = k8s::DecodeString(v.object.dump(), path);
    const k8s::DaemonSet* ds =
        decoded && !decoded->objects.empty() ? decoded->objects[0].daemon_set() : nullptr;
    if (!ds) {
      out.unreadable.push_back(
          {key, path, decoded ? "\"" + path + "\": not a DaemonSet" : decoded.error().ToString()});
      continue;
    }
    v.ns = ds->metadata.namespace_.empty() ? "default" : ds->metadata.namespace_;
    v.name = ds->metadata.name;
    v.created = IntFieldOr(record, "created", 0);
    record.erase("object");
    record.erase("created");
    v.fields = std::move(record);
    v.fit = CheckFit(ds->spec.template_.spec, node, true);
    v.revision = DaemonSetRevision(v.object);
    v.desired = v.fit.fits ? 1 : 0;
    v.events = events.Read(ObjectKey(v.ns, v.name));
    out.daemonsets.push_back(std::move(v));
  }
  return out;
}

}  // namespace hp::agent
