#include "cli/hostprocess/windows/runs.h"

#include <windows.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/hostprocess/windows/container.h"
#include "cli/hostprocess/windows/pod_state.h"
#include "core/base/strings.h"
#include "core/sys/file.h"
#include "core/sys/windows/private_dir.h"
#include "core/sys/windows/wide.h"

namespace hp::cli::windows_node {
namespace {

using nlohmann::json;

std::string RunsDir(const std::string& root) { return root + "\\runs"; }

bool IsRunPath(const std::string& path) {
  size_t sep = path.find_last_of("\\/");
  std::string_view name = std::string_view(path).substr(sep == std::string::npos ? 0 : sep + 1);
  if (name.size() == 32 + strlen(".volumes") && name.substr(32) == ".volumes")
    name = name.substr(0, 32);
  return sep != std::string::npos && name.size() == 32 &&
         name.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

Result<ForegroundRun> ForegroundRun::Begin(const std::string& root) {
  TRY(sys::EnsurePrivateDirectory(root));  // its records are acted on with our rights
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(sys::Widen(RunsDir(root))), ec);
  if (ec) return Err(ErrorCode::kInternal, "create \"{}\": {}", RunsDir(root), ec.message());
  DWORD pid = GetCurrentProcessId();
  json record = {{"pid", pid},
                 {"startTime", ProcessCreationTime(GetCurrentProcess())},
                 {"paths", json::array()}};
  std::string file = RunsDir(root) + "\\" + std::to_string(pid) + ".json";
  TRY(WriteJson(file, record));
  return ForegroundRun(file, record.dump());
}

ForegroundRun::~ForegroundRun() {
  if (!file_.empty() && !keep_) (void)sys::RemoveAll(file_);
}

Status ForegroundRun::Add(const std::string& path) {
  json record = json::parse(json_);
  record["paths"].push_back(path);
  TRY(WriteJson(file_, record));
  json_ = record.dump();
  return Ok();
}

std::vector<std::string> ReapForegroundRuns(const std::string& root) {
  std::vector<std::string> left;
  for (const std::string& name : sys::ListDir(RunsDir(root)).value_or(std::vector<std::string>{})) {
    if (!EndsWith(name, ".json")) continue;
    std::string file = RunsDir(root) + "\\" + name;
    auto record = ReadJson(file);
    if (!record || !record->is_object()) continue;  // being written: the next reap sees it
    if (CheckProcess(record->value("pid", uint32_t{0}), record->value("startTime", uint64_t{0}), 0,
                     nullptr) != Liveness::kGone)
      continue;  // running (or not ours to judge): its volumes stay
    bool all = true;
    for (const json& p : record->value("paths", json::array())) {
      // Only what a run makes: `<volume root>\<32 hex>` and `<volume root>\<32 hex>.volumes`.
      if (!p.is_string() || !IsRunPath(p.get<std::string>())) continue;
      // A container volume's name is its container's id: its job and ephemeral user go first.
      const std::string& path = p.get<std::string>();
      std::string id = path.substr(path.find_last_of("\\/") + 1);
      std::vector<std::string> what =
          id.size() == 32        ? RemoveLeftovers(path, id, std::chrono::milliseconds(0))
          : sys::RemoveAll(path) ? std::vector<std::string>{}
                                 : std::vector<std::string>{"\"" + path + "\""};
      for (std::string& w : what) left.push_back(std::move(w));
      all = all && what.empty();
    }
    if (all) (void)sys::RemoveAll(file);
  }
  return left;
}

}  // namespace hp::cli::windows_node
