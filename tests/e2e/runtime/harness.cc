#include "e2e/runtime/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reads `fd` until EOF or the deadline, then reaps `pid` (killing it at the deadline).
CmdResult Collect(pid_t pid, int fd, int timeout_s) {
  CmdResult r;
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  bool timed_out = false;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p = {fd, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 200)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc == 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EOF (or EIO on a pty whose slave closed)
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) return r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  std::string hex;
  for (unsigned char c : md) hex += fmt::format("{:02x}", c);
  return hex;
}

}  // namespace

CmdResult Run(const std::vector<std::string>& argv, int timeout_s, const std::string& input) {
  int out[2], in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) return {};
  auto args = Argv(argv);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  if (!input.empty()) (void)!::write(in[1], input.data(), input.size());
  ::close(in[1]);
  CmdResult r = Collect(pid, out[0], timeout_s);
  ::close(out[0]);
  return r;
}

CmdResult RunOnPty(const std::vector<std::string>& argv, const std::string& input, int delay_ms,
                   int timeout_s) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return {};
  std::string slave_name = ::ptsname(master);
  auto args = Argv(argv);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int slave = ::open(slave_name.c_str(), O_RDWR);
    ::ioctl(slave, TIOCSCTTY, 0);
    ::dup2(slave, 0);
    ::dup2(slave, 1);
    ::dup2(slave, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    (void)!::write(master, input.data(), input.size());
  });
  CmdResult r = Collect(pid, master, timeout_s);
  writer.join();
  ::close(master);
  return r;
}

std::string Containerd::Start(const ContainerdOptions& options) {
  auto d = sys::MakeTempDir("hp-e2e-ctrd-");
  if (!d) return d.error().ToString();
  dir_ = *d;
  ns_ = "hp-e2e-" + dir_.substr(dir_.rfind('-') + 1);
  socket_ = dir_ + "/c.sock";
  std::vector<std::string> disabled = {
      "io.containerd.snapshotter.v1.btrfs",      "io.containerd.snapshotter.v1.zfs",
      "io.containerd.snapshotter.v1.devmapper",  "io.containerd.snapshotter.v1.aufs",
      "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"};
  if (!options.cri) disabled.insert(disabled.begin(), "io.containerd.grpc.v1.cri");
  // (The opt plugin's path is set: by default it creates /opt/containerd on the host.)
  std::string config = fmt::format(R"(version = 2
root = "{0}/root"
state = "{0}/state"
disabled_plugins = ["{2}"]
[grpc]
  address = "{1}"
[ttrpc]
  address = "{1}.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "{0}/opt"
)",
                                   dir_, socket_, Join(disabled, "\", \""));
  if (options.cri)
    config += fmt::format(R"([plugins."io.containerd.grpc.v1.cri"]
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "{0}/cni/net.d"
)",
                          dir_);
  if (options.extra_toml) config += options.extra_toml(dir_);
  if (!sys::WriteFileAtomic(config_path(), config)) return "write config.toml";
  std::string log = log_path();
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::string cfg = config_path();
    ::execl("/usr/bin/containerd", "containerd", "--config", cfg.c_str(), nullptr);
    ::_exit(127);
  }
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (Clock::now() < deadline) {
    if (sys::Exists(socket_) && Ctr({"version"}, 10).exit_code == 0) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "containerd did not come up: " + sys::ReadFile(log).value_or("");
}

std::vector<std::string> Containerd::CtrArgv(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"ctr", "-a", socket_, "-n", ns_};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CmdResult Containerd::Ctr(const std::vector<std::string>& args, int timeout_s,
                          const std::string& input) {
  return Run(CtrArgv(args), timeout_s, input);
}

std::string Containerd::ImportBusybox(std::string* error) {
  // One layer: bin/busybox from Debian's busybox-static plus a few applet links.
  std::string work = dir_ + "/image";
  std::string layer_dir = work + "/layer";
  if (!sys::MkdirAll(layer_dir + "/bin") || !sys::MkdirAll(work + "/archive")) {
    *error = "mkdir " + work;
    return "";
  }
  auto busybox = sys::ReadFile("/bin/busybox");
  if (!busybox) {
    *error = "busybox-static is not installed (/bin/busybox)";
    return "";
  }
  (void)sys::WriteFileAtomic(layer_dir + "/bin/busybox", *busybox, 0755);
  for (const char* applet : {"sh", "echo", "cat", "sleep", "ls", "true", "read"})
    (void)::symlink("busybox", (layer_dir + "/bin/" + applet).c_str());
  std::string layer_tar = work + "/layer.tar";
  auto t = Run({"tar", "-C", layer_dir, "--owner=0", "--group=0", "-cf", layer_tar, "."});
  if (t.exit_code != 0) {
    *error = "tar: " + t.output;
    return "";
  }
  return ImportLayer(layer_tar, "hp-e2e/busybox:latest", "busybox", error);
}

