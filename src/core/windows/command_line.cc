#include "core/windows/command_line.h"

namespace hp::windows {
namespace {}  // namespace

std::string QuoteArgument(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string_view::npos)
    return std::string(arg);
  std::string out = "\"";
  size_t backslashes = 0;
  for (char c : arg) {
    if (c == '\\') {
      backslashes++;
      continue;
    }
    if (c == '"') {
      out.append(2 * backslashes + 1, '\\');  // each one escaped, then the quote's own
    } else {
      out.append(backslashes, '\\');
    }
    backslashes = 0;
    out += c;
  }
  out.append(2 * backslashes, '\\');  // they precede the closing quote
  out += '"';
  return out;
}

std::string QuoteProgramName(std::string_view name) {
  if (!name.empty() && name.find_first_of(" \t") == std::string_view::npos)
    return std::string(name);
  return "\"" + std::string(name) + "\"";
}

std::string JoinCommandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (size_t i = 0; i < argv.size(); i++) {
    if (i > 0) out += ' ';
    out += i == 0 ? QuoteProgramName(argv[i]) : QuoteArgument(argv[i]);
  }
  return out;
}

std::vector<std::string> SplitCommandLine(std::string_view line) {
  std::vector<std::string> argv;
  size_t i = 0;
  // The program name: no escapes.
  std::string name;
  if (i < line.size() && line[i] == '"') {
    size_t end = line.find('"', i + 1);
    if (end == std::string_view::npos) end = line.size();
    name = std::string(line.substr(i + 1, end - i - 1));
    i = end < line.size() ? end + 1 : end;
  } else {
    while (i < line.size() && !IsBlank(line[i])) name += line[i++];
  }
  if (line.empty()) return argv;
  argv.push_back(name);
  for (;;) {
    while (i < line.size() && IsBlank(line[i])) i++;
    if (i >= line.size()) break;
    std::string arg;
    bool quoted = false;
    while (i < line.size() && (quoted || !IsBlank(line[i]))) {
      if (line[i] == '\\') {
        size_t n = 0;
        while (i < line.size() && line[i] == '\\') n++, i++;
        if (i < line.size() && line[i] == '"') {
          arg.append(n / 2, '\\');
          if (n % 2 == 1) {
            arg += '"';
            i++;
          }
        } else {
          arg.append(n, '\\');
        }
        continue;
      }
      if (line[i] == '"') {
        if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
          arg += '"';  // `""` inside quotes
          i += 2;
          continue;
        }
        quoted = !quoted;
        i++;
        continue;
      }
      arg += line[i++];
    }
    argv.push_back(arg);
  }
  return argv;
}

}  // namespace hp::windows
