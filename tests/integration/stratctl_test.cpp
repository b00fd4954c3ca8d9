// stratctl, the real binary, against a real stratd: what each command
// prints, what it changes (seen over REST), and its exit codes (0 ok,
// 1 stratd said no, 2 usage, 3 cannot connect).
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

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/stratd_process.hpp"

using namespace stratd::test;
using namespace std::chrono;
using nlohmann::json;

namespace {

struct CliOptions {
  std::map<std::string, std::string> env;  // set on top of a clean environment
  bool terminal = false;                   // stdout (and stdin) on a pseudo-terminal
};

// A running stratctl with its stdout and stderr read through pipes (or
// stdout on a pseudo-terminal).
class Cli {
 public:
  explicit Cli(const std::vector<std::string>& args, const CliOptions& opts = {}) {
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

  ~Cli() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }

  // Reads until `pred(stdout)` holds, the program ends, or the deadline.
  bool read_until(const std::function<bool(const std::string&)>& pred, milliseconds deadline = seconds(15)) {
    const auto end = steady_clock::now() + deadline;
    while (!pred(out_)) {
      const auto left = duration_cast<milliseconds>(end - steady_clock::now()).count();
      if (left <= 0 || (out_fd_ < 0 && err_fd_ < 0)) return pred(out_);
      pump(int(left));
    }
    return true;
  }

