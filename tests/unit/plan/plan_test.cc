// k8s → ContainerPlan: environment order and sources, downward API, command and working
// directory, account, limits, mounts. Pods are decoded from YAML like a user writes them.
#include "core/plan/plan.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/temp_dir.h"
#include "core/k8s/decode.h"
#include "core/sys/file.h"

namespace hp::plan {
namespace {

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    sandbox_ = root_ + "/sandboxes/c1/";
    for (const char* p : {"bin/sh", "bin/busybox", "usr/bin/env", "app/run"}) {
      std::string f = sandbox_ + p;
      ASSERT_TRUE(sys::MkdirAll(f.substr(0, f.rfind('/'))));
      ASSERT_TRUE(sys::WriteFile(f, ""));
      ASSERT_EQ(::chmod(f.c_str(), 0755), 0);
    }
    node_.hostname = "node-1";
    node_.host_ip = "10.0.0.5";
    node_.allocatable_cpu_millis = 2000;
    node_.allocatable_memory_bytes = int64_t{4} << 30;
    node_.default_path = "/usr/bin:/bin";
  }

  void Decode(const std::string& yaml) {
    auto d = k8s::DecodeString(yaml, "test.yaml");
    ASSERT_TRUE(d) << d.error().ToString();
    decoded_ = std::move(*d);
    pod_ = nullptr;
    for (const k8s::Object& o : decoded_.objects) {
      if (o.pod()) pod_ = o.pod();
      if (o.config_map()) input_.config_maps.push_back(o.config_map());
      if (o.secret()) input_.secrets.push_back(o.secret());
    }
    ASSERT_NE(pod_, nullptr);
    input_.pod = pod_;
    input_.container = &pod_->spec.containers[0];
    input_.node = node_;
    input_.sandbox = sandbox_;
    input_.image.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "IMG=1", "SHARED=image"};
  }
  // Plans, then resolves the command as the runner does once the files are in place.
  Result<ContainerPlan> Plan() {
    ASSIGN_OR_RETURN(ContainerPlan plan, PlanContainer(input_));
    TRY(ResolveContainerProcess(plan, plan.working_dir.path, RealFs()));
    return plan;
  }

  hp::testing::TempDir tmp_{"hp-plan-"};
  std::string root_, sandbox_;
  NodeInfo node_;
  k8s::Decoded decoded_;
  const k8s::Pod* pod_ = nullptr;
  PlanInput input_;
};

const char* kPodHeader = R"Y(apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
  uid: 1234-abcd
  labels: {app: web, tier: front}
  annotations: {note: hi}
spec:
  hostNetwork: true
  securityContext:
    windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM"}
)Y";

TEST_F(PlanTest, EnvOrderSourcesAndSandboxLast) {
  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
    command: [sh, -c, "echo $(GREETING) ${IMG} $CONTAINER_SANDBOX_MOUNT_POINT"]
    envFrom:
    - prefix: CM_
      configMapRef: {name: cfg}
    - secretRef: {name: sec}
    env:
    - {name: SHARED, value: manifest}
    - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
    - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
    - {name: NOTE, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['note']"}}}
    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
    - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
    - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
    - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
    - {name: GREETING, value: "hello $(NAME) $(MISSING) $$(NAME)"}
    - {name: FROM_CM, valueFrom: {configMapKeyRef: {name: cfg, key: color}}}
    - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: sec, key: password}}}
    - {name: OPT, valueFrom: {configMapKeyRef: {name: nope, key: x, optional: true}}}
    - {name: CONTAINER_SANDBOX_MOUNT_POINT, value: /override}
    - {name: HOSTNAME, value: mine}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: prod}
