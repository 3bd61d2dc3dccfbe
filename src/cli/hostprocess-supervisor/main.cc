// hostprocess-supervisor ROOT KEY: one pod's supervisor (hp/agent supervisor.h), started
// detached by `hostprocess apply`. A binary of its own so that each pod costs little memory:
// it loads only what supervising needs (no registry client, no CLI), and glibc keeps one
// malloc arena for its few threads.
#include <malloc.h>

#include <cstdio>
#include <string>

#include "core/agent/supervisor.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hostprocess-supervisor ROOT KEY (started by hostprocess apply)\n");
    return 2;
  }
  ::mallopt(M_ARENA_MAX, 1);
  return hp::agent::RunSupervisor({argv[1], argv[2]});
}
