// Decoding of containers: env, ports, resources, mounts, probes, lifecycle, securityContext.
#include <fmt/format.h>

#include "core/k8s/decode_internal.h"

namespace hp::k8s::internal {
namespace {

using P = const std::string&;
using N = const yaml::Node&;
using K = std::string_view;

void DecodeFieldRef(Ctx& c, N n, P path, ObjectFieldSelector& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "apiVersion") return GetString(c, v, p, out.api_version), true;
    if (k == "fieldPath") return GetString(c, v, p, out.field_path), true;
    return false;
  });
}

void DecodeResourceFieldRef(Ctx& c, N n, P path, ResourceFieldSelector& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "containerName") return GetString(c, v, p, out.container_name), true;
    if (k == "resource") return GetString(c, v, p, out.resource), true;
    if (k == "divisor") {
      if (!IsNullNode(v)) GetQuantity(c, v, p, out.divisor.emplace());
      return true;
    }
    return false;
  });
}

void DecodeKeySelector(Ctx& c, N n, P path, KeySelector& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "name") return GetString(c, v, p, out.name), true;
    if (k == "key") return GetString(c, v, p, out.key), true;
    if (k == "optional") return GetBool(c, v, p, out.optional), true;
    return false;
  });
}

void DecodeLocalRef(Ctx& c, N n, P path, LocalObjectRef& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "name") return GetString(c, v, p, out.name), true;
    if (k == "optional") return GetBool(c, v, p, out.optional), true;
    return false;
  });
}

void DecodeEnv(Ctx& c, N n, P path, EnvVar& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "name") return GetString(c, v, p, out.name), true;
    if (k == "value") return GetString(c, v, p, out.value), true;
    if (k == "valueFrom") {
      if (IsNullNode(v)) return true;
      auto& src = out.value_from.emplace();
      Fields(c, v, p, {"fileKeyRef"}, [&](K k2, N v2, P p2) {
        if (k2 == "fieldRef") return DecodeFieldRef(c, v2, p2, src.field_ref.emplace()), true;
        if (k2 == "resourceFieldRef")
          return DecodeResourceFieldRef(c, v2, p2, src.resource_field_ref.emplace()), true;
        if (k2 == "configMapKeyRef")
          return DecodeKeySelector(c, v2, p2, src.config_map_key_ref.emplace()), true;
        if (k2 == "secretKeyRef")
          return DecodeKeySelector(c, v2, p2, src.secret_key_ref.emplace()), true;
        return false;
      });
      return true;
    }
    return false;
  });
}

void DecodeResourceList(Ctx& c, N n, P path, ResourceList& out) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    Quantity q;
    GetQuantity(c, v, p, q);
    out.emplace_back(std::string(k), std::move(q));
    return true;
  });
}

void DecodeHandler(Ctx& c, K k, N v, P p, ProbeHandler& h, bool& known) {
  known = true;
  if (k == "exec") {
    Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
      if (k2 == "command") return GetStringList(c, v2, p2, h.exec.emplace().command), true;
      return false;
    });
    if (!h.exec) h.exec.emplace();
  } else if (k == "httpGet") {
    auto& g = h.http_get.emplace();
    Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
      if (k2 == "path") return GetString(c, v2, p2, g.path), true;
      if (k2 == "port") return GetIntOrString(c, v2, p2, g.port), true;
      if (k2 == "host") return GetString(c, v2, p2, g.host), true;
      if (k2 == "scheme") return GetString(c, v2, p2, g.scheme), true;
      if (k2 == "httpHeaders") {
        Items(c, v2, p2, [&](N item, P ip) {
          HTTPHeader hh;
          Fields(c, item, ip, {}, [&](K k3, N v3, P p3) {
            if (k3 == "name") return GetString(c, v3, p3, hh.name), true;
            if (k3 == "value") return GetString(c, v3, p3, hh.value), true;
            return false;
          });
          g.http_headers.push_back(std::move(hh));
        });
        return true;
      }
      return false;
    });
  } else if (k == "tcpSocket") {
    auto& t = h.tcp_socket.emplace();
    Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
      if (k2 == "port") return GetIntOrString(c, v2, p2, t.port), true;
      if (k2 == "host") return GetString(c, v2, p2, t.host), true;
      return false;
    });
  } else {
    known = false;
  }
}

void DecodeProbe(Ctx& c, N n, P path, Probe& out) {
  Fields(c, n, path, {"grpc"}, [&](K k, N v, P p) {
    bool known;
    DecodeHandler(c, k, v, p, out.handler, known);
    if (known) return true;
    if (k == "initialDelaySeconds") return GetInt32(c, v, p, out.initial_delay_seconds), true;
    if (k == "timeoutSeconds") return GetInt32(c, v, p, out.timeout_seconds), true;
    if (k == "periodSeconds") return GetInt32(c, v, p, out.period_seconds), true;
    if (k == "successThreshold") return GetInt32(c, v, p, out.success_threshold), true;
    if (k == "failureThreshold") return GetInt32(c, v, p, out.failure_threshold), true;
    if (k == "terminationGracePeriodSeconds")
      return GetInt64(c, v, p, out.termination_grace_period_seconds), true;
    return false;
  });
}

