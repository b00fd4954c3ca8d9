#pragma once
// How strictly a worker's (and the feed's) system call filter acts:
// `kill` ends the process on a call outside the allow-list (SIGSYS), `log`
// lets it through and has the kernel log it (for finding what a new
// library needs; the calls that are never needed stay killed), `off`
// installs nothing (debugging under strace or gdb). The filter itself is
// ipc/seccomp_filter.hpp; this is only the setting, so stratd can check it
// without linking libseccomp.
#include <optional>
#include <string_view>

namespace stratd {

enum class SeccompMode { Kill, Log, Off };

inline std::optional<SeccompMode> parse_seccomp_mode(std::string_view text) {
  if (text == "kill") return SeccompMode::Kill;
  if (text == "log") return SeccompMode::Log;
  if (text == "off") return SeccompMode::Off;
  return std::nullopt;
}

}  // namespace stratd
