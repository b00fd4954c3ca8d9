#pragma once
// Process-wide logging on spdlog, to stderr: systemd's journal captures
// stratd's, the per-runner log file a worker's. Every line starts with its
// UTC time (the log API reads it back, supervisor/logs/log_line.hpp),
// except under journald, which stamps lines itself and reads a `<N>`
// syslog priority prefix instead.
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace stratd {

enum class LogFormat { Text, Json };

// `name` prefixes every line so interleaved logs stay readable.
void init_logging(const std::string& name, const std::string& level, LogFormat format = LogFormat::Text);
// False if `name` is not a level spdlog knows.
bool set_log_level(const std::string& level);

// True when stderr is the journal's stream ($JOURNAL_STREAM names its
// device and inode, so a child whose stderr was redirected is not fooled).
bool stderr_is_journal();

// The id of the HTTP request being handled on this thread, if any.
std::string_view current_request_id();

// The HTTP request being handled on this thread, shown on every line
// logged meanwhile (`req=<id>`, or "request_id" in JSON).
class RequestLogScope {
 public:
  explicit RequestLogScope(std::string_view request_id);
  ~RequestLogScope();
  RequestLogScope(const RequestLogScope&) = delete;
  RequestLogScope& operator=(const RequestLogScope&) = delete;

 private:
  std::string_view previous_;
};

}  // namespace stratd
