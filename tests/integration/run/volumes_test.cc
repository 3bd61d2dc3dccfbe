// Volumes and identities on this machine, beyond runner_test.cc: the `absolute` mount layout
// (a private mount namespace, slave to the host, with every volume also at its absolute
// mountPath), configMap/secret/projected file volumes with Kubernetes' items, modes and subPath
// semantics, and runAsGroup. TearDown checks that nothing is left.
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/base/strings.h"
#include "integration/run/fixture.h"

namespace hp::pod::testing {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSaPath = "/var/run/secrets/kubernetes.io/serviceaccount";

// The mount points (field 5) of a mountinfo file.
std::vector<std::string> MountPoints(const std::string& mountinfo_path) {
  std::vector<std::string> out;
  for (const std::string& line : Split(ReadOr(mountinfo_path), '\n')) {
    std::vector<std::string> f = Split(line, ' ');
    if (f.size() > 4) out.push_back(f[4]);
  }
  return out;
}

// `s` as a YAML single-quoted scalar (the shell scripts below hold both kinds of quotes).
std::string Sq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The optional fields ("shared:N", "master:N") of the mountinfo line whose mount point is `mp`
// (the last such line: the one on top).
std::string PropagationOf(const std::string& mountinfo_path, const std::string& mp) {
  std::string fields;
  for (const std::string& line : Split(ReadOr(mountinfo_path), '\n')) {
    std::vector<std::string> f = Split(line, ' ');
    if (f.size() < 7 || f[4] != mp) continue;
    fields.clear();
    for (size_t i = 6; i < f.size() && f[i] != "-"; ++i) fields += f[i] + " ";
  }
  return fields;
}

// The host path that `path` names once symlinks are resolved (/var/run → /run), or "" when a
// component is missing.
std::string Resolved(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

struct Unmount {
  std::string path;
  ~Unmount() { (void)::umount2(path.c_str(), MNT_DETACH); }
};

class VolumesFixture : public RunFixture {
 protected:
  void AddApplets(std::initializer_list<const char*> apps) {
    for (const char* app : apps) {
      std::string link = rootfs_ + "/bin/" + app;
      struct stat st;
      if (::lstat(link.c_str(), &st) != 0) {
        ASSERT_EQ(::symlink("busybox", link.c_str()), 0) << link;
      }
    }
  }

  // Creates (not starts) the container `index` of the decoded pod, its output going to out_.
  std::unique_ptr<ContainerRunner> Create(size_t index) {
    ContainerRequest req;
    req.pod = pod_;
    req.container = &pod_->spec.containers[index];
    req.objects = &objects_;
    req.output = [this](const std::string& name, LogStream, std::string_view line) {
      std::lock_guard<std::mutex> lock(out_mu_);
      out_ += "[" + name + "] " + std::string(line) + "\n";
    };
    auto r = ContainerRunner::Create(Options(), req);
    EXPECT_TRUE(r) << r.error().ToString();
    return r ? std::move(*r) : nullptr;
  }

  bool WaitForOutput(const std::string& text, milliseconds timeout = milliseconds(20000)) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      {
        std::lock_guard<std::mutex> lock(out_mu_);
        if (out_.find(text) != std::string::npos) return true;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  std::string Out() {
    std::lock_guard<std::mutex> lock(out_mu_);
    return out_;
  }

  void StopAndTearDown(ContainerRunner& r) {
    EXPECT_TRUE(r.Stop(milliseconds(0)));
    auto st = r.Wait();
    EXPECT_TRUE(st) << st.error().ToString();
    EXPECT_TRUE(r.Teardown());
  }
};

// hostPath and the service account volume appear both under the sandbox and at their absolute
// mountPath, inside a private mount namespace only: the host's mount table never gains them,
// the mount points missing on the host (/var/run/secrets/...) are created for the container
// and removed by the last container that uses them.
TEST_F(VolumesFixture, AbsoluteLayoutBindsVolumesAtTheirMountPathInAPrivateNamespace) {
  AddApplets({"cut", "readlink"});
  const std::string sa_resolved = "/run/secrets/kubernetes.io/serviceaccount";
  ASSERT_EQ(Resolved("/var/run"), "/run") << "this test expects /var/run -> /run";
  if (sys::Exists("/run/secrets")) GTEST_SKIP() << "/run/secrets exists on this host";
  std::string host_dir = root_ + "/hostdir";
  // The hostPath's mountPath: an existing host directory under a shared mount, so that a mount
  // made there in a namespace that is not a slave would show on the host.
  std::string shared = root_ + "/shared";
  std::string abs = shared + "/abs";
  ASSERT_TRUE(sys::MkdirAll(host_dir));
  ASSERT_TRUE(sys::MkdirAll(abs));
  ASSERT_TRUE(sys::MkdirAll(shared + "/late"));
  ASSERT_EQ(::mount(shared.c_str(), shared.c_str(), nullptr, MS_BIND, nullptr), 0);
  Unmount unmount_shared{shared};
  ASSERT_EQ(::mount(nullptr, shared.c_str(), nullptr, MS_SHARED, nullptr), 0);
  std::string host_prop = PropagationOf("/proc/self/mountinfo", shared);
  ASSERT_TRUE(StartsWith(host_prop, "shared:")) << host_prop;
  ASSERT_TRUE(sys::WriteFile(host_dir + "/f", "from host"));
  std::string rel_abs = abs.substr(1);  // the same path under the sandbox
  std::string script =
      "echo \"sandbox-host: $(cat ${CONTAINER_SANDBOX_MOUNT_POINT}" + rel_abs + "/f)\"; " +
      "echo \"abs-host: $(cat " + abs + "/f)\"; " +
      "echo \"sandbox-ns: $(cat ${CONTAINER_SANDBOX_MOUNT_POINT}var/run/secrets/kubernetes.io/"
      "serviceaccount/namespace)\"; "
      "echo \"abs-ns: $(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)\"; "
      "echo \"abs-token: $(cut -c1-3 /var/run/secrets/kubernetes.io/serviceaccount/token)\"; "
      "(echo x > /var/run/secrets/kubernetes.io/serviceaccount/namespace) 2>/dev/null || "
      "echo 'abs-sa: read-only'; "
      "echo x > " +
      abs + "/written && echo 'abs-host: writable'; " +
      "echo \"ns: $(readlink /proc/self/ns/mnt)\"; echo ready; exec sleep 1000";
  Decode(Pod("  - name: abs\n    image: local\n    command: [sh, -c, " + Sq(script) +
                 "]\n    volumeMounts: [{name: h, mountPath: " + abs +
                 "}]\n"
                 "  - name: second\n    image: local\n    command: [sh, -c, 'echo ready2; exec "
                 "sleep 1000']\n",
             "  volumes: [{name: h, hostPath: {path: " + host_dir + ", type: Directory}}]\n",
             "{hostprocess.io/mount-layout: absolute}"));
  char link[128] = {};
  ASSERT_GT(::readlink("/proc/self/ns/mnt", link, sizeof link - 1), 0);
  std::string host_ns = link;

  auto first = Create(0);
  ASSERT_TRUE(first);
  {
    auto st = first->Start();
    ASSERT_TRUE(st) << st.error().ToString();
  }
  ASSERT_TRUE(WaitForOutput("[abs] ready\n")) << Out();
  std::string out = Out();
  EXPECT_NE(out.find("[abs] sandbox-host: from host\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[abs] abs-host: from host\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[abs] sandbox-ns: default\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[abs] abs-ns: default\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[abs] abs-token: eyJ\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[abs] abs-sa: read-only\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[abs] abs-host: writable\n"), std::string::npos) << out;
  EXPECT_EQ(ReadOr(host_dir + "/written"), "x\n");  // through the hostPath bind
  EXPECT_NE(out.find("[abs] ns: mnt:["), std::string::npos) << out;
  EXPECT_EQ(out.find("[abs] ns: " + host_ns + "\n"), std::string::npos)
      << "not a private mount namespace: " << out;

  // The container's namespace has the binds at the absolute paths; the host's does not.
  std::string ctr_info = "/proc/" + std::to_string(first->pid()) + "/mountinfo";
  std::vector<std::string> ctr = MountPoints(ctr_info);
  std::vector<std::string> host = MountPoints("/proc/self/mountinfo");
  EXPECT_TRUE(Has(ctr, abs)) << ReadOr(ctr_info);
  EXPECT_TRUE(Has(ctr, sa_resolved)) << ReadOr(ctr_info);
  EXPECT_TRUE(Has(ctr, first->plan().sandbox + rel_abs)) << ReadOr(ctr_info);
  EXPECT_FALSE(Has(host, abs));
  EXPECT_FALSE(Has(host, sa_resolved));
  EXPECT_FALSE(Has(host, kSaPath));
  EXPECT_TRUE(Has(host, first->plan().sandbox + rel_abs));  // the sandbox view is the host's
  // Slave to the host: the shared mount is a slave of the host's peer group there (so the bind
  // above did not propagate to the host), and a mount made on the host later reaches it.
  std::string ctr_prop = PropagationOf(ctr_info, shared);
  EXPECT_EQ(ctr_prop.find("shared:"), std::string::npos) << ctr_prop;
  std::string group = host_prop.substr(7, host_prop.find(' ') - 7);
  EXPECT_NE(ctr_prop.find("master:" + group + " "), std::string::npos)
      << host_prop << " / " << ctr_prop;
  {
    std::string late = shared + "/late";
    ASSERT_EQ(::mount("tmpfs", late.c_str(), "tmpfs", 0, "size=64k"), 0);
    Unmount unmount_late{late};
    EXPECT_TRUE(Has(MountPoints(ctr_info), late)) << ReadOr(ctr_info);
  }
  // The mount point exists on the host (an empty directory) while a container uses it.
  EXPECT_TRUE(sys::IsDir(sa_resolved));
  auto listed = sys::ListDir(sa_resolved);
  EXPECT_TRUE(listed && listed->empty());

  // A second container of the pod uses the same mount point; the first one ending must not
  // take it away from the second.
  auto second = Create(1);
  ASSERT_TRUE(second);
  {
    auto st = second->Start();
    ASSERT_TRUE(st) << st.error().ToString();
  }
  ASSERT_TRUE(WaitForOutput("[second] ready2\n")) << Out();
  std::string second_info = "/proc/" + std::to_string(second->pid()) + "/mountinfo";
  EXPECT_TRUE(Has(MountPoints(second_info), sa_resolved)) << ReadOr(second_info);
  StopAndTearDown(*first);
  EXPECT_TRUE(Has(MountPoints(second_info), sa_resolved))
      << "the first container's teardown detached the second's mount";
  EXPECT_TRUE(sys::IsDir(sa_resolved));
  StopAndTearDown(*second);
  EXPECT_TRUE(jobs_->DestroyPod(PodJobId(*pod_)));

  // Nothing is left: the created mount point, not the host's own directories.
  EXPECT_FALSE(sys::Exists("/run/secrets")) << "mount point left on the host";
  EXPECT_TRUE(sys::IsDir(abs));
  EXPECT_EQ(ReadOr(host_dir + "/f"), "from host");
  EXPECT_FALSE(Has(MountPoints("/proc/self/mountinfo"), sa_resolved));
}

// The sandbox layout (the default) neither creates a namespace nor anything outside the root.
// The per-mount options (field 6) of the mountinfo line whose mount point is `mp` (the last
// one: the mount on top), as a list.
std::vector<std::string> MountOptionsOf(const std::string& mountinfo_path, const std::string& mp) {
  std::vector<std::string> out;
  for (const std::string& line : Split(ReadOr(mountinfo_path), '\n')) {
    std::vector<std::string> f = Split(line, ' ');
    if (f.size() > 5 && f[4] == mp) out = Split(f[5], ',');
  }
  return out;
}

// A hostPath keeps its mount's nosuid, nodev and noexec, read-only or not, in the sandbox and at
// its absolute path (the read-only remount dropped them: a noexec host path became executable
// through the sandbox); what the pod brings (emptyDir, secret) is nosuid and nodev.
TEST_F(VolumesFixture, VolumesKeepTheirSourcesMountFlagsAndPodContentIsNosuidNodev) {
  std::string host = root_ + "/locked";
  ASSERT_TRUE(sys::MkdirAll(host));
  ASSERT_EQ(::mount("tmpfs", host.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m"),
            0);
  Unmount unmount_host{host};
  std::string abs = root_ + "/abs-ro";
  Decode(Pod("  - name: c\n    image: local\n    command: [sh, -c, 'echo ready; exec sleep 1000']\n"
             "    volumeMounts:\n"
             "    - {name: ro, mountPath: ro, readOnly: true}\n"
             "    - {name: rw, mountPath: rw}\n"
             "    - {name: ed, mountPath: ed}\n"
             "    - {name: s, mountPath: s}\n"
             "    - {name: ro, mountPath: " +
                 abs + ", readOnly: true}\n",
             "  volumes:\n"
             "  - {name: ro, hostPath: {path: " +
                 host +
                 "}}\n"
                 "  - {name: rw, hostPath: {path: " +
                 host +
                 "}}\n"
                 "  - {name: ed, emptyDir: {}}\n"
                 "  - {name: s, secret: {secretName: sec}}\n",
             "{hostprocess.io/mount-layout: absolute}") +
         "---\napiVersion: v1\nkind: Secret\nmetadata: {name: sec}\nstringData: {k: v}\n");
  auto c = Create(0);
  ASSERT_TRUE(c);
  {
    auto st = c->Start();
    ASSERT_TRUE(st) << st.error().ToString();
  }
  ASSERT_TRUE(WaitForOutput("[c] ready\n")) << Out();
  const std::string sandbox = c->plan().sandbox;
  auto has_all = [](const std::vector<std::string>& opts, std::vector<std::string> want) {
    for (const std::string& w : want)
      if (!Has(opts, w)) return false;
    return true;
  };
  std::vector<std::string> ro = MountOptionsOf("/proc/self/mountinfo", sandbox + "ro");
  EXPECT_TRUE(has_all(ro, {"ro", "nosuid", "nodev", "noexec"})) << Join(ro, ",");
  std::vector<std::string> rw = MountOptionsOf("/proc/self/mountinfo", sandbox + "rw");
  EXPECT_TRUE(has_all(rw, {"rw", "nosuid", "nodev", "noexec"})) << Join(rw, ",");
  std::vector<std::string> ed = MountOptionsOf("/proc/self/mountinfo", sandbox + "ed");
  EXPECT_TRUE(has_all(ed, {"rw", "nosuid", "nodev"})) << Join(ed, ",");
  std::vector<std::string> sec = MountOptionsOf("/proc/self/mountinfo", sandbox + "s");
  EXPECT_TRUE(has_all(sec, {"ro", "nosuid", "nodev"})) << Join(sec, ",");
  std::string ctr_info = "/proc/" + std::to_string(c->pid()) + "/mountinfo";
  std::vector<std::string> at_abs = MountOptionsOf(ctr_info, abs);
  EXPECT_TRUE(has_all(at_abs, {"ro", "nosuid", "nodev", "noexec"})) << Join(at_abs, ",");
  StopAndTearDown(*c);
  EXPECT_TRUE(volumes_->ReleasePod(root_ + "/pods/" + pod_->metadata.uid));  // the emptyDir's
}

TEST_F(VolumesFixture, SandboxLayoutKeepsTheHostNamespace) {
  AddApplets({"readlink"});
  Decode(Pod(R"Y(  - name: s
    image: local
    command: [sh, -c, "readlink /proc/self/ns/mnt; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace 2>/dev/null || echo no-absolute-path"]
)Y"));
  char link[128] = {};
  ASSERT_GT(::readlink("/proc/self/ns/mnt", link, sizeof link - 1), 0);
  bool had_secrets = sys::Exists("/run/secrets");
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_NE(out_.find(std::string("[s] ") + link + "\n"), std::string::npos) << out_;
  if (!had_secrets) {
    EXPECT_NE(out_.find("[s] no-absolute-path\n"), std::string::npos) << out_;
    EXPECT_FALSE(sys::Exists("/run/secrets"));
  }
}

// configMap and secret volumes with items (key → path, per-item mode) and defaultMode, a subPath
// mount of one configMap key as a file, and a projected volume of a secret, a configMap and the
// downward API; every file volume is read-only (the writes below run as root, so only the
// mount can refuse them).
TEST_F(VolumesFixture, ConfigMapSecretItemsModesSubPathAndProjected) {
  AddApplets({"stat", "wc", "touch", "sort"});
  std::string script =
      // configMap with items: only the listed keys, at their paths.
      "echo \"cm-ls: $(cd cm && ls -R | tr '\\n' ' ')\"; "
      "echo \"cm-colour: $(cat cm/c/colour)\"; "
      "echo \"cm-size: $(cat cm/size.txt)\"; "
      "stat -L -c 'mode %a %n' cm/c/colour cm/size.txt; "
      // secret with items and defaultMode 0400.
      "echo \"sec-ls: $(ls sec | tr '\\n' ' ')\"; "
      "echo \"sec-password: $(cat sec/password)\"; "
      "stat -L -c 'mode %a %n' sec/password; "
      // the whole secret (data decoded, stringData merged), default mode 0644.
      "echo \"all-ls: $(ls all | tr '\\n' ' ')\"; "
      "echo \"all: $(cat all/user)/$(cat all/pass)/$(cat all/token)\"; "
      "stat -L -c 'mode %a %n' all/user; "
      // subPath: one key as a file.
      "stat -L -c 'type %F %n' etc/app.conf; "
      "cat etc/app.conf; "
      "stat -L -c 'mode %a %n' etc/app.conf; "
      "echo \"etc-ls: $(ls etc | tr '\\n' ' ')\"; "
      // projected.
      "echo \"proj-ls: $(cd proj && ls -R | tr '\\n' ' ')\"; "
      "echo \"proj-user: $(cat proj/creds/user)\"; "
      "echo \"proj-color: $(cat proj/color)\"; "
      "echo \"proj-name: $(cat proj/name)\"; "
      "echo \"proj-app: $(cat proj/app)\"; "
      "cat proj/labels; echo; "
      "echo \"proj-labels-bytes: $(wc -c < proj/labels)\"; "
      "stat -L -c 'mode %a %n' proj/creds/user proj/color proj/name proj/labels proj/app; "
      // read-only.
      "for f in cm/size.txt sec/password all/user etc/app.conf proj/name; do "
      "(echo x > $f) 2>/dev/null && echo \"WROTE $f\" || echo \"ro $f\"; done; "
      "for d in cm sec all proj; do "
      "touch $d/new 2>/dev/null && echo \"CREATED $d/new\" || echo \"ro $d\"; done";
  // Modes as 0o440: kubectl's YAML 1.1 also reads a plain 0440 as octal, but hp/k8s's decoder
  // reads it as decimal 440 (reported, not fixed here).
  Decode(Pod("  - name: v\n    image: local\n    command: [sh, -c, " + Sq(script) + "]\n" +
                 R"Y(    volumeMounts:
    - {name: cm, mountPath: /cm}
    - {name: sec, mountPath: sec}
    - {name: all, mountPath: /all}
    - {name: whole, mountPath: /etc/app.conf, subPath: app.conf}
    - {name: proj, mountPath: /proj}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data:
  color: blue
  size: large
  app.conf: |
    a=1
    b=2
---
apiVersion: v1
kind: Secret
metadata: {name: s}
data: {user: YWRtaW4=, pass: czNjcjN0}
stringData: {token: plain}
)Y",
             R"Y(  volumes:
  - name: cm
    configMap:
      name: cm
      defaultMode: 0o440
      items:
      - {key: color, path: c/colour}
      - {key: size, path: size.txt, mode: 0o600}
  - name: sec
    secret: {secretName: s, defaultMode: 0o400, items: [{key: pass, path: password}]}
  - name: all
    secret: {secretName: s}
  - name: whole
    configMap: {name: cm, defaultMode: 0o444}
  - name: proj
    projected:
      defaultMode: 0o440
      sources:
      - secret: {name: s, items: [{key: user, path: creds/user}]}
      - configMap: {name: cm, items: [{key: color, path: color, mode: 0o400}]}
      - downwardAPI:
          items:
          - {path: name, fieldRef: {fieldPath: metadata.name}}
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: app, fieldRef: {fieldPath: "metadata.labels['app']"}, mode: 0o600}
)Y"));
  pod_->metadata.labels = {{"tier", "front end"}, {"app", "web"}};
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  auto expect = [&](const std::string& line) {
    EXPECT_NE(out_.find("[v] " + line + "\n"), std::string::npos) << "missing: " << line << "\n"
                                                                  << out_;
  };
  expect("cm-ls: .: c size.txt  ./c: colour ");
  expect("cm-colour: blue");
  expect("cm-size: large");
  expect("mode 440 cm/c/colour");
  expect("mode 600 cm/size.txt");
  expect("sec-ls: password ");
  expect("sec-password: s3cr3t");
  expect("mode 400 sec/password");
  expect("all-ls: pass token user ");
  expect("all: admin/s3cr3t/plain");
  expect("mode 644 all/user");
  expect("type regular file etc/app.conf");
  expect("a=1");
  expect("b=2");
  expect("mode 444 etc/app.conf");
  expect("etc-ls: app.conf ");
  expect("proj-ls: .: app color creds labels name  ./creds: user ");
  expect("proj-user: admin");
  expect("proj-color: blue");
  expect("proj-name: p");
  expect("proj-app: web");
  // kubelet's fieldpath.FormatMap: sorted key="value" lines, no newline after the last.
  expect("app=\"web\"");
  expect("tier=\"front end\"");
  expect("proj-labels-bytes: " +
         std::to_string(std::string("app=\"web\"\ntier=\"front end\"").size()));
  expect("mode 440 proj/creds/user");
  expect("mode 400 proj/color");
  expect("mode 440 proj/name");
  expect("mode 440 proj/labels");
  expect("mode 600 proj/app");
  for (const char* f : {"cm/size.txt", "sec/password", "all/user", "etc/app.conf", "proj/name"}) {
    expect(std::string("ro ") + f);
  }
  for (const char* d : {"cm", "sec", "all", "proj"}) expect(std::string("ro ") + d);
  EXPECT_EQ(out_.find("WROTE"), std::string::npos) << out_;
  EXPECT_EQ(out_.find("CREATED"), std::string::npos) << out_;
}

// Kubernetes' MakePayload: an item whose key is missing fails the volume, unless the volume is
// optional, in which case the item is skipped.
TEST_F(VolumesFixture, ItemsWithMissingKeys) {
  const char* objects = R"Y(---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {pass: s3cr3t}
)Y";
  Decode(Pod(std::string(R"Y(  - name: v
    image: local
    command: [sh, -c, "ls cm | tr '\\n' ' '; echo; ls sec | tr '\\n' ' '; echo"]
    volumeMounts: [{name: cm, mountPath: /cm}, {name: sec, mountPath: /sec}]
)Y") + objects,
             R"Y(  volumes:
  - name: cm
    configMap: {name: cm, optional: true, items: [{key: color, path: c}, {key: nokey, path: missing}]}
  - name: sec
    secret: {secretName: s, optional: true, items: [{key: nokey, path: missing}, {key: pass, path: p}]}
)Y"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_NE(out_.find("[v] c \n[v] p \n"), std::string::npos) << out_;

  Decode(Pod(
      std::string(R"Y(  - name: v
    image: local
    command: [sh, -c, "true"]
    volumeMounts: [{name: cm, mountPath: /cm}]
)Y") + objects,
      "  volumes: [{name: cm, configMap: {name: cm, items: [{key: nokey, path: missing}]}}]\n"));
  r = RunPod();
  EXPECT_EQ(r.exit_code, kStartErrorExitCode);
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_NE(r.containers[0].error.find("configmap references non-existent config key: nokey"),
            std::string::npos)
      << r.containers[0].error;

  Decode(Pod(
      std::string(R"Y(  - name: v
    image: local
    command: [sh, -c, "true"]
    volumeMounts: [{name: sec, mountPath: /sec}]
)Y") + objects,
      "  volumes: [{name: sec, secret: {secretName: s, items: [{key: nokey, path: missing}]}}]\n"));
  r = RunPod();
  EXPECT_EQ(r.exit_code, kStartErrorExitCode);
  ASSERT_EQ(r.containers.size(), 1u);
  EXPECT_NE(r.containers[0].error.find("secret references non-existent secret key: nokey"),
            std::string::npos)
      << r.containers[0].error;
}

// runAsGroup replaces the account's group (primary and supplementary), pod-level or
// container-level (the container's wins), for a named account, runAsUser and SYSTEM.
TEST_F(VolumesFixture, RunAsGroupOverridesTheAccountsGroup) {
  AddApplets({"stat", "touch"});
  Decode(Pod(R"Y(  - name: named
    image: local
    command: [sh, -c, "echo $(id -u) $(id -g) $(id -G); touch e/named; stat -c '%u %g' e/named"]
    securityContext: {windowsOptions: {runAsUserName: nobody}}
    volumeMounts: [{name: e, mountPath: e}]
  - name: uid
    image: local
    command: [sh, -c, "echo $(id -u) $(id -g) $(id -G)"]
    securityContext: {runAsUser: 65534, runAsGroup: 4000}
  - name: system
    image: local
    command: [sh, -c, "echo $(id -u) $(id -g) $(id -G)"]
)Y",
             // continues the pod's securityContext
             "    runAsGroup: 3000\n  volumes: [{name: e, emptyDir: {}}]\n"));
  PodResult r = RunPod();
  EXPECT_EQ(r.exit_code, 0) << out_ << events_;
  EXPECT_NE(out_.find("[named] 65534 3000 3000\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[named] 65534 3000\n"), std::string::npos) << out_;  // file's owner
  EXPECT_NE(out_.find("[uid] 65534 4000 4000\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("[system] 0 3000 3000\n"), std::string::npos) << out_;
}

}  // namespace
}  // namespace hp::pod::testing
