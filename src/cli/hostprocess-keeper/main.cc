// hostprocess-keeper RECORD PROGRAM [ARG...]: the keeper of a foreground `hostprocess run`
// (hp/agent foreground.h), started by `run` with fd 3 the read end of a pipe only `run` writes
// to, and fd 4 the run's flock(2)ed lock file. It waits until the pipe ends (`run` exited or was
// killed); if RECORD is still there, `run` died before its own teardown, and PROGRAM (the
// clean-up: `hostprocess __finish-run`) is exec'd with the lock still held; else it exits, and
// removes the run's lock under its temporary name (RECORD without `.json`, plus `.lock.new`): a
// run killed after it started the keeper but before it wrote its record leaves only that file.
//
// A program of its own, linked statically and using nothing but a few system calls, so that a
// `run` starts it for about the cost of an exec (docs/performance.md) rather than forking a copy
// of itself; `run` starts it in a session of its own, out of reach of the terminal's signals.
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr int kPipeFd = 3;

void Say(const char* message) {
  const char* prefix = "hostprocess-keeper: ";
  if (::write(2, prefix, ::strlen(prefix)) < 0 || ::write(2, message, ::strlen(message)) < 0)
    return;
  (void)::write(2, "\n", 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    Say("usage: hostprocess-keeper RECORD PROGRAM [ARG...] (started by hostprocess run)");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  char c;
  while (true) {
    ssize_t n = ::read(kPipeFd, &c, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  struct stat st;
  if (::stat(argv[1], &st) != 0) {  // `run` removed its record, or never wrote it
    size_t n = ::strlen(argv[1]);
    constexpr char kJson[] = ".json", kFresh[] = ".lock.new";
    constexpr size_t kJsonLen = sizeof(kJson) - 1;
    if (n > kJsonLen && ::strcmp(argv[1] + n - kJsonLen, kJson) == 0 && n < 4000) {
      char fresh[4096];
      ::memcpy(fresh, argv[1], n - kJsonLen);
      ::memcpy(fresh + n - kJsonLen, kFresh, sizeof(kFresh));
      (void)::unlink(fresh);  // ENOENT after a run that finished: it renamed the lock
    }
    return 0;
  }
  ::close(kPipeFd);
  ::execv(argv[2], argv + 2);
  Say("exec of the clean-up failed: the next hostprocess command removes what the run left");
  return 1;
}
