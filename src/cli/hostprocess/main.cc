#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/hostprocess/command.h"
#include "hp_build_info.h"

namespace hp::cli {

std::vector<Command>& Registry() {
  static std::vector<Command> registry;
  return registry;
}

CommandRegistration::CommandRegistration(int order, std::initializer_list<const char*> verbs,
                                         CommandSetup setup) {
  Registry().push_back(Command{order, {verbs.begin(), verbs.end()}, std::move(setup)});
}

namespace {

// Each verb's Examples section (kubectl's --help shows one for every command).
const std::map<std::string, std::string>& Examples() {
  static const std::map<std::string, std::string> kExamples = {
      {"validate",
       "  # The API server's answer to a manifest, in kubectl's words\n"
       "  hostprocess validate -f ds.yaml\n\n"
       "  # As a cluster with Pod Security 'baseline' would admit it\n"
       "  hostprocess validate -f pod.yaml --pod-security baseline"},
      {"run",
       "  # Run one pod in the foreground; exit with its code\n  hostprocess run -f pod.yaml"},
      {"apply",
       "  # Run the DaemonSets and Pods of a manifest on this node\n"
       "  hostprocess apply -f ds.yaml\n\n"
       "  # Bring the node back to what was applied (after a reboot)\n"
       "  hostprocess apply"},
      {"get",
       "  # List the pods of every namespace\n"
       "  hostprocess get pods -A\n\n"
       "  # One DaemonSet as JSON\n"
       "  hostprocess get ds my-ds -n kube-system -o json"},
      {"describe",
       "  # A pod's states, probes and events\n"
       "  hostprocess describe pod my-pod -n kube-system\n\n"
       "  # Why a DaemonSet has no pod on this node\n"
       "  hostprocess describe ds my-ds -n kube-system"},
      {"logs",
       "  # Follow a DaemonSet's pod's logs\n"
       "  hostprocess logs -n kube-system ds/my-ds -f\n\n"
       "  # The previous run of container c, with timestamps\n"
       "  hostprocess logs my-pod -c c --previous --timestamps"},
      {"exec",
       "  # An interactive shell in the container's job and account\n"
       "  hostprocess exec -it my-pod -- sh\n\n"
       "  # One command in container c\n"
       "  hostprocess exec my-pod -c c -- cat /etc/hostname"},
      {"delete",
       "  # Delete a DaemonSet and its pod\n"
       "  hostprocess delete ds my-ds -n kube-system\n\n"
       "  # Delete what a manifest applied\n"
       "  hostprocess delete -f ds.yaml"},
      {"top",
       "  # CPU and memory of every pod\n"
       "  hostprocess top pods -A\n\n"
       "  # Per container\n"
       "  hostprocess top pods my-pod --containers"},
      {"pull", "  # Pull an image into the node's store\n  hostprocess pull busybox:1.36"},
      {"import",
       "  # A root file system directory or a tarball as an image\n"
       "  hostprocess import ./rootfs hostprocess.local/tools:1 --cmd sh"},
      {"images", "  # The images in the node's store\n  hostprocess images"},
      {"rmi", "  # Remove an image\n  hostprocess rmi hostprocess.local/tools:1"},
      {"inspect", "  # An image's record\n  hostprocess inspect busybox:1.36"},
      {"completion", "  # Bash completion for this shell\n  source <(hostprocess completion bash)"},
      {"events",
       "  # The events of the default namespace, oldest first\n"
       "  hostprocess events\n\n"
       "  # The warnings of one pod\n"
       "  hostprocess events --for pod/my-pod --types Warning"},
      {"rollout",
       "  # Wait until a DaemonSet's pod is updated and available\n"
       "  hostprocess rollout status ds/my-ds -n kube-system\n\n"
       "  # Start its pod again (a new revision)\n"
       "  hostprocess rollout restart ds/my-ds -n kube-system"},
      {"wait",
       "  # Wait until a pod is Ready\n"
       "  hostprocess wait --for=condition=Ready pod/my-pod --timeout=60s\n\n"
       "  # Wait until a pod is gone\n  hostprocess wait --for=delete pod/my-pod"},
      {"diff", "  # What applying ds.yaml would change\n  hostprocess diff -f ds.yaml"},
  };
  return kExamples;
}

// kubectl's argument forms that CLI11 does not take as they are: `-n=NS` (pflag's shorthand
// with `=`), and the namespace flags given before the verb (`hostprocess -n ns get pods`),
// which move after it. Other global flags (`--root`) stay where they are.
std::vector<std::string> NormalizeArgs(int argc, char** argv) {
  std::vector<std::string> in(argv + 1, argv + argc), before, out;
  for (size_t i = 0; i < in.size(); i++) {
    if (in[i] == "--") {
      out.insert(out.end(), in.begin() + static_cast<long>(i), in.end());
      break;
    }
    if (in[i].rfind("-n=", 0) == 0) {
      out.push_back("-n");
      out.push_back(in[i].substr(3));
    } else {
      out.push_back(in[i]);
    }
  }
  // Before the verb: move -n/--namespace (with its value) and -A after it.
  std::vector<std::string> moved, rest;
  size_t i = 0;
  for (; i < out.size(); i++) {
    const std::string& a = out[i];
    if (a.empty() || a[0] != '-') break;  // the verb
    if ((a == "-n" || a == "--namespace") && i + 1 < out.size()) {
      moved.push_back(a);
      moved.push_back(out[++i]);
    } else if (a.rfind("--namespace=", 0) == 0 || a == "-A" || a == "--all-namespaces") {
      moved.push_back(a);
    } else {
      rest.push_back(a);
      if ((a == "--root") && i + 1 < out.size()) rest.push_back(out[++i]);
    }
  }
  if (i >= out.size()) {
    rest.insert(rest.end(), moved.begin(), moved.end());
    return rest;
  }
  rest.push_back(out[i]);  // the verb
  rest.insert(rest.end(), moved.begin(), moved.end());
  rest.insert(rest.end(), out.begin() + static_cast<long>(i) + 1, out.end());
  return rest;
}

// The names of the app's subcommands, in the order they were added.
std::vector<std::string> SubcommandNames(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

// The verb of normalized arguments ("" when there is none).
std::string VerbOf(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i] == "--root") {
      i++;
      continue;
    }
    if (!args[i].empty() && args[i][0] != '-') return args[i];
  }
  return "";
}

}  // namespace

}  // namespace hp::cli