  // Waits for the exit, reading all it prints; its exit code, 128+N for
  // signal N, or -1 if it was still running at the deadline (then killed).
  int wait(milliseconds deadline = seconds(15)) {
    const auto end = steady_clock::now() + deadline;
    auto left = [&] { return duration_cast<milliseconds>(end - steady_clock::now()).count(); };
    while ((out_fd_ >= 0 || err_fd_ >= 0) && left() > 0) pump(int(left()));
    int status = 0;
    const bool exited = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; },
                                   milliseconds(std::max<int64_t>(left(), 0)), milliseconds(5));
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    if (!exited) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  void signal(int sig) { kill(pid_, sig); }
  // Types on the terminal (with CliOptions::terminal).
  void type(const std::string& keys) { ASSERT_EQ(write(out_fd_, keys.data(), keys.size()), ssize_t(keys.size())); }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  void pump(int timeout_ms) {
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

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
};

struct Result {
  int code;
  std::string out, err;
};

Result run(const std::vector<std::string>& args, const CliOptions& opts = {}) {
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
Result ctl(const StratdProcess& s, std::vector<std::string> args, const CliOptions& opts = {}) {
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

}  // namespace

TEST(Stratctl, LsShowsEveryRunnerAsATableAndAsJson) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("holder", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_EQ(s.add_runner("flipper", "ETHUSDT", "flip.lua").status, 201);
  // hold_long enters on its second tick and holds.
  ASSERT_TRUE(eventually([&] { return s.runner("holder")["state"] == "InPosition"; }));
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "flipper") == "Running"; }));

  Result r = ctl(s, {"ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_FALSE(has_escape(r.out)) << "piped output has no colour";
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const char* col : {"ID", "SYMBOL", "STRATEGY", "LIFECYCLE", "STATE", "POSITION", "PNL", "TICKS", "RESTARTS",
                          "CPU", "RSS", "HEARTBEAT", "UPTIME"}) {
    EXPECT_NE(lines[0].find(col), std::string::npos) << col;
  }
  const std::string holder = row_of(r.out, "holder");
  for (const char* cell : {"BTCUSDT", "hold_long.lua", "Running", "InPosition", "Long "}) {
    EXPECT_NE(holder.find(cell), std::string::npos) << cell << " in: " << holder;
  }
  EXPECT_NE(row_of(r.out, "flipper").find("ETHUSDT"), std::string::npos) << r.out;

  Result j = ctl(s, {"ls", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const json list = json::parse(j.out);
  ASSERT_TRUE(list.is_array());
  ASSERT_EQ(list.size(), 2u);
  std::map<std::string, json> by_id;
  for (const auto& d : list) by_id[d["runner_id"]] = d;
  ASSERT_TRUE(by_id.count("holder") && by_id.count("flipper"));
  // The details, not only the summary.
  for (const char* key : {"pid", "lifecycle", "state", "position", "realized_pnl", "unrealized_pnl", "ticks_processed",
                          "restarts", "cpu_percent", "rss_bytes", "heartbeat_age_ms", "uptime_secs"}) {
    EXPECT_TRUE(by_id["holder"].contains(key)) << key;
  }
  EXPECT_EQ(by_id["holder"]["position"]["side"], "Long");
}

TEST(Stratctl, AddShowAndRemove) {
  StratdProcess s;
  Result empty = ctl(s, {"ls"});
  ASSERT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "no runners\n");

  Result add = ctl(s, {"add", "cli_one", "BTCUSDT", "hold_long.lua", "--window-size", "30"});
  ASSERT_EQ(add.code, 0) << add.err;
  EXPECT_EQ(add.out.rfind("added cli_one (BTCUSDT, hold_long.lua): ", 0), 0u) << add.out;
  const json d = s.runner("cli_one");
  ASSERT_TRUE(d.is_object());
  EXPECT_EQ(d["window_size"], 30);
  EXPECT_NE(row_of(ctl(s, {"ls"}).out, "cli_one").find("hold_long.lua"), std::string::npos);

  ASSERT_TRUE(eventually([&] { return lifecycle(s, "cli_one") == "Running"; }));
  Result show = ctl(s, {"show", "cli_one"});
  ASSERT_EQ(show.code, 0) << show.err;
  EXPECT_FALSE(has_escape(show.out));
  EXPECT_NE(row_of(show.out, "runner").find("cli_one"), std::string::npos) << show.out;
  EXPECT_NE(row_of(show.out, "lifecycle").find("Running"), std::string::npos) << show.out;
  EXPECT_NE(row_of(show.out, "pid").find(std::to_string(s.runner("cli_one")["pid"].get<int>())), std::string::npos)
      << show.out;
  Result show_json = ctl(s, {"show", "cli_one", "--json"});
  ASSERT_EQ(show_json.code, 0);
  EXPECT_EQ(json::parse(show_json.out)["runner_id"], "cli_one");

  Result add_json = ctl(s, {"--json", "add", "cli_two", "ETHUSDT", "flip.lua"});
  ASSERT_EQ(add_json.code, 0) << add_json.err;
  EXPECT_EQ(json::parse(add_json.out)["symbol"], "ETHUSDT");

  Result rm = ctl(s, {"rm", "cli_one", "cli_two"});
  ASSERT_EQ(rm.code, 0) << rm.err;
  EXPECT_EQ(rm.out, "removed cli_one\nremoved cli_two\n");
  EXPECT_EQ(s.http().get("/api/runners/cli_one").status, 404);
  EXPECT_EQ(s.http().get("/api/runners/cli_two").status, 404);
  EXPECT_EQ(ctl(s, {"ls"}).out, "no runners\n");
}

TEST(Stratctl, StopStartAndRestartTakeEffect) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("ctl", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "ctl") == "Running"; }));
  const int first_pid = s.runner("ctl")["pid"];

  Result stop = ctl(s, {"stop", "ctl"});
  ASSERT_EQ(stop.code, 0) << stop.err;
  EXPECT_EQ(stop.out.rfind("ctl: ", 0), 0u) << stop.out;
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "ctl") == "Stopped"; }));
  EXPECT_TRUE(s.runner("ctl")["pid"].is_null());
  EXPECT_NE(row_of(ctl(s, {"ls"}).out, "ctl").find("Stopped"), std::string::npos);

  Result start = ctl(s, {"start", "ctl", "--json"});
  ASSERT_EQ(start.code, 0) << start.err;
  EXPECT_EQ(json::parse(start.out)["runner_id"], "ctl");
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "ctl") == "Running"; }));
  const int second_pid = s.runner("ctl")["pid"];
  EXPECT_NE(second_pid, first_pid);

  Result restart = ctl(s, {"restart", "ctl"});
  ASSERT_EQ(restart.code, 0) << restart.err;
  ASSERT_TRUE(eventually([&] {
    const json r = s.runner("ctl");
    return r["lifecycle"] == "Running" && r["pid"].is_number() && r["pid"] != second_pid;
  }));
}

TEST(Stratctl, Health) {
  StratdProcess s;
  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["feed"]["running"] == true; }));
  Result h = ctl(s, {"health"});
  ASSERT_EQ(h.code, 0) << h.err;
  EXPECT_NE(row_of(h.out, "status").find("healthy"), std::string::npos) << h.out;
  EXPECT_NE(row_of(h.out, "feed").find("sim, running"), std::string::npos) << h.out;
  EXPECT_NE(row_of(h.out, "runners").find("0 (0 healthy)"), std::string::npos) << h.out;
  Result j = ctl(s, {"health", "--json"});
  ASSERT_EQ(j.code, 0);
  const json d = json::parse(j.out);
  EXPECT_EQ(d["status"], "healthy");
  EXPECT_TRUE(d["feed"]["pid"].is_number_integer());
}

