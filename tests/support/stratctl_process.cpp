#include "tests/support/stratctl_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace stratd::test {
using namespace std::chrono;
using nlohmann::json;

Cli::Cli(const std::vector<std::string>& args, const CliOptions& opts) {
  int out[2], err[2];
  int pty_master = -1, pty_slave = -1;
  if (opts.terminal) {
    winsize ws{};
    ws.ws_col = 200;
    ws.ws_row = 50;
    if (openpty(&pty_master, &pty_slave, nullptr, nullptr, &ws) != 0) throw std::runtime_error("openpty failed");
  }
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv_s = {STRATCTL_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s;
  // Only what the test gives: no STRATD_URL or NO_COLOR of the caller's.
  for (const char* keep : {"PATH", "HOME", "LANG"}) {
    if (const char* v = getenv(keep)) env_s.push_back(std::string(keep) + "=" + v);
  }
  for (const auto& [k, v] : opts.env) env_s.push_back(k + "=" + v);
  pid_ = fork();
  if (pid_ == 0) {
    if (opts.terminal) {
      setsid();
      ioctl(pty_slave, TIOCSCTTY, 0);
      dup2(pty_slave, 0);
      dup2(pty_slave, 1);
    } else {
      dup2(open("/dev/null", O_RDONLY), 0);
      dup2(out[1], 1);
    }
    dup2(err[1], 2);
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  if (opts.terminal) {
    close(pty_slave);
    close(out[0]);
    out_fd_ = pty_master;
  } else {
    out_fd_ = out[0];
  }
  err_fd_ = err[0];
}

Cli::~Cli() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool Cli::read_until(const std::function<bool(const std::string&)>& pred, milliseconds deadline) {
  const auto end = steady_clock::now() + deadline;
  while (!pred(out_)) {
    const auto left = duration_cast<milliseconds>(end - steady_clock::now()).count();
    if (left <= 0 || (out_fd_ < 0 && err_fd_ < 0)) return pred(out_);
    pump(int(left));
  }
  return true;
}

int Cli::wait(milliseconds deadline) {
  if (pid_ <= 0) return -1;  // already waited for
  const auto end = steady_clock::now() + deadline;
  auto left = [&] { return duration_cast<milliseconds>(end - steady_clock::now()).count(); };
  while ((out_fd_ >= 0 || err_fd_ >= 0) && left() > 0) pump(int(left()));
  int status = 0;
  const bool exited = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; },
                                 milliseconds(std::max<int64_t>(left(), 0)), milliseconds(5));
  if (!exited && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  if (!exited) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Cli::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);  // never kill(-1): that is every process
}

bool Cli::type(const std::string& keys) { return write(out_fd_, keys.data(), keys.size()) == ssize_t(keys.size()); }

void Cli::pump(int timeout_ms) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (poll(fds, 2, timeout_ms) <= 0) return;
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[4096];
    const ssize_t n = read(fds[i].fd, buf, sizeof buf);
    int& fd = i == 0 ? out_fd_ : err_fd_;
    if (n <= 0) {  // EOF (a pty says EIO once the child is gone)
      close(fd);
      fd = -1;
    } else {
      (i == 0 ? out_ : err_).append(buf, size_t(n));
    }
  }
}

Result run(const std::vector<std::string>& args, const CliOptions& opts) {
  Cli c(args, opts);
  const int code = c.wait();
  return {code, c.out(), c.err()};
}

std::string url_of(const StratdProcess& s) {
  std::ifstream in(s.state_dir() + "/http.url");
  std::string url;
  std::getline(in, url);
  return url;
}

// stratctl --url <stratd> args...
Result ctl(const StratdProcess& s, std::vector<std::string> args, const CliOptions& opts) {
  args.insert(args.begin(), {"--url", url_of(s)});
  return run(args, opts);
}

bool has_escape(const std::string& s) { return s.find('\x1b') != std::string::npos; }

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The line of the table (or of any text) that starts with `id`.
std::string row_of(const std::string& table, const std::string& id) {
  for (const auto& line : lines_of(table)) {
    if (line.compare(0, id.size() + 1, id + " ") == 0) return line;
  }
  return {};
}

std::string lifecycle(const StratdProcess& s, const std::string& id) {
  const json r = s.runner(id);
  return r.is_object() ? r["lifecycle"].get<std::string>() : "";
}

// A port nothing listens on: bound, then closed.
uint16_t closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

uint64_t last_seq(const StratdProcess& s) {
  return s.http().get("/api/engine/health").body["data"]["events"]["last_seq"].get<uint64_t>();
}

// The seqs of `type` events of runner `id` in the journal.
std::vector<uint64_t> seqs_of(const StratdProcess& s, const std::string& type, const std::string& id) {
  std::vector<uint64_t> out;
  const json page = s.http().get("/api/events?since=0&limit=1000&type=" + type + "&runner=" + id).body;
  for (const auto& e : page["data"]["events"]) out.push_back(e["seq"].get<uint64_t>());
  return out;
}

}  // namespace stratd::test
