// Probe thresholds and timing defaults, and the tcpSocket/httpGet handlers against loopback.
#include "core/agent/probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace hp::agent {
namespace {

TEST(Probe, KubeletDefaultsAndThresholds) {
  k8s::Probe p;
  ProbeTiming t = TimingOf(p);
  EXPECT_EQ(t.initial_delay_ms, 0);
  EXPECT_EQ(t.period_ms, 10000);
  EXPECT_EQ(t.timeout_ms, 1000);
  EXPECT_EQ(t.success_threshold, 1);
  EXPECT_EQ(t.failure_threshold, 3);
  p.period_seconds = 2;
  p.failure_threshold = 2;
  p.success_threshold = 2;
  t = TimingOf(p);
  EXPECT_EQ(t.period_ms, 2000);

  ProbeState s{true, 0, 0, 0};  // liveness starts as success
  EXPECT_FALSE(s.Record(false, t));
  EXPECT_TRUE(s.result);
  EXPECT_TRUE(s.Record(false, t));  // second failure in a row flips it
  EXPECT_FALSE(s.result);
  EXPECT_FALSE(s.Record(true, t));
  EXPECT_TRUE(s.Record(true, t));
  EXPECT_TRUE(s.result);
  EXPECT_FALSE(s.Record(false, t));  // failures restart from zero after a success
  EXPECT_TRUE(s.result);
}

TEST(Probe, ResolvesNamedPorts) {
  k8s::Container c;
  c.ports.push_back({"http", std::nullopt, 8080, "", ""});
  k8s::IntOrString named{true, 0, "http"};
  EXPECT_EQ(ResolvePort(named, c), 8080);
  EXPECT_EQ(ResolvePort(k8s::IntOrString{false, 99, ""}, c), 99);
  EXPECT_EQ(ResolvePort(k8s::IntOrString{true, 0, "nope"}, c), 0);
}

// kubelet's exec probe verdict, one rule for the Linux and the Windows transports.
TEST(Probe, ExecOutcomeIsTheOutputOrTheExitCode) {
  std::vector<std::string> cmd = {"cmd", "/c", "exit 1"};
  EXPECT_TRUE(ExecProbeOutcome(cmd, false, 0, "all well\n").success);
  ProbeOutcome o = ExecProbeOutcome(cmd, false, 1, " \r\nnot ready: db down\r\n");
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.message, "not ready: db down");  // the output, trimmed, as kubelet's event has it
  EXPECT_EQ(ExecProbeOutcome(cmd, false, 1, " \r\n").message,
            "command \"cmd /c exit 1\" exited with 1");
  EXPECT_EQ(ExecProbeOutcome(cmd, false, 3221225477, "").message,  // a Windows NTSTATUS
            "command \"cmd /c exit 1\" exited with 3221225477");
  EXPECT_EQ(ExecProbeOutcome(cmd, true, 0, "partial").message,
            "command \"cmd /c exit 1\" timed out");
  std::string big(3 * kExecProbeOutputLimit, 'x');
  EXPECT_EQ(ExecProbeOutcome(cmd, false, 2, big).message, std::string(kExecProbeOutputLimit, 'x'));
}

// A loopback listener on an ephemeral port; answers one HTTP request with `status`.
struct Listener {
  int fd = -1;
  int port = 0;
  std::thread t;
  explicit Listener(int status) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    EXPECT_EQ(::listen(fd, 4), 0);
    t = std::thread([this, status] {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[1024];
      (void)!::read(c, buf, sizeof buf);
      std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n";
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    });
  }
  ~Listener() {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    t.join();
  }
};

TEST(Probe, TcpAndHttpHandlers) {
  k8s::Container c;
  ProbeContext ctx{"127.0.0.1", &c, nullptr, nullptr};
  {
    Listener ok(200);
    k8s::Probe p;
    p.handler.http_get = k8s::HTTPGetAction{"/healthz", {false, ok.port, ""}, "", "", {}};
    ProbeOutcome o = RunProbe(p, ctx);
    EXPECT_TRUE(o.success) << o.message;
  }
  {
    Listener bad(500);
    k8s::Probe p;
    p.handler.http_get = k8s::HTTPGetAction{"/", {false, bad.port, ""}, "", "", {}};
    ProbeOutcome o = RunProbe(p, ctx);
    EXPECT_FALSE(o.success);
    EXPECT_EQ(o.message, "HTTP probe failed with statuscode: 500");
  }
  int closed_port = 0;
  {
    Listener tcp(200);
    k8s::Probe p;
    p.handler.tcp_socket = k8s::TCPSocketAction{{false, tcp.port, ""}, ""};
    EXPECT_TRUE(RunProbe(p, ctx).success);
    closed_port = tcp.port;
  }
  k8s::Probe p;
  p.handler.tcp_socket = k8s::TCPSocketAction{{false, closed_port, ""}, ""};
  ProbeOutcome o = RunProbe(p, ctx);
  EXPECT_FALSE(o.success);
  EXPECT_EQ(o.message,
            "dial tcp 127.0.0.1:" + std::to_string(closed_port) + ": connect: Connection refused");
  k8s::Probe https;
  https.handler.http_get = k8s::HTTPGetAction{"/", {false, 1, ""}, "", "HTTPS", {}};
  EXPECT_FALSE(RunProbe(https, ctx).success);
  k8s::Probe exec;
  exec.handler.exec = k8s::ExecAction{{"true"}};
  EXPECT_EQ(RunProbe(exec, ctx).message, "exec probe: the container is not running");
}

}  // namespace
}  // namespace hp::agent
