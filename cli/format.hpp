#pragma once
// How stratctl writes numbers for people: durations, ages, sizes, money
// and times. Pure functions; `--json` output never goes through them.
#include <chrono>
#include <cstdint>
#include <string>

namespace stratd::cli {

// A timeout or an interval: "10 s", "0.25 s".
std::string seconds_text(std::chrono::milliseconds ms);
// An uptime: "42s", "5m07s", "3h04m", "2d05h".
std::string duration_text(int64_t secs);
// A heartbeat age: "120ms", "3.4s", then as duration_text.
std::string age_text(int64_t ms);
// Resident memory: "512B", "1.5KiB", "23.4MiB", "1.02GiB".
std::string bytes_text(uint64_t bytes);
// A fixed number of decimals, without "-0.00".
std::string fixed_text(double v, int decimals);
// PnL with its sign: "+12.50", "-3.20", "0.00".
std::string signed_text(double v, int decimals);
// An instant in UTC, to the millisecond ("2026-12-02T01:00:00.250Z") or,
// for a time stratd keeps in seconds, to the second.
std::string utc_time_text(int64_t epoch_ms, bool millis = true);

}  // namespace stratd::cli