TEST(Stratctl, WatchPrintsALiveEventAndEndsAfterCount) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("w", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "w") == "Running"; }));
  for (bool as_json : {false, true}) {
    std::vector<std::string> args = {"--url", url_of(s), "watch", "--type", "RunnerStopped", "--runner", "w",
                                     "--count", "1"};
    if (as_json) args.push_back("--json");
    Cli watch(args);
    // Connected: from here on it gets every event (the subscription
    // follows at once and counts from the connection).
    ASSERT_TRUE(eventually(
        [&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1; }));
    ASSERT_EQ(s.http().post("/api/runners/w/stop").status, 200);
    ASSERT_EQ(watch.wait(), 0) << watch.err();
    const auto stopped = seqs_of(s, "RunnerStopped", "w");
    ASSERT_FALSE(stopped.empty());
    const auto lines = lines_of(watch.out());
    ASSERT_EQ(lines.size(), 1u) << watch.out();
    if (as_json) {
      const json e = json::parse(lines[0]);
      EXPECT_EQ(e["type"], "RunnerStopped");
      EXPECT_EQ(e["runner_id"], "w");
      EXPECT_EQ(e["seq"], stopped.back());
    } else {
      EXPECT_FALSE(has_escape(watch.out()));
      EXPECT_NE(lines[0].find("#" + std::to_string(stopped.back()) + " RunnerStopped w BTCUSDT"), std::string::npos)
          << lines[0];
    }
    ASSERT_EQ(s.http().post("/api/runners/w/start").status, 200);
    ASSERT_TRUE(eventually([&] { return lifecycle(s, "w") == "Running"; }));
    ASSERT_TRUE(eventually(
        [&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 0; }));
  }
}

TEST(Stratctl, WatchSinceResumesExactly) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("res", "BTCUSDT", "hold_long.lua").status, 201);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(eventually([&] { return lifecycle(s, "res") == "Running"; }));
    ASSERT_EQ(s.http().post("/api/runners/res/stop").status, 200);
    ASSERT_TRUE(eventually([&] { return lifecycle(s, "res") == "Stopped"; }));
    if (i == 0) {
      ASSERT_EQ(s.http().post("/api/runners/res/start").status, 200);
    }
  }
  ASSERT_TRUE(eventually([&] { return seqs_of(s, "RunnerStopped", "res").size() == 2; }));
  const auto stopped = seqs_of(s, "RunnerStopped", "res");

  // Everything after the first stop: the second, and nothing before it.
  Result one = ctl(s, {"watch", "--json", "--type", "RunnerStopped", "--runner", "res", "--since",
                    std::to_string(stopped[0]), "--count", "1"});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(json::parse(one.out)["seq"], stopped[1]);

  // From just before the first: both, in order; a comma list of types.
  Result both = ctl(s, {"watch", "--json", "--type", "RunnerStopped,RunnerFailed", "--runner", "res", "--since",
                     std::to_string(stopped[0] - 1), "-n", "2"});
  ASSERT_EQ(both.code, 0) << both.err;
  const auto lines = lines_of(both.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0])["seq"], stopped[0]);
  EXPECT_EQ(json::parse(lines[1])["seq"], stopped[1]);

  // stratd refuses what it cannot replay: exit 1 with its code.
  Result ahead = ctl(s, {"watch", "--since", std::to_string(last_seq(s) + 1000)});
  EXPECT_EQ(ahead.code, 1);
  EXPECT_NE(ahead.err.find("stratctl: SINCE_AHEAD: "), std::string::npos) << ahead.err;
  Result bad_type = ctl(s, {"watch", "--type", "NoSuchEvent"});
  EXPECT_EQ(bad_type.code, 1);
  EXPECT_NE(bad_type.err.find("stratctl: UNKNOWN_EVENT_TYPE: "), std::string::npos) << bad_type.err;
}

