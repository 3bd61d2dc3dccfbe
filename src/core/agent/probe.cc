#include "core/agent/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "core/base/unique_fd.h"

namespace hp::agent {
namespace {

// Connects to host:port within `timeout_ms`; on failure sets *why to Go's dial error text.
UniqueFd Dial(const std::string& host, int port, int64_t timeout_ms, std::string* why) {
  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  struct addrinfo* res = nullptr;
  std::string addr = fmt::format("{}:{}", host, port);
  if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    *why = fmt::format("dial tcp {}: lookup {}: {}", addr, host, ::gai_strerror(rc));
    return UniqueFd();
  }
  UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    *why = fmt::format("dial tcp {}: socket: {}", addr, std::strerror(errno));
    ::freeaddrinfo(res);
    return fd;
  }
  int rc = ::connect(fd.get(), res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  if (rc < 0 && errno != EINPROGRESS) {
    *why = fmt::format("dial tcp {}: connect: {}", addr, std::strerror(errno));
    return UniqueFd();
  }
  if (rc < 0) {
    struct pollfd p = {fd.get(), POLLOUT, 0};
    int n = ::poll(&p, 1, static_cast<int>(timeout_ms));
    if (n <= 0) {
      *why = fmt::format("dial tcp {}: i/o timeout", addr);
      return UniqueFd();
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      *why = fmt::format("dial tcp {}: connect: {}", addr, std::strerror(err));
      return UniqueFd();
    }
  }
  return fd;
}

ProbeOutcome HttpProbe(const k8s::HTTPGetAction& h, const ProbeContext& ctx, int64_t timeout_ms) {
  HttpProbePlan plan = PlanHttpProbe(h, ctx.host, *ctx.container);
  if (plan.refused) return *plan.refused;
  const std::string& url = plan.url;
  const std::string& req = plan.request;
  std::string why;
  auto start = std::chrono::steady_clock::now();
  UniqueFd fd = Dial(plan.host, plan.port, timeout_ms, &why);
  if (!fd) return {false, fmt::format("Get \"{}\": {}", url, why)};
  std::string resp;
  size_t sent = 0;
  auto left = [&] {
    return timeout_ms - std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  };
  while (sent < req.size()) {
    struct pollfd p = {fd.get(), POLLOUT, 0};
    if (left() <= 0 || ::poll(&p, 1, static_cast<int>(left())) <= 0) break;
    ssize_t n = ::send(fd.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  char buf[1024];
  while (resp.find("\r\n") == std::string::npos && resp.size() < 4096) {
    struct pollfd p = {fd.get(), POLLIN, 0};
    if (left() <= 0 || ::poll(&p, 1, static_cast<int>(left())) <= 0) {
      return HttpProbeTimedOut(url);
    }
    ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  return HttpProbeOutcome(url, resp);
}

}  // namespace

ProbeOutcome RunProbe(const k8s::Probe& probe, const ProbeContext& ctx) {
  ProbeTiming t = TimingOf(probe);
  const k8s::ProbeHandler& h = probe.handler;
  if (h.exec) {
    if (!ctx.exec) return {false, "exec probe: the container is not running"};
    auto r =
        ExecCapture(*ctx.exec, ctx.job, h.exec->command, std::chrono::milliseconds(t.timeout_ms));
    if (!r) return {false, r.error().ToString()};
    return ExecProbeOutcome(h.exec->command, r->timed_out, r->exit_code, r->output);
  }
  if (h.http_get) return HttpProbe(*h.http_get, ctx, t.timeout_ms);
  if (h.tcp_socket) {
    int port = ResolvePort(h.tcp_socket->port, *ctx.container);
    if (port <= 0)
      return {false, fmt::format("invalid port \"{}\"", h.tcp_socket->port.ToString())};
    std::string host = h.tcp_socket->host.empty() ? ctx.host : h.tcp_socket->host;
    std::string why;
    UniqueFd fd = Dial(host, port, t.timeout_ms, &why);
    if (!fd) return {false, why};
    return {true, ""};
  }
  return {false, "probe has no handler"};
}

}  // namespace hp::agent
