// The containerd CRI runtime handler of docs/kubernetes.md, as a node configures it: the docs'
// config.toml snippet, read from the docs at run time (BinaryName -> the built runtime, Root ->
// the temp dir, every other line as written), in a generated config with the CRI plugin enabled
// and a private root/state/socket, loaded by Debian's containerd 1.6.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <map>

#include "core/base/strings.h"
#include "core/sys/file.h"
#include "e2e/runtime/harness.h"

namespace hp::e2e {
namespace {

constexpr std::string_view kRuntimes = "plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.";

// containerd 1.6 replaces its default `containerd.runtimes` map (whose only entry is runc, the
// `default_runtime_name`) with the one of config.toml, and Debian's stock
// /etc/containerd/config.toml names no runtime; so a config with the docs' snippet alone leaves
// the CRI plugin failing (see DocsSnippetAloneLeavesCriWithoutRunc). A node keeps runc for every
// other pod, with this entry as `containerd config default` writes it.
constexpr std::string_view kRuncEntry =
    R"([plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
)";

// TOML tables ("" for the top level) -> their one-line `key = value`s, values as written.
using Tables = std::map<std::string, std::map<std::string, std::string>>;

Tables ParseTables(const std::string& toml) {
  Tables out;
  std::string table;
  for (const std::string& raw : Split(toml, '\n')) {
    std::string line(TrimSpace(raw));
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      table = line.substr(1, line.size() - 2);
      out[table];
      continue;
    }
    size_t eq = line.find(" = ");
    if (eq != std::string::npos) out[table][line.substr(0, eq)] = line.substr(eq + 3);
  }
  return out;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// The first ```toml block of docs/kubernetes.md that defines a CRI runtime.
std::string DocsSnippet(std::string* error) {
  auto md = sys::ReadFile(HP_SOURCE_DIR "/docs/kubernetes.md");
  if (!md) {
    *error = "read docs/kubernetes.md: " + md.error().ToString();
    return "";
  }
  for (size_t pos = md->find("```toml\n"); pos != std::string::npos;
       pos = md->find("```toml\n", pos + 1)) {
    size_t begin = pos + 8;
    size_t end = md->find("\n```", begin);
    if (end == std::string::npos) break;
    std::string block = md->substr(begin, end + 1 - begin);
    if (block.find(kRuntimes) != std::string::npos) return block;
  }
  *error = "docs/kubernetes.md has no ```toml block with a CRI runtime";
  return "";
}

// `handler: NAME` of the docs' RuntimeClass.
std::string DocsRuntimeClassHandler() {
  auto md = sys::ReadFile(HP_SOURCE_DIR "/docs/kubernetes.md");
  if (!md) return "";
  for (const std::string& line : Split(*md, '\n'))
    if (StartsWith(line, "handler: ")) {
      std::string rest(TrimSpace(line.substr(9)));
      return rest.substr(0, rest.find_first_of(" #"));
    }
  return "";
}

// The runtime (handler) names the snippet's tables define.
// The runtimes the snippet adds, runc (which a node keeps for its other pods) aside.
std::vector<std::string> Handlers(const Tables& tables) {
  std::vector<std::string> out;
  for (const auto& [table, keys] : tables)
    if (StartsWith(table, kRuntimes) && table.find('.', kRuntimes.size()) == std::string::npos &&
        table.substr(kRuntimes.size()) != "runc")
      out.push_back(table.substr(kRuntimes.size()));
  return out;
}

// The snippet without its runc table (the handler's own lines only).
std::string WithoutRunc(const std::string& snippet) {
  std::string out;
  bool skip = false;
  for (const std::string& line : Split(snippet, '\n')) {
    std::string_view t = TrimSpace(line);
    if (!t.empty() && t[0] == '[') skip = t == "[" + std::string(kRuntimes) + "runc]";
    if (!skip) out += line + "\n";
  }
  return out;
}

// The snippet for this node: BinaryName is the built runtime, Root (the runtime's state dir,
// under the host's /run/containerd in the docs) is below `dir`; counts the lines replaced.
std::string ForThisNode(const std::string& snippet, const std::string& dir, int* binary_names,
                        int* roots) {
  std::string out;
  for (const std::string& line : Split(snippet, '\n')) {
    std::string_view t = TrimSpace(line);
    std::string indent = line.substr(0, line.find_first_not_of(" \t"));
    if (StartsWith(t, "BinaryName = ")) {
      out += indent + "BinaryName = " + Quoted(HP_RUNTIME_BINARY) + "\n";
      ++*binary_names;
    } else if (StartsWith(t, "Root = ")) {
      out += indent + "Root = " + Quoted(dir + "/hostprocess") + "\n";
      ++*roots;
    } else {
      out += line + "\n";
    }
  }
  return out;
}

// `ctr plugins ls` row of io.containerd.grpc.v1 cri: its STATUS, or "" when not listed.
std::string CriPluginStatus(const Containerd& ctrd, std::string* listing) {
  auto ls = e2e::Run({"ctr", "-a", ctrd.socket(), "plugins", "ls"}, 30);
  *listing = ls.output;
  for (const std::string& line : Split(ls.output, '\n')) {
    std::vector<std::string> cols;
    for (const std::string& w : Split(line, ' '))
      if (!w.empty()) cols.push_back(w);
    if (cols.size() >= 4 && cols[0] == "io.containerd.grpc.v1" && cols[1] == "cri")
      return cols.back();
  }
  return "";
}

// Lines of containerd's log that mention the CRI plugin failing.
std::string CriErrors(const Containerd& ctrd) {
  std::string out;
  for (const std::string& line : Split(sys::ReadFile(ctrd.log_path()).value_or(""), '\n'))
    if (line.find("io.containerd.grpc.v1.cri") != std::string::npos &&
        (line.find("level=warning") != std::string::npos ||
         line.find("level=error") != std::string::npos))
      out += line + "\n";
  return out;
}

class CriHandlerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    if (!sys::Exists("/usr/bin/containerd") || e2e::Run({"ctr", "--version"}).exit_code != 0)
      GTEST_SKIP() << "containerd/ctr are not installed";
    std::string error;
    snippet_ = DocsSnippet(&error);
    ASSERT_FALSE(snippet_.empty()) << error;
    auto handlers = Handlers(ParseTables(snippet_));
    ASSERT_EQ(handlers.size(), 1u) << snippet_;
    handler_ = handlers[0];
  }

  bool SnippetHasRunc() const {
    return ParseTables(snippet_).count(std::string(kRuntimes) + "runc") != 0;
  }

  std::string snippet_, handler_;
};

