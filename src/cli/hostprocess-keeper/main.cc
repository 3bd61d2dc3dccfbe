// hostprocess-keeper RECORD LOCK PROGRAM [ARG...]: the keeper of a foreground `hostprocess run`
// (hp/agent foreground.h), started by `run` before it creates anything, with fd 3 the read end
// of a pipe only `run` writes to. It waits until the pipe ends (`run` exited or was killed).
//
// - `run` wrote kRunFinished before it ended: it removed its record and lock itself, and the
//   keeper exits at once.
// - RECORD is gone (the run finished and removed it) or was never written (the run was killed
//   while it set up): what a run killed while it set up leaves is removed (the lock under its
//   temporary name, LOCK + ".new", and RECORD's atomic-write temporaries, RECORD + ".tmp-*",
//   as hp/agent FinishKilledRun does without a record), and the keeper exits.
// - RECORD is there: `run` died before its own teardown. The keeper takes the run's lock (LOCK,
//   or LOCK + ".new" if the run died before it renamed it), waiting while another holder ends: the
//   dying run's last descriptors, or a command that is reaping the run itself (then the record
//   is gone once it has the lock, and it exits). With the lock held, PROGRAM (the clean-up:
//   `hostprocess __finish-run`) is exec'd, so that the next command waits for it.
//
// A program of its own, linked statically and using nothing but a few system calls, so that a
// `run` starts it for about the cost of an exec (docs/performance.md) rather than forking a copy
// of itself; `run` starts it in a session of its own, out of reach of the terminal's signals.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

namespace {

constexpr int kPipeFd = 3;
// What a run that removed its record and lock writes before it lets its keeper go
// (ForegroundRun::Finish, src/core/agent/foreground.cc: the same byte).
constexpr char kRunFinished = 'F';
// How long the lock is waited for: the reaping command's own bound for a keeper (30 s), so that
// one of the two always does the clean-up.
constexpr int kLockWaitMs = 30000;

void Say(const char* message) {
  const char* prefix = "hostprocess-keeper: ";
  if (::write(2, prefix, ::strlen(prefix)) < 0 || ::write(2, message, ::strlen(message)) < 0)
    return;
  (void)::write(2, "\n", 1);
}

// FinishKilledRun's work without a record (foreground.h), in system calls: `fresh`, and the
// files of `record`'s directory named after it plus ".tmp-".
void RemoveSetupFiles(const char* record, const char* fresh) {
  (void)::unlink(fresh);  // ENOENT after a run that finished: it renamed its lock
  const char* slash = ::strrchr(record, '/');
  if (slash == nullptr || slash - record >= 4000) return;
  char dir[4096], mark[4096];
  size_t dir_len = static_cast<size_t>(slash - record);
  ::memcpy(dir, record, dir_len);
  dir[dir_len] = '\0';
  size_t mark_len = static_cast<size_t>(::snprintf(mark, sizeof(mark), "%s.tmp-", slash + 1));
  if (mark_len >= sizeof(mark)) return;
  DIR* d = ::opendir(dir);
  if (d == nullptr) return;
  int dfd = ::dirfd(d);
  while (struct dirent* e = ::readdir(d)) {
    if (::strncmp(e->d_name, mark, mark_len) == 0) (void)::unlinkat(dfd, e->d_name, 0);
  }
  ::closedir(d);
}

bool Exists(const char* path) {
  struct stat st;
  return ::stat(path, &st) == 0;
}

// The lock, opened without close-on-exec (PROGRAM keeps it), and taken; -1 when it is gone (the
// run was reaped) or still held after kLockWaitMs.
int TakeLock(const char* lock, const char* fresh) {
  int fd = ::open(lock, O_RDWR);
  if (fd < 0) fd = ::open(fresh, O_RDWR);
  if (fd < 0) return -1;
  for (int waited = 0; waited < kLockWaitMs; waited += 5) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return fd;
    struct timespec step = {0, 5 * 1000 * 1000};
    ::nanosleep(&step, nullptr);
  }
  ::close(fd);
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    Say("usage: hostprocess-keeper RECORD LOCK PROGRAM [ARG...] (started by hostprocess run)");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  char c;
  bool finished = false;
  while (true) {
    ssize_t n = ::read(kPipeFd, &c, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
    if (n == 1 && c == kRunFinished) finished = true;
  }
  ::close(kPipeFd);
  if (finished) return 0;
  const char* record = argv[1];
  const char* lock = argv[2];
  size_t n = ::strlen(lock);
  if (n > 4000) return 2;
  char fresh[4096];
  ::memcpy(fresh, lock, n);
  ::memcpy(fresh + n, ".new", sizeof(".new"));
  if (!Exists(record)) {
    RemoveSetupFiles(record, fresh);
    return 0;
  }
  if (TakeLock(lock, fresh) < 0) return 0;  // reaped by another command, or it is still at it
  if (!Exists(record)) return 0;            // the command that reaped it has finished
  ::execv(argv[3], argv + 3);
  Say("exec of the clean-up failed: the next hostprocess command removes what the run left");
  return 1;
}
