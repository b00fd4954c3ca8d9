#pragma once
// The time stamps of log lines and of the `since` a client asks for. Every
// line stratd's children log through spdlog starts with its UTC time
// (common/logging.cpp); anything else a child writes has none.
#include <cstdint>
#include <optional>
#include <string_view>

namespace stratd::supervisor {

// Milliseconds since the epoch of a line that starts with
// `YYYY-MM-DDTHH:MM:SS[.mmm][Z]` (UTC), else nothing.
std::optional<int64_t> line_timestamp_ms(std::string_view line);

// A client's time: milliseconds since the epoch, or RFC 3339
// (`2026-12-02T01:00:00Z`, fractions and `+hh:mm` offsets allowed; no zone
// means UTC). Nothing if it is neither.
std::optional<int64_t> parse_time_ms(std::string_view text);

}  // namespace stratd::supervisor
