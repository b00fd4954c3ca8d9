#include "common/logging.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/json_writer.hpp"

namespace stratd {
namespace {

thread_local std::string_view this_thread_request_id;

// syslog priorities (sd-daemon.h's SD_ERR and friends) by spdlog level.
constexpr int kPriority[] = {7, 7, 6, 4, 3, 2, 6};

void append_time(std::string& out, spdlog::log_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = std::time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
  out.append(buf, size_t(n));
}

class LineFormatter final : public spdlog::formatter {
 public:
  LineFormatter(LogFormat format, bool journal) : format_(format), journal_(journal) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(msg.payload.size() + 96);
    if (journal_) {
      line += '<';
      line += char('0' + kPriority[msg.level]);
      line += '>';
    }
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string_view text(msg.payload.data(), msg.payload.size());
    if (format_ == LogFormat::Json) {
      line += R"({"time":")";
      append_time(line, msg.time);
      line += R"(","level":)";
      append_json_string(line, std::string_view(level.data(), level.size()));
      line += R"(,"logger":)";
      append_json_string(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
      if (!this_thread_request_id.empty()) {
        line += R"(,"request_id":)";
        append_json_string(line, this_thread_request_id);
      }
      line += R"(,"msg":)";
      append_json_string(line, text);
      line += '}';
    } else {
      if (!journal_) {
        append_time(line, msg.time);
        line += ' ';
      }
      line.append(level.data(), level.size());
      line += " [";
      line.append(msg.logger_name.data(), msg.logger_name.size());
      line += "] ";
      if (!this_thread_request_id.empty()) {
        line += "req=";
        line += this_thread_request_id;
        line += ' ';
      }
      line += text;
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_, journal_);
  }

 private:
  LogFormat format_;
  bool journal_;
};

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st{};
  return fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void init_logging(const std::string& name, const std::string& level, LogFormat format) {
  auto logger = spdlog::stderr_logger_mt(name);
  logger->set_formatter(std::make_unique<LineFormatter>(format, stderr_is_journal()));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

bool set_log_level(const std::string& level) {
  const auto l = spdlog::level::from_str(level);
  // from_str answers "off" for a name it does not know.
  if (l == spdlog::level::off && level != "off") return false;
  spdlog::set_level(l);
  return true;
}

std::string_view current_request_id() { return this_thread_request_id; }

RequestLogScope::RequestLogScope(std::string_view request_id) : previous_(this_thread_request_id) {
  this_thread_request_id = request_id;
}
RequestLogScope::~RequestLogScope() { this_thread_request_id = previous_; }

}  // namespace stratd
