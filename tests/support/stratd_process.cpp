#include "tests/support/stratd_process.hpp"

#include <algorithm>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace stratd::test {
namespace fs = std::filesystem;
using namespace std::chrono;

bool eventually(const std::function<bool()>& pred, milliseconds deadline, milliseconds every) {
  const auto end = steady_clock::now() + deadline;
  while (steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(every);
  }
  return pred();
}

bool process_alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

std::vector<pid_t> processes_with_arg(const std::string& needle, bool whole) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    bool found = false;
    for (std::string arg; !found && std::getline(in, arg, '\0');) {
      found = whole ? arg == needle : arg.find(needle) != std::string::npos;
    }
    const pid_t pid = pid_t(std::stoi(name));
    if (found && pid != getpid() && process_alive(pid)) out.push_back(pid);
  }
  return out;
}

std::vector<std::string> shm_segments(const std::string& prefix) {
  std::vector<std::string> out;
  if (DIR* d = opendir("/dev/shm")) {
    while (dirent* e = readdir(d)) {
      if (std::string_view(e->d_name).substr(0, prefix.size()) == prefix) out.emplace_back(e->d_name);
    }
    closedir(d);
  }
  return out;
}

StratdProcess::StratdProcess(StratdOptions opts) {
  if (opts.state_dir.empty()) {
    char tmpl[] = "/tmp/stratd-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    state_dir_ = tmpl;
    owns_state_dir_ = true;
  } else {
    state_dir_ = opts.state_dir;
  }
  std::vector<std::string> args = {opts.program,
                                   "--port", "0",
                                   "--state-dir", state_dir_,
                                   "--strategies-dir", opts.strategies_dir,
                                   "--sim-interval-ms", std::to_string(opts.sim_interval_ms),
                                   "--hang-timeout-ms", std::to_string(opts.hang_timeout_ms)};
  args.insert(args.end(), opts.extra_args.begin(), opts.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = state_dir_ + "/stratd.out";
  std::error_code ec;
  fs::remove(state_dir_ + "/http.url", ec);  // a previous run's
  // Built before the fork: the child must not allocate.
  std::vector<std::string> env_entries;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const bool replaced = std::any_of(opts.env.begin(), opts.env.end(),
                                      [&](const auto& kv) { return entry.rfind(kv.first + "=", 0) == 0; });
    if (!replaced) env_entries.push_back(entry);
  }
  for (const auto& [name, value] : opts.env) env_entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_entries) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    if (opts.umask >= 0) ::umask(mode_t(opts.umask));
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  const std::string url_file = state_dir_ + "/http.url";
  std::string url;
  const bool up = eventually([&] {
    std::ifstream in(url_file);
    return bool(std::getline(in, url)) && !url.empty();
  }, seconds(20));
  if (!up) {
    const std::string tail = log_tail();
    terminate();
    throw std::runtime_error("stratd did not start:\n" + tail);
  }
  // url = http://127.0.0.1:PORT, or https:// (the HttpClient speaks plain
  // HTTP only: a TLS test talks with curl, openssl and Python).
  url_ = url;
  const auto host_at = url.find("://") + 3;
  const auto colon = url.rfind(':');
  http_ = HttpClient(url.substr(host_at, colon - host_at), uint16_t(std::stoi(url.substr(colon + 1))));
}

StratdProcess::~StratdProcess() {
  if (pid_ > 0) terminate();
  std::error_code ec;
  if (owns_state_dir_ && !getenv("STRATD_TEST_KEEP")) fs::remove_all(state_dir_, ec);
}

void StratdProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int StratdProcess::terminate(milliseconds deadline) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  const bool exited = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, deadline, milliseconds(10));
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    status = -1;
  }
  pid_ = -1;
  return status;
}

std::string StratdProcess::output() const {
  std::ifstream in(state_dir_ + "/stratd.out");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string StratdProcess::log_tail(size_t bytes) const {
  std::ifstream in(state_dir_ + "/stratd.out");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

nlohmann::json StratdProcess::runner(const std::string& id) const {
  auto r = http_.get("/api/runners/" + id);
  return r.status == 200 ? r.body["data"] : nlohmann::json(nullptr);
}

HttpResult StratdProcess::add_runner(const std::string& id, const std::string& symbol,
                                     const std::string& strategy) const {
  return http_.post("/api/runners",
                    nlohmann::json{{"runner_id", id}, {"symbol", symbol}, {"strategy_path", strategy}}.dump());
}

CommandResult run_command(const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  CommandResult r;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) r.output.append(buf, size_t(n));
  close(out[0]);
  waitpid(pid, &r.status, 0);
  return r;
}

std::string proc_status_field(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) != 0) continue;
    const auto value = line.find_first_not_of(" \t", field.size() + 1);
    return value == std::string::npos ? std::string() : line.substr(value);
  }
  return {};
}

int64_t runner_ticks(const StratdProcess& s, const std::string& id) {
  const auto r = s.http().get("/api/runners/" + id + "/snapshot");
  return r.status == 200 ? r.body["data"]["stats"].value("ticks_processed", int64_t(0)) : -1;
}

}  // namespace stratd::test