data: {color: blue, "bad key": x}
---
apiVersion: v1
kind: Secret
metadata: {name: sec, namespace: prod}
stringData: {password: s3cret}
)Y");
  auto plan = Plan();
  ASSERT_TRUE(plan) << plan.error().ToString();
  std::vector<std::string> names;
  for (const auto& [k, v] : plan->env) names.push_back(k);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "PATH", "IMG", "SHARED", "CM_color", "password", "NAME", "NS", "UID", "APP",
                       "NOTE", "NODE", "SA", "HOST_IP", "POD_IP", "GREETING", "FROM_CM",
                       "FROM_SECRET", "HOSTNAME", "CONTAINER_SANDBOX_MOUNT_POINT"}));
  auto get = [&](const std::string& k) {
    for (const auto& [n, v] : plan->env) {
      if (n == k) return v;
    }
    return std::string("<unset>");
  };
  EXPECT_EQ(get("SHARED"), "manifest");
  EXPECT_EQ(get("NAME"), "web");
  EXPECT_EQ(get("NS"), "prod");
  EXPECT_EQ(get("UID"), "1234-abcd");
  EXPECT_EQ(get("APP"), "web");
  EXPECT_EQ(get("NOTE"), "hi");
  EXPECT_EQ(get("NODE"), "node-1");
  EXPECT_EQ(get("SA"), "default");
  EXPECT_EQ(get("HOST_IP"), "10.0.0.5");
  EXPECT_EQ(get("POD_IP"), "10.0.0.5");
  EXPECT_EQ(get("GREETING"), "hello web $(MISSING) $(NAME)");
  EXPECT_EQ(get("FROM_CM"), "blue");
  EXPECT_EQ(get("FROM_SECRET"), "s3cret");
  EXPECT_EQ(get("OPT"), "<unset>");
  EXPECT_EQ(get("HOSTNAME"), "node-1");
  EXPECT_EQ(get("CONTAINER_SANDBOX_MOUNT_POINT"), sandbox_);
  EXPECT_EQ(get("PATH"), "/usr/bin:/bin:" + sandbox_ + "usr/local/bin:" + sandbox_ +
                             "usr/bin:" + sandbox_ + "bin");
  // Command: found in the host's PATH first? "sh" exists on the host in /bin (or /usr/bin).
  ASSERT_EQ(plan->argv.size(), 3u);
  EXPECT_EQ(plan->argv[2], "echo hello web $(MISSING) $(NAME) 1 " + sandbox_);
  EXPECT_EQ(plan->working_dir.path, sandbox_);
  EXPECT_EQ(plan->account.user_name, "NT AUTHORITY\\SYSTEM");
  EXPECT_EQ(plan->grace, std::chrono::seconds(30));
  // The service account volume the API server's admission adds.
  ASSERT_EQ(plan->mounts.size(), 1u);
  EXPECT_EQ(plan->mounts[0].target, sandbox_ + "var/run/secrets/kubernetes.io/serviceaccount");
  EXPECT_TRUE(plan->mounts[0].read_only);
  ASSERT_TRUE(plan->mounts[0].volume.projected);
  EXPECT_EQ(plan->mounts[0].volume.projected->sources.size(), 3u);
}

TEST_F(PlanTest, MissingConfigMapAndKeysUseKubeletMessages) {
  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
    command: [sh]
    env:
    - {name: X, valueFrom: {configMapKeyRef: {name: cfg, key: nokey}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: prod}
data: {color: blue}
)Y");
  auto plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(),
            "container \"c\": couldn't find key nokey in ConfigMap prod/cfg");
  input_.config_maps.clear();
  plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(), "container \"c\": configmaps \"cfg\" not found");

  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
    command: [sh]
    envFrom: [{secretRef: {name: gone}}]
)Y");
  plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(),
            "container \"c\": couldn't get secret prod/gone: secrets \"gone\" not found");
}

