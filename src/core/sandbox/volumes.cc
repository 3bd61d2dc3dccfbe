#include "core/sandbox/volumes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "core/base/strings.h"
#include "core/plan/command.h"
#include "core/plan/payload.h"
#include "core/sys/below.h"
#include "core/sys/file.h"
#include "core/sys/mount.h"

namespace hp::sandbox {
namespace {

using FileSet = plan::Payload;  // relative path → file (kubelet's MakePayload: plan/payload.h)

// The files of a configMap, secret, downwardAPI or projected volume (plan/payload.h), with the
// node's service account material from `config.service_account_dir` when it is there.
Result<FileSet> VolumeFiles(const HostVolumesConfig& config, const VolumeContext& ctx,
                            const k8s::Volume& v) {
  plan::PayloadSources in;
  in.input.pod = ctx.pod;
  in.input.container = ctx.container;
  in.input.node = ctx.node;
  if (ctx.objects) {
    in.input.config_maps = ctx.objects->config_maps;
    in.input.secrets = ctx.objects->secrets;
  }
  in.now = static_cast<int64_t>(::time(nullptr));
  if (v.projected && !config.service_account_dir.empty()) {
    for (auto [file, into] : {std::pair{"/token", &in.token}, std::pair{"/ca.crt", &in.ca}}) {
      std::string path = config.service_account_dir + file;
      if (!sys::Exists(path)) continue;
      ASSIGN_OR_RETURN(*into, sys::ReadFile(path));
    }
  }
  return plan::VolumePayload(v, in);
}

Status WriteFiles(const std::string& dir, const FileSet& files) {
  TRY(sys::MkdirAll(dir, 0755));
  ASSIGN_OR_RETURN(UniqueFd base, sys::Open(dir, O_PATH | O_DIRECTORY));
  const sys::BelowOptions beneath{sys::Resolve::kBeneath};
  for (const auto& [rel, f] : files) {
    std::string clean = plan::CleanPath(rel);
    if (rel.empty() || rel[0] == '/' || clean == ".." || StartsWith(clean, "../")) {
      return Err(ErrorCode::kInvalidArgument, "file volume path \"{}\" is not a relative path",
                 rel);
    }
    sys::CreateOptions create;
    create.file = true;
    ASSIGN_OR_RETURN(UniqueFd fd,
                     sys::CreateBelow(base.get(), clean, dir + "/" + clean, create, beneath));
    ASSIGN_OR_RETURN(UniqueFd w, sys::Open(sys::ProcFdPath(fd.get()), O_WRONLY | O_TRUNC));
    TRY(sys::WriteAll(w.get(), f.content));
    if (::fchmod(w.get(), static_cast<mode_t>(f.mode) & 07777) < 0)
      return SysErr("chmod \"{}/{}\"", dir, clean);
  }
  return Ok();
}

Status CheckHostPath(const plan::VolumeMountPlan& m, bool& is_file) {
  const k8s::HostPathVolumeSource& hp = *m.volume.host_path;
  const std::string& p = hp.path;
  std::string type = hp.type.value_or("");
  struct stat st;
  bool exists = ::stat(p.c_str(), &st) == 0;
  if (type == "Socket" || (exists && S_ISSOCK(st.st_mode))) {
    return Err(ErrorCode::kUnsupported,
               "hostPath volume \"{}\": \"{}\" is a socket: a socket cannot be mounted into the "
               "container volume; HostProcess containers share the host's file system, use the "
               "socket by its host path \"{}\"",
               m.volume.name, p, p);
  }
  auto fail = [&](const char* kind) {
    return Err(ErrorCode::kFailedPrecondition, "hostPath type check failed: {} is not a {}", p,
               kind);
  };
  if (type == "DirectoryOrCreate" && !exists) {
    TRY(sys::MkdirAll(p, 0755));
    exists = ::stat(p.c_str(), &st) == 0;
  } else if (type == "FileOrCreate" && !exists) {
    ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(p, O_WRONLY | O_CREAT | O_EXCL, 0644));
    exists = ::stat(p.c_str(), &st) == 0;
  }
  if (!exists) return SysErr("hostPath volume \"{}\": stat \"{}\"", m.volume.name, p);
  if ((type == "Directory" || type == "DirectoryOrCreate") && !S_ISDIR(st.st_mode))
    return fail("directory");
  if ((type == "File" || type == "FileOrCreate") && !S_ISREG(st.st_mode)) return fail("file");
  if (type == "CharDevice" && !S_ISCHR(st.st_mode)) return fail("character device");
  if (type == "BlockDevice" && !S_ISBLK(st.st_mode)) return fail("block device");
  is_file = !S_ISDIR(st.st_mode);
  return Ok();
}

// The `absolute` layout binds a volume at its mountPath inside the container's mount namespace,
// which needs a directory (or a file) there on the host; /var/run/secrets/... usually does not
// exist. The missing components are created on the host (empty, marked with an xattr) and
// removed by the last container that uses them: while a container lives it holds a shared
// flock on the anchor (the nearest existing unmarked directory above them); at its end, the
// container that gets the lock exclusively removes the marked components, deepest first, while
// they are empty. Removing them while another container uses them would detach its mount
// (rmdir detaches mounts of other namespaces).
constexpr const char* kMountPointXattr = "trusted.hostprocess.mount-point";

bool IsMarked(const std::string& path) {
  return ::getxattr(path.c_str(), kMountPointXattr, nullptr, 0) >= 0;
}

struct HostMountPoint {
  std::string target;  // absolute, clean
  std::string anchor;
  UniqueFd lock;                     // LOCK_SH on the anchor while the container lives
  std::vector<std::string> created;  // by this container (the xattr may be unsupported)
};

int Flock(int fd, int op) {
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc < 0 && errno == EINTR);
  return rc;
}