TEST(Stratctl, WatchExitsThreeWithTheLastSeqWhenStratdGoes) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("gone", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "gone") == "Running"; }));
  Cli watch({"--url", url_of(s), "watch", "--type", "RunnerStopped", "--runner", "gone"});
  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1; }));
  ASSERT_EQ(s.http().post("/api/runners/gone/stop").status, 200);
  ASSERT_TRUE(watch.read_until([](const std::string& out) { return out.find("RunnerStopped") != std::string::npos; }));
  const auto stopped = seqs_of(s, "RunnerStopped", "gone");
  ASSERT_EQ(stopped.size(), 1u);
  const uint64_t seen = stopped[0];
  s.terminate();
  EXPECT_EQ(watch.wait(), 3) << watch.err();
  EXPECT_NE(watch.err().find("resume with --since " + std::to_string(seen)), std::string::npos) << watch.err();
}

TEST(Stratctl, WatchEndsCleanlyOnCtrlC) {
  StratdProcess s;
  Cli watch({"--url", url_of(s), "watch", "--type", "RunnerFailed"});
  ASSERT_TRUE(eventually([&] { return s.http().get("/api/engine/health").body["data"]["websocket_clients"] == 1; }));
  watch.signal(SIGINT);
  EXPECT_EQ(watch.wait(), 0) << watch.err();
  EXPECT_NE(watch.err().find("stopped; last seq "), std::string::npos) << watch.err();
}

TEST(Stratctl, TopPrintsEachRefreshPlainWhenPiped) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("topper", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "topper") == "Running"; }));
  Result top = ctl(s, {"top", "-n", "2", "--interval", "0.1"});
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_FALSE(has_escape(top.out));
  size_t frames = 0, rows = 0;
  for (const auto& line : lines_of(top.out)) {
    frames += line.rfind("stratd " + url_of(s), 0) == 0;
    rows += line.rfind("topper ", 0) == 0;
  }
  EXPECT_EQ(frames, 2u) << top.out;
  EXPECT_EQ(rows, 2u) << top.out;

  Result j = ctl(s, {"top", "--count", "2", "--interval", "0.1", "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const auto lines = lines_of(j.out);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) {
    const json f = json::parse(l);
    EXPECT_EQ(f["runners"][0]["runner_id"], "topper");
    EXPECT_TRUE(f["health"].contains("status"));
  }
}

TEST(Stratctl, ColoursOnlyOnATerminal) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("tty", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "tty") == "Running"; }));
  Result coloured = ctl(s, {"ls"}, {.env = {}, .terminal = true});
  ASSERT_EQ(coloured.code, 0) << coloured.err;
  EXPECT_NE(coloured.out.find("\x1b[32mRunning\x1b[0m"), std::string::npos) << coloured.out;
  Result no_color_env = ctl(s, {"ls"}, {.env = {{"NO_COLOR", "1"}}, .terminal = true});
  ASSERT_EQ(no_color_env.code, 0);
  EXPECT_FALSE(has_escape(no_color_env.out)) << no_color_env.out;
  Result no_color_flag = ctl(s, {"ls", "--no-color"}, {.env = {}, .terminal = true});
  ASSERT_EQ(no_color_flag.code, 0);
  EXPECT_FALSE(has_escape(no_color_flag.out)) << no_color_flag.out;
  // top on a terminal: the alternate screen, given back at the end.
  Result top = ctl(s, {"top", "-n", "1"}, {.env = {}, .terminal = true});
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_EQ(top.out.rfind("\x1b[?1049h", 0), 0u);
  EXPECT_NE(top.out.find("\x1b[?1049l"), std::string::npos);
}

TEST(Stratctl, TopOnATerminalEndsWithQ) {
  StratdProcess s;
  Cli top({"--url", url_of(s), "top", "--interval", "0.2"}, {.env = {}, .terminal = true});
  // A refresh or two, then q.
  ASSERT_TRUE(top.read_until([](const std::string& out) { return out.find("q to quit") != std::string::npos; }));
  top.type("q");
  EXPECT_EQ(top.wait(), 0) << top.err();
  EXPECT_NE(top.out().find("\x1b[?1049l"), std::string::npos) << "the screen is given back";
}

