// Decoding of PodSpec: volumes, security contexts, scheduling fields, metadata.
#include <fmt/format.h>

#include "core/base/strings.h"
#include "core/k8s/decode_internal.h"

namespace hp::k8s::internal {
namespace {

using P = const std::string&;
using N = const yaml::Node&;
using K = std::string_view;

void DecodeKeyToPath(Ctx& c, N n, P path, std::vector<KeyToPath>& out) {
  Items(c, n, path, [&](N item, P ip) {
    KeyToPath& kp = out.emplace_back();
    Fields(c, item, ip, {}, [&](K k, N v, P p) {
      if (k == "key") return GetString(c, v, p, kp.key), true;
      if (k == "path") return GetString(c, v, p, kp.path), true;
      if (k == "mode") return GetInt32(c, v, p, kp.mode), true;
      return false;
    });
  });
}

void DecodeDownwardItems(Ctx& c, N n, P path, std::vector<DownwardAPIVolumeFile>& out) {
  Items(c, n, path, [&](N item, P ip) {
    DownwardAPIVolumeFile& f = out.emplace_back();
    Fields(c, item, ip, {}, [&](K k, N v, P p) {
      if (k == "path") return GetString(c, v, p, f.path), true;
      if (k == "mode") return GetInt32(c, v, p, f.mode), true;
      if (k == "fieldRef") {
        auto& r = f.field_ref.emplace();
        Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
          if (k2 == "apiVersion") return GetString(c, v2, p2, r.api_version), true;
          if (k2 == "fieldPath") return GetString(c, v2, p2, r.field_path), true;
          return false;
        });
        return true;
      }
      if (k == "resourceFieldRef") {
        auto& r = f.resource_field_ref.emplace();
        Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
          if (k2 == "containerName") return GetString(c, v2, p2, r.container_name), true;
          if (k2 == "resource") return GetString(c, v2, p2, r.resource), true;
          if (k2 == "divisor") return GetQuantity(c, v2, p2, r.divisor.emplace()), true;
          return false;
        });
        return true;
      }
      return false;
    });
  });
}

constexpr std::string_view kOtherVolumeTypes[] = {"gcePersistentDisk",
                                                  "awsElasticBlockStore",
                                                  "gitRepo",
                                                  "nfs",
                                                  "iscsi",
                                                  "glusterfs",
                                                  "persistentVolumeClaim",
                                                  "rbd",
                                                  "flexVolume",
                                                  "cinder",
                                                  "cephfs",
                                                  "flocker",
                                                  "fc",
                                                  "azureFile",
                                                  "vsphereVolume",
                                                  "quobyte",
                                                  "azureDisk",
                                                  "photonPersistentDisk",
                                                  "portworxVolume",
                                                  "scaleIO",
                                                  "storageos",
                                                  "csi",
                                                  "ephemeral",
                                                  "image"};

void DecodeSELinux(Ctx& c, N n, P path, SELinuxOptions& o) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "user") return GetString(c, v, p, o.user), true;
    if (k == "role") return GetString(c, v, p, o.role), true;
    if (k == "type") return GetString(c, v, p, o.type), true;
    if (k == "level") return GetString(c, v, p, o.level), true;
    return false;
  });
}

template <typename T>
void DecodeProfile(Ctx& c, N n, P path, T& o) {  // seccompProfile / appArmorProfile
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "type") return GetString(c, v, p, o.type), true;
    if (k == "localhostProfile") return GetString(c, v, p, o.localhost_profile), true;
    return false;
  });
}

void DecodeWindows(Ctx& c, N n, P path, WindowsSecurityContextOptions& o) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "gmsaCredentialSpecName") return GetString(c, v, p, o.gmsa_credential_spec_name), true;
    if (k == "gmsaCredentialSpec") return GetString(c, v, p, o.gmsa_credential_spec), true;
    if (k == "runAsUserName") return GetString(c, v, p, o.run_as_user_name), true;
    if (k == "hostProcess") return GetBool(c, v, p, o.host_process), true;
    return false;
  });
}

