// `hostprocess pull REF`: fetch an image from an OCI distribution registry into the node's
// image store, the same verb, flags and output on both builds (pull_node.h keeps the image).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>

#include "cli/hostprocess/cli_output.h"
#include "cli/hostprocess/image_cli.h"
#include "cli/hostprocess/pull_node.h"

namespace hp::cli {
namespace {

struct PullArgs {
  std::string ref;
  image::PullOptions opts;
  bool quiet = false;
  int64_t timeout_s = 60;
};

// One status line on a terminal, redrawn at most 10 times a second.
class ProgressLine {
 public:
  void Update(const image::PullProgress& p) {
    std::lock_guard lk(mu_);
    blobs_[p.digest] = p;
    auto now = std::chrono::steady_clock::now();
    if (!p.finished && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    int64_t done = 0, total = 0;
    int finished = 0;
    for (const auto& [d, b] : blobs_) {
      done += b.done;
      total += b.total;
      finished += b.finished;
    }
    Print(stderr, fmt::format("\r\033[Kpulling: {}/{} blobs, {} / {}", finished, blobs_.size(),
                              image_cli::HumanSize(done), image_cli::HumanSize(total)));
  }
  void End() { Print(stderr, "\r\033[K"); }

 private:
  std::mutex mu_;
  std::map<std::string, image::PullProgress> blobs_;
  std::chrono::steady_clock::time_point last_{};
};

int RunPull(const GlobalOptions& g, PullArgs& a) {
  auto line = std::make_shared<ProgressLine>();
  bool tty = !a.quiet && image_cli::StderrIsTty();
  if (tty) a.opts.progress = [line](const image::PullProgress& p) { line->Update(p); };
  a.opts.timeout = std::chrono::seconds(a.timeout_s);
  auto r = PullOnNode(g, a.ref, a.opts);
  if (tty) line->End();
  if (!r) return image_cli::Fail(r.error());
  for (const std::string& w : r->warnings) Print(stderr, "Warning: " + w + "\n");
  if (!a.quiet)
    Print(stdout, fmt::format("Pulled {} ({}): {} blob(s) downloaded, {} already present, {}{}\n",
                              r->image.name, r->image.manifest_digest, r->blobs_downloaded,
                              r->blobs_present, image_cli::HumanSize(r->bytes_downloaded),
                              r->bytes_resumed ? fmt::format(", resumed {}",
                                                             image_cli::HumanSize(r->bytes_resumed))
                                               : ""));
  else
    Print(stdout, r->image.name + "\n");
  return 0;
}

CommandRegistration pull_verb(50, {"pull"}, [](CLI::App& app, GlobalOptions& g, int& rc) {
  auto* cmd = app.add_subcommand("pull", "Pull an image from a registry");
  auto a = std::make_shared<PullArgs>();
  cmd->add_option("IMAGE", a->ref, "Image reference, e.g. busybox or 127.0.0.1:5000/x:tag")
      ->required();
  cmd->add_option("--platform", a->opts.platform, "os/arch[/variant] (default: this host)");
  cmd->add_flag("--insecure", a->opts.insecure,
                "Allow plain HTTP to a registry name that resolves to loopback only");
  cmd->add_option("--registry-config", a->opts.auth_config,
                  "docker config.json with credentials (default $DOCKER_CONFIG/config.json or "
                  "~/.docker/config.json)");
  cmd->add_option("--parallel", a->opts.parallel, "Concurrent layer downloads")
      ->capture_default_str();
  cmd->add_option("--timeout", a->timeout_s,
                  "Seconds for a manifest or token request with its retries; a blob gets this "
                  "plus its size at --min-rate")
      ->check(CLI::Range(int64_t{1}, int64_t{7} * 24 * 3600))
      ->capture_default_str();
  cmd->add_option("--min-rate", a->opts.min_bytes_per_second,
                  "Slowest download rate (bytes/s) a blob's deadline allows for")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40))
      ->capture_default_str();
  cmd->add_option("--max-layer-size", a->opts.max_layer_bytes,
                  "Refuse layers announced larger than this (bytes)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 50))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", a->quiet, "Print only the image name");
  cmd->callback([&g, &rc, a] { rc = RunPull(g, *a); });
});

}  // namespace
}  // namespace hp::cli