TEST_F(CriHandlerE2E, DocsHandlerLoadsWithCriEnabled) {
  EXPECT_EQ(handler_, "hostprocess");
  EXPECT_EQ(DocsRuntimeClassHandler(), handler_) << "the RuntimeClass must name the handler";
  // Host dirs a containerd uses by default: this one must not create them.
  std::map<std::string, bool> host_dirs;
  for (const char* p : {"/var/lib/containerd", "/run/containerd", "/opt/containerd"})
    host_dirs[p] = sys::Exists(p);

  Containerd ctrd;
  int binary_names = 0, roots = 0;
  std::string node_snippet;
  ContainerdOptions options;
  options.cri = true;
  options.extra_toml = [&](const std::string& dir) {
    node_snippet = ForThisNode(snippet_, dir, &binary_names, &roots);
    return node_snippet + std::string(SnippetHasRunc() ? "" : kRuncEntry);
  };
  std::string err = ctrd.Start(options);
  ASSERT_TRUE(err.empty()) << err;
  EXPECT_EQ(binary_names, 1);
  EXPECT_EQ(roots, 1);

  // The generated config: CRI not disabled, nothing of the host's containerd dirs.
  std::string config = sys::ReadFile(ctrd.config_path()).value_or("");
  std::cout << "generated " << ctrd.config_path() << ":\n" << config;
  EXPECT_EQ(ParseTables(config)[""]["disabled_plugins"].find("io.containerd.grpc.v1.cri"),
            std::string::npos);
  EXPECT_EQ(config.find("/var/lib/containerd"), std::string::npos);
  EXPECT_EQ(config.find("/run/containerd"), std::string::npos);

  // containerd's view of it: the handler with the runc shim and our binary, and every other
  // key of the docs' snippet as written.
  auto dump = e2e::Run({"containerd", "--config", ctrd.config_path(), "config", "dump"}, 60);
  ASSERT_EQ(dump.exit_code, 0) << dump.output;
  Tables dumped = ParseTables(dump.output);
  EXPECT_EQ(dumped[""]["root"], Quoted(ctrd.dir() + "/root"));
  EXPECT_EQ(dumped[""]["state"], Quoted(ctrd.dir() + "/state"));
  EXPECT_EQ(dumped[""]["disabled_plugins"].find("io.containerd.grpc.v1.cri"), std::string::npos);
  const std::string table = std::string(kRuntimes) + handler_;
  ASSERT_EQ(dumped.count(table), 1u) << dump.output;
  EXPECT_EQ(dumped[table]["runtime_type"], "\"io.containerd.runc.v2\"") << dump.output;
  EXPECT_EQ(dumped[table + ".options"]["BinaryName"], Quoted(HP_RUNTIME_BINARY)) << dump.output;
  for (const auto& [t, keys] : ParseTables(node_snippet))
    for (const auto& [key, value] : keys) {
      ASSERT_EQ(dumped.count(t), 1u) << t << "\n" << dump.output;
      EXPECT_EQ(dumped[t][key], value) << t << " " << key;
    }

  // The CRI plugin is up.
  std::string listing;
  EXPECT_EQ(CriPluginStatus(ctrd, &listing), "ok") << listing << CriErrors(ctrd);
  EXPECT_EQ(CriErrors(ctrd).find("failed to load plugin"), std::string::npos) << CriErrors(ctrd);

  // A pod sandbox through the handler needs a CRI client; Debian has no cri-tools package.
  if (e2e::Run({"crictl", "--version"}).exit_code != 0)
    std::cout << "crictl is not installed: no pod sandbox run with runtime handler " << handler_
              << "\n";

  const std::string dir = ctrd.dir();
  ctrd.Stop();
  EXPECT_FALSE(sys::Exists(dir));
  for (const auto& [p, existed] : host_dirs) {
    if (!existed) {
      EXPECT_FALSE(sys::Exists(p)) << p << " was created";
    }
  }
}

// Why the docs keep a runc entry: the handler's lines alone, in a config that names no other
// runtime (as Debian's stock config.toml), leaves containerd up but the CRI plugin failed.
TEST_F(CriHandlerE2E, DocsSnippetAloneLeavesCriWithoutRunc) {
  std::string alone = WithoutRunc(snippet_);
  ASSERT_TRUE(Handlers(ParseTables(alone)).size() == 1u &&
              !ParseTables(alone).count(std::string(kRuntimes) + "runc"))
      << alone;
  Containerd ctrd;
  int binary_names = 0, roots = 0;
  ContainerdOptions options;
  options.cri = true;
  options.extra_toml = [&](const std::string& dir) {
    return ForThisNode(alone, dir, &binary_names, &roots);
  };
  std::string err = ctrd.Start(options);
  ASSERT_TRUE(err.empty()) << err;
  std::string listing;
  EXPECT_EQ(CriPluginStatus(ctrd, &listing), "error") << listing;
  EXPECT_NE(CriErrors(ctrd).find("no corresponding runtime configured in `containerd.runtimes` "
                                 "for `containerd` `default_runtime_name = \\\"runc\\\""),
            std::string::npos)
      << CriErrors(ctrd);
}

}  // namespace
}  // namespace hp::e2e
