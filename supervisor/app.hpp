#pragma once
// stratd as a whole: state directory, event hub, feed, runners, HTTP API,
// signals and systemd notification, wired together on one Asio loop.
#include <functional>

#include "common/config.hpp"

namespace stratd::supervisor {

// Loads the configuration again, as at start-up (SIGHUP).
using ConfigReloader = std::function<Expected<LoadedConfig>()>;

// Runs until SIGTERM or SIGINT; returns the process exit code. `cfg` is
// the resolved configuration, `requested` what was loaded before paths
// were resolved; a reload compares against it and applies live settings
// to `cfg` on the HTTP loop, where they are read.
int run_stratd(Config& cfg, Config requested, ConfigReloader reload);

}  // namespace stratd::supervisor
