#include "core/agent/record.h"

#include <nlohmann/json.hpp>

#include "core/k8s/decode.h"

namespace hp::agent {

Result<std::unique_ptr<DecodedRecord>> DecodeRecord(const PodRecord& r, const std::string& path) {
  auto out = std::make_unique<DecodedRecord>();
  nlohmann::json list{{"apiVersion", "v1"}, {"kind", "List"}, {"items", r.objects}};
  list["items"].insert(list["items"].begin(), r.pod);
  ASSIGN_OR_RETURN_CTX(k8s::Decoded d, k8s::DecodeString(list.dump(), path), "decode \"{}\"", path);
  out->storage = std::move(d.objects);
  bool have_pod = false;
  for (k8s::Object& o : out->storage) {
    if (auto* p = std::get_if<k8s::Pod>(&o.value); p && !have_pod) {
      out->pod = *p;
      have_pod = true;
    }
    if (o.config_map()) out->objects.config_maps.push_back(o.config_map());
    if (o.secret()) out->objects.secrets.push_back(o.secret());
    if (o.service_account()) out->objects.service_accounts.push_back(o.service_account());
  }
  if (!have_pod) return Err(ErrorCode::kInvalidArgument, "\"{}\": no pod in the record", path);
  return out;
}

}  // namespace hp::agent
