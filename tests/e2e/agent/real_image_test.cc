// `hostprocess apply` of a DaemonSet on a real Debian image (scripts/build-debian-test-image.sh),
// run by the pod supervisor as Local service: the image's loader and libraries, its
// /etc/alternatives chain, a script whose interpreter only the image has, and the service account
// token through the image's /var/run -> /run.
#include <cstdlib>

#include "e2e/agent/fixture.h"

namespace hp::agent::testing {
namespace {

TEST_F(AgentE2E, RealDebianImageDaemonSetRunsAsLocalService) {
  const char* tar = std::getenv("HP_DEBIAN_IMAGE");
  if (!tar || !*tar) GTEST_SKIP() << "HP_DEBIAN_IMAGE is not set (scripts/test.sh sets it)";
  CliResult imp = Hp(std::string("import '") + tar + "' debian:lua");
  ASSERT_EQ(imp.rc, 0) << imp.err;
  std::string yaml = R"Y(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: lua, namespace: kube-system}
spec:
  selector: {matchLabels: {app: lua}}
  template:
    metadata: {labels: {app: lua}}
    spec:
      hostNetwork: true
      terminationGracePeriodSeconds: 2
      securityContext:
        windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\Local service"}
      containers:
      - name: lua
        image: debian:lua
        command: [lua, -e, 'io.stdout:setvbuf("no"); print(_VERSION); print(io.open("var/run/secrets/kubernetes.io/serviceaccount/namespace"):read("a")); os.execute("sleep 100")']
      - name: script
        image: debian:lua
        command: [hello.lua, ds]
)Y";
  CliResult r = Apply(yaml);
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(WaitFor(
      [&] { return Hp("logs -n kube-system ds/lua -c lua").out == "Lua 5.4\nkube-system\n"; },
      20000))
      << Hp("logs -n kube-system ds/lua -c lua").out << Hp("describe pod -n kube-system").out;
  ASSERT_TRUE(WaitFor(
      [&] { return Hp("logs -n kube-system ds/lua -c script").out == "hello from Lua 5.4 ds\n"; },
      20000))
      << Hp("logs -n kube-system ds/lua -c script").out;
  EXPECT_EQ(Hp("delete ds lua -n kube-system").rc, 0);
}

}  // namespace
}  // namespace hp::agent::testing
