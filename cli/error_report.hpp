#pragma once
// How a failure reaches the user: "stratctl: CODE: message" on stderr,
// each field problem of a VALIDATION_ERROR on a line below, and with
// --json the error object on stdout as well, for scripts that read JSON.
#include <ostream>

#include "cli/cli_error.hpp"

namespace stratd::cli {

void report_error(const CliError& e, bool json, std::ostream& out, std::ostream& err);

}  // namespace stratd::cli
