#pragma once
// Starts the real stratd binary for a test, on a free port and a fresh
// state directory, and stops it (SIGTERM, then SIGKILL) afterwards.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"

namespace stratd::test {

struct StratdOptions {
  // The binary; its directory is where it finds strat-worker and strat-feed.
  std::string program = std::string(STRATD_BIN_DIR) + "/stratd";
  std::string strategies_dir = STRATD_FIXTURES_DIR;
  int sim_interval_ms = 20;
  int hang_timeout_ms = 2000;
  std::vector<std::string> extra_args;
  std::string state_dir;  // reuse this one (a restart); empty: a fresh temporary one
  // Added to (or replacing in) stratd's environment.
  std::vector<std::pair<std::string, std::string>> env;
  int umask = -1;  // stratd's umask; -1: the test's
};

class StratdProcess {
 public:
  explicit StratdProcess(StratdOptions opts = {});
  ~StratdProcess();
  StratdProcess(const StratdProcess&) = delete;
  StratdProcess& operator=(const StratdProcess&) = delete;

  const HttpClient& http() const { return http_; }
  // What stratd published in http.url: "http://host:port" or "https://...".
  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }
  const std::string& state_dir() const { return state_dir_; }
  // SIGTERM and wait; returns the exit status as waitpid reports it, or
  // -1 if it did not end within the deadline (it is then SIGKILLed).
  int terminate(std::chrono::milliseconds deadline = std::chrono::seconds(20));
  // SIGKILL, as a crash would: nothing of stratd's gets to clean up.
  void kill_hard();
  std::string log_tail(size_t bytes = 4000) const;
  // Everything stratd wrote to its stdout and stderr so far.
  std::string output() const;

  // Convenience: the runner's details (data of GET /api/runners/:id).
  nlohmann::json runner(const std::string& id) const;
  // POST /api/runners; returns the HTTP result.
  HttpResult add_runner(const std::string& id, const std::string& symbol, const std::string& strategy) const;

 private:
  pid_t pid_ = -1;
  std::string state_dir_;
  bool owns_state_dir_ = false;
  std::string url_;
  HttpClient http_;
};

// Polls `pred` until it is true or the deadline passes.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds deadline = std::chrono::seconds(15),
                std::chrono::milliseconds every = std::chrono::milliseconds(20));

// True if a process with this pid exists (and is not a zombie of ours).
bool process_alive(pid_t pid);
// A field of /proc/<pid>/status ("Uid", "NoNewPrivs", ...), its value
// without the leading whitespace; "" if there is none.
std::string proc_status_field(pid_t pid, const std::string& field);
// The runner's ticks_processed from its snapshot; -1 if it has none.
int64_t runner_ticks(const StratdProcess& s, const std::string& id);
// Live processes with an argument containing `needle`, or equal to it if
// `whole` (every worker and the feed of a stratd name its state directory
// in their arguments; a worker its segment).
std::vector<pid_t> processes_with_arg(const std::string& needle, bool whole = false);
// Shared-memory segments under /dev/shm whose names start with `prefix`.
std::vector<std::string> shm_segments(const std::string& prefix);

// Runs a program (argv[0] a path) to its end: its wait status and what it
// wrote to stdout and stderr.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace stratd::test