std::string Containerd::ImportLayer(const std::string& layer_tar, const std::string& repo_tag,
                                    const std::string& dir_name, std::string* error) {
  // A docker-archive of one layer, imported with `ctr images import`.
  std::string work = dir_ + "/image-" + dir_name;
  std::string ar = work + "/archive";
  if (!sys::MkdirAll(ar)) {
    *error = "mkdir " + ar;
    return "";
  }
  auto layer = sys::ReadFile(layer_tar);
  if (!layer) {
    *error = "read " + layer_tar + ": " + layer.error().ToString();
    return "";
  }
  std::string layer_hex = Sha256Hex(*layer);
  std::string config = fmt::format(
      R"({{"architecture":"amd64","os":"linux","config":{{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}},"rootfs":{{"type":"layers","diff_ids":["sha256:{}"]}}}})",
      layer_hex);
  std::string config_hex = Sha256Hex(config);
  (void)sys::MkdirAll(ar + "/" + layer_hex);
  (void)sys::WriteFileAtomic(ar + "/" + layer_hex + "/layer.tar", *layer);
  (void)sys::WriteFileAtomic(ar + "/" + config_hex + ".json", config);
  (void)sys::WriteFileAtomic(
      ar + "/manifest.json",
      fmt::format(R"([{{"Config":"{}.json","RepoTags":["{}"],"Layers":["{}/layer.tar"]}}])",
                  config_hex, repo_tag, layer_hex));
  std::string image_tar = work + "/image.tar";
  auto t = Run({"tar", "-C", ar, "-cf", image_tar, "."}, 300);
  if (t.exit_code != 0) {
    *error = "tar: " + t.output;
    return "";
  }
  (void)sys::RemoveAll(ar);
  auto imp = Ctr({"images", "import", image_tar}, 300);
  if (imp.exit_code != 0) {
    *error = "ctr images import: " + imp.output;
    return "";
  }
  return "docker.io/" + repo_tag;
}

std::vector<std::string> Containerd::MountsBelowDir() const {
  std::vector<std::string> out;
  if (dir_.empty()) return out;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream ss(line);
    std::string id, parent, devno, root, mp;
    ss >> id >> parent >> devno >> root >> mp;
    if (StartsWith(mp, dir_ + "/")) out.push_back(mp);
  }
  return out;
}

std::vector<std::string> CgroupHierarchies() {
  std::vector<std::string> out;
  if (sys::Exists("/sys/fs/cgroup/cgroup.controllers")) return {"/sys/fs/cgroup"};
  auto names = sys::ListDir("/sys/fs/cgroup");
  if (!names) return out;
  for (const std::string& n : *names)
    if (sys::Exists("/sys/fs/cgroup/" + n + "/cgroup.procs")) out.push_back("/sys/fs/cgroup/" + n);
  return out;
}

std::vector<std::string> Containerd::CgroupsLeft() const {
  std::vector<std::string> out;
  if (ns_.empty()) return out;
  for (const std::string& h : CgroupHierarchies())
    if (sys::IsDir(h + "/" + ns_)) out.push_back(h + "/" + ns_);
  return out;
}

std::vector<int> Containerd::ProcessesLeft() const {
  std::vector<int> out;
  if (dir_.empty()) return out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0 || pid == ::getpid() || pid == pid_) continue;
    auto cmd = sys::ReadFile(fmt::format("/proc/{}/cmdline", pid));
    auto env = sys::ReadFile(fmt::format("/proc/{}/environ", pid));
    bool shim = cmd && cmd->find("containerd-shim") != std::string::npos;
    bool ours = (cmd && cmd->find(dir_) != std::string::npos) ||
                (env && env->find("CONTAINER_SANDBOX_MOUNT_POINT=" + dir_) != std::string::npos);
    if (ours && !shim) out.push_back(pid);
  }
  ::closedir(d);
  return out;
}

void Containerd::Stop() {
  if (dir_.empty()) return;
  // Containers still running (a failed test): kill their tasks through containerd first.
  if (pid_ > 0) {
    auto tasks = Ctr({"task", "ls", "-q"}, 10);
    for (const std::string& id : Split(tasks.output, '\n')) {
      if (TrimSpace(id).empty()) continue;
      Ctr({"task", "kill", "-a", "-s", "SIGKILL", std::string(TrimSpace(id))}, 10);
      Ctr({"task", "delete", "-f", std::string(TrimSpace(id))}, 10);
      Ctr({"container", "rm", std::string(TrimSpace(id))}, 10);
    }
  }
  // Shims of our containerd, then containerd.
  DIR* d = ::opendir("/proc");
  while (d && (true)) {
    struct dirent* e = ::readdir(d);
    if (!e) break;
    int pid = std::atoi(e->d_name);
    if (pid <= 1) continue;
    auto cmd = sys::ReadFile(fmt::format("/proc/{}/cmdline", pid));
    if (cmd && cmd->find("containerd-shim") != std::string::npos &&
        cmd->find(socket_) != std::string::npos)
      ::kill(pid, SIGKILL);
  }
  if (d) ::closedir(d);
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  for (int pid : ProcessesLeft()) ::kill(pid, SIGKILL);
  auto mounts = MountsBelowDir();
  for (auto it = mounts.rbegin(); it != mounts.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  // Cgroups of our namespace: children first.
  for (const std::string& cg : CgroupsLeft()) {
    auto kids = sys::ListDir(cg);
    if (kids)
      for (const std::string& k : *kids)
        if (sys::IsDir(cg + "/" + k)) ::rmdir((cg + "/" + k).c_str());
    ::rmdir(cg.c_str());
  }
  (void)sys::RemoveAll(dir_);
  dir_.clear();
}

}  // namespace hp::e2e
