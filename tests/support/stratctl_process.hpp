#pragma once
// stratctl, the real binary, run by a test: its stdout (a pipe or a
// pseudo-terminal) and stderr read with deadlines, its exit code; and the
// small readings of stratd's REST answers the stratctl tests compare with.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/support/stratd_process.hpp"

namespace stratd::test {

struct CliOptions {
  std::map<std::string, std::string> env;  // set on top of a clean environment
  bool terminal = false;                   // stdout (and stdin) on a pseudo-terminal
};

// A running stratctl with its stdout and stderr read through pipes (or
// stdout on a pseudo-terminal).
class Cli {
 public:
  explicit Cli(const std::vector<std::string>& args, const CliOptions& opts = {});
  ~Cli();
  Cli(const Cli&) = delete;
  Cli& operator=(const Cli&) = delete;

  // Reads until `pred(stdout)` holds, the program ends, or the deadline.
  bool read_until(const std::function<bool(const std::string&)>& pred,
                  std::chrono::milliseconds deadline = std::chrono::seconds(15));
  // Waits for the exit, reading all it prints; its exit code, 128+N for
  // signal N, or -1 if it was still running at the deadline (then killed).
  int wait(std::chrono::milliseconds deadline = std::chrono::seconds(15));
  void signal(int sig);
  // Types on the terminal (with CliOptions::terminal); false if it could not.
  bool type(const std::string& keys);
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  void pump(int timeout_ms);

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  std::string out_, err_;
};

struct Result {
  int code;
  std::string out, err;
};

Result run(const std::vector<std::string>& args, const CliOptions& opts = {});
std::string url_of(const StratdProcess& s);
// stratctl --url <stratd> args...
Result ctl(const StratdProcess& s, std::vector<std::string> args, const CliOptions& opts = {});
bool has_escape(const std::string& s);
std::vector<std::string> lines_of(const std::string& s);
// The line of the table (or of any text) that starts with `id`.
std::string row_of(const std::string& table, const std::string& id);
std::string lifecycle(const StratdProcess& s, const std::string& id);
// A port nothing listens on: bound, then closed.
uint16_t closed_port();
uint64_t last_seq(const StratdProcess& s);
// The seqs of `type` events of runner `id` in the journal.
std::vector<uint64_t> seqs_of(const StratdProcess& s, const std::string& type, const std::string& id);

}  // namespace stratd::test
