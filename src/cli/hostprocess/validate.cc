// `hostprocess validate`: what the API server would answer for each manifest object
// (validation, then Pod Security), printed as kubectl prints it or as JSON.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli/hostprocess/admission_cli.h"
#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/command.h"
#include "cli/hostprocess/manifests.h"
#include "core/base/strings.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/k8s/features.h"

namespace hp::cli {
namespace {

struct ValidateFlags {
  std::vector<std::string> files;
  AdmissionFlags admission;
  std::string output = "text";
  std::string feature_gates;  // kube-apiserver --feature-gates
};

int RunValidate(const ValidateFlags& flags) {
  k8s::AdmissionOptions opts;
  if (!MakeAdmissionOptions(flags.admission, &opts)) return 2;
  auto gates = k8s::ParseFeatureGates(flags.feature_gates);
  if (!gates) {
    Print(stderr, "error: " + gates.error().ToString() + "\n");
    return 2;
  }
  opts.validation.allow_windows_host_process_field = gates->windows_host_process_containers;
  if (flags.output != "text" && flags.output != "json") {
    Print(stderr, fmt::format("error: unable to match a printer suitable for the output format "
                              "{}, allowed formats are: json,text\n",
                              Quote(flags.output)));
    return 2;
  }
  auto decoded = DecodeManifests(flags.files);
  if (!decoded) {
    Print(stderr, "error: " + decoded.error().ToString() + "\n");
    return 2;
  }
  std::string err_out;
  for (const auto& w : decoded->warnings) err_out += "Warning: " + w.ToString() + "\n";
  if (decoded->objects.empty()) {
    Print(stderr, err_out + "error: no objects passed to validate\n");
    return 2;
  }
  // Never freed: the process exits next and gets its memory back whole, while freeing 10,000
  // pods' small allocations one by one would cost a tenth of the run. Held by statics, so they
  // stay reachable (no leak report).
  static auto* const kept = new k8s::Decoded(std::move(*decoded));
  static auto* const verdicts_kept = new std::vector<k8s::Verdict>(k8s::Admit(kept->objects, opts));
  const std::vector<k8s::Verdict>& verdicts = *verdicts_kept;
  bool rejected = false;
  std::string out;
  if (flags.output == "json") {
    out = "[";
    for (size_t i = 0; i < verdicts.size(); i++) {
      if (i > 0) out += ",";
      out += "\n  " + k8s::VerdictJson(verdicts[i]);
      rejected |= !verdicts[i].allowed();
    }
    out += verdicts.empty() ? "]\n" : "\n]\n";
  } else {
    // Like kubectl: successes on stdout, errors and warnings on stderr.
    for (const auto& v : verdicts) {
      std::string text = k8s::KubectlText(v) + "\n";
      if (v.allowed()) {
        out += text;
      } else {
        rejected = true;
        err_out += text;
      }
    }
  }
  Print(stderr, err_out);
  Print(stdout, out);
  fflush(stdout);
  return rejected ? 1 : 0;
}

CommandRegistration validate_verb(
    10, {"validate"}, [](CLI::App& app, GlobalOptions&, int& exit_code) {
      auto flags = std::make_shared<ValidateFlags>();
      CLI::App* cmd = app.add_subcommand(
          "validate",
          "Check manifests as the API server would: validation rules, then Pod Security.\n"
          "Exit 0 when every object is allowed, 1 when any is rejected, 2 on unreadable input.");
      cmd->add_option("-f,--filename", flags->files,
                      "Manifest file, directory (*.yaml, *.yml, *.json) or - for stdin")
          ->required();
      AddAdmissionFlags(cmd, flags->admission);
      cmd->add_option(
          "--feature-gates", flags->feature_gates,
          "kube-apiserver feature gates, Name=bool[,...]: WindowsHostProcessContainers=false "
          "forbids hostProcess, as Kubernetes 1.22-1.25 with the gate off");
      cmd->add_option("-o,--output", flags->output, "Output format: text or json")
          ->capture_default_str();
      cmd->callback([flags, &exit_code] { exit_code = RunValidate(*flags); });
    });

}  // namespace
}  // namespace hp::cli
