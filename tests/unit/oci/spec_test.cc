#include "core/oci/spec.h"

#include <gtest/gtest.h>

#include "core/oci/cgroups_path.h"
#include "core/oci/resources.h"

namespace hp::oci {
namespace {

constexpr const char* kConfig = R"({
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": true,
    "consoleSize": {"height": 25, "width": 80},
    "user": {"uid": 1000, "gid": 1001, "additionalGids": [5, 6], "umask": 18},
    "args": ["sh", "-c", "echo hi"],
    "env": ["PATH=/usr/bin:/bin", "A=b"],
    "cwd": "/work",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
                     "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
    "noNewPrivileges": true,
    "oomScoreAdj": 100
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "h",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}
  ],
  "hooks": {"prestart": [{"path": "/bin/true", "args": ["true"], "timeout": 5}],
            "poststop": [{"path": "/bin/false"}]},
  "annotations": {"microsoft.com/hostprocess-container": "true"},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/proc/1/ns/net"}],
    "cgroupsPath": "/kubepods/besteffort/pod1/c1",
    "resources": {
      "devices": [{"allow": false, "access": "rwm"}],
      "memory": {"limit": 67108864, "swap": 67108864},
      "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0-1"},
      "pids": {"limit": 64},
      "blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 100}]},
      "unified": {"memory.high": "1000000"}
    },
    "sysctl": {"net.ipv4.ip_forward": "1"}
  },
  "unknownField": {"ignored": true}
})";

TEST(Spec, DecodesTheFieldsTheRuntimeUses) {
  auto s = ParseSpec(kConfig);
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->oci_version, "1.0.2-dev");
  ASSERT_TRUE(s->process);
  const Process& p = *s->process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.args, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(p.cwd, "/work");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->ambient, std::vector<std::string>{"CAP_KILL"});
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].soft, 512u);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.oom_score_adj, 100);
  EXPECT_EQ(s->root.path, "rootfs");
  ASSERT_EQ(s->mounts.size(), 2u);
  EXPECT_EQ(s->mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));
  ASSERT_EQ(s->hooks.prestart.size(), 1u);
  EXPECT_EQ(s->hooks.prestart[0].timeout, 5);
  EXPECT_EQ(s->hooks.poststop[0].path, "/bin/false");
  EXPECT_EQ(s->annotations.at("microsoft.com/hostprocess-container"), "true");
  ASSERT_TRUE(s->linux_spec);
  EXPECT_EQ(s->linux_spec->namespaces.size(), 2u);
  EXPECT_EQ(s->linux_spec->namespaces[1].path, "/proc/1/ns/net");
  EXPECT_EQ(s->linux_spec->cgroups_path, "/kubepods/besteffort/pod1/c1");
  ASSERT_TRUE(s->linux_spec->resources);
  const Resources& r = *s->linux_spec->resources;
  EXPECT_EQ(r.memory->limit, 67108864);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.pids_limit, 64);
  EXPECT_EQ(r.block_io->throttle_read_bps.at(0).rate, 1048576u);
  EXPECT_TRUE(r.has_devices);
  EXPECT_EQ(r.unified.at("memory.high"), "1000000");
}

TEST(Spec, NamesTheBadField) {
  auto s = ParseSpec(R"({"process": {"user": {"uid": -1}, "args": ["x"]}})");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().ToString().find("process.user.uid"), std::string::npos)
      << s.error().ToString();
  auto m = ParseSpec(R"({"mounts": [{"destination": "/a"}, {"type": "bind"}]})");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().ToString().find("mounts[1].destination: required"), std::string::npos)
      << m.error().ToString();
  EXPECT_FALSE(ParseSpec("{not json"));
  EXPECT_FALSE(ParseSpec(R"({"hooks": {"prestart": [{"path": "/x", "timeout": 0}]}})"));
}

