// hp/k8s: plain structs for the Kubernetes objects hostprocess understands (core/v1 Pod,
// Namespace, ConfigMap, Secret, ServiceAccount; apps/v1 DaemonSet).
//
// Field names follow the Kubernetes API (camelCase → snake_case). Optional fields are
// std::optional so that "unset" differs from "false"/"0" (defaults are applied later, by the
// planner, as kubelet does). Maps keep their insertion order (vector of pairs) so messages and
// environment order follow the manifest. No YAML type appears here: decode.h fills these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/k8s/quantity.h"

namespace hp::k8s {

// Where an object or field came from. line/column are 1-based; document is the 0-based index
// of the YAML document in its file (items of a `kind: List` share their list's document).
struct Source {
  std::string file;  // as given by the user; "-" for stdin
  int line = 0;
  int column = 0;
  int document = 0;
};

// An ordered string map (labels, annotations, nodeSelector, ConfigMap data, ...).
using StringMap = std::vector<std::pair<std::string, std::string>>;
// Returns the value for `key` or nullptr.
const std::string* Lookup(const StringMap& m, const std::string& key);

struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_;  // "namespace" in the API
  std::string uid;
  StringMap labels;
  StringMap annotations;
};

// ---------------------------------------------------------------- containers

struct ObjectFieldSelector {
  std::string api_version;
  std::string field_path;  // e.g. "metadata.name", "status.podIP"
};
struct ResourceFieldSelector {
  std::string container_name;
  std::string resource;  // "limits.cpu", "requests.memory", ...
  std::optional<Quantity> divisor;
};
struct KeySelector {  // configMapKeyRef / secretKeyRef
  std::string name;
  std::string key;
  std::optional<bool> optional;
};
struct EnvVarSource {
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  std::optional<KeySelector> config_map_key_ref;
  std::optional<KeySelector> secret_key_ref;
};
struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  std::optional<EnvVarSource> value_from;
};
struct LocalObjectRef {  // configMapRef / secretRef in envFrom
  std::string name;
  std::optional<bool> optional;
};
struct EnvFromSource {
  std::string prefix;
  std::optional<LocalObjectRef> config_map_ref;
  std::optional<LocalObjectRef> secret_ref;
};

struct ContainerPort {
  std::string name;
  std::optional<int32_t> host_port;
  int32_t container_port = 0;
  std::string protocol;  // "" = TCP by default
  std::string host_ip;
};

using ResourceList = std::vector<std::pair<std::string, Quantity>>;  // "cpu" → 100m
struct ResourceRequirements {
  ResourceList limits;
  ResourceList requests;
};

struct VolumeMount {
  std::string name;
  std::string mount_path;
  std::string sub_path;
  std::string sub_path_expr;
  std::optional<bool> read_only;
  std::optional<std::string> mount_propagation;
};

// An int-or-string (probe ports, ...): is_string selects the member.
struct IntOrString {
  bool is_string = false;
  int32_t int_value = 0;
  std::string str_value;
  std::string ToString() const { return is_string ? str_value : std::to_string(int_value); }
};

struct ExecAction {
  std::vector<std::string> command;
};
struct HTTPHeader {
  std::string name;
  std::string value;
};
struct HTTPGetAction {
  std::string path;
  IntOrString port;
  std::string host;
  std::string scheme;  // "" = HTTP
  std::vector<HTTPHeader> http_headers;
};
struct TCPSocketAction {
  IntOrString port;
  std::string host;
};
// One of exec / http_get / tcp_socket is set (validation checks "exactly one").
struct ProbeHandler {
  std::optional<ExecAction> exec;
  std::optional<HTTPGetAction> http_get;
  std::optional<TCPSocketAction> tcp_socket;
};
struct Probe {
  ProbeHandler handler;
  std::optional<int32_t> initial_delay_seconds;  // kubelet default 0
  std::optional<int32_t> timeout_seconds;        // default 1
  std::optional<int32_t> period_seconds;         // default 10
  std::optional<int32_t> success_threshold;      // default 1
  std::optional<int32_t> failure_threshold;      // default 3
  std::optional<int64_t> termination_grace_period_seconds;
};
struct Lifecycle {
  std::optional<ProbeHandler> post_start;
  std::optional<ProbeHandler> pre_stop;
};

