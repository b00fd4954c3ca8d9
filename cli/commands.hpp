#pragma once
// Every stratctl command: its spec (name, arguments, options, help) and
// the function that runs it. The table is in commands.cpp; each command's
// code lives in the file of its kind.
#include <span>
#include <string_view>

#include "cli/args.hpp"
#include "cli/command_context.hpp"

namespace stratd::cli {

using RunCommand = CliStatus (*)(CommandContext&);

struct Command {
  CommandSpec spec;
  RunCommand run;
  std::string_view help;  // paragraphs after the usage line
};

std::span<const Command> commands();
const Command* find_command(std::string_view name);
// The command a parsed spec belongs to.
const Command* command_of(const CommandSpec* spec);
// Options every command takes: --url, --json, --no-color, --timeout, --help.
std::span<const OptionSpec> global_options();

// runner_commands.cpp
CliStatus run_ls(CommandContext& ctx);
CliStatus run_show(CommandContext& ctx);
CliStatus run_add(CommandContext& ctx);
CliStatus run_rm(CommandContext& ctx);
CliStatus run_start(CommandContext& ctx);
CliStatus run_stop(CommandContext& ctx);
CliStatus run_restart(CommandContext& ctx);
// health_command.cpp
CliStatus run_health(CommandContext& ctx);
// watch_command.cpp
CliStatus run_watch(CommandContext& ctx);
// top_command.cpp
CliStatus run_top(CommandContext& ctx);
// logs_command.cpp
CliStatus run_logs(CommandContext& ctx);

}  // namespace stratd::cli
