#pragma once
// stratd run as a command, to its end (--check-config, keygen, a start
// that is refused), and configuration files for a test.
#include <string>
#include <vector>

namespace stratd::test {

// A temporary file with this text, removed at the end of its scope.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  // Replaced whole (rename), as an editor saves: a reload never reads half.
  void write(const std::string& text) const;
};

struct ProgramRun {
  int code = -1;
  std::string out;  // stdout and stderr together
};

// `command` under sh, to its end: its exit code and its stdout (add
// "2>&1" for stderr too).
ProgramRun run_command(const std::string& command);

// stratd with these arguments and extra environment ("A=1 B=2"), to its end.
ProgramRun run_stratd(const std::vector<std::string>& args, const std::string& env = "");

// `stratd keygen`: a new key and its [[auth.keys]] entry.
struct GeneratedKey {
  std::string key;
  std::string entry;  // the TOML stratd keygen printed after the key
};
GeneratedKey generate_key(const std::string& name, const std::string& role);

}  // namespace stratd::test