struct Capabilities {
  std::vector<std::string> add;
  std::vector<std::string> drop;
};
struct SELinuxOptions {
  std::string user, role, type, level;
};
struct SeccompProfile {
  std::string type;  // RuntimeDefault | Localhost | Unconfined
  std::optional<std::string> localhost_profile;
};
struct AppArmorProfile {
  std::string type;  // RuntimeDefault | Localhost | Unconfined
  std::optional<std::string> localhost_profile;
};
struct WindowsSecurityContextOptions {
  std::optional<std::string> gmsa_credential_spec_name;
  std::optional<std::string> gmsa_credential_spec;
  std::optional<std::string> run_as_user_name;
  std::optional<bool> host_process;
};
struct SecurityContext {  // container level
  std::optional<Capabilities> capabilities;
  std::optional<bool> privileged;
  std::optional<SELinuxOptions> se_linux_options;
  std::optional<WindowsSecurityContextOptions> windows_options;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::optional<bool> read_only_root_filesystem;
  std::optional<bool> allow_privilege_escalation;
  std::optional<std::string> proc_mount;
  std::optional<SeccompProfile> seccomp_profile;
  std::optional<AppArmorProfile> app_armor_profile;
};

struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<ContainerPort> ports;
  std::vector<EnvFromSource> env_from;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  std::optional<std::string> restart_policy;  // init containers only ("Always": sidecar)
  std::vector<VolumeMount> volume_mounts;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  std::optional<Lifecycle> lifecycle;
  std::string termination_message_path;
  std::string termination_message_policy;
  std::string image_pull_policy;
  std::optional<SecurityContext> security_context;
  bool stdin_ = false;  // "stdin"
  bool stdin_once = false;
  bool tty = false;
  std::string target_container_name;  // ephemeral containers only
  Source source;                      // position of the container's mapping
};

// ---------------------------------------------------------------- volumes

struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
};
struct HostPathVolumeSource {
  std::string path;
  std::optional<std::string> type;  // "", DirectoryOrCreate, Directory, FileOrCreate, File,
                                    // Socket, CharDevice, BlockDevice
};
struct EmptyDirVolumeSource {
  std::string medium;  // "" or "Memory"
  std::optional<Quantity> size_limit;
};
struct ConfigMapVolumeSource {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<int32_t> default_mode;
  std::optional<bool> optional;
};
struct SecretVolumeSource {
  std::string secret_name;
  std::vector<KeyToPath> items;
  std::optional<int32_t> default_mode;
  std::optional<bool> optional;
};
struct DownwardAPIVolumeFile {
  std::string path;
  std::optional<ObjectFieldSelector> field_ref;
  std::optional<ResourceFieldSelector> resource_field_ref;
  std::optional<int32_t> mode;
};
struct DownwardAPIVolumeSource {
  std::vector<DownwardAPIVolumeFile> items;
  std::optional<int32_t> default_mode;
};
struct ServiceAccountTokenProjection {
  std::string audience;
  std::optional<int64_t> expiration_seconds;  // default 3600
  std::string path;
};
struct ConfigMapProjection {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<bool> optional;
};
struct SecretProjection {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<bool> optional;
};
struct DownwardAPIProjection {
  std::vector<DownwardAPIVolumeFile> items;
};
struct VolumeProjection {  // exactly one member is set
  std::optional<SecretProjection> secret;
  std::optional<DownwardAPIProjection> downward_api;
  std::optional<ConfigMapProjection> config_map;
  std::optional<ServiceAccountTokenProjection> service_account_token;
};
struct ProjectedVolumeSource {
  std::vector<VolumeProjection> sources;
  std::optional<int32_t> default_mode;
};
struct Volume {
  std::string name;
  // Exactly one source is set; other Kubernetes volume types (nfs, csi, ...) are recorded by
  // name in `other_type` (the decoder warns that they are not supported).
  std::optional<HostPathVolumeSource> host_path;
  std::optional<EmptyDirVolumeSource> empty_dir;
  std::optional<ConfigMapVolumeSource> config_map;
  std::optional<SecretVolumeSource> secret;
  std::optional<ProjectedVolumeSource> projected;
  std::optional<DownwardAPIVolumeSource> downward_api;
  std::vector<std::string> other_types;
};

// ---------------------------------------------------------------- scheduling

struct NodeSelectorRequirement {
  std::string key;
  std::string op;  // "operator": In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
};
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  std::vector<NodeSelectorRequirement> match_fields;
};
struct PreferredSchedulingTerm {
  int32_t weight = 0;
  NodeSelectorTerm preference;
};
struct NodeAffinity {
  // requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms; nullopt = not set.
  std::optional<std::vector<NodeSelectorTerm>> required_terms;
  std::vector<PreferredSchedulingTerm> preferred;
};
struct Affinity {
  std::optional<NodeAffinity> node_affinity;
};
struct Toleration {
  std::string key;
  std::string op;  // "operator": Exists | Equal ("" = Equal)
  std::string value;
  std::string effect;  // NoSchedule | PreferNoSchedule | NoExecute | "" (all)
  std::optional<int64_t> toleration_seconds;
};

