// `hostprocess completion bash|zsh`: the shell completion script, as kubectl completion prints
// it. The verbs and each verb's flags are read from this very command line (so a new verb or
// flag completes without touching this file); pod and DaemonSet names come from the local state
// at completion time, through `hostprocess get TYPE -o name` with the --root and -n/-A typed so
// far. zsh gets the same script through its bash completion emulation (bashcompinit).
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "cli/hostprocess/agent_cli.h"
#include "core/base/strings.h"

namespace hp::cli {
namespace {

// The static part of the script. The generated part before it defines __hostprocess_verbs and
// the functions __hostprocess_flags VERB and __hostprocess_value_flags VERB ("" = no verb yet).
constexpr const char* kBashBody = R"SH(
# The names of TYPE (pods, ds, ...) in the state, honouring the --root and -n/-A typed so far.
# Nothing when the state directory does not exist: completing never creates it.
__hostprocess_names() {
  local root=${__hp_root:-${HOSTPROCESS_ROOT:-/var/lib/hostprocess}} line
  [[ -d $root ]] || return 0
  local out
  out=$(command "$__hp_bin" --root "$root" get "$1" "${__hp_ns[@]}" -o name 2>/dev/null) || return 0
  for line in $out; do
    printf '%s\n' "${line#*/}"
  done
}

__hostprocess_namespaces() {
  local root=${__hp_root:-${HOSTPROCESS_ROOT:-/var/lib/hostprocess}} t
  [[ -d $root ]] || return 0
  for t in pods daemonsets; do
    command "$__hp_bin" --root "$root" get "$t" -A --no-headers 2>/dev/null | while read -r ns _; do
      printf '%s\n' "$ns"
    done
  done | sort -u
}

# Completes CUR as NAME of TYPE, or as TYPE/NAME when CUR has a slash.
__hostprocess_complete_names() {
  local type=$1 cur=$2
  if [[ $cur == */* ]]; then
    local prefix=${cur%%/*}
    COMPREPLY=($(compgen -P "$prefix/" -W "$(__hostprocess_names "$prefix")" -- "${cur#*/}"))
  else
    COMPREPLY=($(compgen -W "$(__hostprocess_names "$type")" -- "$cur"))
  fi
}

__hostprocess_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local verb="" w i
  local __hp_bin=${COMP_WORDS[0]} __hp_root=""
  local -a __hp_ns=() args=()
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == -- ]]; then  # exec POD -- COMMAND: the command's words are not ours
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
    fi
    case $w in
      --root)
        __hp_root=${COMP_WORDS[i + 1]}
        ((i++))
        continue
        ;;
      -n | --namespace)
        __hp_ns=(-n "${COMP_WORDS[i + 1]}")
        ((i++))
        continue
        ;;
      -A | --all-namespaces) __hp_ns=(-A) ;;
    esac
    if [[ $w == -* ]]; then
      # A flag that takes a value consumes the next word.
      if [[ " $(__hostprocess_value_flags "$verb") $(__hostprocess_value_flags "") " == *" $w "* ]]; then
        ((i++))
      fi
    elif [[ -z $verb ]]; then
      verb=$w
    else
      args+=("$w")
    fi
  done
  if [[ $prev == -* && " $(__hostprocess_value_flags "$verb") $(__hostprocess_value_flags "") " == *" $prev "* ]]; then
    case $prev in
      -n | --namespace) COMPREPLY=($(compgen -W "$(__hostprocess_namespaces)" -- "$cur")) ;;
      -o | --output) COMPREPLY=($(compgen -W "json yaml name wide" -- "$cur")) ;;
      --root) COMPREPLY=($(compgen -d -- "$cur")) ;;
      *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(__hostprocess_flags "$verb")" -- "$cur"))
    return 0
  fi
  if [[ -z $verb ]]; then
    COMPREPLY=($(compgen -W "$__hostprocess_verbs" -- "$cur"))
    return 0
  fi
  case $verb in
    get | describe | delete)
      if ((${#args[@]} == 0)); then
        if [[ $cur == */* ]]; then
          __hostprocess_complete_names "" "$cur"
        else
          COMPREPLY=($(compgen -W "pods daemonsets" -- "$cur"))
        fi
      elif [[ ${args[0]} != */* ]]; then
        __hostprocess_complete_names "${args[0]}" "$cur"
      fi
      ;;
    top)
      if ((${#args[@]} == 0)); then
        COMPREPLY=($(compgen -W "pods" -- "$cur"))
      else
        __hostprocess_complete_names pods "$cur"
      fi
      ;;
    logs | exec)
      ((${#args[@]} == 0)) && __hostprocess_complete_names pods "$cur"
      ;;
    completion)
      ((${#args[@]} == 0)) && COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
      ;;
    *)
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
  esac
  return 0
}
)SH";

// The visible flags of `cmd` (all of them, or only those that take a value), as shell words.
std::string Flags(const CLI::App& cmd, bool values_only) {
  std::vector<std::string> words;
  for (const CLI::Option* opt : cmd.get_options()) {
    if (!opt->nonpositional() || opt->get_group().empty()) continue;
    if (values_only && opt->get_expected_max() == 0) continue;  // a flag
    for (const auto& s : opt->get_snames()) words.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) words.push_back("--" + l);
  }
  return Join(words, " ");
}

// The script for `shell` ("bash" or "zsh") describing `app`'s verbs and flags.
std::string CompletionScript(CLI::App& app, const std::string& shell) {
  std::string out;
  if (shell == "zsh") {
    out +=
        "#compdef hostprocess\n"
        "# zsh completion for hostprocess (`hostprocess completion zsh`), through zsh's bash\n"
        "# completion emulation. Load it with: source <(hostprocess completion zsh)\n"
        "# (after compinit), or install it as _hostprocess in a directory of $fpath.\n"
        "autoload -U +X bashcompinit && bashcompinit\n";
  } else {
    out +=
        "# bash completion for hostprocess (`hostprocess completion bash`). Load it with:\n"
        "#   source <(hostprocess completion bash)\n"
        "# or install it as /usr/share/bash-completion/completions/hostprocess.\n";
  }
  std::vector<std::string> verbs;
  std::string flags = "__hostprocess_flags() {\n  case $1 in\n";
  std::string values = "__hostprocess_value_flags() {\n  case $1 in\n";
  flags += fmt::format("    \"\") echo '{}' ;;\n", Flags(app, false));
  values += fmt::format("    \"\") echo '{}' ;;\n", Flags(app, true));
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    if (sub->get_group().empty()) continue;  // hidden (__supervise)
    verbs.push_back(sub->get_name());
    flags += fmt::format("    {}) echo '{}' ;;\n", sub->get_name(), Flags(*sub, false));
    values += fmt::format("    {}) echo '{}' ;;\n", sub->get_name(), Flags(*sub, true));
  }
  flags += "  esac\n}\n";
  values += "  esac\n}\n";
  out += "\n__hostprocess_verbs='" + Join(verbs, " ") + "'\n\n" + flags + "\n" + values;
  out += kBashBody;
  out += "\ncomplete -o default -F __hostprocess_complete hostprocess\n";
  if (shell == "zsh") {
    // Autoloaded from $fpath as _hostprocess, this file's body runs for the first completion:
    // answer it too (later ones go straight to the function registered above).
    out +=
        "if [[ ${funcstack[1]} == _hostprocess ]]; then\n"
        "  _bash_complete -o default -F __hostprocess_complete\n"
        "fi\n";
  }
  return out;
}

CommandRegistration completion_verb(
    80, {"completion"}, [](CLI::App& app, GlobalOptions&, int& exit_code) {
      auto shell = std::make_shared<std::string>();
      CLI::App* cmd = app.add_subcommand(
          "completion",
          "Print the shell completion script (kubectl completion): completion bash|zsh.\n"
          "bash: source <(hostprocess completion bash); zsh: source <(hostprocess completion zsh)");
      cmd->add_option("shell", *shell, "bash or zsh")
          ->required()
          ->check(CLI::IsMember({"bash", "zsh"}));
      cmd->callback([shell, &app, &exit_code] {
        Print(stdout, CompletionScript(app, *shell));
        exit_code = 0;
      });
    });

}  // namespace
}  // namespace hp::cli