void DecodeLifecycle(Ctx& c, N n, P path, Lifecycle& out) {
  Fields(c, n, path, {"stopSignal"}, [&](K k, N v, P p) {
    if (k != "postStart" && k != "preStop") return false;
    auto& h = (k == "postStart" ? out.post_start : out.pre_stop).emplace();
    Fields(c, v, p, {"sleep"}, [&](K k2, N v2, P p2) {
      bool known;
      DecodeHandler(c, k2, v2, p2, h, known);
      return known;
    });
    return true;
  });
}

}  // namespace

void DecodeContainer(Ctx& c, N n, P path, Container& out, bool ephemeral) {
  out.source = c.At(n);
  Fields(c, n, path, {"resizePolicy", "volumeDevices"}, [&](K k, N v, P p) {
    if (k == "name") return GetString(c, v, p, out.name), true;
    if (k == "image") return GetString(c, v, p, out.image), true;
    if (k == "command") return GetStringList(c, v, p, out.command), true;
    if (k == "args") return GetStringList(c, v, p, out.args), true;
    if (k == "workingDir") return GetString(c, v, p, out.working_dir), true;
    if (k == "ports") {
      Items(c, v, p, [&](N item, P ip) {
        ContainerPort port;
        Fields(c, item, ip, {}, [&](K k2, N v2, P p2) {
          if (k2 == "name") return GetString(c, v2, p2, port.name), true;
          if (k2 == "hostPort") return GetInt32(c, v2, p2, port.host_port), true;
          if (k2 == "containerPort") return GetInt32(c, v2, p2, port.container_port), true;
          if (k2 == "protocol") return GetString(c, v2, p2, port.protocol), true;
          if (k2 == "hostIP") return GetString(c, v2, p2, port.host_ip), true;
          return false;
        });
        out.ports.push_back(std::move(port));
      });
      return true;
    }
    if (k == "env") {
      Items(c, v, p, [&](N item, P ip) { DecodeEnv(c, item, ip, out.env.emplace_back()); });
      return true;
    }
    if (k == "envFrom") {
      Items(c, v, p, [&](N item, P ip) {
        EnvFromSource& e = out.env_from.emplace_back();
        Fields(c, item, ip, {}, [&](K k2, N v2, P p2) {
          if (k2 == "prefix") return GetString(c, v2, p2, e.prefix), true;
          if (k2 == "configMapRef")
            return DecodeLocalRef(c, v2, p2, e.config_map_ref.emplace()), true;
          if (k2 == "secretRef") return DecodeLocalRef(c, v2, p2, e.secret_ref.emplace()), true;
          return false;
        });
      });
      return true;
    }
    if (k == "resources") {
      Fields(c, v, p, {"claims"}, [&](K k2, N v2, P p2) {
        if (k2 == "limits") return DecodeResourceList(c, v2, p2, out.resources.limits), true;
        if (k2 == "requests") return DecodeResourceList(c, v2, p2, out.resources.requests), true;
        return false;
      });
      return true;
    }
    if (k == "restartPolicy" && !ephemeral) return GetString(c, v, p, out.restart_policy), true;
    if (k == "volumeMounts") {
      Items(c, v, p, [&](N item, P ip) {
        VolumeMount& m = out.volume_mounts.emplace_back();
        Fields(c, item, ip, {"recursiveReadOnly"}, [&](K k2, N v2, P p2) {
          if (k2 == "name") return GetString(c, v2, p2, m.name), true;
          if (k2 == "mountPath") return GetString(c, v2, p2, m.mount_path), true;
          if (k2 == "subPath") return GetString(c, v2, p2, m.sub_path), true;
          if (k2 == "subPathExpr") return GetString(c, v2, p2, m.sub_path_expr), true;
          if (k2 == "readOnly") return GetBool(c, v2, p2, m.read_only), true;
          if (k2 == "mountPropagation") return GetString(c, v2, p2, m.mount_propagation), true;
          return false;
        });
      });
      return true;
    }
    if (k == "livenessProbe" || k == "readinessProbe" || k == "startupProbe") {
      if (IsNullNode(v)) return true;
      auto& probe = k == "livenessProbe"    ? out.liveness_probe
                    : k == "readinessProbe" ? out.readiness_probe
                                            : out.startup_probe;
      DecodeProbe(c, v, p, probe.emplace());
      return true;
    }
    if (k == "lifecycle") {
      if (IsNullNode(v)) return true;
      DecodeLifecycle(c, v, p, out.lifecycle.emplace());
      c.Warn(v, fmt::format("field \"{}\" is decoded but its hooks are not run by hostprocess", p));
      return true;
    }
    if (k == "terminationMessagePath")
      return GetString(c, v, p, out.termination_message_path), true;
    if (k == "terminationMessagePolicy")
      return GetString(c, v, p, out.termination_message_policy), true;
    if (k == "imagePullPolicy") return GetString(c, v, p, out.image_pull_policy), true;
    if (k == "securityContext") {
      if (!IsNullNode(v)) DecodeSecurityContext(c, v, p, out.security_context.emplace());
      return true;
    }
    if (k == "stdin") return GetBool(c, v, p, out.stdin_), true;
    if (k == "stdinOnce") return GetBool(c, v, p, out.stdin_once), true;
    if (k == "tty") return GetBool(c, v, p, out.tty), true;
    if (k == "targetContainerName" && ephemeral)
      return GetString(c, v, p, out.target_container_name), true;
    return false;
  });
}

}  // namespace hp::k8s::internal