void DecodeNodeSelectorRequirements(Ctx& c, N n, P path,
                                    std::vector<NodeSelectorRequirement>& out) {
  Items(c, n, path, [&](N item, P ip) {
    NodeSelectorRequirement& r = out.emplace_back();
    Fields(c, item, ip, {}, [&](K k, N v, P p) {
      if (k == "key") return GetString(c, v, p, r.key), true;
      if (k == "operator") return GetString(c, v, p, r.op), true;
      if (k == "values") return GetStringList(c, v, p, r.values), true;
      return false;
    });
  });
}

void DecodeNodeSelectorTerm(Ctx& c, N n, P path, NodeSelectorTerm& t) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "matchExpressions")
      return DecodeNodeSelectorRequirements(c, v, p, t.match_expressions), true;
    if (k == "matchFields") return DecodeNodeSelectorRequirements(c, v, p, t.match_fields), true;
    return false;
  });
}

void DecodeAffinity(Ctx& c, N n, P path, Affinity& a) {
  Fields(c, n, path, {"podAffinity", "podAntiAffinity"}, [&](K k, N v, P p) {
    if (k != "nodeAffinity") return false;
    if (IsNullNode(v)) return true;
    NodeAffinity& na = a.node_affinity.emplace();
    Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
      if (k2 == "requiredDuringSchedulingIgnoredDuringExecution") {
        if (IsNullNode(v2)) return true;
        auto& terms = na.required_terms.emplace();
        Fields(c, v2, p2, {}, [&](K k3, N v3, P p3) {
          if (k3 != "nodeSelectorTerms") return false;
          Items(c, v3, p3,
                [&](N item, P ip) { DecodeNodeSelectorTerm(c, item, ip, terms.emplace_back()); });
          return true;
        });
        return true;
      }
      if (k2 == "preferredDuringSchedulingIgnoredDuringExecution") {
        Items(c, v2, p2, [&](N item, P ip) {
          PreferredSchedulingTerm& t = na.preferred.emplace_back();
          Fields(c, item, ip, {}, [&](K k3, N v3, P p3) {
            if (k3 == "weight") return GetInt32(c, v3, p3, t.weight), true;
            if (k3 == "preference") return DecodeNodeSelectorTerm(c, v3, p3, t.preference), true;
            return false;
          });
        });
        return true;
      }
      return false;
    });
    return true;
  });
}

}  // namespace

void DecodeSecurityContext(Ctx& c, N n, P path, SecurityContext& o) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "capabilities") {
      if (IsNullNode(v)) return true;
      auto& caps = o.capabilities.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "add") return GetStringList(c, v2, p2, caps.add), true;
        if (k2 == "drop") return GetStringList(c, v2, p2, caps.drop), true;
        return false;
      });
      return true;
    }
    if (k == "privileged") return GetBool(c, v, p, o.privileged), true;
    if (k == "seLinuxOptions") {
      if (!IsNullNode(v)) DecodeSELinux(c, v, p, o.se_linux_options.emplace());
      return true;
    }
    if (k == "windowsOptions") {
      if (!IsNullNode(v)) DecodeWindows(c, v, p, o.windows_options.emplace());
      return true;
    }
    if (k == "runAsUser") return GetInt64(c, v, p, o.run_as_user), true;
    if (k == "runAsGroup") return GetInt64(c, v, p, o.run_as_group), true;
    if (k == "runAsNonRoot") return GetBool(c, v, p, o.run_as_non_root), true;
    if (k == "readOnlyRootFilesystem") return GetBool(c, v, p, o.read_only_root_filesystem), true;
    if (k == "allowPrivilegeEscalation")
      return GetBool(c, v, p, o.allow_privilege_escalation), true;
    if (k == "procMount") return GetString(c, v, p, o.proc_mount), true;
    if (k == "seccompProfile") {
      if (!IsNullNode(v)) DecodeProfile(c, v, p, o.seccomp_profile.emplace());
      return true;
    }
    if (k == "appArmorProfile") {
      if (!IsNullNode(v)) DecodeProfile(c, v, p, o.app_armor_profile.emplace());
      return true;
    }
    return false;
  });
}

