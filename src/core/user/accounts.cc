#include "core/user/accounts.h"

#include <fmt/format.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <vector>

#include "core/base/strings.h"
#include "core/launch/launch.h"
#include "core/sys/file.h"

namespace hp::user {
namespace {

struct PwEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<PwEntry> LookupUser(const std::string& name) {
  struct passwd pw, *res = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || !res) {
    return std::nullopt;
  }
  return PwEntry{res->pw_name, res->pw_uid, res->pw_gid};
}

std::optional<PwEntry> LookupUid(uid_t uid) {
  struct passwd pw, *res = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) != 0 || !res) return std::nullopt;
  return PwEntry{res->pw_name, res->pw_uid, res->pw_gid};
}

std::optional<gid_t> LookupGroup(const std::string& name) {
  struct group gr, *res = nullptr;
  std::vector<char> buf(65536);
  if (::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res) != 0 || !res) {
    return std::nullopt;
  }
  return res->gr_gid;
}

std::vector<gid_t> GroupsOf(const PwEntry& u) {
  int n = 64;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  if (::getgrouplist(u.name.c_str(), u.gid, groups.data(), &n) < 0) {
    groups.resize(static_cast<size_t>(n));
    if (::getgrouplist(u.name.c_str(), u.gid, groups.data(), &n) < 0) return {u.gid};
  }
  groups.resize(static_cast<size_t>(n));
  return groups;
}

// The dedicated system account of a service, created on first use.
Result<PwEntry> EnsureServiceAccount(const std::string& name) {
  ASSIGN_OR_RETURN(UniqueFd lock, LockAccounts());
  if (auto u = LookupUser(name)) return *u;
  Status s = RunTool({"useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                      "--shell", "/usr/sbin/nologin", "--user-group", name},
                     lock.get());
  if (auto u = LookupUser(name)) return *u;  // created (or by a concurrent caller)
  if (!s) return Err(std::move(s).error().Context(fmt::format("create account \"{}\"", name)));
  return Err(ErrorCode::kInternal, "create account \"{}\": not found after useradd", name);
}

Identity Unprivileged(const PwEntry& u, std::string display) {
  Identity id;
  id.name = std::move(display);
  id.uid = u.uid;
  id.gid = u.gid;
  id.groups = GroupsOf(u);
  id.caps = launch::Capabilities::None();
  id.no_new_privs = true;
  return id;
}

}  // namespace

std::string WellKnownAccount(std::string_view name) {
  std::string n = ToLower(TrimSpace(name));
  std::string bare = n;
  if (StartsWith(n, "nt authority\\")) bare = n.substr(13);
  if (bare == "system") return "system";
  if (bare == "local service" || bare == "localservice") return "localservice";
  if (bare == "network service" || bare == "networkservice") return "networkservice";
  return "";
}

std::string HostAccountName(std::string_view name) {
  std::string_view n = TrimSpace(name);
  size_t slash = n.rfind('\\');
  if (slash != std::string_view::npos) n = n.substr(slash + 1);
  return std::string(n);
}

Result<Identity> HostAccounts::Resolve(const plan::AccountRequest& req,
                                       const std::string& container_id, Undo& undo) {
  Identity id;
  std::string wk = req.user_name ? WellKnownAccount(*req.user_name) : "system";
  if (!req.user_name && req.uid) wk = "";
  if (wk == "system") {
    id.name = "NT AUTHORITY\\SYSTEM";
    id.caps = std::nullopt;  // root with every capability the node gives the runner
  } else if (wk == "localservice") {
    ASSIGN_OR_RETURN(PwEntry u, EnsureServiceAccount(names_.local_service));
    id = Unprivileged(u, "NT AUTHORITY\\Local service");
  } else if (wk == "networkservice") {
    ASSIGN_OR_RETURN(PwEntry u, EnsureServiceAccount(names_.network_service));
    id = Unprivileged(u, "NT AUTHORITY\\NetworkService");
    id.caps = launch::Capabilities::Only(launch::CapBit(CAP_NET_BIND_SERVICE));
  } else if (req.user_name) {
    std::string name = HostAccountName(*req.user_name);
    if (name.empty()) {
      return Err(ErrorCode::kInvalidArgument, "runAsUserName \"{}\": no account name",
                 *req.user_name);
    }
    if (auto u = LookupUser(name)) {
      id = Unprivileged(*u, name);
      if (u->uid == 0) {
        id.caps = std::nullopt;
        id.no_new_privs = false;
      }
    } else if (auto g = LookupGroup(name)) {
      // A group: an ephemeral member, removed with the container.
      std::string user = names_.ephemeral_prefix + container_id.substr(0, 12);
      {
        ASSIGN_OR_RETURN(UniqueFd lock, LockAccounts());
        ASSIGN_OR_RETURN(uid_t uid, NextEphemeralUid(names_.ephemeral_uid_record));
        // --no-log-init: lastlog and faillog are indexed by uid (sparse files of ~550 GB here).
        TRY_CTX(RunTool({"useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                         "--shell", "/usr/sbin/nologin", "--no-log-init", "--uid",
                         std::to_string(uid), "--gid", std::to_string(*g), user},
                        lock.get()),
                "create ephemeral user \"{}\" in group \"{}\"", user, name);
      }
      undo = [user]() -> Status { return RemoveEphemeralUser(user); };
      auto u = LookupUser(user);
      if (!u)
        return Err(ErrorCode::kInternal, "ephemeral user \"{}\" not found after useradd", user);
      id = Unprivileged(*u, user + " (group " + name + ")");
    } else {
      return Err(ErrorCode::kNotFound, "runAsUserName \"{}\": no user or group \"{}\" on this host",
                 *req.user_name, name);
    }
  }
  // runAsUser / runAsGroup override the account's ids.
  if (req.uid) {
    id.uid = static_cast<uid_t>(*req.uid);
    if (!req.user_name) {
      auto u = LookupUid(id.uid);
      id.name = u ? u->name : std::to_string(id.uid);
      id.gid = u ? u->gid : static_cast<gid_t>(*req.uid);
      id.groups = u ? GroupsOf(*u) : std::vector<gid_t>{id.gid};
    }
    if (id.uid != 0) {
      id.caps = wk == "networkservice" ? id.caps : launch::Capabilities::None();
      id.no_new_privs = true;
    }
  }
  if (id.uid == 0 && !req.uid && wk == "system") id.groups = {0};
  // runAsGroup replaces the primary and the supplementary groups (also SYSTEM's group 0).
  if (req.gid) {
    id.gid = static_cast<gid_t>(*req.gid);
    id.groups = {id.gid};
  }
  return id;
}

