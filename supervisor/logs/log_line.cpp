#include "supervisor/logs/log_line.hpp"

#include <charconv>
#include <chrono>

namespace stratd::supervisor {
namespace {

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// `YYYY-MM-DDTHH:MM:SS[.fraction]` at the start of `s`; `pos` ends after it.
std::optional<int64_t> date_time_ms(std::string_view s, size_t& pos) {
  int y, mo, d, h, mi, sec;
  pos = 0;
  if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, mo) || !expect(s, pos, '-') ||
      !digits(s, pos, 2, d)) {
    return std::nullopt;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!digits(s, pos, 2, h) || !expect(s, pos, ':') || !digits(s, pos, 2, mi) || !expect(s, pos, ':') ||
      !digits(s, pos, 2, sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                        std::chrono::day(unsigned(d))};
  if (!ymd.ok()) return std::nullopt;
  int64_t ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100;
    size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return std::nullopt;
  }
  const auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((int64_t(days) * 24 + h) * 60 + mi) * 60'000 + int64_t(sec) * 1000 + ms;
}

}  // namespace

std::optional<int64_t> line_timestamp_ms(std::string_view line) {
  size_t pos = 0;
  auto ms = date_time_ms(line, pos);
  if (!ms) return std::nullopt;
  // What follows the time is a zone mark or the rest of the line.
  if (pos < line.size() && line[pos] != 'Z' && line[pos] != ' ') return std::nullopt;
  return ms;
}

std::optional<int64_t> parse_time_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t ms = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
    return ms;
  }
  size_t pos = 0;
  auto ms = date_time_ms(text, pos);
  if (!ms) return std::nullopt;
  if (pos == text.size()) return ms;
  if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return ms;
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  const int sign = text[pos] == '+' ? 1 : -1;
  ++pos;
  int oh, om;
  if (!digits(text, pos, 2, oh) || !expect(text, pos, ':') || !digits(text, pos, 2, om) || pos != text.size() ||
      oh > 23 || om > 59) {
    return std::nullopt;
  }
  return *ms - sign * (int64_t(oh) * 60 + om) * 60'000;
}

}  // namespace stratd::supervisor