struct Sysctl {
  std::string name;
  std::string value;
};
struct PodSecurityContext {
  std::optional<SELinuxOptions> se_linux_options;
  std::optional<WindowsSecurityContextOptions> windows_options;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::vector<int64_t> supplemental_groups;
  std::optional<int64_t> fs_group;
  std::vector<Sysctl> sysctls;
  std::optional<std::string> fs_group_change_policy;
  std::optional<SeccompProfile> seccomp_profile;
  std::optional<AppArmorProfile> app_armor_profile;
};

struct PodOS {
  std::string name;  // "linux" | "windows"
};

struct PodSpec {
  std::vector<Volume> volumes;
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  std::vector<Container> ephemeral_containers;
  std::string restart_policy;  // "" = Always
  std::optional<int64_t> termination_grace_period_seconds;
  std::optional<int64_t> active_deadline_seconds;
  std::string dns_policy;
  StringMap node_selector;
  std::string service_account_name;
  std::string service_account;  // deprecated alias
  std::optional<bool> automount_service_account_token;
  std::string node_name;
  bool host_network = false;
  bool host_pid = false;
  bool host_ipc = false;
  std::optional<bool> share_process_namespace;
  std::optional<PodSecurityContext> security_context;
  std::string hostname;
  std::string subdomain;
  std::optional<Affinity> affinity;
  std::string scheduler_name;
  std::vector<Toleration> tolerations;
  std::string priority_class_name;
  std::optional<int32_t> priority;
  std::optional<std::string> runtime_class_name;
  std::optional<bool> enable_service_links;
  std::optional<PodOS> os;
  std::optional<bool> host_users;
};

struct PodTemplateSpec {
  ObjectMeta metadata;
  PodSpec spec;
};

// ---------------------------------------------------------------- objects

struct Pod {
  ObjectMeta metadata;
  PodSpec spec;
  Source source;
};

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};
struct LabelSelector {
  StringMap match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
};
struct DaemonSetUpdateStrategy {
  std::string type;  // RollingUpdate (default) | OnDelete
  std::optional<IntOrString> max_unavailable;
  std::optional<IntOrString> max_surge;
};
struct DaemonSetSpec {
  std::optional<LabelSelector> selector;
  PodTemplateSpec template_;  // "template"
  DaemonSetUpdateStrategy update_strategy;
  std::optional<int32_t> min_ready_seconds;
  std::optional<int32_t> revision_history_limit;
};
struct DaemonSet {
  ObjectMeta metadata;
  DaemonSetSpec spec;
  Source source;
};

struct Namespace {
  ObjectMeta metadata;
  Source source;
};

struct ConfigMap {
  ObjectMeta metadata;
  StringMap data;
  // binaryData, base64-decoded (values are raw bytes).
  StringMap binary_data;
  std::optional<bool> immutable;
  Source source;
};

struct Secret {
  ObjectMeta metadata;
  // `data` base64-decoded, then `stringData` merged over it (as the API server does).
  StringMap data;
  StringMap string_data;  // as written in the manifest, for reference
  std::string type;       // "" = Opaque
  std::optional<bool> immutable;
  Source source;
};

struct ServiceAccount {
  ObjectMeta metadata;
  std::optional<bool> automount_service_account_token;
  std::vector<std::string> secrets;  // names
  std::vector<std::string> image_pull_secrets;
  Source source;
};

enum class Kind { kPod, kDaemonSet, kNamespace, kConfigMap, kSecret, kServiceAccount };
// "Pod", "DaemonSet", ... as in `kind:`.
const char* KindName(Kind kind);
// The lower-case plural resource ("pods", "daemonsets", ...), as kubectl prints it.
const char* ResourceName(Kind kind);

// One decoded object. The alternative in `value` matches `kind`.
struct Object {
  Kind kind = Kind::kPod;
  std::string api_version;
  using Value = std::variant<Pod, DaemonSet, Namespace, ConfigMap, Secret, ServiceAccount>;
  Value value;
  // The object as compact JSON (YAML scalars typed as JSON), only when decoded with
  // DecodeOptions::keep_raw: what the node agent stores and hands to a pod's supervisor.
  std::string raw_json;
  // The length of that JSON (kubectl sends an object as JSON): what limits.h measures.
  size_t json_size = 0;

  const ObjectMeta& metadata() const;
  const Source& source() const;
  const Pod* pod() const { return std::get_if<Pod>(&value); }
  const DaemonSet* daemon_set() const { return std::get_if<DaemonSet>(&value); }
  const Namespace* namespace_() const { return std::get_if<Namespace>(&value); }
  const ConfigMap* config_map() const { return std::get_if<ConfigMap>(&value); }
  const Secret* secret() const { return std::get_if<Secret>(&value); }
  const ServiceAccount* service_account() const { return std::get_if<ServiceAccount>(&value); }
};

}  // namespace hp::k8s
