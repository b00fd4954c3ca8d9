#pragma once
// The body of POST /api/runners: parsed and checked in full, every problem
// reported at once.
#include <string>

#include <nlohmann/json.hpp>

#include "common/config.hpp"
#include "common/result.hpp"
#include "supervisor/runners/runner_spec.hpp"

namespace stratd::supervisor::http {

// Errors: INVALID_JSON, VALIDATION_ERROR (with `details` naming each field).
Expected<RunnerSpec> parse_add_request(const std::string& body, const Config& cfg, nlohmann::json& details);

}  // namespace stratd::supervisor::http
