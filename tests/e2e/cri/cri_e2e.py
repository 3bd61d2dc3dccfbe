#!/usr/bin/python3
"""The Kubernetes path end to end: a private containerd (Debian's, CRI enabled, its own root,
state, socket, no CNI: host-network pods) with the runtime handler `hostprocess` ->
hostprocess-runtime, driven over the CRI gRPC API by a client written here (cri_api.proto: the
published runtime.v1 field numbers; stubs generated at run time with Debian's grpc_tools).

  cri_e2e.py --runtime BIN            the test (exit 0 pass, 1 fail, 77 skip: no containerd)
  cri_e2e.py --runtime BIN --bench N  the life cycle of one pod, hostprocess vs runc, N rounds

Everything (containerd, shims, mounts, cgroups, the temp dir) is removed at the end, even after
a failure.
"""
import argparse
import glob
import hashlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import traceback
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGE = "docker.io/hp-cri/busybox:latest"
SKIP = 77


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def log(msg):
    print(msg, flush=True)


def hierarchies():
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        return ["/sys/fs/cgroup"]
    return sorted(p[:-len("/cgroup.procs")] for p in glob.glob("/sys/fs/cgroup/*/cgroup.procs"))


def mountinfo_below(path):
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].replace("\\040", " ")
            if mp == path or mp.startswith(path + "/"):
                out.append(mp)
    return out