void DecodePodSecurityContext(Ctx& c, N n, P path, PodSecurityContext& o) {
  Fields(c, n, path, {"supplementalGroupsPolicy", "seLinuxChangePolicy"}, [&](K k, N v, P p) {
    if (k == "seLinuxOptions") {
      if (!IsNullNode(v)) DecodeSELinux(c, v, p, o.se_linux_options.emplace());
      return true;
    }
    if (k == "windowsOptions") {
      if (!IsNullNode(v)) DecodeWindows(c, v, p, o.windows_options.emplace());
      return true;
    }
    if (k == "runAsUser") return GetInt64(c, v, p, o.run_as_user), true;
    if (k == "runAsGroup") return GetInt64(c, v, p, o.run_as_group), true;
    if (k == "runAsNonRoot") return GetBool(c, v, p, o.run_as_non_root), true;
    if (k == "supplementalGroups") {
      Items(c, v, p, [&](N item, P ip) {
        std::optional<int64_t> g;
        GetInt64(c, item, ip, g);
        o.supplemental_groups.push_back(g.value_or(0));
      });
      return true;
    }
    if (k == "fsGroup") return GetInt64(c, v, p, o.fs_group), true;
    if (k == "fsGroupChangePolicy") return GetString(c, v, p, o.fs_group_change_policy), true;
    if (k == "sysctls") {
      Items(c, v, p, [&](N item, P ip) {
        Sysctl& s = o.sysctls.emplace_back();
        Fields(c, item, ip, {}, [&](K k2, N v2, P p2) {
          if (k2 == "name") return GetString(c, v2, p2, s.name), true;
          if (k2 == "value") return GetString(c, v2, p2, s.value), true;
          return false;
        });
      });
      return true;
    }
    if (k == "seccompProfile") {
      if (!IsNullNode(v)) DecodeProfile(c, v, p, o.seccomp_profile.emplace());
      return true;
    }
    if (k == "appArmorProfile") {
      if (!IsNullNode(v)) DecodeProfile(c, v, p, o.app_armor_profile.emplace());
      return true;
    }
    return false;
  });
}

