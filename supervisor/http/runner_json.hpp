#pragma once
// JSON views of a runner: the seed's list entry and the details with
// worker health.
#include <string>

#include <nlohmann/json.hpp>

#include "supervisor/http/api_context.hpp"

namespace stratd::supervisor::http {

// runner_id, symbol, state, has_position, ticks_processed, uptime_secs,
// plus lifecycle, health, pid and restarts; serialized, and cached until
// any of it changes.
const std::string& runner_summary_json(const ApiContext& ctx, const Runner& r);
// A JSON array of every runner's summary.
std::string runner_list_json(const ApiContext& ctx);
// The seed's snapshot object, serialized and cached per worker commit.
Expected<std::string> snapshot_json(const ApiContext& ctx, const Runner& r);
// The summary plus configuration, worker health and trading totals.
nlohmann::json runner_details(const ApiContext& ctx, const Runner& r);

}  // namespace stratd::supervisor::http