TEST(Stratctl, ErrorEnvelopesExitOneWithTheCode) {
  StratdProcess s;
  Result missing = ctl(s, {"show", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "stratctl: RUNNER_NOT_FOUND: Runner 'nope' not found\n");
  EXPECT_TRUE(missing.out.empty());

  Result as_json = ctl(s, {"show", "nope", "--json"});
  EXPECT_EQ(as_json.code, 1);
  EXPECT_EQ(json::parse(as_json.out)["error"]["code"], "RUNNER_NOT_FOUND");

  Result invalid = ctl(s, {"add", "x", "btc", "hold_long.lua"});
  EXPECT_EQ(invalid.code, 1);
  EXPECT_NE(invalid.err.find("stratctl: VALIDATION_ERROR: invalid runner definition\n"), std::string::npos)
      << invalid.err;
  EXPECT_NE(invalid.err.find("  symbol: must be 1-32 upper-case letters and digits\n"), std::string::npos)
      << invalid.err;

  ASSERT_EQ(s.add_runner("dup", "BTCUSDT", "hold_long.lua").status, 201);
  Result dup = ctl(s, {"add", "dup", "BTCUSDT", "hold_long.lua"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("stratctl: RUNNER_EXISTS: "), std::string::npos) << dup.err;
  Result no_strategy = ctl(s, {"add", "other", "BTCUSDT", "no_such.lua"});
  EXPECT_EQ(no_strategy.code, 1);
  EXPECT_NE(no_strategy.err.find("stratctl: STRATEGY_NOT_FOUND: "), std::string::npos) << no_strategy.err;

  // Several ids: each is tried; one failure makes the status 1.
  Result some = ctl(s, {"stop", "nope", "dup"});
  EXPECT_EQ(some.code, 1);
  EXPECT_NE(some.err.find("RUNNER_NOT_FOUND"), std::string::npos);
  EXPECT_EQ(some.out.rfind("dup: ", 0), 0u) << some.out;
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "dup") == "Stopped"; }));
}

TEST(Stratctl, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"ls", "--bogus"}, {"frobnicate"}, {"show"}, {"add", "x", "BTCUSDT"}, {"top", "--interval", "0"},
           {"watch", "--count", "x"}, {"logs", "x", "--tail", "0"}, {"--url", "ftp://h", "ls"}, {}}) {
    Result r = run(args);
    EXPECT_EQ(r.code, 2) << (args.empty() ? "" : args[0]) << ": " << r.err;
    EXPECT_NE(r.err.find("usage: stratctl"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  Result unknown = run({"ls", "--bogus"});
  EXPECT_EQ(unknown.err.rfind("stratctl: unknown option '--bogus' for 'ls'\n", 0), 0u) << unknown.err;
  Result help = run({"help", "watch"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--since SEQ"), std::string::npos);
  EXPECT_EQ(run({"--help"}).code, 0);
}

TEST(Stratctl, CannotConnectExitsThree) {
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port());
  for (const char* cmd : {"ls", "health", "watch"}) {
    Result r = run({"--url", refused, cmd});
    EXPECT_EQ(r.code, 3) << cmd << ": " << r.err;
    EXPECT_EQ(r.err, "stratctl: cannot connect to " + refused + ": Connection refused\n") << cmd;
  }
  Result as_json = run({"--url", refused, "ls", "--json"});
  EXPECT_EQ(as_json.code, 3);
  EXPECT_EQ(json::parse(as_json.out)["error"]["code"], "CANNOT_CONNECT");

  // Something listens but never answers: the timeout ends it.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string silent = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  Result slow = run({"--url", silent, "--timeout", "0.3", "ls"});
  close(fd);
  EXPECT_EQ(slow.code, 3) << slow.err;
  EXPECT_EQ(slow.err, "stratctl: timed out after 0.3 s reading from " + silent + "\n");

  Result dns = run({"--url", "http://no-such-host.invalid:3000", "--timeout", "5", "ls"});
  EXPECT_EQ(dns.code, 3) << dns.err;
  EXPECT_NE(dns.err.find("no-such-host.invalid"), std::string::npos) << dns.err;
}

TEST(Stratctl, AnAnswerThatIsNotStratdsExitsOne) {
  // A web server that is not stratd: one answer, plain text.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  std::thread server([fd] {
    const int c = accept(fd, nullptr, nullptr);
    char buf[4096];
    [[maybe_unused]] ssize_t n = read(c, buf, sizeof buf);
    const std::string reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n";
    n = write(c, reply.data(), reply.size());
    close(c);
  });
  Result r = run({"--url", "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), "show", "x"});
  server.join();
  close(fd);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "stratctl: BAD_RESPONSE: HTTP 404 without stratd's envelope (is this stratd?)\n");
}

TEST(Stratctl, StratdUrlFromTheEnvironmentAndTheFlagWins) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("envy", "BTCUSDT", "hold_long.lua").status, 201);
  Result from_env = run({"ls"}, {.env = {{"STRATD_URL", url_of(s)}}});
  ASSERT_EQ(from_env.code, 0) << from_env.err;
  EXPECT_NE(row_of(from_env.out, "envy"), "");
  const std::string refused = "http://127.0.0.1:" + std::to_string(closed_port());
  Result flag_wins = run({"--url", url_of(s), "ls"}, {.env = {{"STRATD_URL", refused}}});
  ASSERT_EQ(flag_wins.code, 0) << flag_wins.err;
  Result env_used = run({"ls"}, {.env = {{"STRATD_URL", refused}}});
  EXPECT_EQ(env_used.code, 3);
}