void DecodeVolume(Ctx& c, N n, P path, Volume& vol) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "name") return GetString(c, v, p, vol.name), true;
    if (k == "hostPath") {
      auto& h = vol.host_path.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "path") return GetString(c, v2, p2, h.path), true;
        if (k2 == "type") return GetString(c, v2, p2, h.type), true;
        return false;
      });
      return true;
    }
    if (k == "emptyDir") {
      auto& e = vol.empty_dir.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "medium") return GetString(c, v2, p2, e.medium), true;
        if (k2 == "sizeLimit") {
          if (!IsNullNode(v2)) GetQuantity(c, v2, p2, e.size_limit.emplace());
          return true;
        }
        return false;
      });
      return true;
    }
    if (k == "configMap") {
      auto& cm = vol.config_map.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "name") return GetString(c, v2, p2, cm.name), true;
        if (k2 == "items") return DecodeKeyToPath(c, v2, p2, cm.items), true;
        if (k2 == "defaultMode") return GetInt32(c, v2, p2, cm.default_mode), true;
        if (k2 == "optional") return GetBool(c, v2, p2, cm.optional), true;
        return false;
      });
      return true;
    }
    if (k == "secret") {
      auto& s = vol.secret.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "secretName") return GetString(c, v2, p2, s.secret_name), true;
        if (k2 == "items") return DecodeKeyToPath(c, v2, p2, s.items), true;
        if (k2 == "defaultMode") return GetInt32(c, v2, p2, s.default_mode), true;
        if (k2 == "optional") return GetBool(c, v2, p2, s.optional), true;
        return false;
      });
      return true;
    }
    if (k == "downwardAPI") {
      auto& d = vol.downward_api.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "items") return DecodeDownwardItems(c, v2, p2, d.items), true;
        if (k2 == "defaultMode") return GetInt32(c, v2, p2, d.default_mode), true;
        return false;
      });
      return true;
    }
    if (k == "projected") {
      auto& pr = vol.projected.emplace();
      Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
        if (k2 == "defaultMode") return GetInt32(c, v2, p2, pr.default_mode), true;
        if (k2 != "sources") return false;
        Items(c, v2, p2, [&](N item, P ip) {
          VolumeProjection& vp = pr.sources.emplace_back();
          Fields(c, item, ip, {"clusterTrustBundle", "podCertificate"}, [&](K k3, N v3, P p3) {
            if (k3 == "secret" || k3 == "configMap") {
              std::string name;
              std::vector<KeyToPath> items;
              std::optional<bool> optional;
              Fields(c, v3, p3, {}, [&](K k4, N v4, P p4) {
                if (k4 == "name") return GetString(c, v4, p4, name), true;
                if (k4 == "items") return DecodeKeyToPath(c, v4, p4, items), true;
                if (k4 == "optional") return GetBool(c, v4, p4, optional), true;
                return false;
              });
              if (k3 == "secret") {
                vp.secret = SecretProjection{name, std::move(items), optional};
              } else {
                vp.config_map = ConfigMapProjection{name, std::move(items), optional};
              }
              return true;
            }
            if (k3 == "downwardAPI") {
              auto& d = vp.downward_api.emplace();
              Fields(c, v3, p3, {}, [&](K k4, N v4, P p4) {
                if (k4 == "items") return DecodeDownwardItems(c, v4, p4, d.items), true;
                return false;
              });
              return true;
            }
            if (k3 == "serviceAccountToken") {
              auto& t = vp.service_account_token.emplace();
              Fields(c, v3, p3, {}, [&](K k4, N v4, P p4) {
                if (k4 == "audience") return GetString(c, v4, p4, t.audience), true;
                if (k4 == "expirationSeconds")
                  return GetInt64(c, v4, p4, t.expiration_seconds), true;
                if (k4 == "path") return GetString(c, v4, p4, t.path), true;
                return false;
              });
              return true;
            }
            return false;
          });
        });
        return true;
      });
      return true;
    }
    for (std::string_view other : kOtherVolumeTypes) {
      if (k == other) {
        vol.other_types.emplace_back(k);
        c.Warn(v, fmt::format("field {} is not supported by hostprocess and is ignored", Quote(p)));
        return true;
      }
    }
    return false;
  });
}