std::string DefaultEphemeralUidRecord() {
  const char* env = std::getenv("HOSTPROCESS_EPHEMERAL_UID_RECORD");
  return env && *env ? env : kEphemeralUidRecord;
}

Result<uid_t> NextEphemeralUid(const std::string& record) {
  uint64_t last = kEphemeralUidFirst - 1;
  if (auto text = sys::ReadFile(record)) {
    std::string_view t = TrimSpace(*text);
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    bool ok = !t.empty() && ec == std::errc() && end == t.data() + t.size();
    if (!ok || v < kEphemeralUidFirst - 1 || v > kEphemeralUidLast) {
      return Err(
          ErrorCode::kFailedPrecondition,
          "\"{}\": \"{}\" is not an ephemeral uid ({}-{}); the last uid handed out is "
          "unknown: write the highest uid of an hp- user there, or {} if there never was one",
          record, t, kEphemeralUidFirst, kEphemeralUidLast, kEphemeralUidFirst - 1);
    }
    last = v;
  } else if (text.error().sys_errno() != ENOENT) {
    return Err(std::move(text).error());
  }
  uint64_t next = last + 1;
  while (next <= kEphemeralUidLast && LookupUid(static_cast<uid_t>(next))) ++next;
  if (next > kEphemeralUidLast) {
    return Err(ErrorCode::kFailedPrecondition, "no ephemeral uid is left after {} (\"{}\")", last,
               record);
  }
  if (size_t slash = record.rfind('/'); slash != std::string::npos && slash > 0)
    TRY(sys::MkdirAll(record.substr(0, slash), 0700));
  TRY(sys::WriteFileAtomic(record, std::to_string(next) + "\n", 0600, true));
  return static_cast<uid_t>(next);
}

Result<UniqueFd> LockAccounts(const std::string& path) {
  // FHS's /run/lock, made when a system has none.
  if (size_t slash = path.rfind('/');
      slash != std::string::npos && slash > 0 && !sys::IsDir(path.substr(0, slash))) {
    TRY(sys::MkdirAll(path.substr(0, slash), 0755));
  }
  ASSIGN_OR_RETURN(UniqueFd fd, sys::Open(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) < 0) {
    if (errno != EINTR) return SysErr("lock \"{}\"", path);
  }
  return fd;
}

Status RunTool(const std::vector<std::string>& argv, int lock_fd) {
  if (argv.empty()) return Err(ErrorCode::kInvalidArgument, "no tool to run");
  launch::LaunchSpec spec;
  ASSIGN_OR_RETURN(spec.path, launch::SearchPath(argv[0]));
  spec.argv = argv;
  spec.env = launch::CurrentEnvironment();
  // Run to its end even when its caller is killed: a tool killed half-way leaves its lock on
  // /etc/passwd or /etc/group, held for good by a zombie where init does not reap (measured:
  // every later useradd and userdel failed with "cannot lock /etc/group; try again later").
  // It holds the accounts lock with its caller instead (an inherited descriptor), so a
  // clean-up after the caller's death waits for it rather than racing it. Its own session:
  // a terminal's ^C goes to the command, not to a tool that is editing the account files.
  if (lock_fd >= 0) spec.extra_fds = {lock_fd};
  spec.new_session = true;
  ASSIGN_OR_RETURN_CTX(launch::Captured run, launch::RunCaptured(std::move(spec)), "run \"{}\"",
                       argv[0]);
  if (run.status.exit_code != 0) {
    std::string output(TrimSpace(run.output));
    return Err(ErrorCode::kInternal, "\"{}\" failed with status {}{}{}", Join(argv, " "),
               run.status.exit_code, output.empty() ? "" : ": ", output);
  }
  return Ok();
}

Status RemoveEphemeralUser(const std::string& name) {
  ASSIGN_OR_RETURN(UniqueFd lock, LockAccounts());
  if (!LookupUser(name)) return Ok();
  Status s = RunTool({"userdel", name}, lock.get());
  // Another tool (run by hand, or by a version without the lock) may have removed it between
  // the look-up and userdel: gone is what was wanted.
  if (s || !LookupUser(name)) return Ok();
  return Err(std::move(s).error().Context(fmt::format("remove ephemeral user \"{}\"", name)));
}

}  // namespace hp::user
