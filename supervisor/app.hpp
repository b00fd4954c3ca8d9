#pragma once
// stratd as a whole: state directory, event hub, feed, runners, HTTP API,
// signals and systemd notification, wired together on one Asio loop.
#include "common/config.hpp"

namespace stratd::supervisor {

// Runs until SIGTERM or SIGINT; returns the process exit code.
int run_stratd(const Config& cfg);

}  // namespace stratd::supervisor
