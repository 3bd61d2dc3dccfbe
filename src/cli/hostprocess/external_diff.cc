// kubectl diff's diff program on Linux: through /bin/sh, as kubectl splits the command line.
#include "cli/hostprocess/external_diff.h"

#include <sys/wait.h>

#include <cstdlib>

namespace hp::cli {

int RunExternalDiff(const std::string& program, const std::string& live_dir,
                    const std::string& merged_dir) {
  // The directories are ours (MakeTempDir: no quote in them).
  std::string cmd = program + " '" + live_dir + "' '" + merged_dir + "'";
  int status = std::system(cmd.c_str());
  if (status == -1 || !WIFEXITED(status)) return 2;
  return WEXITSTATUS(status);
}

}  // namespace hp::cli