int main(int argc, char** argv) {
  using namespace hp::cli;
  // The version and the commit it was built from ("unknown" outside a git checkout).
  static constexpr char kVersion[] = "hostprocess version " HP_VERSION "\ncommit: " HP_GIT_COMMIT;
  // `hostprocess --version` alone is answered before the command line is built: CLI11 answers
  // it by throwing, and the unwinder's search was the largest item of its profile (issue 16).
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::puts(kVersion);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  CLI::App app{
      "hostprocess: Kubernetes HostProcess pods on this node.\n"
      "Validate manifests, run pods and DaemonSets as host processes in a job (cgroup) with a\n"
      "container volume, manage images. kubectl's verbs and flags where they exist."};
  app.name("hostprocess");
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);
  GlobalOptions global;
  const char* env_root = std::getenv("HOSTPROCESS_ROOT");
  global.root = env_root && *env_root ? env_root : DefaultRoot();
  app.add_option("--root", global.root, "State directory (env HOSTPROCESS_ROOT)")
      ->capture_default_str();
  int exit_code = 0;
  auto& registry = Registry();
  std::stable_sort(registry.begin(), registry.end(),
                   [](const Command& a, const Command& b) { return a.order < b.order; });
  std::vector<std::string> args = NormalizeArgs(argc, argv);
  bool wants_help = false, wants_version = false;
  for (const auto& a : args) {
    wants_help |= a == "--help" || a == "-h";
    wants_version |= a == "--version";
  }
  std::string verb = VerbOf(args);
  const Command* command = nullptr;
  for (const Command& c : registry) {
    if (std::find(c.verbs.begin(), c.verbs.end(), verb) != c.verbs.end()) command = &c;
  }
  if (!verb.empty() && !command) {
    std::vector<std::string> verbs;  // shown in help: not the hidden `__supervise`
    for (const Command& c : registry) {
      for (const std::string& v : c.verbs) {
        if (v.rfind("__", 0) != 0) verbs.push_back(v);
      }
    }
    std::sort(verbs.begin(), verbs.end());
    std::string list;
    for (const auto& v : verbs) list += (list.empty() ? "" : ", ") + v;
    std::cerr << "error: unknown command \"" << verb << "\" for \"hostprocess\"\n\n"
              << "Available commands: " << list << "\n"
              << "Run 'hostprocess --help' for usage.\n";
    return 1;
  }
  // The verb being run alone; every verb for the top-level help and for `completion`, which
  // describes them all. `--version` alone needs none.
  bool all = verb.empty() ? !wants_version || wants_help : verb == "completion";
  for (const Command& c : registry) {
    if (!all && &c != command) continue;
    std::vector<std::string> before = SubcommandNames(app);
    c.setup(app, global, exit_code);
    std::vector<std::string> added = SubcommandNames(app);
    added.erase(added.begin(), added.begin() + static_cast<long>(before.size()));
    if (added != c.verbs) {  // a registration whose names disagree with its setup
      std::cerr << "internal error: the registration of \"" << c.verbs.front()
                << "\" does not name the subcommands it adds\n";
      return 70;
    }
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    auto ex = Examples().find(sub->get_name());
    if (ex != Examples().end()) sub->footer("\nExamples:\n" + ex->second + "\n");
  }
  if (verb.empty() && !wants_help && !wants_version) {
    // kubectl without a command: its help, exit 0.
    std::cout << app.help();
    return 0;
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // kubectl's usage errors exit 1; validate keeps its documented 2 (unreadable input or bad
    // usage, SPEC §2) so that 1 stays "the manifest is invalid".
    if (rc == 0) return 0;
    return verb == "validate" ? 2 : 1;
  }
  return exit_code;
}