void DecodePodSpec(Ctx& c, N n, P path, PodSpec& s) {
  Fields(c, n, path,
         {"imagePullSecrets", "hostAliases", "dnsConfig", "readinessGates", "preemptionPolicy",
          "overhead", "topologySpreadConstraints", "setHostnameAsFQDN", "schedulingGates",
          "resourceClaims", "resources", "hostnameOverride"},
         [&](K k, N v, P p) {
           if (k == "volumes") {
             Items(c, v, p,
                   [&](N item, P ip) { DecodeVolume(c, item, ip, s.volumes.emplace_back()); });
             return true;
           }
           if (k == "initContainers" || k == "containers" || k == "ephemeralContainers") {
             auto& list = k == "initContainers" ? s.init_containers
                          : k == "containers"   ? s.containers
                                                : s.ephemeral_containers;
             bool eph = k == "ephemeralContainers";
             list.reserve(list.size() + v.size());  // a Container is large: no regrowth
             Items(c, v, p,
                   [&](N item, P ip) { DecodeContainer(c, item, ip, list.emplace_back(), eph); });
             return true;
           }
           if (k == "restartPolicy") return GetString(c, v, p, s.restart_policy), true;
           if (k == "terminationGracePeriodSeconds")
             return GetInt64(c, v, p, s.termination_grace_period_seconds), true;
           if (k == "activeDeadlineSeconds")
             return GetInt64(c, v, p, s.active_deadline_seconds), true;
           if (k == "dnsPolicy") return GetString(c, v, p, s.dns_policy), true;
           if (k == "nodeSelector") return GetStringMap(c, v, p, s.node_selector), true;
           if (k == "serviceAccountName") return GetString(c, v, p, s.service_account_name), true;
           if (k == "serviceAccount") return GetString(c, v, p, s.service_account), true;
           if (k == "automountServiceAccountToken")
             return GetBool(c, v, p, s.automount_service_account_token), true;
           if (k == "nodeName") return GetString(c, v, p, s.node_name), true;
           if (k == "hostNetwork") return GetBool(c, v, p, s.host_network), true;
           if (k == "hostPID") return GetBool(c, v, p, s.host_pid), true;
           if (k == "hostIPC") return GetBool(c, v, p, s.host_ipc), true;
           if (k == "shareProcessNamespace")
             return GetBool(c, v, p, s.share_process_namespace), true;
           if (k == "securityContext") {
             if (!IsNullNode(v)) DecodePodSecurityContext(c, v, p, s.security_context.emplace());
             return true;
           }
           if (k == "hostname") return GetString(c, v, p, s.hostname), true;
           if (k == "subdomain") return GetString(c, v, p, s.subdomain), true;
           if (k == "affinity") {
             if (!IsNullNode(v)) DecodeAffinity(c, v, p, s.affinity.emplace());
             return true;
           }
           if (k == "schedulerName") return GetString(c, v, p, s.scheduler_name), true;
           if (k == "tolerations") {
             Items(c, v, p, [&](N item, P ip) {
               Toleration& t = s.tolerations.emplace_back();
               Fields(c, item, ip, {}, [&](K k2, N v2, P p2) {
                 if (k2 == "key") return GetString(c, v2, p2, t.key), true;
                 if (k2 == "operator") return GetString(c, v2, p2, t.op), true;
                 if (k2 == "value") return GetString(c, v2, p2, t.value), true;
                 if (k2 == "effect") return GetString(c, v2, p2, t.effect), true;
                 if (k2 == "tolerationSeconds")
                   return GetInt64(c, v2, p2, t.toleration_seconds), true;
                 return false;
               });
             });
             return true;
           }
           if (k == "priorityClassName") return GetString(c, v, p, s.priority_class_name), true;
           if (k == "priority") return GetInt32(c, v, p, s.priority), true;
           if (k == "runtimeClassName") return GetString(c, v, p, s.runtime_class_name), true;
           if (k == "enableServiceLinks") return GetBool(c, v, p, s.enable_service_links), true;
           if (k == "os") {
             if (IsNullNode(v)) return true;
             auto& os = s.os.emplace();
             Fields(c, v, p, {}, [&](K k2, N v2, P p2) {
               if (k2 == "name") return GetString(c, v2, p2, os.name), true;
               return false;
             });
             return true;
           }
           if (k == "hostUsers") return GetBool(c, v, p, s.host_users), true;
           return false;
         });
}

void DecodeObjectMeta(Ctx& c, N n, P path, ObjectMeta& m) {
  Fields(c, n, path,
         {"selfLink", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
          "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields"},
         [&](K k, N v, P p) {
           if (k == "name") return GetString(c, v, p, m.name), true;
           if (k == "generateName") return GetString(c, v, p, m.generate_name), true;
           if (k == "namespace") return GetString(c, v, p, m.namespace_), true;
           if (k == "uid") return GetString(c, v, p, m.uid), true;
           if (k == "labels") return GetStringMap(c, v, p, m.labels), true;
           if (k == "annotations") return GetStringMap(c, v, p, m.annotations), true;
           return false;
         });
}

void DecodeLabelSelector(Ctx& c, N n, P path, LabelSelector& sel) {
  Fields(c, n, path, {}, [&](K k, N v, P p) {
    if (k == "matchLabels") return GetStringMap(c, v, p, sel.match_labels), true;
    if (k == "matchExpressions") {
      Items(c, v, p, [&](N item, P ip) {
        LabelSelectorRequirement& r = sel.match_expressions.emplace_back();
        Fields(c, item, ip, {}, [&](K k2, N v2, P p2) {
          if (k2 == "key") return GetString(c, v2, p2, r.key), true;
          if (k2 == "operator") return GetString(c, v2, p2, r.op), true;
          if (k2 == "values") return GetStringList(c, v2, p2, r.values), true;
          return false;
        });
      });
      return true;
    }
    return false;
  });
}

}  // namespace hp::k8s::internal