// One component of a host path on the way to a mount point: opened without following a
// symlink; a symlink is followed only when root owns it (a link another user planted in a
// world-writable directory must not place root-owned directories elsewhere). Returns an O_PATH
// fd; ENOENT when it does not exist.
Result<UniqueFd> HostComponent(int dir, const std::string& name, const std::string& path,
                               const std::string& what) {
  UniqueFd fd(::openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return SysErr("{}: open \"{}\" on the host", what, path);
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return SysErr("{}: stat \"{}\" on the host", what, path);
  if (!S_ISLNK(st.st_mode)) return fd;
  if (st.st_uid != 0) {
    return Err(ErrorCode::kPermissionDenied,
               "{}: \"{}\" on the host is a symlink owned by uid {}: refusing to create a mount "
               "point through it",
               what, path, st.st_uid);
  }
  char buf[4096];
  ssize_t n = ::readlinkat(fd.get(), "", buf, sizeof buf - 1);
  if (n < 0) return SysErr("{}: readlink \"{}\"", what, path);
  std::string target(buf, static_cast<size_t>(n));
  // The link root wrote; what it names is followed as the kernel would.
  UniqueFd next(::openat(target[0] == '/' ? AT_FDCWD : dir, target.c_str(), O_PATH | O_CLOEXEC));
  if (!next) return SysErr("{}: open \"{}\" (-> \"{}\") on the host", what, path, target);
  return next;
}

Status EnsureHostMountPoint(HostMountPoint& mp, bool file, const std::string& what) {
  std::vector<std::string> prefixes = sys::PathPrefixes(mp.target);
  size_t a = 0;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    struct stat st;
    if (::stat(prefixes[i].c_str(), &st) < 0 || !S_ISDIR(st.st_mode) || IsMarked(prefixes[i]))
      break;
    a = i;
  }
  mp.anchor = prefixes[a];
  ASSIGN_OR_RETURN(mp.lock, sys::Open(mp.anchor, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (Flock(mp.lock.get(), LOCK_SH) < 0) return SysErr("{}: lock \"{}\"", what, mp.anchor);
  // Walk from "/" by descriptors: every directory is created with mkdirat on its parent's fd.
  ASSIGN_OR_RETURN(UniqueFd cur, sys::Open("/", O_PATH | O_DIRECTORY));
  for (size_t i = 1; i < prefixes.size(); ++i) {
    const std::string& p = prefixes[i];
    const std::string name = p.substr(p.rfind('/') + 1);
    bool last = i + 1 == prefixes.size();
    auto next = HostComponent(cur.get(), name, p, what);
    if (!next && next.error().sys_errno() == ENOENT) {
      if (last && file) {
        int fd = ::openat(cur.get(), name.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
          return SysErr("{}: create the mount point \"{}\" on the host", what, p);
        if (fd >= 0) {
          (void)::fsetxattr(fd, kMountPointXattr, "1", 1, 0);
          ::close(fd);
          mp.created.push_back(p);
        }
      } else if (::mkdirat(cur.get(), name.c_str(), 0755) == 0) {
        UniqueFd d(
            ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (d) (void)::fsetxattr(d.get(), kMountPointXattr, "1", 1, 0);
        mp.created.push_back(p);
      } else if (errno != EEXIST) {
        return SysErr("{}: create the mount point \"{}\" on the host", what, p);
      }
      next = HostComponent(cur.get(), name, p, what);  // created by us or a concurrent container
    }
    if (!next) return Err(std::move(next).error());
    struct stat st;
    if (::fstat(next->get(), &st) < 0) return SysErr("{}: stat \"{}\"", what, p);
    if (!last && !S_ISDIR(st.st_mode)) {
      return Err(ErrorCode::kFailedPrecondition,
                 "{}: mountPath \"{}\": \"{}\" on the host is not a directory", what, mp.target, p);
    }
    if (last && S_ISDIR(st.st_mode) == file) {
      return Err(ErrorCode::kFailedPrecondition,
                 "{}: mountPath \"{}\" on the host is {} directory, the volume is {}", what,
                 mp.target, file ? "a" : "not a", file ? "a file" : "a directory");
    }
    cur = std::move(*next);
  }
  return Ok();
}

// Walks from the anchor by descriptors, never by path: each component below it is opened
// without following a symlink, and removed with unlinkat on its parent's descriptor. A symlink
// or a missing component ends the walk. Otherwise another user who owns the anchor could rename
// a component away and put a symlink in its place, and root would remove a directory elsewhere.
void ReleaseHostMountPoints(std::vector<HostMountPoint>& points) {
  // Every shared lock of this container goes first: two of its mount points may share an anchor.
  for (HostMountPoint& mp : points)
    if (mp.lock) (void)Flock(mp.lock.get(), LOCK_UN);
  for (HostMountPoint& mp : points) {
    // Still used by another container: the last one removes them.
    if (!mp.lock || Flock(mp.lock.get(), LOCK_EX | LOCK_NB) < 0) continue;
    std::vector<std::string> prefixes = sys::PathPrefixes(mp.target);
    auto at = std::find(prefixes.begin(), prefixes.end(), mp.anchor);
    if (at == prefixes.end()) continue;
    size_t first = static_cast<size_t>(at - prefixes.begin()) + 1;
    std::vector<UniqueFd> walked;  // walked[k]: prefixes[first + k], O_PATH
    for (size_t i = first; i < prefixes.size(); ++i) {
      int parent = walked.empty() ? mp.lock.get() : walked.back().get();
      std::string name = prefixes[i].substr(prefixes[i].rfind('/') + 1);
      UniqueFd fd(::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      struct stat st;
      if (!fd || ::fstat(fd.get(), &st) < 0 || S_ISLNK(st.st_mode)) break;
      walked.push_back(std::move(fd));
    }
    // Deepest first, while the component is ours (marked, or created by this container) and
    // empty.
    for (size_t k = walked.size(); k-- > 0;) {
      const std::string& p = prefixes[first + k];
      bool ours = IsMarked(sys::ProcFdPath(walked[k].get())) ||
                  std::find(mp.created.begin(), mp.created.end(), p) != mp.created.end();
      if (!ours) break;
      int parent = k == 0 ? mp.lock.get() : walked[k - 1].get();
      std::string name = p.substr(p.rfind('/') + 1);
      struct stat st;
      if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) break;
      int rc = S_ISDIR(st.st_mode) ? ::unlinkat(parent, name.c_str(), AT_REMOVEDIR)
               : S_ISREG(st.st_mode) && st.st_size == 0 ? ::unlinkat(parent, name.c_str(), 0)
                                                        : -1;
      if (rc < 0) break;  // not empty any more: kept
    }
  }
  points.clear();
}

}  // namespace

Result<PreparedVolumes> HostVolumes::Prepare(const std::vector<plan::VolumeMountPlan>& mounts,
                                             const VolumeContext& ctx) {
  auto mounted = std::make_shared<std::vector<std::string>>();
  auto host_points = std::make_shared<std::vector<HostMountPoint>>();
  PreparedVolumes out;
  out.undo = [mounted, host_points]() -> Status {
    Status first = Ok();
    for (auto it = mounted->rbegin(); it != mounted->rend(); ++it) {
      if (::umount2(it->c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
          errno != ENOENT && first) {
        first = SysErr("unmount \"{}\"", *it);
      }
    }
    mounted->clear();
    // Best effort: an empty directory left behind is harmless.
    ReleaseHostMountPoints(*host_points);
    return first;
  };
  auto fail = [&](Error e) -> Result<PreparedVolumes> {
    (void)out.undo();
    return Err(std::move(e));
  };
  ASSIGN_OR_RETURN(UniqueFd sandbox, sys::Open(ctx.sandbox, O_PATH | O_DIRECTORY));
  for (const plan::VolumeMountPlan& m : InMountOrder(mounts)) {
    const k8s::Volume& v = m.volume;
    std::string what = fmt::format("volume \"{}\"", v.name);
    std::string source;
    bool source_is_file = false;
    if (v.host_path) {
      auto s = CheckHostPath(m, source_is_file);
      if (!s) return fail(std::move(s).error());
      source = v.host_path->path;
    } else if (v.empty_dir) {
      source = ctx.pod_dir + "/volumes/" + v.name;
      if (!sys::IsDir(source)) {
        // The pod's directory is root's alone (docs/security.md): volumes are reached through
        // the sandboxes they are mounted in.
        auto s = sys::MkdirAll(ctx.pod_dir + "/volumes", 0700);
        if (s && ::mkdir(source.c_str(), 0777) < 0 && errno != EEXIST)
          s = SysErr("mkdir \"{}\"", source);
        if (!s) return fail(std::move(s).error());
        if (v.empty_dir->medium == "Memory") {
          std::string opts = "mode=1777";
          if (v.empty_dir->size_limit)
            opts += ",size=" + std::to_string(v.empty_dir->size_limit->Value());
          if (::mount("tmpfs", source.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) < 0)
            return fail(Error::Sys(errno, fmt::format("{}: mount tmpfs on \"{}\"", what, source)));
        } else {
          ::chmod(source.c_str(), 01777);  // writable by any account, as an emptyDir is
        }
      }
    } else if (v.config_map || v.secret || v.projected || v.downward_api) {
      auto files = VolumeFiles(config_, ctx, v);
      if (!files) return fail(std::move(files).error());
      source = ctx.scratch + "/" + v.name;
      auto s = WriteFiles(source, *files);
      if (!s) return fail(std::move(s).error().Context(what));
    } else {
      return fail(Error(fmt::format("{}: volume type {} is not supported", what,
                                    v.other_types.empty() ? "(none)" : v.other_types[0]),
                        ErrorCode::kUnsupported));
    }
    // The bind source: the volume, or its subPath resolved inside it (created as a directory
    // when missing, as kubelet does).
    auto src_fd = sys::Open(source, O_PATH | O_CLOEXEC);
    if (!src_fd) return fail(std::move(src_fd).error().Context(what));
    if (!m.sub_path.empty()) {
      std::string sub_what = source + "/" + m.sub_path;
      auto sub = sys::OpenBelow(src_fd->get(), m.sub_path, O_PATH, sub_what);
      if (!sub && sub.error().sys_errno() == ENOENT && !source_is_file) {
        sys::CreateOptions dirs;
        dirs.uid = ctx.identity.uid;
        dirs.gid = ctx.identity.gid;
        sub = sys::CreateBelow(src_fd->get(), m.sub_path, sub_what, dirs);
      }
      if (!sub) return fail(std::move(sub).error().Context(what));
      struct stat st;
      if (::fstat(sub->get(), &st) < 0) return fail(Error::Sys(errno, "stat " + Quote(sub_what)));
      source_is_file = !S_ISDIR(st.st_mode);
      src_fd = std::move(sub);
    }
    // The target: resolved inside the sandbox, missing components created.
    std::string rel = m.target.substr(ctx.sandbox.size());
    sys::CreateOptions create;
    create.file = source_is_file;
    auto target = sys::CreateBelow(sandbox.get(), rel, m.target, create);
    if (!target) return fail(std::move(target).error().Context(what));
    if (::mount(sys::ProcFdPath(src_fd->get()).c_str(), sys::ProcFdPath(target->get()).c_str(),
                nullptr, MS_BIND | MS_REC, nullptr) < 0) {
      return fail(
          Error::Sys(errno, fmt::format("{}: bind \"{}\" on \"{}\"", what, source, m.target)));
    }
    // The new mount, by descriptor: its real path (what is unmounted) and its flags.
    auto mounted_fd = sys::OpenBelow(sandbox.get(), rel, O_PATH, m.target);
    if (!mounted_fd) return fail(std::move(mounted_fd).error().Context(what));
    auto real = sys::FdRealPath(mounted_fd->get());
    if (!real) return fail(std::move(real).error().Context(what));
    mounted->push_back(*real);
    // Remounted with what the bind took from its source (a hostPath keeps its mount's nosuid,
    // nodev and noexec), read-only where asked; what the pod brings (an emptyDir, file volumes)
    // is nosuid and nodev, as the container volume is: nothing in it grants privileges.
    bool ro = m.read_only || (!v.host_path && !v.empty_dir);
    unsigned long add = (ro ? MS_RDONLY : 0) | (v.host_path ? 0 : MS_NOSUID | MS_NODEV);
    struct statfs sfs;
    if (add != 0 &&
        (::fstatfs(mounted_fd->get(), &sfs) < 0 ||
         ::mount(nullptr, sys::ProcFdPath(mounted_fd->get()).c_str(), nullptr,
                 MS_BIND | MS_REMOUNT | sys::KeptMountFlags(sfs.f_flags) | add, nullptr) < 0)) {
      return fail(Error::Sys(errno, fmt::format("{}: remount \"{}\"{}", what, m.target,
                                                ro ? " read-only" : " nosuid,nodev")));
    }
    if (ctx.layout == plan::MountLayout::kAbsolute && StartsWith(m.mount_path, "/")) {
      HostMountPoint mp;
      mp.target = plan::CleanPath(m.mount_path);
      auto s = EnsureHostMountPoint(mp, source_is_file, what);
      std::string target = mp.target;
      host_points->push_back(std::move(mp));  // released by the undo, also after a failure
      if (!s) return fail(std::move(s).error());
      out.binds.push_back({*real, target, ro, true});
    }
  }
  return out;
}

namespace {

uint64_t UsageAt(int dir_fd, dev_t dev, int depth) {
  if (depth > 256) return 0;
  UniqueFd copy(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 3));
  DIR* d = copy ? ::fdopendir(copy.get()) : nullptr;
  if (!d) return 0;
  copy.release();
  uint64_t total = 0;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
      continue;
    total += static_cast<uint64_t>(st.st_blocks) * 512;
    if (S_ISDIR(st.st_mode)) {
      UniqueFd sub(
          ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub) total += UsageAt(sub.get(), dev, depth + 1);
    }
  }
  ::closedir(d);
  return total;
}

}  // namespace

uint64_t DiskUsage(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) < 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512 + UsageAt(fd.get(), st.st_dev, 0);
}

std::string EmptyDirOverLimit(const k8s::Pod& pod, const std::string& pod_dir) {
  for (const k8s::Volume& v : pod.spec.volumes) {
    if (!v.empty_dir || v.empty_dir->medium == "Memory" || !v.empty_dir->size_limit) continue;
    const k8s::Quantity& limit = *v.empty_dir->size_limit;
    uint64_t used = DiskUsage(pod_dir + "/volumes/" + v.name);
    if (limit.Sign() >= 0 && used > static_cast<uint64_t>(limit.Value())) {
      return fmt::format("Usage of EmptyDir volume \"{}\" exceeds the limit \"{}\". ", v.name,
                         limit.String());
    }
  }
  return "";
}

std::vector<plan::VolumeMountPlan> InMountOrder(std::vector<plan::VolumeMountPlan> mounts) {
  auto depth = [](const plan::VolumeMountPlan& m) {
    std::string clean = plan::CleanPath(m.target);
    return std::count(clean.begin(), clean.end(), '/');
  };
  std::stable_sort(mounts.begin(), mounts.end(),
                   [&](const auto& a, const auto& b) { return depth(a) < depth(b); });
  return mounts;
}

Status HostVolumes::ReleasePod(const std::string& pod_dir) {
  std::string dir = pod_dir + "/volumes";
  if (sys::IsDir(dir)) {
    auto names = sys::ListDir(dir);
    if (names) {
      for (const std::string& n : *names) (void)::umount2((dir + "/" + n).c_str(), MNT_DETACH);
    }
  }
  return sys::RemoveAll(pod_dir);
}

}  // namespace hp::sandbox