TEST_F(PlanTest, ResourceFieldRefAsKubelet) {
  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
    command: [sh]
    resources:
      limits: {cpu: 1500m, memory: 300Mi}
    env:
    - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
    - {name: CPU_LIMIT_M, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
    - {name: CPU_REQ, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
    - {name: MEM_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: MEM_REQ_G, valueFrom: {resourceFieldRef: {resource: requests.memory, divisor: 1G}}}
    - {name: EPH, valueFrom: {resourceFieldRef: {resource: limits.ephemeral-storage}}}
)Y");
  auto plan = Plan();
  ASSERT_TRUE(plan) << plan.error().ToString();
  auto get = [&](const std::string& k) {
    for (const auto& [n, v] : plan->env) {
      if (n == k) return v;
    }
    return std::string("<unset>");
  };
  EXPECT_EQ(get("CPU_LIMIT"), "2");  // ceil(1.5)
  EXPECT_EQ(get("CPU_LIMIT_M"), "1500");
  EXPECT_EQ(get("CPU_REQ"), "1500");  // requests default to limits
  EXPECT_EQ(get("MEM_MI"), "300");
  EXPECT_EQ(get("MEM_REQ_G"), "1");  // ceil(314572800 / 1e9)
  EXPECT_EQ(get("EPH"), "0");
  EXPECT_EQ(plan->limits.memory_bytes, 300 * 1024 * 1024);
  EXPECT_EQ(plan->limits.cpu_limit_millis, 1500);
  EXPECT_EQ(plan->limits.cpu_request_millis, 1500);

  k8s::Container bare;
  NodeInfo node = node_;
  k8s::ResourceFieldSelector sel;
  sel.resource = "limits.cpu";
  EXPECT_EQ(*ResourceFieldRefValue(sel, bare, node), "2");  // node allocatable
  sel.resource = "limits.memory";
  EXPECT_EQ(*ResourceFieldRefValue(sel, bare, node), std::to_string(int64_t{4} << 30));
  sel.resource = "requests.cpu";
  EXPECT_EQ(*ResourceFieldRefValue(sel, bare, node), "0");
  sel.resource = "limits.gpu";
  EXPECT_EQ(ResourceFieldRefValue(sel, bare, node).error().message(),
            "unsupported container resource : limits.gpu");
  k8s::ObjectFieldSelector f;
  f.field_path = "metadata.labels";
  EXPECT_EQ(*FieldRefValue(f, *pod_, node), "app=\"web\"\ntier=\"front\"");
  f.field_path = "spec.containers";
  EXPECT_EQ(FieldRefValue(f, *pod_, node).error().message(),
            "unsupported fieldPath: spec.containers");
}

// `run` looks the host's IP up (a netlink dump) only for a pod whose env asks for it.
TEST(UsesHostIp, OnlyTheIpFieldsOfAnyContainerCount) {
  k8s::PodSpec spec;
  spec.containers.emplace_back();
  k8s::EnvVar name_var;
  name_var.name = "NAME";
  name_var.value_from.emplace().field_ref.emplace().field_path = "metadata.name";
  spec.containers[0].env.push_back(name_var);
  EXPECT_FALSE(UsesHostIp(spec));
  for (const char* path : {"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"}) {
    k8s::PodSpec with = spec;
    k8s::EnvVar ip = name_var;
    ip.value_from->field_ref->field_path = path;
    with.init_containers.emplace_back().env.push_back(ip);
    EXPECT_TRUE(UsesHostIp(with)) << path;
    EXPECT_TRUE(IsHostIpField(path));
  }
  EXPECT_FALSE(IsHostIpField("status.hostIPx"));
}

TEST_F(PlanTest, CommandWorkingDirAndImageDefaults) {
  Decode(std::string(kPodHeader) + R"Y(  terminationGracePeriodSeconds: 3
  containers:
  - name: c
    image: busybox
    workingDir: "$(SUB)/logs"
    command: ["./../../app/run", "a b", "${SUB}"]
    env: [{name: SUB, value: data}]
)Y");
  auto plan = Plan();
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->working_dir.path, sandbox_ + "data/logs");
  EXPECT_TRUE(plan->working_dir.create);
  // Relative to the working directory (which need not exist yet: lexical resolution).
  EXPECT_EQ(plan->executable, sandbox_ + "app/run");
  EXPECT_EQ(plan->argv, (std::vector<std::string>{"./../../app/run", "a b", "data"}));
  EXPECT_EQ(plan->grace, std::chrono::seconds(3));

  // Image entrypoint + cmd when the manifest gives no command; args replace cmd.
  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
)Y");
  input_.image.entrypoint = {sandbox_ + "bin/busybox"};
  input_.image.cmd = {"sh"};
  input_.image.working_dir = "/app";
  plan = Plan();
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->argv, (std::vector<std::string>{sandbox_ + "bin/busybox", "sh"}));
  EXPECT_EQ(plan->executable, sandbox_ + "bin/busybox");
  EXPECT_EQ(plan->working_dir.path, sandbox_ + "app");

  input_.image = {};
  plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(), "c: no command specified");
}

