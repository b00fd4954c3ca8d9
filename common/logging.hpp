#pragma once
// Process-wide logging on spdlog: to stderr, which systemd's journal (for
// stratd) or the per-runner log file (for workers) captures.
#include <string>

#include <spdlog/spdlog.h>

namespace stratd {

// `name` prefixes every line so interleaved logs stay readable.
void init_logging(const std::string& name, const std::string& level);

}  // namespace stratd
