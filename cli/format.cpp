#include "cli/format.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace stratd::cli {

std::string seconds_text(std::chrono::milliseconds ms) {
  const auto n = ms.count();
  std::string s = std::to_string(n / 1000);
  if (n % 1000 != 0) {
    std::string frac = std::to_string(n % 1000 + 1000).substr(1);
    while (frac.back() == '0') frac.pop_back();
    s += "." + frac;
  }
  return s + " s";
}

std::string duration_text(int64_t secs) {
  if (secs < 0) secs = 0;
  char buf[32];
  if (secs < 60) {
    std::snprintf(buf, sizeof buf, "%llds", (long long)secs);
  } else if (secs < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", (long long)(secs / 60), (long long)(secs % 60));
  } else if (secs < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", (long long)(secs / 3600), (long long)(secs % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", (long long)(secs / 86400), (long long)(secs % 86400 / 3600));
  }
  return buf;
}

std::string age_text(int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms < 60'000) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", double(ms / 100) / 10.0);
    return buf;
  }
  return duration_text(ms / 1000);
}

std::string bytes_text(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + "B";
  double v = double(bytes) / 1024.0;
  size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10.0 ? "%.2f%s" : v < 100.0 ? "%.1f%s" : "%.0f%s", v, kUnits[unit]);
  return buf;
}

std::string fixed_text(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  // "-0.00": a loss too small to show is no loss.
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string signed_text(double v, int decimals) {
  const std::string s = fixed_text(v, decimals);
  const bool positive = s != "-" && s[0] != '-' && s.find_first_not_of("0.") != std::string::npos;
  return positive ? "+" + s : s;
}

std::string utc_time_text(int64_t epoch_ms, bool millis) {
  const time_t secs = time_t(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
  const int ms = int(epoch_ms - int64_t(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (millis) std::snprintf(buf + n, sizeof buf - size_t(n), ".%03d", ms);
  return std::string(buf) + "Z";
}

}  // namespace stratd::cli
