// hostprocess-runtime `exec`: a new process in the container's job, from a process.json or the
// arguments.
#include "cli/hostprocess-runtime/cli.h"
#include "core/base/strings.h"
#include "core/sys/file.h"

namespace hp::runtime_cli {
namespace {

CommandRegistration exec_command(80, "exec", [](CLI::App& app, Globals& g, CommandList& add) {
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
  c->add_flag("--no-new-privs", a->no_new_privs, "set the no new privileges value for the process");
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
});

}  // namespace
}  // namespace hp::runtime_cli