def pids_mentioning(text):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if text.encode() in f.read():
                    out.append(int(d))
        except OSError:
            pass
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def build_image(path):
    """A docker-archive with busybox-static (its applets as links) whose entrypoint sleeps: it
    serves as the pod sandbox ("pause") image too."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        for d in ("bin", "tmp", "etc"):
            info = tarfile.TarInfo(d)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            t.addfile(info)
        t.add("/bin/busybox", "bin/busybox")
        for applet in ("sh", "sleep", "cat", "echo", "grep", "id", "unshare", "ls", "true",
                       "hostname"):
            info = tarfile.TarInfo("bin/" + applet)
            info.type, info.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(info)
    data = layer.getvalue()
    diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Env": ["PATH=/bin"], "Entrypoint": ["/bin/sleep", "2147483647"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["hp-cri/busybox:latest"],
                            "Layers": ["layer/layer.tar"]}]).encode()
    with tarfile.open(path, "w") as t:
        for name, blob in ((config_name, config), ("layer/layer.tar", data),
                           ("manifest.json", manifest)):
            info = tarfile.TarInfo(name)
            info.size = len(blob)
            t.addfile(info, io.BytesIO(blob))


def docs_snippet(runtime, root):
    """The runtime handler exactly as docs/kubernetes.md tells a node to configure it (its first
    ```toml block naming a CRI runtime), with BinaryName and Root pointed at this test's."""
    with open(os.path.join(HERE, "..", "..", "..", "docs", "kubernetes.md")) as f:
        md = f.read()
    for block in md.split("```toml\n")[1:]:
        block = block.split("\n```")[0] + "\n"
        if 'containerd.runtimes.' not in block:
            continue
        out = []
        for line in block.splitlines():
            key = line.strip().split(" = ")[0]
            if key == "BinaryName":
                line = line.split("=")[0] + '= "%s"' % runtime
            elif key == "Root":
                line = line.split("=")[0] + '= "%s"' % root
            out.append(line)
        return "\n".join(out) + "\n"
    raise Failure("docs/kubernetes.md has no ```toml block with a CRI runtime")


def docs_daemonset_command():
    """The `command:` of the DaemonSet in docs/kubernetes.md (a YAML block list of strings)."""
    with open(os.path.join(HERE, "..", "..", "..", "docs", "kubernetes.md")) as f:
        md = f.read()
    block = md.split("kind: DaemonSet", 1)[1].split("```", 1)[0]
    lines = block.split("command:", 1)[1].splitlines()[1:]
    out = []
    for line in lines:
        item = line.strip()
        if not item.startswith("- "):
            break
        item = item[2:].strip()
        if item[:1] == '"' and item[-1:] == '"':
            item = json.loads(item)
        out.append(item)
    check(out, "no command in the docs' DaemonSet")
    return out


class Env:
    """The private containerd and the generated CRI client."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.dir = tempfile.mkdtemp(prefix="hp-cri-")
        os.chmod(self.dir, 0o755)
        self.sock = self.dir + "/c.sock"
        # containerd's state and the runtimes' roots, on a tmpfs as on a node (/run/containerd,
        # /run/containerd/runc): mounted by start(), unmounted by teardown() with the rest.
        self.run = self.dir + "/run"
        self.hp_root = self.run + "/hp-state"
        self.proc = None
        self.tag = os.path.basename(self.dir).split("-")[-1]
        self.cgroup_parent = "/hp-cri-" + self.tag
        self.made_cgroups = []

    def gen_stubs(self):
        gen = self.dir + "/gen"
        os.makedirs(gen)
        shutil.copy(HERE + "/cri_api.proto", gen)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", gen,
                        "--python_out=" + gen, "--grpc_python_out=" + gen,
                        gen + "/cri_api.proto"], check=True)
        sys.path.insert(0, gen)
        global pb, grpc
        import grpc  # noqa: F401
        import cri_api_pb2 as pb  # noqa: F401
        import cri_api_pb2_grpc as pbg
        self.channel = grpc.insecure_channel("unix://" + self.sock)
        self.rt = pbg.RuntimeServiceStub(self.channel)
        self.img = pbg.ImageServiceStub(self.channel)

    def start(self):
        self.port = free_port()
        disabled = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                    "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
                    "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
        os.makedirs(self.dir + "/cni/net.d")
        os.makedirs(self.run)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "hp-cri-run", self.run],
                       check=True)
        cri = 'plugins."io.containerd.grpc.v1.cri"'
        config = f'''version = 2
root = "{self.dir}/root"
state = "{self.run}/state"
disabled_plugins = {json.dumps(disabled)}
[grpc]
  address = "{self.sock}"
[ttrpc]
  address = "{self.sock}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "{self.dir}/opt"
[{cri}]
  sandbox_image = "{IMAGE}"
  # Test machines may lack CAP_SYS_RESOURCE (a container): never ask for a score below ours.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "{self.port}"
[{cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "{self.dir}/cni/net.d"
[{cri}.containerd.runtimes.runc.options]
  Root = "{self.run}/runc-state"
{docs_snippet(self.runtime, self.hp_root)}'''
        with open(self.dir + "/config.toml", "w") as f:
            f.write(config)
        logf = open(self.dir + "/containerd.log", "w")
        self.proc = subprocess.Popen(["/usr/bin/containerd", "--config", self.dir + "/config.toml"],
                                     stdout=logf, stderr=logf)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if os.path.exists(self.sock):
                    self.rt.Version(pb.VersionRequest(version="v1"), timeout=2)
                    return
            except grpc.RpcError:
                pass
            check(self.proc.poll() is None, "containerd exited:\n" + self.containerd_log())
            time.sleep(0.1)
        raise Failure("containerd did not answer CRI Version in 30 s:\n" + self.containerd_log())

    def containerd_log(self):
        try:
            with open(self.dir + "/containerd.log") as f:
                return "".join(f.readlines()[-30:])
        except OSError:
            return ""

    def import_image(self):
        tar = self.dir + "/busybox.tar"
        build_image(tar)
        r = subprocess.run(["ctr", "-a", self.sock, "-n", "k8s.io", "images", "import", tar],
                           capture_output=True, text=True)
        check(r.returncode == 0, "ctr images import: " + r.stdout + r.stderr)
        deadline = time.time() + 10
        while time.time() < deadline:
            st = self.img.ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=IMAGE)))
            if st.image.id:
                return
            time.sleep(0.1)
        raise Failure("the imported image is not visible over CRI ImageStatus")

    def make_pod_cgroup(self, pod_uid):
        """What kubelet (cgroupfs driver) does before RunPodSandbox: the pod's cgroup."""
        path = "%s/pod%s" % (self.cgroup_parent, pod_uid)
        for h in hierarchies():
            for d in (h + self.cgroup_parent, h + path):
                if not os.path.isdir(d):
                    os.mkdir(d)
                    self.made_cgroups.append(d)
                    if os.path.exists(d + "/cpuset.cpus"):
                        parent = os.path.dirname(d)
                        for f in ("cpuset.cpus", "cpuset.mems"):
                            with open(parent + "/" + f) as src, open(d + "/" + f, "w") as dst:
                                dst.write(src.read())
        return path

    def teardown(self):
        try:
            if self.proc and self.proc.poll() is None:
                # Whatever a failed test left: remove it through CRI first.
                try:
                    from cri_api_pb2 import ListPodSandboxRequest  # noqa: F401
                except ImportError:
                    pass
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for pid in pids_mentioning(self.dir):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)
            root = self.hp_root + "/k8s.io"
            if os.path.isdir(root):
                for cid in os.listdir(root):
                    if not cid.startswith("."):
                        subprocess.run([self.runtime, "--root", root, "delete", "--force", cid],
                                       capture_output=True)
            for mp in sorted(mountinfo_below(self.dir), key=len, reverse=True):
                subprocess.run(["umount", "-l", mp], capture_output=True)
            for h in hierarchies():
                for d in sorted(glob.glob(h + self.cgroup_parent + "/**/", recursive=True),
                                key=len, reverse=True):
                    for _ in range(50):
                        try:
                            with open(d + "cgroup.procs") as f:
                                for pid in f.read().split():
                                    os.kill(int(pid), signal.SIGKILL)
                            os.rmdir(d)
                            break
                        except OSError:
                            time.sleep(0.02)
            shutil.rmtree(self.dir, ignore_errors=True)


