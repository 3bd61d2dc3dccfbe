// kubectl diff's diff program, run by the platform's shell (external_diff.cc on Linux,
// windows/external_diff.cc on Windows).
#pragma once

#include <string>

namespace hp::cli {

// Runs `program` (a command line: `diff -u -N`, or KUBECTL_EXTERNAL_DIFF's value) with the two
// directories as its last arguments, its output on ours: its exit status (0 the same, 1
// different), or 2 when it could not run or was killed.
int RunExternalDiff(const std::string& program, const std::string& live_dir,
                    const std::string& merged_dir);

}  // namespace hp::cli
