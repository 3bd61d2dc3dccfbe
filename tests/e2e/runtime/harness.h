// A private containerd for end-to-end tests: its own config.toml, root, state and socket in a
// temp dir, CRI (unless asked for) and other unneeded plugins disabled; an image built from
// busybox-static as a docker-archive tarball and imported with ctr; everything (containerd,
// shims, mounts, cgroups, dirs) removed at the end, even after failures.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace hp::e2e {

struct CmdResult {
  int exit_code = -1;  // 128+signal when killed; -1 when it could not run or timed out
  std::string output;  // stdout + stderr
};

// Every cgroup hierarchy mounted under /sys/fs/cgroup: the cgroup2 root alone, or each v1
// controller's, systemd's named one and "unified" (hybrid).
std::vector<std::string> CgroupHierarchies();

// Runs argv with stdin from `input` (or /dev/null), collecting the combined output.
CmdResult Run(const std::vector<std::string>& argv, int timeout_s = 60,
              const std::string& input = "");
// Runs argv on a new pty (for `ctr run -t`): writes `input` after `delay_ms`, returns what the
// terminal showed.
CmdResult RunOnPty(const std::vector<std::string>& argv, const std::string& input, int delay_ms,
                   int timeout_s = 60);

struct ContainerdOptions {
  // Leave the CRI plugin (io.containerd.grpc.v1.cri) enabled, with a CNI config dir in the temp
  // dir and the streaming server on 127.0.0.1.
  bool cri = false;
  // More config.toml (tables of its own), given the temp dir; appended to the harness's.
  std::function<std::string(const std::string& dir)> extra_toml;
};

class Containerd {
 public:
  // Starts containerd; returns an empty string or the reason it could not.
  std::string Start(const ContainerdOptions& options = {});
  // Stops containerd and every shim of our namespace; unmounts and removes what is left.
  void Stop();
  ~Containerd() { Stop(); }

  // `ctr -a SOCK -n NS args...`
  CmdResult Ctr(const std::vector<std::string>& args, int timeout_s = 60,
                const std::string& input = "");
  std::vector<std::string> CtrArgv(const std::vector<std::string>& args) const;
  // Builds and imports the busybox image; returns its name or "" (reason in `error`).
  std::string ImportBusybox(std::string* error);
  // Imports a layer tarball (e.g. a rootfs tar) as the image `repo_tag` ("hp-e2e/x:latest");
  // returns its full name, or "" with `error` set.
  std::string ImportLayer(const std::string& layer_tar, const std::string& repo_tag,
                          const std::string& dir_name, std::string* error);

  const std::string& dir() const { return dir_; }
  const std::string& ns() const { return ns_; }
  const std::string& socket() const { return socket_; }
  std::string config_path() const { return dir_ + "/config.toml"; }
  std::string log_path() const { return dir_ + "/containerd.log"; }
  // Mount points (from /proc/self/mountinfo) below our temp dir.
  std::vector<std::string> MountsBelowDir() const;
  // Cgroup dirs of our namespace that still exist ("/sys/fs/cgroup/memory/<ns>", ...), in
  // every hierarchy (CgroupHierarchies).
  std::vector<std::string> CgroupsLeft() const;
  // Pids of processes whose command line mentions our temp dir, other than containerd/shims.
  std::vector<int> ProcessesLeft() const;

 private:
  std::string dir_;
  std::string ns_;
  std::string socket_;
  int pid_ = -1;
};

}  // namespace hp::e2e
