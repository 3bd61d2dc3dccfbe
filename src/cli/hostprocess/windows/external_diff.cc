// kubectl diff's diff program on Windows: through cmd.exe, the directories double-quoted (a
// `diff` on PATH, as kubectl needs one there too, or KUBECTL_EXTERNAL_DIFF's program).
#include "cli/hostprocess/external_diff.h"

#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/sys/windows/wide.h"

namespace hp::cli {
namespace {

// Whether the program that a command line starts (its first word, quoted or not) is a file
// SearchPathW finds as cmd.exe would run it: as named, or with a program's extension.
bool ProgramFound(const std::string& command_line) {
  std::string program;
  if (!command_line.empty() && command_line[0] == '"') {
    program = command_line.substr(1, command_line.find('"', 1) - 1);
  } else {
    program = command_line.substr(0, command_line.find(' '));
  }
  if (program.empty()) return false;
  std::wstring name = sys::Widen(program);
  for (const wchar_t* ext :
       {L".exe", L".com", L".bat", L".cmd", static_cast<const wchar_t*>(nullptr)}) {
    wchar_t found[MAX_PATH];
    DWORD n = SearchPathW(nullptr, name.c_str(), ext, MAX_PATH, found, nullptr);
    if (n > 0 && n < MAX_PATH && !(GetFileAttributesW(found) & FILE_ATTRIBUTE_DIRECTORY))
      return true;
  }
  return false;
}

}  // namespace

int RunExternalDiff(const std::string& program, const std::string& live_dir,
                    const std::string& merged_dir) {
  if (!ProgramFound(program)) {
    // kubectl's words for a diff program it cannot find.
    std::string first = program.substr(0, program.find(' '));
    std::fprintf(stderr, "error: failed to run \"%s\": executable file not found in %%PATH%%\n",
                 first.c_str());
    return 2;
  }
  // The directories are ours (MakeTempDir: no quote in them).
  // The whole line quoted once more: cmd /c takes the outer quotes off (its rule for a line
  // that starts with one), so a quoted program path keeps its own.
  std::string cmd = "\"" + program + " \"" + live_dir + "\" \"" + merged_dir + "\"\"";
  int status = std::system(cmd.c_str());
  if (status < 0 || status > 255) return 2;
  return status;
}

}  // namespace hp::cli