def sandbox_config(env, name, pod_uid, cgroup_parent):
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=pod_uid, namespace="hp-e2e", attempt=0),
        log_directory="%s/logs/%s" % (env.dir, pod_uid),
        annotations={"microsoft.com/hostprocess-container": "true"},
        linux=pb.LinuxPodSandboxConfig(
            cgroup_parent=cgroup_parent,
            security_context=pb.LinuxSandboxSecurityContext(
                privileged=True,  # the docs' DaemonSet container is privileged
                namespace_options=pb.NamespaceOption(network=pb.NODE, pid=pb.NODE, ipc=pb.NODE),
                seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.RuntimeDefault))))


def container_config(name, command, readonly=False, memory=0, cpu_quota=0, log_path=""):
    return pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name=name),
        image=pb.ImageSpec(image=IMAGE),
        command=command,
        log_path=log_path,
        linux=pb.LinuxContainerConfig(
            resources=pb.LinuxContainerResources(
                memory_limit_in_bytes=memory, cpu_quota=cpu_quota,
                cpu_period=100000 if cpu_quota else 0, cpu_shares=512),
            security_context=pb.LinuxContainerSecurityContext(
                run_as_user=pb.Int64Value(value=0),
                readonly_rootfs=readonly,
                namespace_options=pb.NamespaceOption(network=pb.NODE, pid=pb.NODE, ipc=pb.NODE),
                seccomp=pb.SecurityProfile(profile_type=pb.SecurityProfile.RuntimeDefault))))


def wait_state(env, cid, state, timeout=20):
    deadline = time.time() + timeout
    while True:
        st = env.rt.ContainerStatus(pb.ContainerStatusRequest(container_id=cid)).status
        if st.state == state or time.time() > deadline:
            return st
        time.sleep(0.05)


