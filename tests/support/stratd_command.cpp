#include "tests/support/stratd_command.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace stratd::test {

TempFile::TempFile(const std::string& text) {
  char tmpl[] = "/tmp/stratd-config-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp");
  close(fd);
  path = tmpl;
  write(text);
}

TempFile::~TempFile() { std::remove(path.c_str()); }

void TempFile::write(const std::string& text) const {
  std::ofstream(path + ".new") << text;
  std::filesystem::rename(path + ".new", path);
}

ProgramRun run_command(const std::string& cmd) {
  ProgramRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("popen: " + cmd);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

namespace {
std::string command(const std::vector<std::string>& args, const std::string& env) {
  std::string cmd = env + " " + std::string(STRATD_BIN_DIR) + "/stratd";
  for (const auto& a : args) cmd += " '" + a + "'";
  return cmd;
}
}  // namespace

ProgramRun run_stratd(const std::vector<std::string>& args, const std::string& env) {
  return run_command(command(args, env) + " 2>&1");
}

GeneratedKey generate_key(const std::string& name, const std::string& role) {
  const ProgramRun r = run_command(command({"keygen", "--name", name, "--role", role}, "") + " 2>/dev/null");
  if (r.code != 0) throw std::runtime_error("stratd keygen failed: " + r.out);
  const auto nl = r.out.find('\n');
  return GeneratedKey{r.out.substr(0, nl), r.out.substr(nl + 1)};
}

}  // namespace stratd::test
