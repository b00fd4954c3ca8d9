#pragma once
// The last lines of a child's log (the rotated `<log>.1` before the live
// file), read backwards in chunks so a tail of a large log costs what the
// tail holds, never more than a fixed number of bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stratd::supervisor {

struct LogLine {
  std::string text;
  std::optional<int64_t> timestamp_ms;  // the line's own stamp, if it has one
};

struct LogTail {
  std::vector<LogLine> lines;  // oldest first
  // More lines matched than were asked for, or the scan reached its bound.
  bool truncated = false;
};

struct LogQuery {
  size_t tail = 100;
  // Lines stamped at or after this; an unstamped line goes with the
  // stamped line before it.
  std::optional<int64_t> since_ms;
  uint64_t max_scan_bytes = 8u << 20;
  size_t max_line_bytes = 16u << 10;  // longer lines are cut
};

// Missing files are empty logs.
LogTail read_log_tail(const std::string& log_path, const LogQuery& q);

}  // namespace stratd::supervisor
