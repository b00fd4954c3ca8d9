#include "common/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>

namespace stratd {

void init_logging(const std::string& name, const std::string& level) {
  auto logger = spdlog::stderr_logger_mt(name);
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace stratd