def exec_sync(env, cid, cmd, timeout=20):
    r = env.rt.ExecSync(pb.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout),
                        timeout=timeout + 10)
    return r.exit_code, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def websocket_exec(url):
    """One exec through the CRI streaming server: a minimal WebSocket client speaking
    v4.channel.k8s.io (first byte of each message: 1 stdout, 2 stderr, 3 status)."""
    from urllib.parse import urlparse
    import base64
    u = urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=20)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET {u.path}?{u.query} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n"
               ).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        check(chunk, "streaming server closed during the handshake")
        buf += chunk
    head, buf = buf.split(b"\r\n\r\n", 1)
    check(b" 101 " in head.split(b"\r\n")[0], "websocket upgrade refused: %r" % head[:200])

    def need(n):
        nonlocal buf
        while len(buf) < n:
            chunk = s.recv(65536)
            if not chunk:
                raise EOFError
            buf += chunk
        out, buf = buf[:n], buf[n:]
        return out

    channels = {1: b"", 2: b"", 3: b""}
    try:
        while True:
            b0, b1 = need(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = int.from_bytes(need(2), "big")
            elif n == 127:
                n = int.from_bytes(need(8), "big")
            payload = need(n)
            if opcode == 8:
                break
            if opcode in (1, 2) and payload:
                ch = payload[0]
                channels[ch] = channels.get(ch, b"") + payload[1:]
    except (EOFError, socket.timeout):
        pass
    s.close()
    return {k: v.decode(errors="replace") for k, v in channels.items()}


def cgroup_file(rel, controller, name):
    for base in ("/sys/fs/cgroup/" + controller, "/sys/fs/cgroup"):
        p = base + rel + "/" + name
        if os.path.exists(p):
            with open(p) as f:
                return f.read().strip()
    return None


def test(env):
    pod_uid = uuid.uuid4().hex[:12]
    pod_cgroup = env.make_pod_cgroup(pod_uid)
    sc = sandbox_config(env, "hp-pod", pod_uid, pod_cgroup)
    pod = env.rt.RunPodSandbox(pb.RunPodSandboxRequest(config=sc, runtime_handler="hostprocess"),
                               timeout=60).pod_sandbox_id
    log("RunPodSandbox: %s" % pod[:12])
    pst = env.rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=pod)).status
    check(pst.state == pb.SANDBOX_READY, "sandbox not ready: %s" % pst)
    # The shim runs the runtime with --root <Root>/<containerd namespace>.
    check(os.path.isdir(env.hp_root + "/k8s.io/" + pod), "the sandbox did not go through hostprocess")

    mib = 1024 * 1024
    cfg = container_config("app", ["/bin/sh", "-c",
                                   "echo hello-stdout; echo hello-stderr >&2; exec sleep 1000"],
                           readonly=True, memory=64 * mib, cpu_quota=50000, log_path="app/0.log")
    cid = env.rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod, config=cfg,
                                                           sandbox_config=sc),
                                 timeout=60).container_id
    env.rt.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=60)
    st = wait_state(env, cid, pb.CONTAINER_RUNNING)
    check(st.state == pb.CONTAINER_RUNNING, "ContainerStatus: %s" % st)
    log("CreateContainer + StartContainer + ContainerStatus: running")

    code, out, err = exec_sync(env, cid, ["/bin/sh", "-c",
                                          "grep Seccomp: /proc/self/status; cat /proc/self/cgroup;"
                                          " echo sandbox=$CONTAINER_SANDBOX_MOUNT_POINT"])
    check(code == 0, "ExecSync failed: %d %s %s" % (code, out, err))
    check("Seccomp:\t2" in out, "RuntimeDefault seccomp not applied: " + out)
    mem_line = [l for l in out.splitlines() if ":memory:" in l or l.startswith("0::")]
    check(mem_line, "no cgroup line: " + out)
    rel = mem_line[0].split(":", 2)[2]
    check(rel.startswith(pod_cgroup + "/"), "container not below the pod cgroup: " + rel)
    sandbox = [l for l in out.splitlines() if l.startswith("sandbox=")][0][8:]
    log("ExecSync: Seccomp 2, cgroup %s, sandbox %s" % (rel, sandbox))

    limit = cgroup_file(rel, "memory", "memory.limit_in_bytes") or cgroup_file(rel, "memory",
                                                                                 "memory.max")
    check(limit == str(64 * mib), "memory limit in the cgroup: %r" % limit)
    quota = cgroup_file(rel, "cpu", "cpu.cfs_quota_us") or cgroup_file(rel, "cpu", "cpu.max")
    check(quota is not None and quota.split()[0] == "50000", "cpu quota in the cgroup: %r" % quota)
    log("limits in the cgroup: memory %s, cpu quota %s" % (limit, quota))

    code, out, err = exec_sync(env, cid, ["/bin/sh", "-c", "echo x > \"$CONTAINER_SANDBOX_MOUNT_POINT"
                                          "/ro-test\""])
    check(code != 0 and "Read-only file system" in out + err,
          "readonly rootfs is writable: %d %s %s" % (code, out, err))
    code, out, err = exec_sync(env, cid, ["/bin/unshare", "-U", "/bin/true"])
    check(code != 0 and "Operation not permitted" in out + err,
          "unshare(CLONE_NEWUSER) was not denied by RuntimeDefault: %d %s %s" % (code, out, err))
    log("readonly rootfs and seccomp denial (EPERM) hold")

    logfile = "%s/logs/%s/app/0.log" % (env.dir, pod_uid)
    deadline = time.time() + 10
    text = ""
    while time.time() < deadline and "hello-stderr" not in text:
        text = open(logfile).read() if os.path.exists(logfile) else ""
        time.sleep(0.05)
    check(" stdout F hello-stdout" in text and " stderr F hello-stderr" in text,
          "CRI log: %r" % text)

    stats = env.rt.ContainerStats(pb.ContainerStatsRequest(container_id=cid)).stats
    check(stats.attributes.id == cid, "ContainerStats id: %s" % stats.attributes)
    check(stats.memory.working_set_bytes.value > 0 or stats.memory.usage_bytes.value > 0,
          "ContainerStats memory: %s" % stats.memory)
    log("ContainerStats: memory %d, cpu %d ns" % (stats.memory.usage_bytes.value,
                                                  stats.cpu.usage_core_nano_seconds.value))

    env.rt.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
        container_id=cid, linux=pb.LinuxContainerResources(memory_limit_in_bytes=128 * mib,
                                                           cpu_quota=50000, cpu_period=100000)))
    limit = cgroup_file(rel, "memory", "memory.limit_in_bytes") or cgroup_file(rel, "memory",
                                                                                 "memory.max")
    check(limit == str(128 * mib), "memory limit after UpdateContainerResources: %r" % limit)
    log("UpdateContainerResources: memory limit %s" % limit)

    url = env.rt.Exec(pb.ExecRequest(container_id=cid, cmd=["/bin/sh", "-c",
                                                            "echo via-stream; echo e >&2"],
                                     stdout=True, stderr=True)).url
    check(url.startswith("http://127.0.0.1:%d/" % env.port), "Exec URL: " + url)
    streams = websocket_exec(url)
    check("via-stream" in streams.get(1, ""), "streamed exec output: %r" % streams)
    log("Exec (streaming, websocket): %r" % streams.get(1, "").strip())

    env.rt.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=2), timeout=60)
    st = wait_state(env, cid, pb.CONTAINER_EXITED)
    check(st.state == pb.CONTAINER_EXITED and st.exit_code in (137, 143),
          "after StopContainer: %s" % st)
    env.rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid), timeout=60)
    log("StopContainer: exit %d; RemoveContainer" % st.exit_code)

    cfg = container_config("exiter", ["/bin/sh", "-c", "echo bye; exit 3"], log_path="exiter/0.log")
    xid = env.rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod, config=cfg,
                                                           sandbox_config=sc),
                                 timeout=60).container_id
    env.rt.StartContainer(pb.StartContainerRequest(container_id=xid), timeout=60)
    st = wait_state(env, xid, pb.CONTAINER_EXITED)
    check(st.state == pb.CONTAINER_EXITED and st.exit_code == 3, "exiting container: %s" % st)
    text = open("%s/logs/%s/exiter/0.log" % (env.dir, pod_uid)).read()
    check(" stdout F bye" in text, "exiting container's log: %r" % text)
    env.rt.RemoveContainer(pb.RemoveContainerRequest(container_id=xid), timeout=60)
    log("exiting container: exit code 3, log %r" % text.strip())

    # The container of the docs' DaemonSet (privileged, runAsUser 0, its command as written).
    cfg = container_config("shell", docs_daemonset_command(), log_path="shell/0.log")
    cfg.linux.security_context.privileged = True
    did = env.rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod, config=cfg,
                                                           sandbox_config=sc),
                                 timeout=60).container_id
    env.rt.StartContainer(pb.StartContainerRequest(container_id=did), timeout=60)
    logfile = "%s/logs/%s/shell/0.log" % (env.dir, pod_uid)
    deadline, text = time.time() + 10, ""
    while time.time() < deadline and socket.gethostname() not in text:
        text = open(logfile).read() if os.path.exists(logfile) else ""
        time.sleep(0.05)
    check("Process has admin rights: True" in text and "volume: /" in text
          and "rootfs/" in text and socket.gethostname() in text,
          "the docs' DaemonSet container printed: %r" % text)
    check(wait_state(env, did, pb.CONTAINER_RUNNING).state == pb.CONTAINER_RUNNING,
          "the docs' DaemonSet container is not running")
    log("docs DaemonSet container: %r" % " | ".join(l.split(" F ", 1)[-1]
                                                   for l in text.splitlines()))

    # RemovePodSandbox with a running container: the runtime removes it (StopPodSandbox first).
    env.rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pod), timeout=60)
    env.rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=60)
    log("StopPodSandbox + RemovePodSandbox")

    # Nothing left: processes, mounts, container cgroups, runtime state; kubelet's pod cgroup
    # stays (issue 15 item 5).
    def leftovers():
        left = []
        for p in pids_mentioning(env.dir):
            if p == env.proc.pid:
                continue
            try:
                with open("/proc/%d/cmdline" % p, "rb") as f:
                    if b"containerd-shim" in f.read():
                        continue
            except OSError:
                continue  # gone since it was listed
            left.append(p)
        mounts = [m for m in mountinfo_below(env.dir) if "/io.containerd.runtime.v2.task/" in m
                  or m.startswith(env.hp_root)]
        return left, mounts

    # A killed process may take a moment to be reaped on a loaded machine: up to 10 s.
    deadline = time.monotonic() + 10
    left, mounts = leftovers()
    while (left or mounts) and time.monotonic() < deadline:
        time.sleep(0.1)
        left, mounts = leftovers()
    check(not left, "processes left: %s" % left)
    check(not mounts, "mounts left: %s" % mounts)
    for h in hierarchies():
        check(os.path.isdir(h + pod_cgroup), "the pod cgroup kubelet made is gone: " + h)
        kids = [d for d in os.listdir(h + pod_cgroup) if os.path.isdir(h + pod_cgroup + "/" + d)]
        check(not kids, "container cgroups left in %s: %s" % (h + pod_cgroup, kids))
    state = [d for d in os.listdir(env.hp_root + "/k8s.io") if not d.startswith(".")]
    check(not state, "runtime state left: %s" % state)
    log("nothing left: processes, mounts, container cgroups, state (pod cgroup kept)")


