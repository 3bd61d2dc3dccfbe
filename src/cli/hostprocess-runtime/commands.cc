// The runc commands containerd's runc shim (go-runc) uses, with runc's flags and wording.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/hostprocess-runtime/cli.h"
#include "cli/hostprocess-runtime/log.h"
#include "core/base/strings.h"
#include "core/oci/runtime.h"
#include "core/sys/file.h"

namespace hp::runtime_cli {
namespace {

oci::Runtime MakeRuntime(const Globals& g) {
  oci::RuntimeOptions o;
  o.root = g.root;
  o.systemd_cgroup = g.systemd_cgroup;
  o.log = [](const std::string& level, const std::string& msg) { LogLine(level, msg); };
  return oci::Runtime(std::move(o));
}

int Done(const Status& st) { return st ? 0 : Fail(st.error()); }

Result<std::string> ReadFileOrStdin(const std::string& path) {
  if (path == "-") return sys::ReadFd(STDIN_FILENO);
  return sys::ReadFile(path);
}

// runc's `ps` table: `ps <args>` (default -ef) filtered to the container's pids.
int PsTable(const std::vector<pid_t>& pids, const std::vector<std::string>& ps_args) {
  std::string cmd = "ps";
  for (const std::string& a : ps_args.empty() ? std::vector<std::string>{"-ef"} : ps_args)
    cmd += " '" + a + "'";
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return Fail(Error::Sys(errno, "run \"ps\""));
  std::set<pid_t> want(pids.begin(), pids.end());
  char buf[8192];
  int pid_col = -1;
  bool header = true;
  while (::fgets(buf, sizeof buf, f)) {
    std::string line(buf);
    std::istringstream words(line);
    std::vector<std::string> cols;
    for (std::string w; words >> w;) cols.push_back(w);
    if (header) {
      for (size_t i = 0; i < cols.size(); ++i)
        if (cols[i] == "PID") pid_col = static_cast<int>(i);
      std::cout << line;
      header = false;
      if (pid_col < 0) {
        ::pclose(f);
        return Fail(Error("couldn't find PID field in ps output"));
      }
      continue;
    }
    if (static_cast<int>(cols.size()) > pid_col &&
        want.count(static_cast<pid_t>(std::atoi(cols[pid_col].c_str()))))
      std::cout << line;
  }
  ::pclose(f);
  return 0;
}

std::string Features() {
  nlohmann::ordered_json j;
  j["ociVersionMin"] = "1.0.0";
  j["ociVersionMax"] = "1.0.2-dev";
  j["hooks"] = {"prestart",       "createRuntime", "createContainer",
                "startContainer", "poststart",     "poststop"};
  j["mountOptions"] = {"bind",  "rbind",  "ro",   "rw",  "nosuid",
                       "nodev", "noexec", "suid", "dev", "exec"};
  nlohmann::ordered_json lin;
  lin["namespaces"] = nlohmann::json::array();  // host namespaces only (new ones are ignored)
  lin["capabilities"] = nlohmann::json::array();
  lin["cgroup"] = {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}};
  // linux.seccomp is applied as runc does (src/core/oci/seccomp.h); no seccomp agent (notify).
  lin["seccomp"] = {
      {"enabled", true},
      {"actions",
       {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
      {"operators",
       {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
        "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"}},
      {"archs",
       {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
        "SCMP_ARCH_S390X", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"}},
      {"knownFlags",
       {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}},
      {"supportedFlags",
       {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}}};
  lin["apparmor"] = {{"enabled", false}};
  lin["selinux"] = {{"enabled", false}};
  j["linux"] = lin;
  j["annotations"] = {{"io.github.hostprocess.runtime", "hostprocess-runtime"},
                      {"io.github.hostprocess.hostprocess", "true"}};
  return j.dump(4);
}

}  // namespace

std::vector<Command> AddCommands(CLI::App& app, Globals& g) {
  std::vector<Command> out;
  auto add = [&](CLI::App* sub, std::function<int()> run) { out.push_back({sub, std::move(run)}); };

  {  // create
    auto* c = app.add_subcommand("create", "create a container");
    auto o = std::make_shared<oci::CreateOptions>();
    c->add_option("-b,--bundle", o->bundle, "path to the root of the bundle directory");
    c->add_option("--pid-file", o->pid_file, "file to write the process id to");
    c->add_option("--console-socket", o->console_socket,
                  "unix socket receiving the pty master (SCM_RIGHTS)");
    c->add_option("--preserve-fds", o->preserve_fds, "pass N additional file descriptors");
    c->add_flag("--no-pivot")
        ->description("accepted: there is no pivot_root for HostProcess containers");
    c->add_flag("--no-new-keyring")->description("accepted: the session keyring is the host's");
    c->add_option("id", o->id, "container id")->required();
    add(c, [&g, o] { return Done(MakeRuntime(g).Create(*o)); });
  }
  {  // run = create + start (no detach support beyond that: the container runs on its own)
    auto* c = app.add_subcommand("run", "create and start a container (detached)");
    auto o = std::make_shared<oci::CreateOptions>();
    c->add_option("-b,--bundle", o->bundle, "path to the root of the bundle directory");
    c->add_option("--pid-file", o->pid_file, "file to write the process id to");
    c->add_option("--console-socket", o->console_socket, "unix socket receiving the pty master");
    c->add_flag("-d,--detach")->description("accepted: the container always runs detached");
    c->add_option("id", o->id, "container id")->required();
    add(c, [&g, o] {
      oci::Runtime rt = MakeRuntime(g);
      auto st = rt.Create(*o);
      if (!st) return Fail(st.error());
      return Done(rt.Start(o->id));
    });
  }
  {  // start
    auto* c =
        app.add_subcommand("start", "executes the user defined process in a created container");
    auto id = std::make_shared<std::string>();
    c->add_option("id", *id, "container id")->required();
    add(c, [&g, id] { return Done(MakeRuntime(g).Start(*id)); });
  }
  {  // state
    auto* c = app.add_subcommand("state", "output the state of a container");
    auto id = std::make_shared<std::string>();
    c->add_option("id", *id, "container id")->required();
    add(c, [&g, id] {
      auto s = MakeRuntime(g).State(*id);
      if (!s) return Fail(s.error());
      std::cout << oci::EncodeStatus(*s) << std::endl;
      return 0;
    });
  }
  {  // list
    auto* c = app.add_subcommand("list", "lists containers started by runc with the given root");
    c->alias("ls");
    auto format = std::make_shared<std::string>("table");
    auto quiet = std::make_shared<bool>(false);
    c->add_option("-f,--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
    c->add_flag("-q,--quiet", *quiet, "display only container IDs");
    add(c, [&g, format, quiet] {
      auto list = MakeRuntime(g).List();
      if (!list) return Fail(list.error());
      if (*quiet) {
        for (const auto& s : *list) std::cout << s.id << "\n";
      } else if (*format == "json") {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& s : *list) arr.push_back(nlohmann::json::parse(oci::EncodeStatus(s)));
        std::cout << arr.dump() << "\n";
      } else {
        std::cout << fmt::format("{:<12} {:<10} {:<10} {:<60} {:<32} {}\n", "ID", "PID", "STATUS",
                                 "BUNDLE", "CREATED", "OWNER");
        for (const auto& s : *list)
          std::cout << fmt::format("{:<12} {:<10} {:<10} {:<60} {:<32} {}\n", s.id, s.pid, s.status,
                                   s.bundle, s.created, s.owner.empty() ? "root" : s.owner);
      }
      return 0;
    });
  }
  {  // kill
    auto* c = app.add_subcommand(
        "kill",
        "kill sends the specified signal (default: SIGTERM) to the container's init process");
    auto id = std::make_shared<std::string>();
    auto sig = std::make_shared<std::string>("SIGTERM");
    auto all = std::make_shared<bool>(false);
    c->add_flag("-a,--all", *all,
                "send the specified signal to all processes inside the container");
    c->add_option("id", *id, "container id")->required();
    c->add_option("signal", *sig, "signal name or number");
    add(c, [&g, id, sig, all] {
      auto n = oci::ParseSignal(*sig);
      if (!n) return Fail(n.error());
      return Done(MakeRuntime(g).Kill(*id, *n, *all));
    });
  }
  {  // delete
    auto* c = app.add_subcommand("delete", "delete any resources held by the container");
    auto id = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    c->add_flag("-f,--force", *force,
                "forcibly deletes the container if it is still running (uses SIGKILL)");
    c->add_option("id", *id, "container id")->required();
    add(c, [&g, id, force] { return Done(MakeRuntime(g).Delete(*id, *force)); });
  }
  {  // exec
    auto* c = app.add_subcommand("exec", "execute new process inside the container");
    struct ExecArgs {
      std::string process_file, pid_file, console_socket, cwd, user;
      std::vector<std::string> env;
      bool detach = false, tty = false, no_new_privs = false;
      int preserve_fds = 0;
    };
    auto a = std::make_shared<ExecArgs>();
    c->add_option("-p,--process", a->process_file, "path to the process.json");
    c->add_option("--pid-file", a->pid_file, "file to write the process id to");
    c->add_option("--console-socket", a->console_socket, "unix socket receiving the pty master");
    c->add_option("--cwd", a->cwd, "current working directory in the container");
    c->add_option("-e,--env", a->env, "set environment variables");
    c->add_option("-u,--user", a->user, "UID (format: <uid>[:<gid>])");
    c->add_option("--preserve-fds", a->preserve_fds, "pass N additional file descriptors");
    c->add_flag("-d,--detach", a->detach, "detach from the container's process");
    c->add_flag("-t,--tty", a->tty, "allocate a pseudo-TTY");
    c->add_flag("--no-new-privs", a->no_new_privs,
                "set the no new privileges value for the process");
    c->prefix_command();
    add(c, [&g, a, c] {
      std::vector<std::string> rest = c->remaining();
      if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
      if (rest.empty()) return Fail(Error("exec: container id cannot be empty"));
      oci::ExecOptions o;
      o.id = rest.front();
      rest.erase(rest.begin());
      if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
      if (!a->process_file.empty()) {
        auto text = sys::ReadFile(a->process_file);
        if (!text) return Fail(text.error());
        auto p = oci::ParseProcess(*text);
        if (!p) return Fail(p.error());
        o.process = std::move(*p);
      } else {
        if (rest.empty()) return Fail(Error("exec args cannot be empty"));
        o.process.args = rest;
        o.process.terminal = a->tty;
        o.process.cwd = a->cwd;
        o.process.no_new_privileges = a->no_new_privs;
        o.process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
        for (const auto& e : a->env) o.process.env.push_back(e);
        if (!a->user.empty()) {
          auto parts = Split(a->user, ':');
          o.process.user.uid = static_cast<uint32_t>(std::stoul(parts[0]));
          if (parts.size() > 1) o.process.user.gid = static_cast<uint32_t>(std::stoul(parts[1]));
        }
      }
      o.pid_file = a->pid_file;
      o.console_socket = a->console_socket;
      o.detach = a->detach;
      o.preserve_fds = a->preserve_fds;
      auto rc = MakeRuntime(g).Exec(o);
      if (!rc) return Fail(rc.error());
      return *rc;
    });
  }
  {  // ps
    auto* c = app.add_subcommand("ps", "ps displays the processes running inside a container");
    auto format = std::make_shared<std::string>("table");
    c->add_option("-f,--format", *format, "select one of: table or json")
        ->check(CLI::IsMember({"table", "json"}));
    c->prefix_command();
    add(c, [&g, format, c] {
      std::vector<std::string> rest = c->remaining();
      if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
      if (rest.empty()) return Fail(Error("container id cannot be empty"));
      std::string id = rest.front();
      rest.erase(rest.begin());
      if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
      auto pids = MakeRuntime(g).Pids(id);
      if (!pids) return Fail(pids.error());
      if (*format == "json") {
        std::cout << nlohmann::json(*pids).dump() << std::endl;
        return 0;
      }
      return PsTable(*pids, rest);
    });
  }
  {  // pause / resume
    auto* p = app.add_subcommand("pause", "pause suspends all processes inside the container");
    auto pid = std::make_shared<std::string>();
    p->add_option("id", *pid, "container id")->required();
    add(p, [&g, pid] { return Done(MakeRuntime(g).Pause(*pid)); });
    auto* r =
        app.add_subcommand("resume", "resumes all processes that have been previously paused");
    auto rid = std::make_shared<std::string>();
    r->add_option("id", *rid, "container id")->required();
    add(r, [&g, rid] { return Done(MakeRuntime(g).Resume(*rid)); });
  }
  {  // update
    auto* c = app.add_subcommand("update", "update container resource constraints");
    struct UpdateArgs {
      std::string resources, memory, cpu_quota, cpu_period, cpu_shares, pids_limit;
      std::string id;
    };
    auto a = std::make_shared<UpdateArgs>();
    c->add_option("-r,--resources", a->resources,
                  "path to a linux.resources JSON file, or - for stdin");
    c->add_option("--memory", a->memory, "memory limit (in bytes)");
    c->add_option("--cpu-quota", a->cpu_quota, "CPU CFS hardcap limit (in usecs)");
    c->add_option("--cpu-period", a->cpu_period, "CPU CFS period (in usecs)");
    c->add_option("--cpu-share", a->cpu_shares,
                  "CPU shares (relative weight vs. other containers)");
    c->add_option("--pids-limit", a->pids_limit, "maximum number of pids allowed in the container");
    c->add_option("id", a->id, "container id")->required();
    add(c, [&g, a] {
      oci::Resources r;
      if (!a->resources.empty()) {
        auto text = ReadFileOrStdin(a->resources);
        if (!text) return Fail(text.error());
        auto parsed = oci::ParseResources(*text);
        if (!parsed) return Fail(parsed.error());
        r = std::move(*parsed);
      }
      try {
        if (!a->memory.empty()) {
          if (!r.memory) r.memory.emplace();
          r.memory->limit = std::stoll(a->memory);
        }
        if (!a->cpu_quota.empty() || !a->cpu_period.empty() || !a->cpu_shares.empty()) {
          if (!r.cpu) r.cpu.emplace();
          if (!a->cpu_quota.empty()) r.cpu->quota = std::stoll(a->cpu_quota);
          if (!a->cpu_period.empty()) r.cpu->period = std::stoull(a->cpu_period);
          if (!a->cpu_shares.empty()) r.cpu->shares = std::stoull(a->cpu_shares);
        }
        if (!a->pids_limit.empty()) r.pids_limit = std::stoll(a->pids_limit);
      } catch (const std::exception&) {
        return Fail(Error("invalid value for an update flag"));
      }
      return Done(MakeRuntime(g).Update(a->id, r));
    });
  }
  {  // features
    auto* c = app.add_subcommand("features", "show the enabled features");
    add(c, [] {
      std::cout << Features() << std::endl;
      return 0;
    });
  }
  return out;
}

}  // namespace hp::runtime_cli
