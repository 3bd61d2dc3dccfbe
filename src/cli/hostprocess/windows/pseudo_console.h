// `exec -t` on Windows: the command runs in a pseudo console (CreatePseudoConsole, Windows 10
// 1809 and later) as large as this process's console window; this process's console is put in
// raw VT mode and its keys are copied into the pseudo console, whose output (VT sequences) is
// copied to stdout, until the command ends (docs/windows.md).
#pragma once

#include <cstdint>
#include <functional>

#include "core/base/result.h"

namespace hp::cli::windows_node {

// True when this process's stdin is a console (kubectl's "input is a terminal").
bool StdinIsConsole();

// Makes a pseudo console, calls `run` with it (an HPCON, for SpawnSpec::pseudo_console; `run`
// starts the command in it and waits for it), then closes it once its last output is copied.
// The console's modes are restored on every path.
Result<uint32_t> RunInPseudoConsole(const std::function<Result<uint32_t>(void* hpc)>& run);

}  // namespace hp::cli::windows_node