TEST_F(PlanTest, CommandSearchUsesImagePathThenManifestPath) {
  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
    command: [busybox, echo]
    env: [{name: PATH, value: /nonexistent-dir}]
)Y");
  auto plan = Plan();
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->executable, sandbox_ + "bin/busybox");
  EXPECT_EQ(plan->search_path.front(), "/nonexistent-dir");

  Decode(std::string(kPodHeader) + R"Y(  containers:
  - name: c
    image: busybox
    command: [no-such-tool]
    env: [{name: PATH, value: /nonexistent-dir}]
)Y");
  input_.image.env = {"PATH=/bin"};
  plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(),
            "container \"c\": executable \"no-such-tool\" not found; searched: \"" + sandbox_ +
                "bin/no-such-tool\", \"/nonexistent-dir/no-such-tool\"");
}

TEST_F(PlanTest, AccountLimitsMountsLayout) {
  Decode(R"Y(apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    hostprocess.io/pids-max: "64"
    hostprocess.io/io-bps-max: "8:0 rbps=1048576"
    hostprocess.io/mount-layout: absolute
spec:
  hostNetwork: true
  automountServiceAccountToken: false
  securityContext:
    runAsUser: 1000
    runAsNonRoot: true
    windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\Local service"}
  volumes:
  - {name: data, hostPath: {path: /tmp, type: Directory}}
  containers:
  - name: c
    image: busybox
    command: [/bin/sh]
    resources: {requests: {cpu: 250m}}
    securityContext:
      runAsGroup: 2000
      windowsOptions: {runAsUserName: "NT AUTHORITY\\NetworkService"}
    env: [{name: SUB, value: x}]
    volumeMounts:
    - {name: data, mountPath: /mnt/data, subPathExpr: "$(SUB)", readOnly: true}
)Y");
  auto plan = Plan();
  ASSERT_TRUE(plan) << plan.error().ToString();
  EXPECT_EQ(plan->account.user_name, "NT AUTHORITY\\NetworkService");
  EXPECT_EQ(plan->account.uid, 1000);
  EXPECT_EQ(plan->account.gid, 2000);
  EXPECT_TRUE(plan->account.run_as_non_root);
  EXPECT_EQ(plan->limits.pids_max, 64);
  EXPECT_EQ(plan->limits.io_bps, "8:0 rbps=1048576");
  EXPECT_EQ(plan->limits.cpu_request_millis, 250);
  EXPECT_FALSE(plan->limits.cpu_limit_millis);
  EXPECT_FALSE(plan->limits.memory_bytes);
  EXPECT_EQ(plan->layout, MountLayout::kAbsolute);
  ASSERT_EQ(plan->mounts.size(), 1u);  // no service account volume
  EXPECT_EQ(plan->mounts[0].target, sandbox_ + "mnt/data");
  EXPECT_EQ(plan->mounts[0].sub_path, "x");
  EXPECT_TRUE(plan->mounts[0].read_only);
  EXPECT_TRUE(plan->mounts[0].volume.host_path);
}

TEST_F(PlanTest, RejectsEscapesAndBadAnnotations) {
  Decode(std::string(kPodHeader) + R"Y(  volumes: [{name: d, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    command: [/bin/sh]
    volumeMounts: [{name: d, mountPath: /../../etc}]
)Y");
  auto plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(),
            "container \"c\": mountPath \"/../../etc\" is outside the container volume");
  Decode(std::string(kPodHeader) + R"Y(  volumes: [{name: d, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    command: [/bin/sh]
    volumeMounts: [{name: d, mountPath: /x, subPath: ../y}]
)Y");
  plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(),
            "container \"c\": volumeMount \"d\": subPath \"../y\" must be a relative path inside "
            "the volume");
  Decode(R"Y(apiVersion: v1
kind: Pod
metadata: {name: p, annotations: {hostprocess.io/mount-layout: weird}}
spec:
  hostNetwork: true
  containers: [{name: c, image: b, command: [/bin/sh]}]
)Y");
  plan = Plan();
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().ToString(),
            "annotation \"hostprocess.io/mount-layout\": invalid value \"weird\": must be "
            "\"sandbox\" or \"absolute\"");
}

}  // namespace
}  // namespace hp::plan
