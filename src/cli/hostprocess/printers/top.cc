#include "cli/hostprocess/printers/top.h"

#include <fmt/format.h>

#include <thread>

#include "cli/hostprocess/printers/table.h"

namespace hp::cli {

double SampleTwice(std::vector<TopSample>& samples, std::chrono::milliseconds window,
                   const std::function<Result<job::Stats>(size_t i)>& read) {
  for (size_t i = 0; i < samples.size(); ++i) {
    auto st = read(i);
    if (st) samples[i].first = *st;
  }
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(window);
  for (size_t i = 0; i < samples.size(); ++i) {
    auto st = read(i);
    if (st) samples[i].second = *st;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string TopPodsTable(const std::vector<TopSample>& samples, double seconds, bool all_namespaces,
                         bool containers, bool no_headers) {
  // kubectl: NAME CPU(cores) MEMORY(bytes); with --containers: POD NAME CPU(cores) ...
  std::vector<std::string> header;
  if (all_namespaces) header.push_back("NAMESPACE");
  if (containers) header.push_back("POD");
  for (const char* h : {"NAME", "CPU(cores)", "MEMORY(bytes)"}) header.push_back(h);
  Table table(header);
  for (const TopSample& s : samples) {
    uint64_t a = s.first.cpu_user_ns + s.first.cpu_system_ns;
    uint64_t b = s.second.cpu_user_ns + s.second.cpu_system_ns;
    double millicores = b > a && seconds > 0 ? static_cast<double>(b - a) / 1e6 / seconds : 0;
    std::vector<std::string> row;
    if (all_namespaces) row.push_back(s.ns);
    row.push_back(s.pod);
    if (containers) row.push_back(s.container);
    row.push_back(fmt::format("{}m", static_cast<int64_t>(millicores + 0.5)));
    row.push_back(fmt::format("{}Mi", s.second.memory_current_bytes / (1024 * 1024)));
    table.AddRow(row);
  }
  return table.Render(no_headers);
}

std::string TopNoMetrics(const std::string& ns, bool all_namespaces) {
  return "error: Metrics not available for pods in namespace " +
         (all_namespaces ? std::string("(all)") : ns) + "\n";
}

}  // namespace hp::cli
