#include "cli/hostprocess/windows/probes.h"

#include <fmt/format.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "core/base/strings.h"
#include "core/base/time.h"

namespace hp::cli::windows_node {
namespace {

// Winsock, started once for the process (never cleaned up: the supervisor ends with it).
bool WinsockUp() {
  static const bool up = [] {
    WSADATA d;
    return WSAStartup(MAKEWORD(2, 2), &d) == 0;
  }();
  return up;
}

struct Socket {
  SOCKET s = INVALID_SOCKET;
  Socket() = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (s != INVALID_SOCKET) closesocket(s);
  }
};

// Waits until `s` is writable (`write`) or readable, at most until `deadline_ms`.
bool WaitFor(SOCKET s, bool write, int64_t deadline_ms) {
  int64_t left = deadline_ms - SteadyNowMs();
  if (left <= 0) return false;
  fd_set set;
  FD_ZERO(&set);
  FD_SET(s, &set);
  fd_set err;
  FD_ZERO(&err);
  FD_SET(s, &err);
  timeval tv{static_cast<long>(left / 1000), static_cast<long>((left % 1000) * 1000)};
  int n = select(0, write ? nullptr : &set, write ? &set : nullptr, &err, &tv);
  return n > 0 && FD_ISSET(s, &set);
}

// Connects to host:port before `deadline_ms`; on failure *why has Go's dial error text.
bool Dial(Socket& sock, const std::string& host, int port, int64_t deadline_ms, std::string* why) {
  std::string addr = fmt::format("{}:{}", host, port);
  if (!WinsockUp()) {
    *why = fmt::format("dial tcp {}: Winsock did not start", addr);
    return false;
  }
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res); rc != 0) {
    *why = fmt::format("dial tcp {}: lookup {}: no such host", addr, host);
    return false;
  }
  sock.s = socket(res->ai_family, SOCK_STREAM, IPPROTO_TCP);
  if (sock.s == INVALID_SOCKET) {
    *why = fmt::format("dial tcp {}: socket: error {}", addr, WSAGetLastError());
    freeaddrinfo(res);
    return false;
  }
  u_long nonblocking = 1;
  ioctlsocket(sock.s, FIONBIO, &nonblocking);
  int rc = connect(sock.s, res->ai_addr, static_cast<int>(res->ai_addrlen));
  freeaddrinfo(res);
  if (rc == 0) return true;
  if (WSAGetLastError() != WSAEWOULDBLOCK) {
    *why = fmt::format("dial tcp {}: connect: error {}", addr, WSAGetLastError());
    return false;
  }
  bool connected = WaitFor(sock.s, true, deadline_ms);
  int err = 0;
  int len = sizeof err;
  getsockopt(sock.s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len);
  if (!connected && err == 0) {
    *why = fmt::format("dial tcp {}: i/o timeout", addr);
    return false;
  }
  if (!connected || err != 0) {
    *why = err == WSAECONNREFUSED ? fmt::format("dial tcp {}: connect: connection refused", addr)
                                  : fmt::format("dial tcp {}: connect: error {}", addr, err);
    return false;
  }
  return true;
}

// An exec probe's output: the read end of a pipe, drained by a thread while the command runs
// (a command that writes more than the pipe holds never blocks on it; past
// kExecProbeOutputLimit the bytes are read and dropped). The thread never blocks in a read:
// it reads only what PeekNamedPipe says is there, so it ends when told to (Done) even if a
// process the command left behind still holds the write end.
class OutputCapture {
 public:
  OutputCapture() {
    if (!CreatePipe(&read_, &write_, nullptr, 0)) read_ = write_ = nullptr;
    if (read_) reader_ = std::thread([this] { Drain(); });
  }
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;
  ~OutputCapture() { (void)Done(); }

  bool ok() const { return write_ != nullptr; }
  HANDLE write_end() const { return write_; }
  // After the command ended: what it wrote (the rest read first).
  std::string Done() {
    if (write_) CloseHandle(write_);
    write_ = nullptr;
    done_ = true;
    if (reader_.joinable()) reader_.join();
    if (read_) CloseHandle(read_);
    read_ = nullptr;
    return std::move(output_);
  }

 private:
  void Drain() {
    char buf[4096];
    for (;;) {
      DWORD avail = 0;
      if (!PeekNamedPipe(read_, nullptr, 0, nullptr, &avail, nullptr)) return;  // no writer
      if (avail == 0) {
        if (done_) return;  // done_ set after the command ended: all it wrote was there
        Sleep(5);
        continue;
      }
      DWORD n = 0;
      if (!ReadFile(read_, buf, std::min<DWORD>(avail, sizeof buf), &n, nullptr) || n == 0) return;
      if (output_.size() < agent::kExecProbeOutputLimit) output_.append(buf, n);
    }
  }

  HANDLE read_ = nullptr, write_ = nullptr;
  std::atomic<bool> done_ = false;
  std::string output_;
  std::thread reader_;
};

agent::ProbeOutcome HttpProbe(const k8s::HTTPGetAction& h, const ProbeTarget& t,
                              int64_t timeout_ms) {
  agent::HttpProbePlan plan = agent::PlanHttpProbe(h, t.host, *t.container);
  if (plan.refused) return *plan.refused;
  const std::string& url = plan.url;
  const std::string& req = plan.request;
  int64_t deadline = SteadyNowMs() + timeout_ms;
  Socket sock;
  std::string why;
  if (!Dial(sock, plan.host, plan.port, deadline, &why))
    return {false, fmt::format("Get \"{}\": {}", url, why)};
  size_t sent = 0;
  while (sent < req.size() && WaitFor(sock.s, true, deadline)) {
    int n = send(sock.s, req.data() + sent, static_cast<int>(req.size() - sent), 0);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string resp;
  char buf[1024];
  while (resp.find("\r\n") == std::string::npos && resp.size() < 4096) {
    if (!WaitFor(sock.s, false, deadline)) {
      return agent::HttpProbeTimedOut(url);
    }
    int n = recv(sock.s, buf, sizeof buf, 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  return agent::HttpProbeOutcome(url, resp);
}

}  // namespace

agent::ProbeOutcome RunProbe(const k8s::Probe& probe, const ProbeTarget& t) {
  agent::ProbeTiming timing = agent::TimingOf(probe);
  const k8s::ProbeHandler& h = probe.handler;
  if (h.exec) {
    OutputCapture capture;
    if (!capture.ok())
      return {false, fmt::format("exec probe: make a pipe: error {}", GetLastError())};
    auto code =
        t.exec(h.exec->command, std::chrono::milliseconds(timing.timeout_ms), capture.write_end());
    std::string output = capture.Done();
    bool timed_out = !code && code.error().code() == ErrorCode::kUnavailable;
    if (!code && !timed_out) return {false, code.error().ToString()};
    return agent::ExecProbeOutcome(h.exec->command, timed_out, code ? *code : 0, output);
  }
  if (h.http_get) return HttpProbe(*h.http_get, t, timing.timeout_ms);
  if (h.tcp_socket) {
    int port = agent::ResolvePort(h.tcp_socket->port, *t.container);
    if (port <= 0)
      return {false, fmt::format("invalid port \"{}\"", h.tcp_socket->port.ToString())};
    std::string host = h.tcp_socket->host.empty() ? t.host : h.tcp_socket->host;
    Socket sock;
    std::string why;
    if (!Dial(sock, host, port, SteadyNowMs() + timing.timeout_ms, &why)) return {false, why};
    return {true, ""};
  }
  return {false, "probe has no handler"};
}

}  // namespace hp::cli::windows_node