// GET /api/runners/:id/logs and the /ws logs subscription, as issue 10's
// contract gives them: tail, since, RUNNER_NOT_FOUND, a 400 for a bad time.
TEST(Stratctl, LogsPrintsAndFollowsTheWorkerLog) {
  StratdProcess s;
  ASSERT_EQ(s.add_runner("talk", "BTCUSDT", "hold_long.lua").status, 201);
  ASSERT_TRUE(eventually([&] { return lifecycle(s, "talk") == "Running"; }));
  const std::string first_pid = std::to_string(s.runner("talk")["pid"].get<int>());
  const std::string started = "running talk on BTCUSDT (pid " + first_pid + ")";
  Result page;
  ASSERT_TRUE(eventually([&] {
    page = ctl(s, {"logs", "talk"});
    return page.code == 0 && page.out.find(started) != std::string::npos;
  })) << page.code << " " << page.err;
  EXPECT_FALSE(has_escape(page.out));

  Result one = ctl(s, {"logs", "talk", "--tail", "1", "--json"});
  ASSERT_EQ(one.code, 0) << one.err;
  const json d = json::parse(one.out);
  EXPECT_EQ(d["runner_id"], "talk");
  ASSERT_EQ(d["lines"].size(), 1u);
  EXPECT_TRUE(d["lines"][0]["text"].is_string());

  Result later = ctl(s, {"logs", "talk", "--since", "2999-01-01T00:00:00Z"});
  ASSERT_EQ(later.code, 0) << later.err;
  EXPECT_EQ(later.out, "");
  // stratd judges the time; stratctl shows its code.
  const HttpResult refused = s.http().get("/api/runners/talk/logs?since=yesterday");
  ASSERT_EQ(refused.status, 400);
  Result bad_since = ctl(s, {"logs", "talk", "--since", "yesterday"});
  EXPECT_EQ(bad_since.code, 1);
  EXPECT_EQ(bad_since.err.rfind("stratctl: " + refused.body["error"]["code"].get<std::string>() + ": ", 0), 0u)
      << bad_since.err;
  Result missing = ctl(s, {"logs", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("stratctl: RUNNER_NOT_FOUND: "), std::string::npos) << missing.err;
  Result missing_follow = ctl(s, {"logs", "nope", "-f"});
  EXPECT_EQ(missing_follow.code, 1);
  EXPECT_NE(missing_follow.err.find("stratctl: RUNNER_NOT_FOUND: "), std::string::npos) << missing_follow.err;

  // -f: the page, then what the next worker writes, each line once.
  Cli follow({"--url", url_of(s), "logs", "talk", "-f"});
  ASSERT_TRUE(follow.read_until([&](const std::string& out) { return out.find(started) != std::string::npos; }));
  ASSERT_EQ(s.http().post("/api/runners/talk/restart").status, 200);
  std::string second_pid;
  ASSERT_TRUE(eventually([&] {
    const json r = s.runner("talk");
    if (r["pid"].is_number() && std::to_string(r["pid"].get<int>()) != first_pid) {
      second_pid = std::to_string(r["pid"].get<int>());
    }
    return !second_pid.empty();
  }));
  const std::string restarted = "running talk on BTCUSDT (pid " + second_pid + ")";
  ASSERT_TRUE(follow.read_until([&](const std::string& out) { return out.find(restarted) != std::string::npos; }))
      << follow.out();
  follow.signal(SIGINT);
  EXPECT_EQ(follow.wait(), 0) << follow.err();
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (size_t at = follow.out().find(needle); at != std::string::npos; at = follow.out().find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(started), 1u) << follow.out();
  EXPECT_EQ(count(restarted), 1u) << follow.out();
}
