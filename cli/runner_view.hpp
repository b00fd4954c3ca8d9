#pragma once
// Runners as people read them: the `ls` / `top` table (one row per runner,
// PM2-style) and the `show` card (every detail, grouped). Both are built
// from GET /api/runners/:id's data, never from a second source.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.hpp"
#include "cli/table.hpp"

namespace stratd::cli {

// Every runner's details, in the list's order. A runner removed between
// the list and its details is left out. Errors: from the API.
CliExpected<std::vector<nlohmann::json>> fetch_runner_details(ApiClient& api);

// Columns: id, symbol, strategy, lifecycle, state, position, PnL
// (realized + unrealized), ticks, restarts, CPU, RSS, heartbeat age, uptime.
Table runner_table(const std::vector<nlohmann::json>& runners);

// `show`: one "key  value" line per detail.
std::string runner_card(const nlohmann::json& details, bool color);

// The colour a lifecycle is shown in: green running, red crashed or
// failed, yellow on its way, dim stopped.
Style lifecycle_style(const std::string& lifecycle);

}  // namespace stratd::cli