STEPS = ("RunPodSandbox", "CreateContainer", "StartContainer", "ExecSync", "StopContainer",
         "RemoveContainer", "StopPodSandbox", "RemovePodSandbox")


def one_pod(env, handler, i, steps):
    pod_uid = "%s%d%s" % (handler[:2], i, uuid.uuid4().hex[:8])
    sc = sandbox_config(env, "bench-%d" % i, pod_uid, env.make_pod_cgroup(pod_uid))
    cfg = container_config("c", ["/bin/sleep", "1000"], memory=64 << 20, cpu_quota=50000)
    marks = [time.monotonic()]

    def step():
        marks.append(time.monotonic())

    pod = env.rt.RunPodSandbox(pb.RunPodSandboxRequest(config=sc, runtime_handler=handler),
                               timeout=60).pod_sandbox_id
    step()
    cid = env.rt.CreateContainer(pb.CreateContainerRequest(pod_sandbox_id=pod, config=cfg,
                                                           sandbox_config=sc),
                                 timeout=60).container_id
    step()
    env.rt.StartContainer(pb.StartContainerRequest(container_id=cid), timeout=60)
    step()
    code, _, _ = exec_sync(env, cid, ["/bin/true"])
    check(code == 0, "bench exec")
    step()
    env.rt.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=0), timeout=60)
    step()
    env.rt.RemoveContainer(pb.RemoveContainerRequest(container_id=cid), timeout=60)
    step()
    env.rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pod), timeout=60)
    step()
    env.rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod), timeout=60)
    step()
    for k, name in enumerate(STEPS):
        steps.setdefault(name, []).append(marks[k + 1] - marks[k])
    return marks[-1] - marks[0]


