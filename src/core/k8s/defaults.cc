#include "core/k8s/defaults.h"

namespace hp::k8s {
namespace {

void DefaultHandler(ProbeHandler& h) {
  if (h.http_get) {
    if (h.http_get->path.empty()) h.http_get->path = "/";
    if (h.http_get->scheme.empty()) h.http_get->scheme = "HTTP";
  }
}

void DefaultProbe(std::optional<Probe>& p) {
  if (!p) return;
  DefaultHandler(p->handler);
  if (!p->timeout_seconds) p->timeout_seconds = 1;
  if (!p->period_seconds) p->period_seconds = 10;
  if (!p->success_threshold) p->success_threshold = 1;
  if (!p->failure_threshold) p->failure_threshold = 3;
  if (!p->initial_delay_seconds) p->initial_delay_seconds = 0;
}

void DefaultFieldRef(std::optional<ObjectFieldSelector>& f) {
  if (f && f->api_version.empty()) f->api_version = "v1";
}

void DefaultContainer(Container& c, bool host_network) {
  if (c.termination_message_path.empty()) c.termination_message_path = "/dev/termination-log";
  if (c.termination_message_policy.empty()) c.termination_message_policy = "File";
  if (c.image_pull_policy.empty()) c.image_pull_policy = DefaultImagePullPolicy(c.image);
  for (auto& p : c.ports) {
    if (p.protocol.empty()) p.protocol = "TCP";
    if (host_network && p.host_port.value_or(0) == 0) p.host_port = p.container_port;
  }
  for (auto& e : c.env)
    if (e.value_from) DefaultFieldRef(e.value_from->field_ref);
  DefaultProbe(c.liveness_probe);
  DefaultProbe(c.readiness_probe);
  DefaultProbe(c.startup_probe);
  if (c.lifecycle) {
    if (c.lifecycle->post_start) DefaultHandler(*c.lifecycle->post_start);
    if (c.lifecycle->pre_stop) DefaultHandler(*c.lifecycle->pre_stop);
  }
}

}  // namespace

void DefaultRequestsFromLimits(PodSpec& s) {
  for (auto* list : {&s.init_containers, &s.containers}) {
    for (Container& c : *list) {
      for (const auto& [name, q] : c.resources.limits) {
        bool requested = false;
        for (const auto& r : c.resources.requests) requested |= r.first == name;
        if (!requested) c.resources.requests.emplace_back(name, q);
      }
    }
  }
}

std::string DefaultImagePullPolicy(const std::string& image) {
  std::string_view ref = image;
  if (ref.find('@') != std::string_view::npos) return "IfNotPresent";  // digest, no tag
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  std::string_view tag;
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    tag = ref.substr(colon + 1);
  if (tag.empty() || tag == "latest") return "Always";
  return "IfNotPresent";
}

void ApplyPodSpecDefaults(PodSpec& s) {
  if (s.restart_policy.empty()) s.restart_policy = "Always";
  if (s.dns_policy.empty()) s.dns_policy = "ClusterFirst";
  if (!s.termination_grace_period_seconds) s.termination_grace_period_seconds = 30;
  if (s.scheduler_name.empty()) s.scheduler_name = "default-scheduler";
  if (s.service_account_name.empty())
    s.service_account_name = s.service_account.empty() ? "default" : s.service_account;
  if (!s.enable_service_links) s.enable_service_links = true;
  for (auto& c : s.init_containers) DefaultContainer(c, s.host_network);
  for (auto& c : s.containers) DefaultContainer(c, s.host_network);
  for (auto& c : s.ephemeral_containers) DefaultContainer(c, false);
  for (auto& v : s.volumes) {
    if (v.host_path && !v.host_path->type) v.host_path->type = "";
    if (v.config_map && !v.config_map->default_mode) v.config_map->default_mode = 0644;
    if (v.secret && !v.secret->default_mode) v.secret->default_mode = 0644;
    if (v.downward_api) {
      if (!v.downward_api->default_mode) v.downward_api->default_mode = 0644;
      for (auto& f : v.downward_api->items) DefaultFieldRef(f.field_ref);
    }
    if (v.projected) {
      if (!v.projected->default_mode) v.projected->default_mode = 0644;
      for (auto& src : v.projected->sources) {
        if (src.service_account_token && !src.service_account_token->expiration_seconds)
          src.service_account_token->expiration_seconds = 3600;
        if (src.downward_api)
          for (auto& f : src.downward_api->items) DefaultFieldRef(f.field_ref);
      }
    }
  }
}

void ApplyPodDefaults(Pod& pod) {
  if (pod.metadata.namespace_.empty()) pod.metadata.namespace_ = "default";
  ApplyPodSpecDefaults(pod.spec);
}

void ApplyDaemonSetDefaults(DaemonSet& ds) {
  if (ds.metadata.namespace_.empty()) ds.metadata.namespace_ = "default";
  auto& us = ds.spec.update_strategy;
  if (us.type.empty()) us.type = "RollingUpdate";
  if (us.type == "RollingUpdate") {
    if (!us.max_unavailable) us.max_unavailable = IntOrString{false, 1, ""};
    if (!us.max_surge) us.max_surge = IntOrString{false, 0, ""};
  }
  if (!ds.spec.revision_history_limit) ds.spec.revision_history_limit = 10;
  ApplyPodSpecDefaults(ds.spec.template_.spec);
}

}  // namespace hp::k8s
