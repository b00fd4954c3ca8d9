#pragma once
// JSON views of a runner: the seed's list entry and the details with
// worker health.
#include <nlohmann/json.hpp>

#include "supervisor/http/api_context.hpp"

namespace stratd::supervisor::http {

// runner_id, symbol, state, has_position, ticks_processed, uptime_secs,
// plus lifecycle, health, pid and restarts.
nlohmann::json runner_summary(const ApiContext& ctx, const Runner& r);
// The summary plus configuration, worker health and trading totals.
nlohmann::json runner_details(const ApiContext& ctx, const Runner& r);

}  // namespace stratd::supervisor::http
