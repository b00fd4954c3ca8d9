#pragma once
// Help text, written from the command table so it cannot drift from what
// the parser accepts.
#include <string>

#include "cli/commands.hpp"

namespace stratd::cli {

std::string general_usage();
std::string command_usage(const Command& command);
// `stratctl help [command]`.
CliStatus run_help(CommandContext& ctx);

}  // namespace stratd::cli
