// kubectl top pod's output (k8s.io/kubectl/pkg/metricsutil): CPU in millicores over a sample
// window and memory in Mi, one row per pod or per container, for top.cc on both nodes (each
// node's backend reads its jobs: cgroups on Linux, Job Objects on Windows; this computes and
// prints).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/job/job.h"

namespace hp::cli {

// One row: a pod's (container empty) or one container's usage at the start and at the end of
// the sample window.
struct TopSample {
  std::string ns, pod, container;
  job::Stats first, second;
};

// Reads every sample's usage through `read(i)`, waits `window`, reads them again; a read that
// fails leaves zeros. Returns the time between the two reads in seconds (CPU is the CPU time
// used over it, as kubectl's metrics are a rate).
double SampleTwice(std::vector<TopSample>& samples, std::chrono::milliseconds window,
                   const std::function<Result<job::Stats>(size_t i)>& read);

// The table: [NAMESPACE] [POD] NAME CPU(cores) MEMORY(bytes), CPU as "<n>m" (millicores used
// over `seconds`, rounded), memory as "<n>Mi" (the second read, rounded down).
std::string TopPodsTable(const std::vector<TopSample>& samples, double seconds, bool all_namespaces,
                         bool containers, bool no_headers);

// kubectl's error when no pod has metrics: "error: Metrics not available for pods in namespace
// <ns>" ("(all)" with --all-namespaces), with its newline.
std::string TopNoMetrics(const std::string& ns, bool all_namespaces);

}  // namespace hp::cli