def median(v):
    return sorted(v)[len(v) // 2]


def bench(env, rounds):
    times = {"hostprocess": [], "runc": []}
    steps = {"hostprocess": {}, "runc": {}}
    one_pod(env, "hostprocess", -1, {})  # warm-up (image unpack, page cache)
    one_pod(env, "runc", -1, {})
    for i in range(rounds):
        for handler in ("hostprocess", "runc"):  # interleaved: both see the same load
            times[handler].append(one_pod(env, handler, i, steps[handler]))
    print("CRI life cycle of one pod (%s), %d interleaved rounds:" % (", ".join(STEPS), rounds))
    for h in ("hostprocess", "runc"):
        print("  %-12s median %7.1f ms  min %7.1f ms" % (h, median(times[h]) * 1000,
                                                         min(times[h]) * 1000))
    print("  per step, median ms (hostprocess / runc):")
    for name in STEPS:
        print("    %-17s %7.1f / %7.1f" % (name, median(steps["hostprocess"][name]) * 1000,
                                          median(steps["runc"][name]) * 1000))
    print("  ratio hostprocess/runc (median): %.2f" % (median(times["hostprocess"]) /
                                                       median(times["runc"])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runtime", required=True)
    ap.add_argument("--bench", type=int, default=0)
    a = ap.parse_args()
    if not os.path.exists("/usr/bin/containerd") or shutil.which("ctr") is None:
        print("SKIP: containerd is not installed")
        return SKIP
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return SKIP
    env = Env(os.path.abspath(a.runtime))
    try:
        env.gen_stubs()
        env.start()
        env.import_image()
        if a.bench:
            bench(env, a.bench)
        else:
            test(env)
        return 0
    except Exception as e:  # noqa: BLE001 - report every failure with the containerd log
        if not isinstance(e, Failure):
            traceback.print_exc()
        print("FAIL: %s" % e)
        print("--- containerd log (tail) ---\n" + env.containerd_log())
        return 1
    finally:
        env.teardown()


if __name__ == "__main__":
    sys.exit(main())
