// Times what `hostprocess validate` does on a large input: 10,000 HostProcess pods (a
// multi-document YAML generated in memory: varied names, namespaces, containers, env, volumes,
// resources), decoded (k8s::DecodeString), admitted (k8s::Admit: validation + Pod Security) and
// rendered as kubectl text (k8s::KubectlText), each phase timed over several runs (decode also on
// one thread, and libyaml's parse alone, for what the fast path and the pieces save); then the same
// YAML written to temp files of at most 3 MiB (an input's limit) and run through the built
// binary, `hostprocess validate -f DIR`, end to end (process start, read, decode, admit, print to
// /dev/null).
//
//   validate_bench [-n PODS] [--runs N] [--hostprocess PATH]
//
// Every pod must be allowed (the bench fails otherwise), so the figures are those of the
// success path that a node's manifests take.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench.h"
#include "core/k8s/admission.h"
#include "core/k8s/decode.h"
#include "core/k8s/limits.h"
#include "core/k8s/yaml_internal.h"
#include "core/sys/file.h"

namespace {

using hp::bench::Clock;
using hp::bench::Median;
using hp::bench::Ms;

int Fail(const std::string& what) {
  std::fprintf(stderr, "validate_bench: %s\n", what.c_str());
  return 1;
}

// Pod i: one to three HostProcess containers; every other pod has env and limits, every third
// a hostPath volume, every fifth an init container; ten namespaces.
std::string Pod(int i) {
  std::string s = fmt::format(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hostprocess-{0}\n  namespace: ns-{1}\n"
      "  labels:\n    app: hostprocess\n    shard: \"{2}\"\nspec:\n  hostNetwork: true\n"
      "  nodeSelector:\n    kubernetes.io/os: linux\n  securityContext:\n"
      "    windowsOptions:\n      hostProcess: true\n"
      "      runAsUserName: \"NT AUTHORITY\\\\SYSTEM\"\n",
      i, i % 10, i % 7);
  if (i % 3 == 0)
    s += "  volumes:\n  - name: logs\n    hostPath:\n      path: /var/log\n"
         "      type: Directory\n";
  auto container = [&](const std::string& name) {
    std::string c = fmt::format(
        "  - name: {}\n    image: hostprocess.local/busybox:latest\n"
        "    command: [\"sh\", \"-c\", \"echo {} && sleep 3600\"]\n",
        name, i);
    if (i % 2 == 0)
      c += "    env:\n    - name: POD_NAME\n      valueFrom:\n        fieldRef:\n"
           "          fieldPath: metadata.name\n    - name: LEVEL\n      value: debug\n"
           "    resources:\n      limits:\n        cpu: 500m\n        memory: 128Mi\n";
    if (i % 3 == 0) c += "    volumeMounts:\n    - name: logs\n      mountPath: /logs\n";
    return c;
  };
  if (i % 5 == 0) s += "  initContainers:\n" + container("init");
  s += "  containers:\n";
  for (int c = 0; c <= i % 3; c++) s += container(fmt::format("c{}", c));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int pods = 10000, runs = 5;
#ifdef HP_HOSTPROCESS_BINARY
  std::string binary = HP_HOSTPROCESS_BINARY;
#else
  std::string binary;
#endif
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "-n") {
      pods = std::atoi(argv[i + 1]);
    } else if (a == "--runs") {
      runs = std::atoi(argv[i + 1]);
    } else if (a == "--hostprocess") {
      binary = argv[i + 1];
    } else {
      return Fail("usage: validate_bench [-n PODS] [--runs N] [--hostprocess PATH]");
    }
  }
  if (pods < 1 || runs < 1) return Fail("-n and --runs must be positive");

  auto t0 = Clock::now();
  std::string yaml;
  for (int i = 0; i < pods; i++) {
    if (i > 0) yaml += "---\n";
    yaml += Pod(i);
  }
  double generate_ms = Ms(Clock::now() - t0);

  std::vector<double> decode_ms, decode1_ms, libyaml_ms, admit_ms, render_ms, total_ms;
  size_t containers = 0;
  for (int r = 0; r < runs; r++) {
    auto a = Clock::now();
    auto decoded = hp::k8s::DecodeString(yaml, "bench.yaml");
    auto b = Clock::now();
    if (!decoded) return Fail("decode: " + decoded.error().ToString());
    if (decoded->objects.size() != static_cast<size_t>(pods))
      return Fail(fmt::format("decoded {} objects, want {}", decoded->objects.size(), pods));
    std::vector<hp::k8s::Verdict> verdicts = hp::k8s::Admit(decoded->objects, {});
    auto c = Clock::now();
    size_t text_bytes = 0;
    for (const auto& v : verdicts) {
      if (!v.allowed()) return Fail("rejected: " + hp::k8s::KubectlText(v));
      text_bytes += hp::k8s::KubectlText(v).size() + 1;
    }
    auto d = Clock::now();
    if (text_bytes == 0) return Fail("no output");
    decode_ms.push_back(Ms(b - a));
    admit_ms.push_back(Ms(c - b));
    render_ms.push_back(Ms(d - c));
    total_ms.push_back(Ms(d - a));
    containers = 0;
    for (const auto& o : decoded->objects) containers += o.pod()->spec.containers.size();
    // The same on one thread, and libyaml's share: what the fast path and the pieces save.
    auto e = Clock::now();
    auto one = hp::k8s::DecodeString(yaml, "bench.yaml", {.threads = 1});
    auto f = Clock::now();
    if (!one || one->objects.size() != decoded->objects.size()) return Fail("decode on 1 thread");
    hp::k8s::yaml::Tree tree;
    hp::k8s::yaml::ParseError error;
    auto g = Clock::now();
    if (!hp::k8s::yaml::internal::LibyamlParse(yaml, tree, error, 0))
      return Fail("libyaml: " + error.message);
    auto h = Clock::now();
    decode1_ms.push_back(Ms(f - e));
    libyaml_ms.push_back(Ms(h - g));
  }

  std::printf(
      "validate_bench: %d pods (%zu containers), %.1f MB of YAML (generated in %.0f ms), "
      "median of %d runs\n",
      pods, containers, static_cast<double>(yaml.size()) / 1e6, generate_ms, runs);
  double total = Median(total_ms);
  std::printf("  %-40s %9.1f ms\n", "decode (k8s::DecodeString)", Median(decode_ms));
  std::printf("  %-40s %9.1f ms\n", "  the same on 1 thread", Median(decode1_ms));
  std::printf("  %-40s %9.1f ms\n", "  libyaml alone, 1 thread (no fast path)", Median(libyaml_ms));
  std::printf("  %-40s %9.1f ms\n", "admit (validation + Pod Security)", Median(admit_ms));
  std::printf("  %-40s %9.1f ms\n", "render (kubectl text)", Median(render_ms));
  std::printf("  %-40s %9.1f ms  %8.0f pods/s\n", "total in process", total, pods / (total / 1000));

  if (binary.empty() || ::access(binary.c_str(), X_OK) != 0) {
    std::printf("  hostprocess validate -f: skipped (no binary; pass --hostprocess PATH)\n");
    return 0;
  }
  auto dir = hp::sys::MakeTempDir("hp-validate-bench-");
  if (!dir) return Fail(dir.error().ToString());
  // An input is read up to the API server's request body limit (3 MiB), so the pods go into
  // files of at most that size, validated as one directory.
  std::vector<std::string> files(1);
  for (int i = 0; i < pods; i++) {
    std::string pod = Pod(i);
    if (files.back().size() + 4 + pod.size() > hp::k8s::kMaxRequestBodyBytes) files.emplace_back();
    if (!files.back().empty()) files.back() += "---\n";
    files.back() += pod;
  }
  auto cleanup = [&] { (void)hp::sys::RemoveAll(*dir); };
  for (size_t i = 0; i < files.size(); i++) {
    if (auto w = hp::sys::WriteFile(fmt::format("{}/pods-{:02}.yaml", *dir, i), files[i]); !w) {
      cleanup();
      return Fail(w.error().ToString());
    }
  }
  const std::string& file = *dir;
  std::vector<double> cli_ms;
  for (int r = 0; r < runs; r++) {
    auto a = Clock::now();
    int rc = hp::bench::RunCommand({binary, "validate", "-f", file}, true);
    cli_ms.push_back(Ms(Clock::now() - a));
    if (rc != 0) {
      cleanup();
      return Fail(fmt::format("{} validate -f {}: exit code {} (want 0)", binary, file, rc));
    }
  }
  cleanup();
  double cli = Median(cli_ms);
  std::printf("  %-40s %9.1f ms  %8.0f pods/s\n",
              fmt::format("hostprocess validate -f DIR ({} files)", files.size()).c_str(), cli,
              pods / (cli / 1000));
  return 0;
}
