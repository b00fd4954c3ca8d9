#pragma once
// The command line: global options anywhere, then a command, its
// positional arguments and its own options. Pure: it knows only the
// specs it is given, so every rule has a unit test.
//
// Forms: --name value, --name=value, -n value, -nVALUE, and for flags
// --name / -f. "--" ends the options. An option given twice is an error
// unless it is repeatable (then every value is kept, in order).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_error.hpp"

namespace stratd::cli {

struct OptionSpec {
  std::string_view name;        // long name, without "--"
  char short_name = 0;          // 0: none
  std::string_view value_name;  // empty: a flag without a value
  std::string_view help;
  bool repeatable = false;
};

struct CommandSpec {
  std::string_view name;
  std::string_view args;     // positionals as shown in usage: "<id>", "<id>..."
  std::string_view summary;  // one line
  std::size_t min_args = 0;
  std::size_t max_args = 0;  // SIZE_MAX: no limit
  std::vector<OptionSpec> options;
};

class ParsedArgs {
 public:
  const CommandSpec* command = nullptr;  // null: none given
  std::vector<std::string> positionals;

  bool has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  // The value of a single option, if given.
  std::optional<std::string> value(std::string_view name) const;
  // Every value of a repeatable option, each split at commas.
  std::vector<std::string> list(std::string_view name) const;

  void add(std::string_view name, std::string value) { values_[std::string(name)].push_back(std::move(value)); }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// Errors: Usage, naming the offending word.
using FindCommand = std::function<const CommandSpec*(std::string_view name)>;
CliExpected<ParsedArgs> parse_args(const std::vector<std::string>& words, std::span<const OptionSpec> globals,
                                   const FindCommand& find_command);

// An integer option's value within [min, max]. Errors: Usage.
CliExpected<uint64_t> parse_uint_option(std::string_view option, std::string_view text, uint64_t min, uint64_t max);
// Seconds as a decimal ("1", "0.25"), at millisecond precision, within
// [min, max]. Errors: Usage.
CliExpected<std::chrono::milliseconds> parse_seconds_option(std::string_view option, std::string_view text,
                                                            std::chrono::milliseconds min,
                                                            std::chrono::milliseconds max);

}  // namespace stratd::cli
