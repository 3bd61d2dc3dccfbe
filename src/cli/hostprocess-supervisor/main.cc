// hostprocess-supervisor ROOT KEY [GO_FD]: one pod's supervisor (hp/agent supervisor.h),
// started detached by `hostprocess apply`, which passes the fd of its go (SupervisorOptions). A
// binary of its own so that each pod costs little memory: it loads only what supervising
// needs (no registry client, no CLI), and glibc keeps one malloc arena for its few threads.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/agent/supervisor.h"

int main(int argc, char** argv) {
  int go_fd = -1;
  if (argc == 4) {
    char* end = nullptr;
    long fd = std::strtol(argv[3], &end, 10);
    if (end != argv[3] && *end == '\0' && fd >= 3 && fd < 1024) go_fd = static_cast<int>(fd);
  }
  if ((argc != 3 && argc != 4) || (argc == 4 && go_fd < 0)) {
    std::fprintf(stderr,
                 "usage: hostprocess-supervisor ROOT KEY [GO_FD] (started by hostprocess apply)\n");
    return 2;
  }
  ::mallopt(M_ARENA_MAX, 1);
  return hp::agent::RunSupervisor({argv[1], argv[2], go_fd});
}