TEST(Spec, ProcessJsonForExec) {
  auto p = ParseProcess(R"({"args": ["ls"], "env": ["A=1"], "cwd": "/", "terminal": false})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->args, std::vector<std::string>{"ls"});
}

TEST(CgroupsPath, CgroupfsForms) {
  EXPECT_EQ(*ResolveCgroupsPath("/default/c1", false, "c1"), "/default/c1");
  EXPECT_EQ(*ResolveCgroupsPath("a//b/./c/", false, "c1"), "/a/b/c");
  EXPECT_EQ(*ResolveCgroupsPath("", false, "c1"), "/c1");
  EXPECT_FALSE(ResolveCgroupsPath("/a/../b", false, "c1"));
  EXPECT_FALSE(ResolveCgroupsPath("/", false, "c1"));
  EXPECT_FALSE(ResolveCgroupsPath("system.slice:cri:c1", false, "c1"));
}

TEST(CgroupsPath, SystemdForms) {
  EXPECT_EQ(*ExpandSystemdSlice("kubepods-besteffort-pod1.slice"),
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice");
  EXPECT_EQ(*ExpandSystemdSlice("-.slice"), "/");
  EXPECT_FALSE(ExpandSystemdSlice("a--b.slice"));
  EXPECT_FALSE(ExpandSystemdSlice("a.scope"));
  EXPECT_EQ(*ResolveCgroupsPath("kubepods-besteffort-pod1.slice:cri-containerd:abc", true, "abc"),
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/"
            "cri-containerd-abc.scope");
  EXPECT_EQ(*ResolveCgroupsPath("", true, "c1"), "/system.slice/hostprocess-c1.scope");
  EXPECT_EQ(*ResolveCgroupsPath(":p:c1", true, "c1"), "/system.slice/p-c1.scope");
  EXPECT_EQ(*ResolveCgroupsPath("system.slice::my.slice", true, "c1"), "/my.slice");
  auto bad = ResolveCgroupsPath("/a/b", true, "c1");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("slice:prefix:name"), std::string::npos);
}

TEST(Resources, ConvertsToJobLimits) {
  auto s = ParseSpec(kConfig);
  ASSERT_TRUE(s);
  std::vector<std::string> warnings;
  auto l = ToJobLimits(*s->linux_spec->resources, {{"hostprocess.io/io-bps-max", "8:16 wbps=2048"}},
                       &warnings);
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_EQ(l->memory_bytes, 67108864);
  EXPECT_EQ(l->cpu_limit_millis, 500);    // 50000/100000 of a CPU
  EXPECT_EQ(l->cpu_request_millis, 500);  // 512 shares
  EXPECT_EQ(l->pids_max, 64);
  ASSERT_EQ(l->io.size(), 2u);
  bool saw_sda = false, saw_sdb = false;
  for (const auto& d : l->io) {
    if (d.major == 8 && d.minor == 0) {
      saw_sda = true;
      EXPECT_EQ(d.rbps, 1048576u);
      EXPECT_EQ(d.wiops, 100u);
    }
    if (d.major == 8 && d.minor == 16) {
      saw_sdb = true;
      EXPECT_EQ(d.wbps, 2048u);
    }
  }
  EXPECT_TRUE(saw_sda && saw_sdb);
  // cpuset and unified cannot be applied: said so, not silently dropped.
  bool cpuset = false, unified = false;
  for (const auto& w : warnings) {
    cpuset |= w.find("cpuset") != std::string::npos;
    unified |= w.find("unified") != std::string::npos;
  }
  EXPECT_TRUE(cpuset);
  EXPECT_TRUE(unified);
  EXPECT_FALSE(ToJobLimits({}, {{"hostprocess.io/io-iops-max", "nonsense"}}, nullptr));
}

TEST(Resources, ShareAndQuotaRoundTripKubeletValues) {
  Resources r;
  r.cpu.emplace();
  r.cpu->shares = 256;  // kubelet: 250m
  r.cpu->quota = 25000;
  r.cpu->period = 100000;
  auto l = ToJobLimits(r, {}, nullptr);
  ASSERT_TRUE(l);
  EXPECT_EQ(job::MilliCpuToShares(*l->cpu_request_millis), 256u);
  EXPECT_EQ(job::MilliCpuToQuota(*l->cpu_limit_millis), 25000);
}

}  // namespace
}  // namespace hp::oci
