// stratctl: stratd's command-line client. Wiring only: read the command
// line, pick the command, run it, turn the outcome into an exit code.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli/base_url.hpp"
#include "cli/commands.hpp"
#include "cli/error_report.hpp"
#include "cli/style.hpp"
#include "cli/terminal.hpp"
#include "cli/usage.hpp"

using namespace stratd::cli;

namespace {

int exit_with(ExitCode code) { return static_cast<int>(code); }

int usage_failure(const CliError& e, const CommandSpec* spec) {
  std::cerr << "stratctl: " << e.message << "\n\n";
  const Command* c = spec ? command_of(spec) : nullptr;
  std::cerr << (c ? command_usage(*c) : general_usage());
  return exit_with(ExitCode::Usage);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.size() == 1 && words[0] == "--version") {
    std::cout << "stratctl " STRATCTL_VERSION "\n";
    return 0;
  }
  auto parsed = parse_args(words, global_options(), [](std::string_view name) -> const CommandSpec* {
    const Command* c = find_command(name);
    return c ? &c->spec : nullptr;
  });
  if (!parsed) {
    // The usage of the command meant, if one was named.
    const CommandSpec* named = nullptr;
    for (const auto& w : words) {
      if (const Command* c = find_command(w); c && !named) named = &c->spec;
    }
    return usage_failure(parsed.error(), named);
  }
  const ParsedArgs& args = *parsed;
  if (args.has("help") || !args.command) {
    const Command* c = args.command ? command_of(args.command) : nullptr;
    if (!c && !args.has("help")) {
      std::cerr << general_usage();
      return exit_with(ExitCode::Usage);
    }
    std::cout << (c ? command_usage(*c) : general_usage());
    return 0;
  }

  // The flag wins over the environment, which wins over the default.
  std::string url_text(kDefaultUrl);
  if (const char* env = std::getenv("STRATD_URL"); env && *env) url_text = env;
  if (auto u = args.value("url")) url_text = *u;
  auto url = parse_base_url(url_text);
  if (!url) return usage_failure(url.error(), args.command);
  if (const char* env = std::getenv("STRATD_CACERT"); env && *env) url->ca_file = env;
  if (auto ca = args.value("cacert")) url->ca_file = *ca;
  // A key from a file or the environment, never from argv (ps shows argv).
  if (const char* env = std::getenv("STRATD_API_KEY"); env && *env) url->key = env;
  if (auto file = args.value("key-file")) {
    std::ifstream in(*file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return usage_failure(CliError{ExitCode::Usage, "USAGE", "--key-file: cannot read " + *file, nullptr},
                           args.command);
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    url->key = line;
  }
  auto timeout = std::chrono::milliseconds(10'000);
  if (auto t = args.value("timeout")) {
    auto parsed_timeout = parse_seconds_option("--timeout", *t, std::chrono::milliseconds(1), std::chrono::hours(1));
    if (!parsed_timeout) return usage_failure(parsed_timeout.error(), args.command);
    timeout = *parsed_timeout;
  }
  const bool json = args.has("json");
  const bool color = !json && want_color(stdout_is_tty(), std::getenv("NO_COLOR"), args.has("no-color"));

  CommandContext ctx(args, *url, timeout, json, color, std::cout, std::cerr);
  const Command* command = command_of(args.command);
  CliStatus result = command->run(ctx);
  std::cout.flush();
  if (result) return exit_with(ExitCode::Ok);
  const CliError& e = result.error();
  if (e.exit == ExitCode::Usage) return usage_failure(e, args.command);
  if (!e.reported) report_error(e, json, std::cout, std::cerr);
  return exit_with(e.exit);
}
