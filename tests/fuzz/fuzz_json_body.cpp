// The body of POST /api/runners.
#include <cstdint>
#include <string>

#include "common/config.hpp"
#include "supervisor/http/runner_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const stratd::Config cfg;
  nlohmann::json details;
  auto spec = stratd::supervisor::http::parse_add_request(std::string(reinterpret_cast<const char*>(data), size), cfg,
                                                          details);
  (void)details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)spec;
  return 0;
}
