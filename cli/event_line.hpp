#pragma once
// One event as one line for `watch`: time (UTC), seq, type, runner,
// symbol, then the event's data as key=value.
#include <string>

#include <nlohmann/json.hpp>

namespace stratd::cli {

std::string event_line(const nlohmann::json& event, bool color);

}  // namespace stratd::cli
